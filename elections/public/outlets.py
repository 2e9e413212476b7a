"""Outlets and articles, as far as public claims cite them."""

from dataclasses import dataclass

from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce

from elections.models import (
    Candidate,
    Claim,
    Contradiction,
    Property,
)
from sources.models import Article, Outlet, Passage

from .base import (
    ARTICLE_UNREAD,
    CANDIDATE_UNREAD,
    OUTLET_UNREAD,
    citation_unread,
    public_claims,
    public_contradictions,
    reporting_outlets,
    unread_columns,
)


def public_outlets() -> QuerySet[Outlet]:
    """Outlets cited by public claims, with how many facts, candidates and articles they gave."""

    def counted(column: str) -> Coalesce:
        return Coalesce(
            Subquery(
                public_claims()
                .filter(article__outlet=OuterRef("pk"))
                .order_by()
                .values("article__outlet")
                .annotate(count=Count(column, distinct=True))
                .values("count")
            ),
            0,
        )

    return reporting_outlets().annotate(
        fact_count=counted("pk"),
        candidate_count=counted("candidate"),
        article_count=counted("article"),
    )


@dataclass
class OutletProfile:
    """What one outlet reported, and where other outlets disagreed with it."""

    outlet: Outlet
    reports: list[tuple[Candidate, list[Claim]]]  # by candidate name
    contradictions: list[Contradiction]  # each with `own`, `other` (claims), `own_found_wrong`
    by_property: list[tuple[str, int, int]]  # (property, times contradicted, times found wrong)
    found_wrong: int = 0
    article_count: int = 0


def _found_wrong(contradiction: Contradiction, claim_id: int) -> bool:
    verdict = contradiction.verdict
    Verdict = Contradiction.Verdict
    if contradiction.status != Contradiction.Status.RESOLVED:
        return False
    if verdict == Verdict.BOTH_WRONG:
        return True
    loser: dict[str, int | None] = {
        Verdict.A_RIGHT: contradiction.claim_b_id,
        Verdict.B_RIGHT: contradiction.claim_a_id,
    }
    return loser.get(verdict) == claim_id


def outlet_profile(slug: str) -> OutletProfile | None:
    """The outlet `slug` with its public claims by candidate and its contradictions, or None."""
    outlet = reporting_outlets().filter(slug=slug).first()
    if outlet is None:
        return None
    claims = list(
        public_claims()
        .filter(article__outlet=outlet)
        .select_related("candidate", "passage", "article")
        .defer(
            *unread_columns("article__", ARTICLE_UNREAD),
            *unread_columns("candidate__", CANDIDATE_UNREAD),
        )
        .order_by("candidate__display_name", "candidate_id", "property", "as_of", "id")
    )
    reports: list[tuple[Candidate, list[Claim]]] = []
    articles: set[int] = set()
    for claim in claims:
        claim.article.outlet = outlet
        articles.add(claim.article_id)
        if not reports or reports[-1][0].pk != claim.candidate_id:
            reports.append((claim.candidate, []))
        reports[-1][1].append(claim)
    contradictions = list(
        public_contradictions()
        .filter(Q(claim_a__article__outlet=outlet) | Q(claim_b__article__outlet=outlet))
        .select_related(
            "candidate",
            "claim_a__passage",
            "claim_a__article__outlet",
            "claim_b__passage",
            "claim_b__article__outlet",
        )
        .defer(
            *citation_unread("claim_a__"),
            *citation_unread("claim_b__"),
            *unread_columns("candidate__", CANDIDATE_UNREAD),
        )
        .order_by("candidate__display_name", "property", "claim_a_id", "claim_b_id")
    )
    tally: dict[str, tuple[int, int]] = {}
    for contradiction in contradictions:
        own_is_a = contradiction.claim_a.article.outlet_id == outlet.pk
        own, other = (
            (contradiction.claim_a, contradiction.claim_b)
            if own_is_a
            else (contradiction.claim_b, contradiction.claim_a)
        )
        found_wrong = _found_wrong(contradiction, own.pk)
        # Attributes the page reads, set on the instance for the template.
        contradiction.own, contradiction.other = own, other  # type: ignore[attr-defined]
        contradiction.own_found_wrong = found_wrong  # type: ignore[attr-defined]
        times, wrong = tally.get(contradiction.property, (0, 0))
        tally[contradiction.property] = (times + 1, wrong + found_wrong)
    order = {prop: position for position, prop in enumerate(Property.values)}
    return OutletProfile(
        outlet=outlet,
        reports=reports,
        contradictions=contradictions,
        by_property=sorted(
            ((prop, times, wrong) for prop, (times, wrong) in tally.items()),
            key=lambda row: order.get(row[0], len(order)),
        ),
        found_wrong=sum(wrong for _times, wrong in tally.values()),
        article_count=len(articles),
    )


@dataclass
class ArticlePage:
    """A cited article and the passages public claims quote from it."""

    article: Article
    passages: list[Passage]  # each with `public_claims` (with their candidates)


def article_page(pk: int | str) -> ArticlePage | None:
    """The article `pk` with its quoted passages, when a public claim cites it; else None."""
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
        .order_by("passage__start", "passage_id", "candidate__display_name", "property", "id")
    )
    passages: dict[int, Passage] = {}
    for claim in claims:
        passage = passages.setdefault(claim.passage_id, claim.passage)
        # An attribute the page reads, set on the instance for the template.
        if not hasattr(passage, "public_claims"):
            passage.public_claims = []  # type: ignore[attr-defined]
        passage.public_claims.append(claim)  # type: ignore[attr-defined]
    return ArticlePage(article=article, passages=list(passages.values()))
