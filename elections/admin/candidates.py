"""Candidates in the admin: the list editors work from, profiles, their names, runs and claims.

A new candidate is made by `candidate_create`; a change of the profile's fields is saved by
`candidate_update` with the revision it was opened at, so that a save made after someone
else's is refused with what they changed. The publication state changes only through the
actions, which call the services (submit for review, publish, withdraw), and a merge goes
through `candidate_merge` from a page where the reviewer chooses which record survives.

A candidate is never deleted: a profile that should not be public is withdrawn (with the
reason in its history), and a duplicate is merged into the record that survives (which can be
undone). Deleting would take with it the claims and the history that say why.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.core.validators import MaxLengthValidator
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from elections.models import Candidacy, Candidate, Claim, Contradiction
from elections.resources import CandidateResource
from elections.services import (
    candidate_create,
    candidate_publish,
    candidate_submit_for_review,
    candidate_update,
    candidate_withdraw,
)
from sources.admin.paging import LargeListAdminMixin, count_rows
from sources.admin.rows import LargeListChangeList
from sources.admin.sheets import SheetAdminMixin
from sources.admin.widgets import DATABASE_INTEGERS
from sources.identifiers import wikidata_qid

from .base import (
    REFUSALS,
    ServiceHistoryAdmin,
    ServiceRefused,
    html_list,
    intermediate_page,
    lost_update_error,
    refusal_message,
    without_field,
)
from .candidate_claims import candidate_claims, columns
from .contradictions import dispute_rows
from .desk import to_next
from .filters import (
    CandidacyProvinceFilter,
    HasOpenContradictionsFilter,
    desk_filter,
    name_search,
)
from .inlines import CandidacyInline, CandidateNameInline
from .merges import merge_candidates

# What an action says of each candidate it refused and of those it changed, whole for each
# verb so that they translate: (refused, a function of the count giving the done message).
ACTION_MESSAGES = {
    "submitted for review": (
        _("%(candidate)s was not submitted for review: %(why)s"),
        lambda count: ngettext(
            "%(count)d candidate(s) submitted for review.",
            "%(count)d candidate(s) submitted for review.",
            count,
        ),
    ),
    "published": (
        _("%(candidate)s was not published: %(why)s"),
        lambda count: ngettext(
            "%(count)d candidate(s) published.", "%(count)d candidate(s) published.", count
        ),
    ),
    "withdrawn": (
        _("%(candidate)s was not withdrawn: %(why)s"),
        lambda count: ngettext(
            "%(count)d candidate(s) withdrawn.", "%(count)d candidate(s) withdrawn.", count
        ),
    ),
}

# The fields of the profile form; a lost update is described in terms of these and the state.
PROFILE_FIELDS = [
    "display_name",
    "name_zh",
    "gender",
    "birth_year",
    "slug",
    "weibo",
    "wikidata",
    "notes",
]


def count_of(queryset):
    """The number of rows of `queryset` (filtered on an OuterRef) as a subquery, 0 when none."""
    counted = queryset.order_by().values("candidate").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


PASTED_MAX = 200


class CandidateForm(forms.ModelForm):
    """The profile's own fields, and the revision the form was opened at."""

    opened_revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Candidate
        fields = PROFILE_FIELDS
        labels = {"name_zh": _("Chinese name")}
        # The admin shows help texts as HTML: the model's "<slug>" would vanish as a tag.
        help_texts = {"slug": _("The profile's address: /candidates/&lt;slug&gt;/.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.fields["slug"].required = False
            self.fields["slug"].help_text = gettext("Left empty, it is made from the name.")
        elif "opened_revision" in self.fields:
            self.fields["opened_revision"].initial = self.instance.revision
        if "wikidata" in self.fields:
            # Room for an item's address, which `clean_wikidata` reads as its QID.
            field = self.fields["wikidata"]
            field.max_length, field.validators = PASTED_MAX, [MaxLengthValidator(PASTED_MAX)]
            field.widget.attrs["maxlength"] = str(PASTED_MAX)

    def clean_wikidata(self):
        # An item's address pasted from Wikidata is taken as its QID.
        return wikidata_qid(self.cleaned_data.get("wikidata", ""))


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("Why the profile leaves the public site; kept in its history."),
    )


class CandidateChangeList(LargeListChangeList):
    """The candidate list, with each candidate's runs read in one more query for the page."""

    def get_queryset(self, request, exclude_parameters=None):
        runs = Candidacy.objects.select_related("election").order_by("election__name")
        return (
            super()
            .get_queryset(request, exclude_parameters)
            .prefetch_related(Prefetch("candidacies", queryset=runs))
        )


@admin.register(Candidate)
class CandidateAdmin(SheetAdminMixin, LargeListAdminMixin, ServiceHistoryAdmin):
    """Candidates: newest first by the primary key (a click on the name column sorts by
    name), counted without reading every candidate (`sources.admin.paging`), searched by
    their folded names (`name_search`), each row's claim counts read for the page only."""

    resource_classes = [CandidateResource]
    form = CandidateForm
    list_display = [
        "display_name",
        "chinese_name",
        "state_shown",
        "runs",
        "verified_count",
        "unverified_count",
        "open_contradiction_count",
    ]
    ordering = ["-id"]
    list_filter = [
        "state",
        "gender",
        CandidacyProvinceFilter,
        HasOpenContradictionsFilter,
        desk_filter("ready"),
    ]
    # Searched through the folded names in `get_search_results`; kept for the autocomplete.
    search_fields = ["display_name", "name_zh", "slug"]
    search_help_text = _("Any form of a name: 刘萍, Liu Ping, liuping, Xu Ruiyan; or a slug.")
    readonly_fields = [
        "state",
        "merged_into",
        "published_at",
        "revision",
        "created_at",
        "updated_at",
    ]
    add_fieldsets = [
        (None, {"fields": ["display_name", "name_zh", "gender", "birth_year"]}),
        (_("Profile"), {"fields": ["slug", "weibo", "wikidata", "notes"]}),
    ]
    fieldsets = [
        (None, {"fields": ["display_name", "name_zh", "gender", "birth_year"]}),
        (_("Profile"), {"fields": ["slug", "weibo", "wikidata", "notes"]}),
        (
            _("Publication"),
            {
                "fields": [
                    "state",
                    "published_at",
                    "merged_into",
                    ("revision", "created_at", "updated_at"),
                    "opened_revision",
                ]
            },
        ),
    ]
    # The claims are a read-only table after these (`candidate_claims`), not an inline.
    inlines = [CandidateNameInline, CandidacyInline]
    actions = ["submit_for_review", "publish", "withdraw", merge_candidates]
    history_list_display = ["state", "revision"]
    change_list_template = "admin/elections/candidate/change_list.html"
    change_form_template = "admin/elections/candidate/change_form.html"

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.add_fieldsets
        if self.has_change_permission(request, obj):
            return self.fieldsets
        return without_field(self.fieldsets, "opened_revision")

    def get_inlines(self, request, obj):
        # Names, runs and claims hang on a saved record; a new one starts with its profile.
        return self.inlines if obj is not None else []

    def get_queryset(self, request):
        claims = Claim.objects.filter(candidate=OuterRef("pk"))
        open_ones = Contradiction.objects.filter(
            candidate=OuterRef("pk"), status=Contradiction.Status.OPEN
        )
        return (
            super()
            .get_queryset(request)
            .select_related("merged_into")
            .annotate(
                verified_count=count_of(claims.filter(state=Claim.State.VERIFIED)),
                unverified_count=count_of(claims.filter(state=Claim.State.UNVERIFIED)),
                open_contradiction_count=count_of(open_ones),
            )
        )

    def get_changelist(self, request, **kwargs):
        return CandidateChangeList

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if term:
            condition = Q(slug__icontains=term)
            by_name = name_search(term)
            if by_name is not None:
                condition |= by_name
            queryset = queryset.filter(condition)
        match = getattr(request, "resolver_match", None)
        if match is not None and match.url_name == "autocomplete":
            # A claim or a name is never attached to a record merged into another.
            queryset = queryset.filter(merged_into__isnull=True)
        return queryset, False

    def has_publish_permission(self, request):
        return request.user.has_perm("elections.publish_candidate")

    def has_merge_permission(self, request):
        return request.user.has_perm("elections.merge_candidate")

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/publish/",
                self.admin_site.admin_view(self.publish_view),
                name="{}_{}_publish".format(*info),
            ),
            *super().get_urls(),
        ]

    def publish_view(self, request, object_id):
        """Publish one candidate from its page (the desk's "ready to publish" queue), then go
        on to the next one ready; a refusal stays on the page saying why."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_publish_permission(request):
            raise PermissionDenied
        object_id = unquote(object_id)
        if not str(object_id).isdigit() or int(object_id) > DATABASE_INTEGERS[-1]:
            raise Http404("No such candidate.")
        candidate = self.get_object(request, object_id)
        if candidate is None:
            raise Http404("No such candidate.")
        try:
            candidate_publish(candidate=candidate, acting_user=request.user)
        except REFUSALS as error:
            messages.error(
                request,
                gettext("%(candidate)s was not published: %(why)s")
                % {"candidate": candidate, "why": refusal_message(error)},
            )
            return HttpResponseRedirect(
                reverse("admin:elections_candidate_change", args=[candidate.pk])
            )
        messages.success(request, gettext("Published %(candidate)s.") % {"candidate": candidate})
        return to_next(request, "ready", done=candidate)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            "disputes": self._disputes(request, object_id),
            "can_publish": self.has_publish_permission(request),
            **self._claims(request, object_id),
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def _claims(self, request, object_id):
        """The candidate's claims as its page shows them (`candidate_claims`), for those who
        may read claims; the candidate's total when more than the page shows."""
        claims = self.admin_site._registry.get(Claim)
        object_id = unquote(object_id)
        if (
            claims is None
            or not claims.has_view_or_change_permission(request)
            or not str(object_id).isdigit()
            or int(object_id) > DATABASE_INTEGERS[-1]
        ):
            return {"claim_rows": None}
        shown = candidate_claims(int(object_id))
        return {
            "claim_columns": columns(),
            "claim_rows": shown.rows,
            "claims_shown": shown.shown,
            "claims_total": shown.total,
        }

    def _disputes(self, request, object_id):
        """The candidate's disputes, newest first, for those who may read disputes."""
        disputes = self.admin_site._registry.get(Contradiction)
        object_id = unquote(object_id)
        if disputes is None or not str(object_id).isdigit():
            return None
        if int(object_id) > DATABASE_INTEGERS[-1]:
            return None  # no record has it; the change view answers 404 itself
        if not disputes.has_view_or_change_permission(request):
            return None
        return dispute_rows(
            Contradiction.objects.filter(candidate_id=int(object_id))
            .select_related("candidacy__election")
            .order_by("-created_at")
        )

    def changelist_view(self, request, extra_context=None):
        in_review = count_rows(
            Candidate.objects.filter(state=Candidate.State.REVIEW, merged_into__isnull=True)
        )
        extra_context = {
            "in_review_count": in_review.number,
            "in_review_estimated": not in_review.exact,
            "in_review_url": reverse("admin:elections_candidate_changelist")
            + f"?state__exact={Candidate.State.REVIEW}",
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context)

    # Saving: through the services, with the revision the form was opened at.

    def save_model(self, request, obj, form, change):
        if not change:
            self._create(request, obj, form)
            return
        data = form.cleaned_data
        opened = data.get("opened_revision")
        current = Candidate.objects.values_list("revision", flat=True).get(pk=obj.pk)
        if opened is not None and opened != current:
            raise ServiceRefused(
                lost_update_error(Candidate, obj.pk, opened, current, [*PROFILE_FIELDS, "state"])
            )
        fields = {name: data[name] for name in PROFILE_FIELDS if name in data}
        try:
            candidate = candidate_update(
                candidate=obj, expected_revision=opened, acting_user=request.user, **fields
            )
        except REFUSALS as error:
            raise ServiceRefused(error) from error
        self.adopt_saved(obj, candidate)

    def _create(self, request, obj, form):
        data = form.cleaned_data
        try:
            candidate = candidate_create(
                display_name=data["display_name"],
                name_zh=data.get("name_zh", ""),
                gender=data.get("gender", ""),
                birth_year=data.get("birth_year"),
                slug=data.get("slug", ""),
                weibo=data.get("weibo", ""),
                wikidata=data.get("wikidata", ""),
                notes=data.get("notes", ""),
                acting_user=request.user,
            )
        except REFUSALS as error:
            raise ServiceRefused(error) from error
        self.adopt_saved(obj, candidate)

    # The list's columns.

    @admin.display(description=_("state"), ordering="state")
    def state_shown(self, candidate):
        if candidate.merged_into_id:
            return gettext("merged into %(survivor)s") % {
                "survivor": candidate.merged_into.display_name
            }
        return candidate.get_state_display()

    @admin.display(description=_("Chinese name"), ordering="name_zh")
    def chinese_name(self, candidate):
        return candidate.name_zh

    @admin.display(description=_("candidacies"))
    def runs(self, candidate):
        return html_list(
            [
                f"{run.election.name} ({run.get_status_display()})"
                if run.status
                else run.election.name
                for run in candidate.candidacies.all()
            ]
        )

    @admin.display(description=_("verified claims"), ordering="verified_count")
    def verified_count(self, candidate):
        return self._claims_link(candidate, candidate.verified_count, Claim.State.VERIFIED)

    @admin.display(description=_("unverified claims"), ordering="unverified_count")
    def unverified_count(self, candidate):
        return self._claims_link(candidate, candidate.unverified_count, Claim.State.UNVERIFIED)

    @admin.display(description=_("open disputes"), ordering="open_contradiction_count")
    def open_contradiction_count(self, candidate):
        count = candidate.open_contradiction_count
        if not count:
            return 0
        url = reverse("admin:elections_contradiction_changelist")
        return format_html(
            '<a class="sb-badge sb-badge-disputed" href="{}?candidate__id__exact={}">{}</a>',
            url,
            candidate.pk,
            count,
        )

    def _claims_link(self, candidate, count, state):
        if not count:
            return 0
        url = reverse("admin:elections_claim_changelist")
        return format_html(
            '<a href="{}?candidate__id__exact={}&amp;state__exact={}">{}</a>',
            url,
            candidate.pk,
            state,
            count,
        )

    # Actions: each one calls a service per candidate and reports every refusal.

    def _each(self, request, queryset, service, verb, **kwargs):
        refused_message, done_message = ACTION_MESSAGES[verb]
        done = 0
        for candidate in queryset:
            try:
                service(candidate=candidate, **kwargs)
            except REFUSALS as error:
                messages.error(
                    request,
                    refused_message % {"candidate": candidate, "why": refusal_message(error)},
                )
            else:
                done += 1
        if done:
            messages.success(request, done_message(done) % {"count": done})

    @admin.action(permissions=["change"], description=_("Submit selected candidates for review"))
    def submit_for_review(self, request, queryset):
        self._each(
            request,
            queryset,
            candidate_submit_for_review,
            "submitted for review",
            acting_user=request.user,
        )

    @admin.action(permissions=["publish"], description=_("Publish selected candidates"))
    def publish(self, request, queryset):
        self._each(request, queryset, candidate_publish, "published", acting_user=request.user)

    @admin.action(permissions=["publish"], description=_("Withdraw selected candidates…"))
    def withdraw(self, request, queryset):
        form = WithdrawForm(request.POST if "confirm" in request.POST else None)
        if form.is_bound and form.is_valid():
            self._each(
                request,
                queryset,
                candidate_withdraw,
                "withdrawn",
                acting_user=request.user,
                note=form.cleaned_data["reason"],
            )
            return None
        return intermediate_page(
            self,
            request,
            "admin/elections/candidate/withdraw.html",
            title=gettext("Withdraw candidates from the public site"),
            queryset=queryset,
            action="withdraw",
            form=form,
        )
