"""What an outlet reported: the page's candidates, each with the outlet's first facts about
them, read as rows of the columns shown."""

import datetime
import functools
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, F, OrderBy, OuterRef, QuerySet, Subquery, Window
from django.db.models.functions import RowNumber

from elections.models import Candidate, CandidateDigest, Claim, PublicTally
from sources.dates import PartialDate
from sources.models import Outlet

from ..base import public_claims
from .rows import instance, prepared


@dataclass(slots=True)
class CitedArticle:
    """What a citation shows of an article (`display.article_summary` reads it), read as
    columns of a claim's row rather than as a model."""

    pk: int
    outlet: Outlet
    title: str
    url: str
    byline: str
    language: str
    published: PartialDate | None
    archived_at: datetime.datetime | None


@dataclass(slots=True)
class Quote:
    """The words a passage quotes, with the context stored either side."""

    exact: str
    prefix: str
    suffix: str


@dataclass(slots=True)
class Fact:
    """A public claim as an outlet's page cites it (`display.Citations` reads it), read as
    one row: its article and passage are columns of that row, not models."""

    pk: int
    property: str
    value: str
    # The date it holds for when an editor set it; a citation shows no other (None).
    as_of_date: PartialDate | None
    as_of_explicit: bool
    article: CitedArticle
    passage: Quote
    dispute_id: int | None  # the public dispute it is a version of


@dataclass
class Report:
    """What an outlet reported about one candidate: its public claims about them, the first
    few in property order (each with `dispute_id`), and how many there are in all."""

    candidate: Candidate
    claims: list[Fact]
    total: int

    @property
    def more(self) -> int:
        """How many of its claims about the candidate are left for the profile to show."""
        return self.total - len(self.claims)


# The order of an outlet's facts about a candidate.
FACT_ORDER: list[F | OrderBy] = [F("property"), F("as_of").asc(nulls_first=True), F("id")]


@functools.cache
def _ranked_facts() -> QuerySet[Claim, dict[str, Any]]:
    """Ids of public claims with their `rank` among the claims about their candidate, in
    property order (`FACT_ORDER`). The caller narrows them to one outlet and a page of
    candidates: the window function counts what the WHERE clause leaves."""
    return (
        public_claims()
        .annotate(rank=Window(RowNumber(), partition_by=[F("candidate_id")], order_by=FACT_ORDER))
        .order_by()
        .values("pk")
    )


# What a fact on an outlet's page reads, on its claim's row (`Fact`, `CitedArticle`), after
# its candidate's columns (REPORTED_COLUMNS).
REPORTED_COLUMNS = ("id", "slug", "display_name", "name_zh")
FACT_COLUMNS = (
    "pk",
    "property",
    "value",
    "as_of",
    "as_of_precision",
    "as_of_explicit",
    "dispute_membership__contradiction_id",
    "passage__exact",
    "passage__prefix",
    "passage__suffix",
    "article_id",
    "article__title",
    "article__url",
    "article__byline",
    "article__language",
    "article__published_on",
    "article__published_precision",
    "article__archived_at",
)


@functools.cache
def _fact_rows() -> QuerySet[Claim, tuple[Any, ...]]:
    """Claims (narrowed by the caller) by candidate name, then in property order, as rows of
    their candidate's REPORTED_COLUMNS and FACT_COLUMNS (with the dispute each is a member
    of, public or not)."""
    return Claim.objects.order_by(
        "candidate__display_name", "candidate_id", *FACT_ORDER
    ).values_list(*(f"candidate__{column}" for column in REPORTED_COLUMNS), *FACT_COLUMNS)


def reported_candidates(outlet_id: int, part: str) -> QuerySet[CandidateDigest, Any]:
    """Ids of the candidates the outlet `outlet_id` (`part`, as text) reported on, by name:
    the listed ones walked in name order, each looked up in the kept facts of the outlet
    about it (the outlet's claims are not read)."""
    from elections import tallies

    reported = PublicTally.objects.filter(
        kind=tallies.REPORTED, subject=OuterRef("pk"), part=part, value__gt=0
    )
    return candidates_by_name().filter(Exists(reported))


def _report_rows(
    bounds: tuple[int, int | None], outlet_id: int, part: str, per_candidate: int
) -> QuerySet[Claim, tuple[Any, ...]]:
    """The rows `reports_of` reads: the candidates of the page `bounds` (a slice of
    `reported_candidates`) with the facts of the outlet about them."""
    from elections import tallies

    page = reported_candidates(outlet_id, part)[bounds[0] : bounds[1]]
    first = _ranked_facts().filter(
        article__outlet_id=outlet_id, candidate_id__in=page, rank__lte=per_candidate
    )
    kept = PublicTally.objects.filter(
        kind=tallies.REPORTED, subject=OuterRef("candidate_id"), part=part
    )
    return _fact_rows().filter(pk__in=first).annotate(total=Subquery(kept.values("value")[:1]))


def reports_of(outlet: Outlet, bounds: tuple[int, int | None], per_candidate: int) -> list[Report]:
    """The public claims of `outlet` about the candidates of the page `bounds` (a slice of
    `reported_candidates`), the first `per_candidate` of each in property order, and how
    many it has about each (its kept count): one query. The first are found by their ids
    alone, then only those are read, as rows (`Fact`), each candidate and article made
    once. A fact's `dispute_id` is the dispute it is a member of, which
    `disputes.disputes_with` keeps only when it is public."""
    # Compiled once per page of candidates (`bounds`), as its SQL is the same for every outlet.
    rows = prepared(
        ("outlet reports", bounds),
        functools.partial(_report_rows, bounds),
        (outlet.pk, str(outlet.pk), per_candidate),
    )
    reports: dict[int, Report] = {}
    articles: dict[int, CitedArticle] = {}
    named = len(REPORTED_COLUMNS)
    for row in rows:
        candidate_id = row[0]
        (
            pk,
            prop,
            value,
            as_of,
            as_of_precision,
            as_of_explicit,
            dispute_id,
            exact,
            prefix,
            suffix,
            article_id,
            *article_columns,
            total,
        ) = row[named:]
        report = reports.get(candidate_id)
        if report is None:
            candidate = instance(Candidate, rows.db, REPORTED_COLUMNS, row[:named])
            report = reports[candidate_id] = Report(candidate, [], total or 0)
        article = articles.get(article_id)
        if article is None:
            title, url, byline, language, published_on, precision, archived_at = article_columns
            published = PartialDate.from_stored(published_on, precision)
            article = CitedArticle(
                article_id, outlet, title, url, byline, language, published, archived_at
            )
            articles[article_id] = article
        as_of_date = PartialDate.from_stored(as_of, as_of_precision) if as_of_explicit else None
        quote = Quote(exact, prefix, suffix)
        report.claims.append(
            Fact(pk, prop, value, as_of_date, as_of_explicit, article, quote, dispute_id)
        )
    return list(reports.values())


@functools.cache
def candidates_by_name() -> QuerySet[CandidateDigest, Any]:
    """Ids of the candidates the public sees, by name: their kept digests, walked in the
    order of the candidate list's index (`digest_name_idx`)."""
    return CandidateDigest.objects.filter(listed=True).order_by("name", "pk").values("pk")
