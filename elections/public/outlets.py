"""Outlets and articles, as far as public claims cite them."""

import datetime
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from django.core.paginator import Page, Paginator
from django.db.models import (
    CharField,
    Count,
    Exists,
    F,
    Model,
    OrderBy,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Window,
)
from django.db.models.functions import Cast, Coalesce, RowNumber

from elections.models import (
    Candidate,
    CandidateDigest,
    Claim,
    Contradiction,
    DisputeClaim,
    Property,
    PublicTally,
)
from sources.admin.widgets import DATABASE_INTEGERS
from sources.dates import PartialDate
from sources.models import ArchivedCopy, Article, Outlet
from sources.search import Excerpt, highlights, query_words, search_articles

from .base import (
    ARTICLE_UNREAD,
    OUTLET_UNREAD,
    dispute_is_shown,
    in_public_dispute,
    public_claims,
    shown_member_filter,
    unread_columns,
    versions_of,
)

M = TypeVar("M", bound=Model)


def public_outlets() -> QuerySet[Outlet]:
    """Outlets cited by public claims, by name, with how many facts, candidates and articles
    they gave (`fact_count`, `candidate_count`, `article_count`): read from the kept tallies
    (`elections.tallies`), so the cost is that of the outlets listed, not of their claims."""
    from elections import tallies

    tallies.settled()
    return _counted_outlets().all()


# The querysets below that do not change from one request to the next are built once per
# process (see the note above reporting_outlets() in base.py); each request narrows a copy.


@functools.cache
def _counted_outlets() -> QuerySet[Outlet]:
    from elections import tallies

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


@functools.cache
def _in_model_order(model: type[Model], columns: tuple[str, ...]) -> tuple[list[str], list[int]]:
    attnames = [field.attname for field in model._meta.concrete_fields if field.attname in columns]
    return attnames, [columns.index(attname) for attname in attnames]


def _instance(model: type[M], db: str | None, columns: tuple[str, ...], values: Sequence[Any]) -> M:
    """An instance of `model` read as `values` of its `columns` (attribute names), as a query
    of those columns would make it: the other fields are deferred (read if ever asked for)."""
    attnames, positions = _in_model_order(model, columns)
    return model.from_db(db, attnames, [values[position] for position in positions])


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


@functools.cache
def _shown_dispute() -> Exists:
    """Whether the dispute of a member (a DisputeClaim row) is public (an Exists), built once."""
    return in_public_dispute()


@functools.cache
def _shown_members() -> QuerySet[DisputeClaim]:
    """The members of public disputes whose claims are shown as versions. Narrowed to the
    claims of one outlet (`claim__article__outlet_id`), they are the disputes it took part
    in."""
    return DisputeClaim.objects.filter(shown_member_filter(), _shown_dispute()).order_by()


@functools.cache
def _disputes_taken_part() -> QuerySet[DisputeClaim, tuple[Any, ...]]:
    """The public disputes of the shown members (narrowed by the caller to one outlet's
    claims), a row each: its id, property, candidate's name and id, question, and how many
    of those members the verdict found wrong (`wrong`).

    A version is found wrong when the verdict judged every shown claim of its group wrong
    (`versions_of`); an outlet is found wrong once in a dispute (or not at all), however many
    outlets printed another version and however many of its articles printed this one.
    """
    not_wrong = DisputeClaim.objects.filter(
        shown_member_filter(),
        contradiction=OuterRef("contradiction_id"),
        group=OuterRef("group"),
    ).exclude(judged=DisputeClaim.Judged.WRONG)
    found_wrong = Q(~Exists(not_wrong.order_by()), judged=DisputeClaim.Judged.WRONG)
    return (
        _shown_members()
        .values_list(
            "contradiction_id",
            "contradiction__property",
            "contradiction__candidate__display_name",
            "contradiction__candidate_id",
            "contradiction__question",
        )
        .annotate(wrong=Count("pk", filter=found_wrong))
    )


# What a dispute shown on an outlet's page reads, on each row of its shown members.
MEMBER_COLUMNS = (
    "contradiction_id",
    "group",
    "judged",
    "new",
    "claim_id",
    "claim__value",
    "claim__article__language",
    "claim__article__outlet_id",
    "claim__article__outlet__name",
)
DISPUTE_COLUMNS = ("id", "candidate_id", "property", "question", "on_date", "status", "verdict")
DISPUTE_COLUMNS_READ = (*DISPUTE_COLUMNS, "verdict_note")
DISPUTED_COLUMNS = ("id", "slug", "display_name", "name_zh")


@functools.cache
def _member_rows() -> QuerySet[DisputeClaim, tuple[Any, ...]]:
    """The shown members of disputes (narrowed by the caller), with their disputes and
    candidates, as rows of MEMBER_COLUMNS, the dispute's and its candidate's columns."""
    return (
        DisputeClaim.objects.filter(shown_member_filter())
        .order_by()
        .values_list(
            *MEMBER_COLUMNS,
            *(f"contradiction__{column}" for column in DISPUTE_COLUMNS_READ),
            *(f"contradiction__candidate__{column}" for column in DISPUTED_COLUMNS),
        )
    )


@dataclass(slots=True)
class Member:
    """What a version reads of a dispute's member (`versions_of`)."""

    group: int
    judged: str
    new: bool


@dataclass(slots=True)
class PrintedIn:
    """What a version shows of a claim's article: its outlet and language."""

    outlet_id: int
    outlet: Outlet
    language: str


@dataclass(slots=True)
class Printed:
    """What a version shows of one of its claims: the value as printed, and where."""

    pk: int
    value: str
    article: PrintedIn


def _disputes_with(first: list[int], reports: list[Report]) -> list[Contradiction]:
    """The public disputes `first` (ids, in the order shown), each with its `versions` and its
    candidate, from one query of their shown members and of those of the disputes the facts
    of `reports` are members of.

    A fact keeps its `dispute_id` only when that dispute is public: one of `first` (the
    disputes its outlet took part in), or shown by the rule a profile applies to the members
    it reads (`dispute_is_shown`).
    """
    facts = [(report.candidate.pk, fact) for report in reports for fact in report.claims]
    asked = {fact.dispute_id for _candidate, fact in facts if fact.dispute_id is not None}
    rows = _member_rows().filter(contradiction_id__in=sorted(asked.union(first)))
    disputes: dict[int, Contradiction] = {}
    members: dict[int, list[tuple[Member, Printed]]] = {}
    outlets: dict[int, Outlet] = {}
    read = len(MEMBER_COLUMNS)
    for row in rows:
        dispute_id, group, judged, new, claim_id, value, language, outlet_id, name = row[:read]
        if dispute_id not in disputes:
            columns = row[read : read + len(DISPUTE_COLUMNS_READ)]
            dispute = _instance(Contradiction, rows.db, DISPUTE_COLUMNS_READ, columns)
            dispute.candidate = _instance(
                Candidate, rows.db, DISPUTED_COLUMNS, row[read + len(DISPUTE_COLUMNS_READ) :]
            )
            disputes[dispute_id] = dispute
        if outlet_id not in outlets:
            outlets[outlet_id] = _instance(Outlet, rows.db, ("id", "name"), (outlet_id, name))
        printed = Printed(claim_id, value, PrintedIn(outlet_id, outlets[outlet_id], language))
        members.setdefault(dispute_id, []).append((Member(group, judged, new), printed))
    for candidate_id, fact in facts:
        if fact.dispute_id is None or fact.dispute_id in first:
            continue
        member_of = disputes.get(fact.dispute_id)
        # The facts' candidates are published: a dispute about one of them is public when
        # its state allows it and two of its versions are shown.
        if not (
            member_of is not None
            and member_of.candidate_id == candidate_id
            and dispute_is_shown(member_of, (member.group for member, _ in members[member_of.pk]))
        ):
            fact.dispute_id = None
    shown = [disputes[pk] for pk in first if pk in disputes]
    for dispute in shown:
        # An attribute the page reads, set on the instance for the template. A version's
        # claims are rows of the columns it shows (`Printed`), not models.
        dispute.versions = versions_of(  # type: ignore[attr-defined]
            cast(list[tuple[DisputeClaim, Claim]], members[dispute.pk])
        )
    return shown


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


def _reports(
    outlet: Outlet, page: QuerySet[CandidateDigest, Any], per_candidate: int
) -> list[Report]:
    """The public claims of `outlet` about the candidates of `page` (a slice of them), the
    first `per_candidate` of each in property order, and how many it has about each (its
    kept count): one query. The first are found by their ids alone, then only those are
    read, as rows (`Fact`), each candidate and article made once. A fact's `dispute_id` is
    the dispute it is a member of, which `_disputes_with` keeps only when it is public."""
    from elections import tallies

    first = _ranked_facts().filter(
        article__outlet_id=outlet.pk, candidate_id__in=page, rank__lte=per_candidate
    )
    kept = PublicTally.objects.filter(
        kind=tallies.REPORTED, subject=OuterRef("candidate_id"), part=str(outlet.pk)
    )
    rows = _fact_rows().filter(pk__in=first).annotate(total=Subquery(kept.values("value")[:1]))
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
            candidate = _instance(Candidate, rows.db, REPORTED_COLUMNS, row[:named])
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
def _candidates_by_name() -> QuerySet[CandidateDigest, Any]:
    """Ids of the candidates the public sees, by name: their kept digests, walked in the
    order of the candidate list's index (`digest_name_idx`)."""
    return CandidateDigest.objects.filter(listed=True).order_by("name", "pk").values("pk")


def outlet_profile(
    slug: str,
    page: int | str | None = 1,
    *,
    reports: bool = True,
) -> OutletProfile | None:
    """The outlet `slug` with page `page` of its public claims by candidate (a number that
    is not a page gives the first, one past the end the last), its first disputes and its
    tally of them, or None.

    Five queries: whether tallies wait to be settled; the outlet with its kept counts
    (`public_outlets`); the page's candidates with their claims from it; the disputes it
    took part in, a row each, for their tally by property and to choose the first; the
    members of those and of the disputes of the page's facts. Each reads the rows of the
    page shown, or counts kept, except the disputes: few (one in about 30 candidates has
    one), their rows are read rather than scanned twice, once to count them by property and
    once more to find the first. Without `reports` (a search is shown instead), only the
    first two.
    """
    outlet = public_outlets().filter(slug=slug).first()
    if outlet is None:
        return None
    from elections import tallies

    # Its candidates by name: the listed ones walked in name order, each looked up in the
    # kept facts of the outlet about it, until the page is full (the outlet's other claims
    # are not read). The page is a subquery of the query of their claims.
    reported = PublicTally.objects.filter(
        kind=tallies.REPORTED, subject=OuterRef("pk"), part=str(outlet.pk), value__gt=0
    )
    paginator = Paginator(
        _candidates_by_name().filter(Exists(reported)), OUTLET_CANDIDATES_PER_PAGE
    )
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
    ids = cast(QuerySet[CandidateDigest, Any], profile.page.object_list)  # a slice
    profile.reports = _reports(outlet, ids, OUTLET_CLAIMS_PER_CANDIDATE)
    # The page lists the candidates read, not the ids of the subquery.
    profile.page.object_list = [report.candidate for report in profile.reports]
    order = {prop: position for position, prop in enumerate(Property.values)}
    taken_part = sorted(
        _disputes_taken_part().filter(claim__article__outlet_id=outlet.pk),
        key=lambda row: (row[2], row[3], order.get(row[1], len(order)), row[4], row[0]),
    )
    # The first, by candidate name, then property in `Property`'s order.
    first = [dispute_id for dispute_id, *_row in taken_part[:OUTLET_DISPUTES_SHOWN]]
    disputes = _disputes_with(first, profile.reports)
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
    profile.disputes = disputes
    tally: dict[str, list[int]] = {}
    for _dispute_id, prop, _name, _candidate_id, _question, wrong in taken_part:
        counts = tally.setdefault(prop, [0, 0])
        counts[0] += 1
        counts[1] += wrong > 0
    profile.by_property = sorted(
        ((prop, times, wrong) for prop, (times, wrong) in tally.items()),
        key=lambda row: order.get(row[0], len(order)),
    )
    profile.found_wrong = sum(wrong for _times, wrong in tally.values())
    profile.dispute_count = len(taken_part)
    return profile


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


ARTICLE_CLAIMS_PER_PAGE = 50


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
    disputed = Exists(DisputeClaim.objects.filter(_shown_dispute(), claim=OuterRef("pk")))
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

    tallies.settled()
    article = _cited_articles().filter(pk=pk).first()
    if article is None:
        return None
    rows = _quoting_claims().filter(article_id=article.pk)
    paginator = Paginator(rows, ARTICLE_CLAIMS_PER_PAGE)
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
            candidate = _instance(
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
