"""Elections and candidacies in the admin, with each candidacy's dated status history.

A candidacy's status is the latest step of its history. Steps reported by claims are shown
read-only (they change with their claim); steps entered by hand are edited here, and the
candidacy's status is brought up to date after every change. An election is saved by
`election_create` and `election_update`; a new polling date puts the status steps of its
candidates in order again.

Elections are not deleted (candidacies and claims point at them: a wrong one is corrected).
A candidacy recorded by mistake is deleted from its own page, by someone who holds the
permission to (no role does: it is a superuser's repair), through `candidacy_remove`, which
refuses while claims are about it.
"""

from django import forms
from django.contrib import admin
from django.db.models import Count, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from elections.models import Candidacy, Claim, Election
from elections.resources import ElectionResource
from elections.services import (
    candidacy_create,
    candidacy_remove,
    candidacy_update,
    election_create,
    election_update,
)
from sources.admin.sheets import SheetAdminMixin

from .base import REFUSALS, PartialDateField, ServiceHistoryAdmin, ServiceRefused
from .filters import name_search
from .inlines import StatusStepsByHandInline, StatusStepsFromClaimsInline


class ElectionForm(forms.ModelForm):
    """An election, its polling date typed as YYYY, YYYY-MM or YYYY-MM-DD."""

    polling = PartialDateField(
        label=_("Polling date"),
        help_text=_(
            "Polling day as YYYY-MM-DD, or YYYY-MM / YYYY when only that is known "
            "(Beijing's district polls: 2011-11-08)."
        ),
    )

    class Meta:
        model = Election
        fields = ["name", "slug", "place", "level", "cycle", "notes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "polling" in self.fields and self.instance.polling_on is not None:
            self.fields["polling"].initial = self.instance.polling


# What the election form saves, besides its polling date.
ELECTION_FIELDS = ["name", "slug", "place", "level", "cycle", "notes"]


@admin.register(Election)
class ElectionAdmin(SheetAdminMixin, ServiceHistoryAdmin):
    resource_classes = [ElectionResource]
    form = ElectionForm
    list_display = ["name", "place", "level", "cycle", "polling_shown", "candidacy_count"]
    list_select_related = ["place"]
    list_filter = ["level", "cycle"]
    search_fields = ["name", "slug", "place__name", "place__name_zh"]
    autocomplete_fields = ["place"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "place", "level", "cycle", "polling", "notes"]
    # Shown in place of the polling field to whoever may only view (the history pages too,
    # which build their form without the view-only exclusion of the change page).
    readonly_fields = ["polling_shown"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(candidacy_count=Count("candidacies"))

    def get_fields(self, request, obj=None):
        if obj is not None and not self.has_change_permission(request, obj):
            return [name if name != "polling" else "polling_shown" for name in self.fields]
        return self.fields

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        fields = {name: data[name] for name in ELECTION_FIELDS if name in data}
        try:
            if change:
                election = election_update(
                    election=obj, polling=data.get("polling"), acting_user=request.user, **fields
                )
            else:
                election = election_create(
                    polling=data.get("polling"), acting_user=request.user, **fields
                )
        except REFUSALS as error:
            raise ServiceRefused(error) from error
        self.adopt_saved(obj, election)

    @admin.display(description=_("polling date"), ordering="polling_on")
    def polling_shown(self, election):
        polling = election.polling
        return polling.display() if polling else "–"

    @admin.display(description=_("candidacies"), ordering="candidacy_count")
    def candidacy_count(self, election):
        return election.candidacy_count


@admin.register(Candidacy)
class CandidacyAdmin(ServiceHistoryAdmin):
    list_display = ["candidate", "election", "status", "votes"]
    list_select_related = ["candidate", "election"]
    list_filter = ["status", "election__level", ("election", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["election__name", "candidate__display_name", "candidate__name_zh"]
    autocomplete_fields = ["candidate", "election"]
    inlines = [StatusStepsFromClaimsInline, StatusStepsByHandInline]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["candidate", "election", "votes", "notes"]
        return ["candidate", "election", "status", "votes", "notes"]

    def get_readonly_fields(self, request, obj=None):
        # A run's status is its history's latest step; candidate and election are what it is.
        return ["candidate", "election", "status"] if obj is not None else []

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        condition = Q(election__name__icontains=term) | Q(election__slug__icontains=term)
        by_name = name_search(term, prefix="candidate__")
        if by_name is not None:
            condition |= by_name
        return queryset.filter(condition), False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            if change:
                run = candidacy_update(
                    candidacy=obj,
                    votes=data.get("votes"),
                    notes=data.get("notes", ""),
                    acting_user=request.user,
                )
            else:
                run = candidacy_create(
                    candidate=data["candidate"],
                    election=data["election"],
                    votes=data.get("votes"),
                    notes=data.get("notes", ""),
                    acting_user=request.user,
                )
        except REFUSALS as error:
            raise ServiceRefused(error) from error
        self.adopt_saved(obj, run)

    def remove_object(self, request, obj):
        candidacy_remove(candidacy=obj, acting_user=request.user)

    def get_deleted_objects(self, objs, request):
        # `candidacy_remove` decides what goes with a candidacy: its steps entered by hand,
        # never its claims. The confirmation page lists the claims as what blocks it.
        deleted, counts, _perms_needed, protected = super().get_deleted_objects(objs, request)
        claims = Claim.objects.filter(candidacy__in=objs).select_related("candidate")
        blocking = [
            gettext("Claim #%(number)s: %(property)s “%(value)s”")
            % {"number": claim.pk, "property": claim.get_property_display(), "value": claim.value}
            for claim in claims.order_by("pk")
        ]
        return deleted, counts, set(), [*blocking, *protected]
