"""Inlines of the candidate and candidacy pages: names, runs for office, status steps, claims.

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
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from elections.models import Candidacy, CandidacyStatus, CandidateName, Claim
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
from sources.admin.widgets import DATABASE_INTEGERS, CheckedAutocompleteMixin

from .base import PartialDateField, html_list
from .display import citation_html, marker, read_keys, readable_key, state_badge
from .filters import open_contradictions_of_claim

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


class ReadableKeysFormSet(BaseInlineFormSet):
    """Claims whose normalized values are put in words for the whole formset in one query."""

    def get_queryset(self):
        queryset = super().get_queryset()
        if queryset._result_cache is None:
            read_keys(queryset)  # evaluates it; the formset reads the same cached rows
            for claim in queryset:
                # The candidate is the page's own: never read again for each claim.
                claim.candidate = self.instance
        return queryset


# How many of a candidate's claims its page shows (the claims list shows them all).
CLAIMS_SHOWN = 50


class CandidateClaimInline(admin.TabularInline):
    """The candidate's claims, read-only, each with its citation; edited on the claim's page."""

    model = Claim
    fk_name = "candidate"
    fields = ["property", "value", "normalized_key", "as_of_shown", "citation", "review"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = _("claims (what the press reports say, each with its citation)")
    formset = ReadableKeysFormSet

    def get_queryset(self, request):
        queryset = (
            super()
            .get_queryset(request)
            .select_related("article__outlet", "passage")
            .defer(*ARTICLE_TEXTS)
            .annotate(disputed=open_contradictions_of_claim())
            .order_by("property", "as_of", "pk")
        )
        # The page shows the first CLAIMS_SHOWN; the claims list has every one (linked from
        # the page), so a candidate with hundreds of claims costs what one with fifty does.
        object_id = getattr(getattr(request, "resolver_match", None), "kwargs", {}).get(
            "object_id", ""
        )
        if str(object_id).isdigit() and int(object_id) <= DATABASE_INTEGERS[-1]:
            first = (
                Claim.objects.filter(candidate_id=int(object_id))
                .order_by("property", "as_of", "pk")
                .values_list("pk", flat=True)[:CLAIMS_SHOWN]
            )
            queryset = queryset.filter(pk__in=list(first))
        return queryset

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("normalized"))
    def normalized_key(self, claim):
        return readable_key(claim)

    @admin.display(description=_("as of"))
    def as_of_shown(self, claim):
        date = claim.as_of_date
        return date.display() if date else "–"

    @admin.display(description=_("citation"))
    def citation(self, claim):
        return citation_html(claim)

    @admin.display(description=_("review"))
    def review(self, claim):
        return claim_markers(claim)


def claim_markers(claim):
    """The claim's state, and whether it is disputed or overruled (needs `disputed` annotated)."""
    badges = [state_badge(claim)]
    if getattr(claim, "disputed", False):
        badges.append(
            marker(gettext("disputed"), "disputed", gettext("In a version of an open dispute"))
        )
    if claim.overruled:
        badges.append(marker(gettext("overruled"), "overruled", claim.overruled_reason))
    return format_html_join(" ", "{}", ((badge,) for badge in badges))


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
