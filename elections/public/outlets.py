"""Outlets and articles, as far as public claims cite them."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber

from elections.models import (
    Candidate,
    Claim,
    Contradiction,
    DisputeClaim,
    Property,
    PublicTally,
)
from sources.admin.widgets import DATABASE_INTEGERS
from sources.models import ArchivedCopy, Article, Outlet, Passage
from sources.search import Excerpt, highlights, query_words, search_articles

from .base import (
    ARTICLE_UNREAD,
    CANDIDATE_UNREAD,
    OUTLET_UNREAD,
    citation_unread,
    public_claims,
    public_disputes,
    shown_member_filter,
    unread_columns,
    versions_of,
)


def public_outlets() -> QuerySet[Outlet]:
    """Outlets cited by public claims, by name, with how many facts, candidates and articles
    they gave (`fact_count`, `candidate_count`, `article_count`): read from the kept tallies
    (`elections.tallies`), so the cost is that of the outlets listed, not of their claims."""
    from elections import tallies

    tallies.settled()
    kept = PublicTally.objects.filter(kind=tallies.OUTLET, subject=OuterRef("pk"))

    def counted(part: str) -> Coalesce:
        return Coalesce(Subquery(kept.filter(part=part).values("value")[:1]), 0)

    cited = PublicTally.objects.filter(kind=tallies.OUTLET, part="facts", value__gt=0)
    return (
        Outlet.objects.filter(pk__in=cited.values("subject"))
        .defer(*OUTLET_UNREAD)
        .annotate(
            fact_count=counted("facts"),
            candidate_count=counted("candidates"),
            article_count=counted("articles"),
        )
        .order_by("name")
    )


@dataclass
class Report:
    """What an outlet reported about one candidate: its public claims about them, the first
    few in property order (each with `dispute_id`), and how many there are in all."""

    candidate: Candidate
    claims: list[Claim]
    total: int

    @property
    def more(self) -> int:
        """How many of its claims about the candidate are left for the profile to show."""
        return self.total - len(self.claims)


@dataclass
class OutletProfile:
    """What one outlet reported (one page of it), and the disputes its claims took part in."""

    outlet: Outlet
    page: Page  # of the candidates it reported on, by name
    reports: list[Report]  # the page's candidates, by name
    # The first public disputes with a version of its own, each with `versions` (Version),
    # `own` (the group numbers of its versions) and `own_found_wrong`.
    disputes: list[Contradiction]
    by_property: list[tuple[str, int, int]]  # (property, disputes taken part in, found wrong)
    found_wrong: int = 0  # disputes in which a verdict found its version wrong
    dispute_count: int = 0  # disputes taken part in, of which `disputes` are the first
    fact_count: int = 0
    candidate_count: int = 0
    article_count: int = 0


# How much of an outlet's record one page shows: candidates per page, claims per candidate
# (the profile shows the rest) and disputes (the first, by candidate; each one's candidate's
# profile shows it, and every disputed claim links to it).
OUTLET_CANDIDATES_PER_PAGE = 20
OUTLET_CLAIMS_PER_CANDIDATE = 10
OUTLET_DISPUTES_SHOWN = 20


def _property_rank() -> Case:
    """A property's place in `Property`'s order, for ordering rows in SQL."""
    return Case(
        *(When(property=prop, then=Value(rank)) for rank, prop in enumerate(Property.values)),
        default=Value(len(Property.values)),
        output_field=IntegerField(),
    )


def _taking_part(outlet: Outlet) -> QuerySet[Contradiction, Any]:
    """Ids of the public disputes in which a shown claim of `outlet` is a version."""
    return (
        public_disputes()
        .filter(Q(members__claim__article__outlet=outlet) & shown_member_filter("members__"))
        .order_by()
        .values("pk")
    )


def _dispute_tally(outlet: Outlet) -> dict[str, tuple[int, int]]:
    """For each property, the public disputes `outlet` took part in and those of them in
    which a verdict found its version wrong, counted in SQL (one query, a row a property).

    A version is found wrong when the verdict judged every shown claim of its group wrong
    (`versions_of`); the outlet is found wrong once in a dispute (or not at all), however
    many outlets printed another version and however many of its articles printed this one.
    """
    not_wrong = DisputeClaim.objects.filter(
        shown_member_filter(),
        contradiction=OuterRef("contradiction_id"),
        group=OuterRef("group"),
    ).exclude(judged=DisputeClaim.Judged.WRONG)
    own_wrong = DisputeClaim.objects.filter(
        shown_member_filter(),
        contradiction=OuterRef("pk"),
        claim__article__outlet=outlet,
        judged=DisputeClaim.Judged.WRONG,
    ).filter(~Exists(not_wrong.order_by()))
    rows = (
        Contradiction.objects.filter(pk__in=_taking_part(outlet))
        .order_by()
        .values("property")
        .annotate(times=Count("pk"), wrong=Count("pk", filter=Exists(own_wrong.order_by())))
    )
    return {row["property"]: (row["times"], row["wrong"]) for row in rows}


def _disputes_with(outlet: Outlet, limit: int) -> list[Contradiction]:
    """The first `limit` public disputes in which a shown claim of `outlet` is a version (by
    candidate name, then question), each with its `versions` and its candidate, from one
    query of their shown members."""
    first = (
        Contradiction.objects.filter(pk__in=_taking_part(outlet))
        .alias(property_rank=_property_rank())
        .order_by("candidate__display_name", "candidate_id", "property_rank", "question", "pk")
        .values("pk")[:limit]
    )
    members = (
        DisputeClaim.objects.filter(shown_member_filter(), contradiction__in=first)
        .select_related("contradiction__candidate", "claim__passage", "claim__article__outlet")
        .defer(
            "contradiction__flag_note",
            "contradiction__closed_reason",
            *unread_columns("contradiction__candidate__", CANDIDATE_UNREAD),
            *citation_unread("claim__"),
        )
        .order_by()
    )
    disputes: dict[int, Contradiction] = {}
    rows: dict[int, list[tuple[DisputeClaim, Claim]]] = {}
    for member in members:
        disputes.setdefault(member.contradiction_id, member.contradiction)
        rows.setdefault(member.contradiction_id, []).append((member, member.claim))
    for pk, dispute in disputes.items():
        # An attribute the page reads, set on the instance for the template.
        dispute.versions = versions_of(rows[pk])  # type: ignore[attr-defined]
    order = {prop: position for position, prop in enumerate(Property.values)}
    return sorted(
        disputes.values(),
        key=lambda dispute: (
            dispute.candidate.display_name,
            dispute.candidate_id,
            order.get(dispute.property, len(order)),
            dispute.question,
            dispute.pk,
        ),
    )


def _shown_dispute() -> Exists:
    """Whether the dispute of a member (a DisputeClaim row) is public (an Exists)."""
    return Exists(public_disputes().filter(pk=OuterRef("contradiction_id")).order_by())


def _dispute_of_claim() -> Subquery:
    """The id of the public dispute a claim is a version of, or None, as a subquery on
    claims: probed from each row by its id, so a page pays for its own rows only."""
    return Subquery(
        DisputeClaim.objects.filter(_shown_dispute(), claim=OuterRef("pk"))
        .order_by("contradiction_id")
        .values("contradiction_id")[:1]
    )


def _reports(outlet: Outlet, candidates: list[Candidate], per_candidate: int) -> list[Report]:
    """The public claims of `outlet` about `candidates` (a page of them), the first
    `per_candidate` of each in property order, with each one's total: one query."""
    by_candidate = F("candidate_id")
    claims = (
        public_claims()
        .filter(article__outlet=outlet, candidate_id__in=[c.pk for c in candidates])
        .select_related("passage", "article")
        .defer(*unread_columns("article__", ARTICLE_UNREAD))
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[by_candidate],
                order_by=[F("property"), F("as_of").asc(nulls_first=True), F("id")],
            ),
            total=Window(Count("pk"), partition_by=[by_candidate]),
            dispute_id=_dispute_of_claim(),
        )
        .filter(rank__lte=per_candidate)
        .order_by("candidate_id", "rank")
    )
    reports = {candidate.pk: Report(candidate, [], 0) for candidate in candidates}
    for claim in claims:
        report = reports[claim.candidate_id]
        claim.candidate = report.candidate
        claim.article.outlet = outlet
        report.claims.append(claim)
        report.total = claim.total
    return [report for report in reports.values() if report.claims]


def outlet_profile(
    slug: str,
    page: int | str | None = 1,
    *,
    reports: bool = True,
) -> OutletProfile | None:
    """The outlet `slug` with page `page` of its public claims by candidate (a number that
    is not a page gives the first, one past the end the last), its first disputes and its
    tally of them, or None.

    Six queries, each reading the rows of the page shown or counting in SQL, however much
    the outlet reported: whether tallies wait to be settled; the outlet with its kept counts
    (`public_outlets`); the page's candidates; their claims from it; the tally of its
    disputes; the members of the first ones. Without `reports` (a search is shown instead),
    only the first two.
    """
    outlet = public_outlets().filter(slug=slug).first()
    if outlet is None:
        return None
    from elections import tallies

    # Its candidates by name: the published ones walked in name order, each looked up in
    # the kept facts of the outlet about it, until the page is full (the outlet's other
    # claims are not read).
    reported = PublicTally.objects.filter(
        kind=tallies.REPORTED, subject=OuterRef("pk"), part=str(outlet.pk), value__gt=0
    )
    candidates = (
        Candidate.objects.published()
        .filter(Exists(reported))
        .defer(*CANDIDATE_UNREAD)
        .order_by("display_name", "pk")
    )
    paginator = Paginator(candidates, OUTLET_CANDIDATES_PER_PAGE)
    # Kept, so not counted again here.
    paginator.count = outlet.candidate_count  # type: ignore[attr-defined]
    profile = OutletProfile(
        outlet=outlet,
        page=paginator.get_page(page),
        reports=[],
        disputes=[],
        by_property=[],
        fact_count=outlet.fact_count,  # type: ignore[attr-defined]
        candidate_count=outlet.candidate_count,  # type: ignore[attr-defined]
        article_count=outlet.article_count,  # type: ignore[attr-defined]
    )
    if not reports:
        return profile
    profile.reports = _reports(outlet, list(profile.page), OUTLET_CLAIMS_PER_CANDIDATE)
    tally = _dispute_tally(outlet)
    disputes = _disputes_with(outlet, OUTLET_DISPUTES_SHOWN)
    for dispute in disputes:
        own = [
            version
            for version in dispute.versions  # type: ignore[attr-defined]
            if any(claim.article.outlet_id == outlet.pk for claim in version.claims)
        ]
        # Attributes the page reads, set on the instance for the template.
        dispute.own = {version.group for version in own}  # type: ignore[attr-defined]
        dispute.own_found_wrong = any(  # type: ignore[attr-defined]
            version.found_wrong for version in own
        )
    order = {prop: position for position, prop in enumerate(Property.values)}
    profile.disputes = disputes
    profile.by_property = sorted(
        ((prop, times, wrong) for prop, (times, wrong) in tally.items()),
        key=lambda row: order.get(row[0], len(order)),
    )
    profile.found_wrong = sum(wrong for _times, wrong in tally.values())
    profile.dispute_count = sum(times for times, _wrong in tally.values())
    return profile


@dataclass
class ArticlePage:
    """A cited article and one page of the public claims quoting it, by passage."""

    article: Article
    page: Page  # of the public claims citing it, in the order of its text
    passages: list[Passage]  # the page's, each with `public_claims` (with candidates, `disputed`)


ARTICLE_CLAIMS_PER_PAGE = 50


def article_page(pk: int | str, page: int | str | None = 1) -> ArticlePage | None:
    """The article `pk` with page `page` of the public claims quoting it (a number that is
    not a page gives the first, one past the end the last), grouped by passage, when a
    public claim cites it; else None. Three queries: the article, its claims' count, the
    page's claims (a passage quoted by claims on two pages shows on both)."""
    article = (
        Article.objects.filter(pk=pk)
        .filter(Exists(public_claims().filter(article=OuterRef("pk")).order_by()))
        .select_related("outlet")
        .defer(*ARTICLE_UNREAD, *unread_columns("outlet__", OUTLET_UNREAD))
        .first()
    )
    if article is None:
        return None
    claims = (
        public_claims()
        .filter(article=article)
        .select_related("candidate", "passage")
        .defer(*unread_columns("candidate__", CANDIDATE_UNREAD))
        .annotate(
            disputed=Exists(DisputeClaim.objects.filter(_shown_dispute(), claim=OuterRef("pk")))
        )
        .order_by("passage__start", "passage_id", "candidate__display_name", "property", "id")
    )
    shown = Paginator(claims, ARTICLE_CLAIMS_PER_PAGE).get_page(page)
    passages: dict[int, Passage] = {}
    for claim in shown:
        passage = passages.setdefault(claim.passage_id, claim.passage)
        # An attribute the page reads, set on the instance for the template.
        if not hasattr(passage, "public_claims"):
            passage.public_claims = []  # type: ignore[attr-defined]
        passage.public_claims.append(claim)  # type: ignore[attr-defined]
    return ArticlePage(article=article, page=shown, passages=list(passages.values()))


def archived_copy_of(pk: int | str) -> ArchivedCopy | None:
    """The latest archived copy of the article `pk`, when a public claim cites it; else None
    (one query)."""
    if int(pk) not in DATABASE_INTEGERS:  # no article has it; the database would refuse it
        return None
    return (
        ArchivedCopy.objects.filter(article_id=pk)
        .filter(Exists(public_claims().filter(article_id=OuterRef("article_id")).order_by()))
        .order_by("-fetched_at", "-id")
        .first()
    )


@dataclass
class ArticleHit:
    """One article found by a search, with excerpts of its public text around the matches."""

    article: Article
    excerpts: list[Excerpt]


def public_articles() -> QuerySet[Article]:
    """Articles a public claim cites: the only articles the public may find."""
    return Article.objects.filter(Exists(public_claims().filter(article=OuterRef("pk")).order_by()))


def _shows(word: str) -> Q:
    """An article whose public text holds `word`: its title, or a passage a public claim
    quotes from it."""
    quoted = public_claims().filter(article=OuterRef("pk"), passage__exact__icontains=word)
    return Q(title__icontains=word) | Q(Exists(quoted.order_by()))


def article_search(query: str, *, outlet: Outlet | None = None) -> QuerySet[Article]:
    """The public articles (of `outlet`, when given) that match `query`, best first, each
    with `rank`; read `search_hits` for the page shown.

    The full-text index finds the articles whose text holds every word; of those, only the
    ones whose public text (title and quoted passages: what the public page shows) holds
    every word too are kept. An article's other sentences may name people the newsroom has
    not published, so they are never matched nor shown here (the admin searches them).
    """
    articles = public_articles()
    if outlet is not None:
        articles = articles.filter(outlet=outlet)
    found = search_articles(articles, query)
    for word in query_words(query):
        found = found.filter(_shows(word))
    return found


def search_hits(page: Iterable[Article], query: str) -> list[ArticleHit]:
    """The articles of one page of `article_search`, each with excerpts of its quoted
    passages around the words (two queries for the page, whatever its size)."""
    pks = [article.pk for article in page]
    articles = {
        article.pk: article
        for article in Article.objects.filter(pk__in=pks)
        .select_related("outlet")
        .defer(*ARTICLE_UNREAD, "search_terms", *unread_columns("outlet__", OUTLET_UNREAD))
    }
    quotes: dict[int, list[str]] = {}
    passages = (
        public_claims()
        .filter(article__in=pks)
        .order_by("article_id", "passage__start")
        .values_list("article_id", "passage__exact")
        .distinct()
    )
    for article_id, exact in passages:
        quotes.setdefault(article_id, []).append(exact)
    hits = []
    for pk in pks:
        if pk not in articles:
            continue
        excerpts = [
            excerpt for exact in quotes.get(pk, []) for excerpt in highlights(exact, query, count=1)
        ]
        hits.append(ArticleHit(article=articles[pk], excerpts=excerpts[:3]))
    return hits
