"""Claims in the admin: the list, the review queue, a claim's page, and adding one from a quote.

The review queue is the list of unverified claims ("Review queue (N)" above the list), where a
reviewer verifies or rejects in bulk; every refusal (the four-eyes rule, a missing reason) is
reported with its claim. A claim's page shows its citation with the passage in its article,
its normalized value and its dispute; an editor changes it through `claim_update` at
the revision the page was opened at, and a reviewer verifies or rejects it there.
"""

import json
from dataclasses import dataclass

from django.contrib import admin, messages
from django.contrib.admin.views.main import ORDER_VAR
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from elections.models import Candidate, Claim, DisputeClaim
from elections.resources import ClaimResource
from elections.services import claim_create_from_quote, claim_update
from sources.admin.paging import LargeListAdminMixin, count_rows
from sources.admin.rows import LargeListChangeList
from sources.admin.sheets import SheetAdminMixin
from sources.anchoring import AnchoringError
from sources.models import Article
from sources.search import search_articles

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
    claim_label,
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

ARTICLE_TEXTS_OWN = ("text", "source_text", "boilerplate")
ARTICLE_TEXTS = tuple(f"article__{name}" for name in ARTICLE_TEXTS_OWN)
# What a lost update is described in: the fields of the change form, and the review state.
CHANGE_FIELDS = ["value", "as_of", "as_of_precision", "note", "candidacy", "state"]


# A search names the candidates it found by their ids, up to this many (past that, by a
# subquery); and the articles, up to this many (past that, the word is too common for the
# full-text index to narrow the claims much, and the LIKE reads every claim).
CANDIDATE_IDS = 500
ARTICLE_IDS = 200


def review_queue_url():
    return reverse("admin:elections_claim_changelist") + f"?state__exact={Claim.State.UNVERIFIED}"


def ids_found(queryset, limit):
    """The ids of `queryset`'s rows as a list, or None when there are more than `limit`."""
    ids = list(queryset.order_by().values_list("pk", flat=True)[: limit + 1])
    return ids if len(ids) <= limit else None


@dataclass(frozen=True)
class ClaimSearch:
    """The condition finding claims by a term; `by_ids` when it names the few candidates or
    articles found by their ids (their claims are few enough to sort, `ClaimChangeList`)."""

    condition: Q
    by_ids: bool = False


def claim_search(term):
    """The claims `term` finds (`ClaimSearch`), or None when it holds nothing to look for.

    A candidate's name in any form is read as the candidates list and the public search read
    it (`name_search`, over each candidate's folded names, `elections.names`): the candidates
    are found first (a small table), then their claims by the index on the claim's candidate.
    When no candidate has that name, the term is a value or words of a quote: the articles
    printing it are found in the full-text index (`sources.search`: whole words, any script),
    then the claims of those articles whose value or quote holds it, by the index on the
    claim's article. Only a word printed in more than `ARTICLE_IDS` articles falls back to a
    LIKE over every claim.
    """
    by_name = name_search(term)
    if by_name is not None:
        candidates = Candidate.objects.filter(by_name)
        ids = ids_found(candidates, CANDIDATE_IDS)
        if ids is None:
            return ClaimSearch(Q(candidate_id__in=candidates.order_by().values("pk")))
        if ids:
            return ClaimSearch(Q(candidate_id__in=ids), by_ids=True)
    printed = Q(value__icontains=term) | Q(passage__exact__icontains=term)
    articles = search_articles(Article.objects.all(), term)
    if articles.query.is_empty():
        return ClaimSearch(printed)
    ids = ids_found(articles, ARTICLE_IDS)
    if ids is None:
        return ClaimSearch(printed)
    return ClaimSearch(Q(article_id__in=ids) & printed, by_ids=True)


# The order of the claims a search found by the ids of a few candidates or articles: newest
# first, as the list's own, but by a column no index is sorted by. Ordered by the primary key,
# PostgreSQL walks it from the newest claim, expecting the matches spread evenly, and reads
# most of the table when they are not (a candidate whose claims were all recorded long ago:
# 48 ms at 200,000 claims, ten times that at 2,000,000). Here it reads the matches from the
# index on the claim's candidate or article, then sorts them: at most a few thousand claims.
FOUND_BY_IDS_ORDER = ["-created_at", "-id"]


def listed_relations():
    """What the list shows of each claim's candidate and article, read by id for the page's
    rows (not the passage: the claim's page quotes it)."""
    articles = Article.objects.select_related("outlet").defer(*ARTICLE_TEXTS_OWN)
    return ["candidate", Prefetch("article", queryset=articles)]


class ClaimChangeList(LargeListChangeList):
    """The claim list: the page's claims read with who recorded them (an outer join, which
    cannot lead the query), in an order an index serves, then their candidates and articles
    with outlets by id (two more queries); the page's normalized values put in words with one
    more (`read_keys`).

    Joined in the query of the page's claims, the relations let the database choose to start
    from them: SQLite read every article and sorted every claim for the first page of the
    list, and PostgreSQL, for the claims a search found by ids (`ClaimSearch.by_ids`, sorted
    by `FOUND_BY_IDS_ORDER` unless a column is chosen), hashed the whole candidates and
    articles tables.
    """

    def get_queryset(self, request, exclude_parameters=None):
        queryset = (
            super()
            .get_queryset(request, exclude_parameters)
            .select_related(None)
            .select_related("created_by")
        )
        if getattr(request, "claims_found_by_ids", False) and ORDER_VAR not in self.params:
            queryset = queryset.order_by(*FOUND_BY_IDS_ORDER)
        return queryset.prefetch_related(*listed_relations())

    def get_results(self, request):
        super().get_results(request)
        self.result_list = read_keys(self.result_list)


@admin.register(Claim)
class ClaimAdmin(SheetAdminMixin, LargeListAdminMixin, ClaimReviewMixin, ServiceHistoryAdmin):
    """Claims: the list and the review queue in an order an index serves, counted without
    reading every claim (`sources.admin.paging`), searched through candidates and articles
    (`claim_search`), filtered by outlet from the outlets table."""

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
        # Every outlet, from the outlets table (not a DISTINCT over the claims).
        "article__outlet",
        DisputedFilter,
        "overruled",
        RecordedByFilter,
        desk_filter("claims", "withdrawn"),
    ]
    # Searched by `claim_search` in `get_search_results`; these only make Django show the box.
    search_fields = ["value", "passage__exact"]
    search_help_text = _(
        "A candidate's name in any form; when no candidate has that name, a value or whole "
        "words of the quote."
    )
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

    def get_ordering(self, request):
        """An order an index serves, never the candidate's name across a join (a click on the
        column still sorts by it): the review queue oldest first, as the desk takes it
        (unverified claims have no review date, so the index on state, review date and id
        reads them in id order); verified or rejected claims latest review first, by the same
        index; any other list newest first, by the primary key."""
        state = request.GET.get("state__exact")
        if state == Claim.State.UNVERIFIED:
            return ["reviewed_at", "id"]
        if state in Claim.State.values:
            return ["-reviewed_at", "-id"]
        return ["-id"]

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
        found = claim_search(term)
        if found is None:
            return queryset.none(), False
        # Read by the list (`ClaimChangeList.get_queryset`), which orders after searching.
        request.claims_found_by_ids = found.by_ids
        return queryset.filter(found.condition), False

    def changelist_view(self, request, extra_context=None):
        queue = count_rows(Claim.objects.filter(state=Claim.State.UNVERIFIED))
        extra_context = {
            "review_count": queue.number,
            "review_count_estimated": not queue.exact,
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

    def row_label(self, claim):
        return claim_label(claim)

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
