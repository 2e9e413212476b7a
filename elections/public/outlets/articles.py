"""Articles public claims cite: an article's page, its archived copy, and the search over
public articles."""

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import CharField, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Cast, Coalesce

from elections.models import Candidate, Claim, DisputeClaim, PublicTally
from sources.admin.widgets import DATABASE_INTEGERS
from sources.models import ArchivedCopy, Article, Outlet
from sources.search import Excerpt, highlights, query_words, search_articles

from ..base import ARTICLE_UNREAD, OUTLET_UNREAD, public_claims, unread_columns
from .rows import instance, shown_dispute


@dataclass(slots=True)
class Quoting:
    """A public claim quoting a passage, as an article's page lists it (read as a row)."""

    pk: int
    property: str
    value: str
    candidate: Candidate  # with the columns a link to it shows
    disputed: bool  # whether it is a version of a public dispute


@dataclass(slots=True)
class QuotedPassage:
    """A passage of an article and the public claims of one page that quote it."""

    exact: str
    prefix: str
    suffix: str
    claims: list[Quoting]


@dataclass
class ArticlePage:
    """A cited article and one page of the public claims quoting it, by passage."""

    article: Article
    page: Page  # of the public claims citing it, in the order of its text
    passages: list[QuotedPassage]  # the page's


@functools.cache
def _cited_articles() -> QuerySet[Article]:
    """Articles public claims cite, with their outlets and how many (`fact_count`): their
    kept count (`elections.tallies`), one row found by its key, whatever the record."""
    from elections import tallies

    kept = PublicTally.objects.filter(
        kind=tallies.ARTICLE,
        subject=OuterRef("pk"),
        part=Cast(OuterRef("outlet_id"), output_field=CharField()),
    )
    return (
        Article.objects.annotate(fact_count=Coalesce(Subquery(kept.values("value")[:1]), 0))
        .filter(fact_count__gt=0)
        .select_related("outlet")
        .defer(*ARTICLE_UNREAD, *unread_columns("outlet__", OUTLET_UNREAD))
        .order_by()
    )


# What an article's page reads of a claim quoting it.
QUOTING_COLUMNS = ("pk", "property", "value", "disputed", "passage_id", "candidate_id")
QUOTED_COLUMNS = ("passage__exact", "passage__prefix", "passage__suffix")
QUOTED_CANDIDATE_COLUMNS = ("id", "slug", "display_name", "name_zh")


@functools.cache
def _quoting_claims() -> QuerySet[Claim, tuple[Any, ...]]:
    """Public claims in the order of their article's text, as rows of QUOTING_COLUMNS, their
    passage's and their candidate's columns (narrowed by the caller to one article)."""
    disputed = Exists(DisputeClaim.objects.filter(shown_dispute(), claim=OuterRef("pk")))
    return (
        public_claims()
        .annotate(disputed=disputed)
        .order_by("passage__start", "passage_id", "candidate__display_name", "property", "id")
        .values_list(
            *QUOTING_COLUMNS,
            *QUOTED_COLUMNS,
            *(f"candidate__{column}" for column in QUOTED_CANDIDATE_COLUMNS[1:]),
        )
    )


def article_page(pk: int | str, page: int | str | None = 1) -> ArticlePage | None:
    """The article `pk` with page `page` of the public claims quoting it (a number that is
    not a page gives the first, one past the end the last), grouped by passage, when a
    public claim cites it; else None. Three queries: whether tallies wait to be settled;
    the article with its kept count of facts; the page's claims (a passage quoted by claims
    on two pages shows on both)."""
    from elections import tallies
    from elections.public import outlets as sizes  # read now: tests set them

    tallies.settled()
    article = _cited_articles().filter(pk=pk).first()
    if article is None:
        return None
    rows = _quoting_claims().filter(article_id=article.pk)
    paginator = Paginator(rows, sizes.ARTICLE_CLAIMS_PER_PAGE)
    # Kept, so not counted again here.
    paginator.count = article.fact_count  # type: ignore[attr-defined]
    shown = paginator.get_page(page)
    passages: dict[int, QuotedPassage] = {}
    candidates: dict[int, Candidate] = {}
    for claim_pk, prop, value, disputed, passage_id, candidate_id, *quoted in shown:
        exact, prefix, suffix, *named = quoted
        passage = passages.get(passage_id)
        if passage is None:
            passage = passages[passage_id] = QuotedPassage(exact, prefix, suffix, [])
        candidate = candidates.get(candidate_id)
        if candidate is None:
            candidate = instance(
                Candidate, rows.db, QUOTED_CANDIDATE_COLUMNS, (candidate_id, *named)
            )
            candidates[candidate_id] = candidate
        passage.claims.append(Quoting(claim_pk, prop, value, candidate, bool(disputed)))
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
