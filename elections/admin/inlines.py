"""Inlines of the candidate and candidacy pages: names, runs for office, status steps (a
candidate's claims are a read-only table of their own, `candidate_claims`).

Formsets that write have a `save_through_services(user)` that the page's admin calls instead
of the formset's own save: each row added, changed or removed goes through its service
(`candidate_add_name`, `candidate_name_update`, `candidate_name_remove`; `candidacy_create`,
`candidacy_update`; `candidacy_step_add`, `candidacy_step_update`, `candidacy_step_remove`),
which checks the editor's permission and records them in the row's history.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, TextField
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from elections.models import Candidacy, CandidacyStatus, CandidateName
from elections.services import (
    candidacy_create,
    candidacy_step_add,
    candidacy_step_remove,
    candidacy_step_update,
    candidacy_update,
    candidate_add_name,
    candidate_name_remove,
    candidate_name_update,
)
from sources.admin.widgets import CheckedAutocompleteMixin

from .base import PartialDateField, html_list

ARTICLE_TEXTS = ("article__text", "article__source_text", "article__boilerplate")


class ServiceFormSet(BaseInlineFormSet):
    """A formset whose rows are written by `create`, `change` and `remove`, each a service
    call; one it does not define is refused (the form shows why), never written another way."""

    def save_through_services(self, user):
        self.save(commit=False)
        for obj in self.deleted_objects:
            self.remove(obj, user)
        for obj, _fields in self.changed_objects:
            self.change(obj, user)
        for obj in self.new_objects:
            self.create(obj, user)

    def create(self, obj, user):
        raise PermissionDenied(
            gettext("%(objects)s are not added here.") % {"objects": _plural(obj)}
        )

    def change(self, obj, user):
        raise PermissionDenied(
            gettext("%(objects)s are not changed here.") % {"objects": _plural(obj)}
        )

    def remove(self, obj, user):
        raise PermissionDenied(
            gettext("%(objects)s are not removed here.") % {"objects": _plural(obj)}
        )


def _plural(obj):
    """The plural name of `obj`'s model, capitalized, to begin a sentence."""
    return str(obj._meta.verbose_name_plural).capitalize()


class NameFormSet(ServiceFormSet):
    def create(self, obj, user):
        candidate_add_name(
            candidate=self.instance,
            name=obj.name,
            kind=obj.kind,
            passage=obj.passage,
            note=obj.note,
            acting_user=user,
        )

    def change(self, obj, user):
        candidate_name_update(
            candidate_name=obj,
            name=obj.name,
            kind=obj.kind,
            passage=obj.passage,
            note=obj.note,
            acting_user=user,
        )

    def remove(self, obj, user):
        candidate_name_remove(candidate_name=obj, acting_user=user)


class CandidacyFormSet(ServiceFormSet):
    def create(self, obj, user):
        candidacy_create(
            candidate=self.instance,
            election=obj.election,
            votes=obj.votes,
            notes=obj.notes,
            acting_user=user,
        )

    def change(self, obj, user):
        candidacy_update(
            candidacy=obj, election=obj.election, votes=obj.votes, notes=obj.notes, acting_user=user
        )


class StatusStepFormSet(ServiceFormSet):
    def create(self, obj, user):
        candidacy_step_add(
            candidacy=self.instance, status=obj.status, on=obj.date, note=obj.note, acting_user=user
        )

    def change(self, obj, user):
        candidacy_step_update(
            step=obj, status=obj.status, on=obj.date, note=obj.note, acting_user=user
        )

    def remove(self, obj, user):
        candidacy_step_remove(step=obj, acting_user=user)


class CandidateNameInline(CheckedAutocompleteMixin, admin.TabularInline):
    """Every form of the name as printed, with the passage it was printed in."""

    model = CandidateName
    formset = NameFormSet
    fields = ["name", "kind", "passage", "note"]
    autocomplete_fields = ["passage"]
    extra = 1
    verbose_name = _("other name")
    verbose_name_plural = _("other names (each form as printed, with its passage)")


class CandidacyInline(CheckedAutocompleteMixin, admin.TabularInline):
    """The candidate's runs for office; their status comes from the dated history."""

    model = Candidacy
    formset = CandidacyFormSet
    fields = ["election", "status", "status_history", "votes", "notes"]
    readonly_fields = ["status", "status_history"]
    autocomplete_fields = ["election"]
    formfield_overrides = {TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 30})}}
    extra = 0
    can_delete = False
    show_change_link = True

    def get_queryset(self, request):
        steps = CandidacyStatus.objects.select_related("claim__article__outlet").defer(
            *(f"claim__{name}" for name in ARTICLE_TEXTS)
        )
        return (
            super()
            .get_queryset(request)
            .select_related("election")
            .prefetch_related(Prefetch("statuses", queryset=steps))
        )

    @admin.display(description=_("dated history"))
    def status_history(self, candidacy):
        if candidacy.pk is None:
            return "–"
        return html_list([step_line(step) for step in candidacy.statuses.all()])


def step_line(step):
    """A status step with its date and where it comes from (a claim, or an editor's hand)."""
    if step.claim_id is None:
        return format_html(
            "{} · {} · <em>{}</em>",
            step.get_status_display(),
            step.date.display(),
            gettext("entered by hand"),
        )
    claim = step.claim
    url = reverse("admin:elections_claim_change", args=[claim.pk])
    return format_html(
        '{} · {} · <a href="{}">{}</a> ({}, {})',
        step.get_status_display(),
        step.date.display(),
        url,
        gettext("claim #%(number)s") % {"number": claim.pk},
        claim.article.outlet.name,
        claim.get_state_display(),
    )


class StatusStepForm(forms.ModelForm):
    """A status step entered by hand, its date typed as YYYY, YYYY-MM or YYYY-MM-DD."""

    when = PartialDateField(required=True, help_text=_("YYYY, YYYY-MM or YYYY-MM-DD."))

    class Meta:
        model = CandidacyStatus
        fields = ["status", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["when"].initial = self.instance.date

    def clean(self):
        cleaned = super().clean()
        when = cleaned.get("when")
        if when is not None:
            self.instance.on, self.instance.precision = when.earliest(), when.precision
        return cleaned


class StatusStepsFromClaimsInline(admin.TabularInline):
    """Steps reported by claims: they change when the claim changes, never here."""

    model = CandidacyStatus
    fields = ["status", "when", "source"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name = _("status step reported by a claim")
    verbose_name_plural = _("status history reported by claims")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(claim__isnull=False)
            .select_related("claim__article__outlet")
            .defer(*(f"claim__{name}" for name in ARTICLE_TEXTS))
        )

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("date"))
    def when(self, step):
        return step.date.display()

    @admin.display(description=_("reported by"))
    def source(self, step):
        return step_line(step)


class StatusStepsByHandInline(admin.TabularInline):
    """Steps an editor enters without a claim (a result read in an official notice)."""

    model = CandidacyStatus
    form = StatusStepForm
    formset = StatusStepFormSet
    fields = ["status", "when", "note"]
    extra = 0
    verbose_name = _("status step entered by hand")
    verbose_name_plural = _("status history entered by hand")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(claim__isnull=True)
