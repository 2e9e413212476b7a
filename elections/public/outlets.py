"""Outlets and articles, as far as public claims cite them."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import (
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
    disputed_fact,
    public_claims,
    public_disputes,
    reporting_outlets,
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
class OutletProfile:
    """What one outlet reported, and the disputes its claims took part in."""

    outlet: Outlet
    reports: list[tuple[Candidate, list[Claim]]]  # by candidate name; claims with `dispute_id`
    # Public disputes with a version of its own, each with `versions` (Version), `own` (the
    # group numbers of its versions) and `own_found_wrong`.
    disputes: list[Contradiction]
    by_property: list[tuple[str, int, int]]  # (property, disputes taken part in, found wrong)
    found_wrong: int = 0  # disputes in which a verdict found its version wrong
    article_count: int = 0


def _disputes_with(outlet: Outlet) -> list[Contradiction]:
    """The public disputes in which a shown claim of `outlet` is a version, each with its
    `versions` and its candidate, from one query of their shown members."""
    taking_part = (
        public_disputes()
        .filter(Q(members__claim__article__outlet=outlet) & shown_member_filter("members__"))
        .order_by()
        .values("pk")
    )
    members = (
        DisputeClaim.objects.filter(shown_member_filter(), contradiction__in=taking_part)
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
        ),
    )


def outlet_profile(slug: str) -> OutletProfile | None:
    """The outlet `slug` with its public claims by candidate and its disputes, or None."""
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
    disputes = _disputes_with(outlet)
    disputed = {
        claim.pk: dispute.pk
        for dispute in disputes
        for version in dispute.versions  # type: ignore[attr-defined]
        for claim in version.claims
    }
    reports: list[tuple[Candidate, list[Claim]]] = []
    articles: set[int] = set()
    for claim in claims:
        claim.article.outlet = outlet
        # An attribute the page reads, set on the instance for the template.
        claim.dispute_id = disputed.get(claim.pk)  # type: ignore[attr-defined]
        articles.add(claim.article_id)
        if not reports or reports[-1][0].pk != claim.candidate_id:
            reports.append((claim.candidate, []))
        reports[-1][1].append(claim)
    tally: dict[str, tuple[int, int]] = {}
    for dispute in disputes:
        own = [
            version
            for version in dispute.versions  # type: ignore[attr-defined]
            if any(claim.article.outlet_id == outlet.pk for claim in version.claims)
        ]
        # Found wrong once in a dispute (or not at all), however many outlets printed another
        # version and however many of its own articles printed this one.
        found_wrong = any(version.found_wrong for version in own)
        # Attributes the page reads, set on the instance for the template.
        dispute.own = {version.group for version in own}  # type: ignore[attr-defined]
        dispute.own_found_wrong = found_wrong  # type: ignore[attr-defined]
        times, wrong = tally.get(dispute.property, (0, 0))
        tally[dispute.property] = (times + 1, wrong + found_wrong)
    order = {prop: position for position, prop in enumerate(Property.values)}
    return OutletProfile(
        outlet=outlet,
        reports=reports,
        disputes=disputes,
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
    passages: list[Passage]  # each with `public_claims` (with candidates, and `disputed`)


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
        .annotate(disputed=disputed_fact())
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
