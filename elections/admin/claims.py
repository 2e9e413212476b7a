"""Claims in the admin: the list, the review queue, a claim's page, and adding one from a quote.

The review queue is the list of unverified claims ("Review queue (N)" above the list), where a
reviewer verifies or rejects in bulk; every refusal (the four-eyes rule, a missing reason) is
reported with its claim. A claim's page shows its citation with the passage in its article,
its normalized value and its dispute; an editor changes it through `claim_update` at
the revision the page was opened at, and a reviewer verifies or rejects it there.
"""

import json

from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from elections.models import Claim, DisputeClaim
from elections.resources import ClaimResource
from elections.services import claim_create_from_quote, claim_update
from sources.admin.sheets import SheetAdminMixin
from sources.anchoring import AnchoringError

from .base import (
    REFUSALS,
    ServiceHistoryAdmin,
    ServiceRefused,
    html_list,
    lost_update_error,
    without_field,
)
from .claim_forms import ClaimAddForm, ClaimChangeForm, RejectForm
from .claim_review import ClaimReviewMixin
from .display import (
    article_date,
    citation_html,
    marker,
    passage_in_context,
    read_keys,
    readable_key,
    state_badge,
)
from .filters import (
    DisputedFilter,
    RecordedByFilter,
    desk_filter,
    name_search,
    open_contradictions_of_claim,
)

ARTICLE_TEXTS = ("article__text", "article__source_text", "article__boilerplate")
# What a lost update is described in: the fields of the change form, and the review state.
CHANGE_FIELDS = ["value", "as_of", "as_of_precision", "note", "candidacy", "state"]


def review_queue_url():
    return reverse("admin:elections_claim_changelist") + f"?state__exact={Claim.State.UNVERIFIED}"


class ClaimChangeList(ChangeList):
    """The claim list, without loading the texts of the articles it cites; the page's
    normalized values are put in words with one more query (`read_keys`)."""

    def get_queryset(self, request, exclude_parameters=None):
        return super().get_queryset(request, exclude_parameters).defer(*ARTICLE_TEXTS)

    def get_results(self, request):
        super().get_results(request)
        self.result_list = read_keys(self.result_list)


@admin.register(Claim)
class ClaimAdmin(SheetAdminMixin, ClaimReviewMixin, ServiceHistoryAdmin):
    resource_classes = [ClaimResource]
    list_display = [
        "candidate",
        "property",
        "value",
        "normalized_key",
        "outlet",
        "published",
        "as_of_shown",
        "state_shown",
        "disputed_shown",
        "overruled_shown",
        "created_by",
    ]
    list_display_links = ["candidate", "property", "value"]
    list_select_related = ["candidate", "article__outlet", "created_by"]
    list_filter = [
        "state",
        "property",
        ("article__outlet", admin.RelatedOnlyFieldListFilter),
        DisputedFilter,
        "overruled",
        RecordedByFilter,
        desk_filter("claims", "withdrawn"),
    ]
    search_fields = ["value", "value_key", "passage__exact"]
    search_help_text = _("A candidate's name in any form, a value, or words of the quote.")
    autocomplete_fields = ["candidate", "candidacy"]
    readonly_fields = [
        "candidate_link",
        "property",
        "citation_in_context",
        "normalized_shown",
        "review",
        "dispute",
        "history_summary",
    ]
    add_fieldsets = [
        (None, {"fields": ["candidate", "property", "value"]}),
        (
            _("Evidence"),
            {"fields": ["source_article", "quote", ("prefix", "suffix")]},
        ),
        (_("Date and run"), {"fields": ["as_of_date", "candidacy", "note"]}),
    ]
    fieldsets = [
        (None, {"fields": ["candidate_link", "property", "citation_in_context"]}),
        (
            _("What the outlet printed"),
            {"fields": ["value", "normalized_shown", "as_of_date", "candidacy", "note"]},
        ),
        (_("Review record"), {"fields": ["review", "dispute", "history_summary"]}),
        (None, {"fields": ["opened_revision"]}),
    ]
    actions = ["verify_claims", "reject_claims", "flag_contradiction"]
    history_list_display = ["state", "value", "revision"]
    change_list_template = "admin/elections/claim/change_list.html"
    change_form_template = "admin/elections/claim/change_form.html"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("candidate", "article__outlet", "passage", "created_by")
            .annotate(disputed=open_contradictions_of_claim())
        )

    def get_changelist(self, request, **kwargs):
        return ClaimChangeList

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = ClaimChangeForm if obj is not None else ClaimAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.add_fieldsets
        if self.has_change_permission(request, obj):
            return self.fieldsets
        return without_field(self.fieldsets, "opened_revision")

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        condition = (
            Q(value__icontains=term)
            | Q(value_key__icontains=term)
            | Q(passage__exact__icontains=term)
        )
        by_name = name_search(term, prefix="candidate__")
        if by_name is not None:
            condition |= by_name
        return queryset.filter(condition), False

    def changelist_view(self, request, extra_context=None):
        queue = Claim.objects.filter(state=Claim.State.UNVERIFIED).count()
        extra_context = {
            "review_count": queue,
            "review_url": review_queue_url(),
            "in_review_queue": request.GET.get("state__exact") == Claim.State.UNVERIFIED,
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            "can_verify": self.has_verify_permission(request),
            "can_flag": self.has_flag_permission(request),
            "reject_form": RejectForm(),
            "review_url": review_queue_url(),
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    # Saving: a new claim from its quote, a change at the revision it was opened at.

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            self._update(request, obj, data)
            return
        try:
            claim = claim_create_from_quote(
                candidate=data["candidate"],
                property=data["property"],
                value=data["value"],
                article=data["source_article"],
                quote=data["quote"],
                prefix=data.get("prefix", ""),
                suffix=data.get("suffix", ""),
                as_of=data.get("as_of_date"),
                candidacy=data.get("candidacy"),
                note=data.get("note", ""),
                acting_user=request.user,
            )
        except AnchoringError as error:
            raise ServiceRefused(ValidationError({"quote": str(error)})) from error
        except REFUSALS as error:
            raise ServiceRefused(error) from error
        self.adopt_saved(obj, claim)

    def _update(self, request, obj, data):
        was_verified = obj.state == Claim.State.VERIFIED
        opened = data.get("opened_revision")
        current = Claim.objects.values_list("revision", flat=True).get(pk=obj.pk)
        if opened is not None and opened != current:
            raise ServiceRefused(lost_update_error(Claim, obj.pk, opened, current, CHANGE_FIELDS))
        try:
            claim = claim_update(
                claim=obj,
                acting_user=request.user,
                value=data["value"],
                as_of=data.get("as_of_date"),
                note=data.get("note", ""),
                candidacy=data.get("candidacy"),
                expected_revision=opened,
            )
        except REFUSALS as error:
            raise ServiceRefused(error) from error
        obj.state, obj.revision = claim.state, claim.revision
        if was_verified and claim.state == Claim.State.UNVERIFIED:
            messages.info(
                request, gettext("What the claim says changed: it waits for review again.")
            )

    # Columns of the list, and what a claim's page shows.

    @admin.display(description=_("outlet"), ordering="article__outlet__name")
    def outlet(self, claim):
        return claim.article.outlet.name

    @admin.display(description=_("article date"), ordering="article__published_on")
    def published(self, claim):
        return article_date(claim.article)

    @admin.display(description=_("as of"), ordering="as_of")
    def as_of_shown(self, claim):
        date = claim.as_of_date
        if date is None:
            return "–"
        return date.display()

    @admin.display(description=_("normalized"), ordering="value_key")
    def normalized_key(self, claim):
        return readable_key(claim)

    @admin.display(description=_("state"), ordering="state")
    def state_shown(self, claim):
        return state_badge(claim)

    @admin.display(description=_("disputed"), boolean=False)
    def disputed_shown(self, claim):
        if getattr(claim, "disputed", False):
            return marker(
                gettext("disputed"), "disputed", gettext("In a version of an open dispute")
            )
        return ""

    @admin.display(description=_("overruled"), ordering="overruled")
    def overruled_shown(self, claim):
        if claim.overruled:
            return marker(gettext("overruled"), "overruled", claim.overruled_reason)
        return ""

    @admin.display(description=_("candidate"))
    def candidate_link(self, claim):
        url = reverse("admin:elections_candidate_change", args=[claim.candidate_id])
        return format_html('<a href="{}">{}</a>', url, claim.candidate)

    @admin.display(description=_("citation"))
    def citation_in_context(self, claim):
        shown = passage_in_context(claim.passage, article=claim.article)
        note = format_html('<p class="help">{}</p>', shown.note) if shown.note else ""
        return format_html(
            '{}{}<blockquote class="sb-context">{}<mark>{}</mark>{}</blockquote>',
            citation_html(claim, quote=False),
            note,
            shown.before,
            shown.words,
            shown.after,
        )

    @admin.display(description=_("normalized"))
    def normalized_shown(self, claim):
        data = json.dumps(claim.normalized, ensure_ascii=False, sort_keys=True)
        return format_html(
            '<strong>{}</strong><details class="sb-normalized-details"><summary>{}</summary>'
            '<code class="sb-normalized">{}</code></details>',
            readable_key(claim),
            gettext("what the comparison reads"),
            data,
        )

    @admin.display(description=_("review"))
    def review(self, claim):
        parts = [state_badge(claim)]
        if claim.reviewed_by_id:
            parts.append(
                format_html(
                    gettext("by {user} on {when}"),
                    user=claim.reviewed_by,
                    when=f"{claim.reviewed_at:%Y-%m-%d %H:%M} UTC",
                )
            )
        if claim.rejection_reason:
            parts.append(format_html(gettext("Reason: {reason}"), reason=claim.rejection_reason))
        if claim.overruled:
            parts.append(
                format_html(
                    "{} {}", marker(gettext("overruled"), "overruled"), claim.overruled_reason
                )
            )
        parts.append(
            format_html(
                gettext("Recorded by {user} on {when}"),
                user=claim.created_by or gettext("an import"),
                when=f"{claim.created_at:%Y-%m-%d %H:%M} UTC",
            )
        )
        return html_list(parts)

    @admin.display(description=_("dispute"))
    def dispute(self, claim):
        """The claim's dispute: which version it is in, and the other versions."""
        try:
            membership = claim.dispute_membership
        except DisputeClaim.DoesNotExist:
            return gettext("None.")
        dispute = membership.contradiction
        others = (
            DisputeClaim.objects.filter(contradiction=dispute)
            .exclude(claim=claim)
            .select_related("claim__article__outlet")
            .defer(*(f"claim__{name}" for name in ARTICLE_TEXTS))
            .order_by("group", "claim_id")
        )
        versions = {}
        for member in others:
            versions.setdefault(member.group, []).append(member.claim)
        status = [marker(dispute.get_status_display(), dispute.status)]
        if dispute.is_reopened:
            status.append(marker(gettext("reopened: new version since the verdict"), "disputed"))
        if membership.judged:
            kind = "verified" if membership.judged == DisputeClaim.Judged.RIGHT else "overruled"
            status.append(marker(membership.get_judged_display(), kind))
        if membership.new:
            status.append(marker(gettext("new since the verdict"), "open"))
        heading = format_html(
            gettext(
                '<a href="{url}">Dispute #{number}</a> {badges} · this claim is version '
                "{group} of {groups}."
            ),
            url=reverse("admin:elections_contradiction_change", args=[dispute.pk]),
            number=dispute.pk,
            badges=format_html_join(" ", "{}", ((badge,) for badge in status)),
            group=membership.group,
            groups=dispute.group_count,
        )
        lines = [
            format_html(
                gettext("Version {number} (this claim's): {claims}")
                if number == membership.group
                else gettext("Version {number}: {claims}"),
                number=number,
                claims=format_html_join(
                    "; ",
                    "“{}” ({}, {})",
                    (
                        (other.value, other.article.outlet.name, article_date(other.article))
                        for other in claims
                    ),
                ),
            )
            for number, claims in versions.items()
        ]
        return format_html("{}{}", heading, html_list(lines, empty="") if lines else "")

    @admin.display(description=_("history"))
    def history_summary(self, claim):
        url = reverse("admin:elections_claim_history", args=[claim.pk])
        return format_html(
            gettext(
                'Revision {revision}. <a href="{url}">Who changed, verified or rejected it, '
                "and when</a>."
            ),
            revision=claim.revision,
            url=url,
        )
