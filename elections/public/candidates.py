"""Published candidates: the list, its filter choices, the home page's figures, profiles."""

import datetime
import functools
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import (
    Count,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Window,
)
from django.db.models.functions import RowNumber
from django.utils.translation import pgettext

from elections.models import (
    Candidacy,
    CandidacyStatus,
    Candidate,
    CandidateDigest,
    CandidateName,
    Claim,
    Contradiction,
    DisputeClaim,
    Election,
    Place,
    Property,
    PublicTally,
)
from sources.models import Article

from .base import (
    CANDIDATE_UNREAD,
    CITED_CLAIM_COLUMNS,
    SHOWN_DISPUTE_STATUSES,
    STATUS_ORDER,
    dispute_is_shown,
    mark_disputed,
    public_claim_filter,
    public_claims,
    public_claims_of,
    versions_of,
)
from .outlets.rows import prepared


def public_candidates() -> QuerySet[CandidateDigest]:
    """Published candidates, as the list filters, sorts and counts them: their kept digests
    (`elections.tallies`), whose pk is the candidate's, each sort and single filter served
    by an index of its own.

    The columns a row shows are not read here but by `candidate_rows`, for one page's
    candidates only, which also checks that each is still published.
    """
    from elections import tallies

    tallies.settled()
    return CandidateDigest.objects.filter(listed=True)


def page_of_ids(
    candidates: QuerySet[Candidate],
    number: int | str | None,
    *,
    size: int,
    total_with_page: bool = False,
    clamp: bool = False,
    total: int | None = None,
) -> Page:
    """Page `number` of the ids of `candidates` (filtered and ordered), as a Django Page.

    With `total_with_page` the total comes with the page's ids in one query (a window
    count): worth it when listing reads every match anyway, which counting then did a second
    time. Without it, the ids and the total are two queries, and a list in name order stops
    reading at the page's end. A number that is not a page raises PageNotAnInteger or
    EmptyPage, as Paginator.page does, unless `clamp` asks for what Paginator.get_page gives
    (the first page, or the last).
    """
    ids = candidates.values_list("pk", flat=True)
    paginator = Paginator(ids, size)
    if total is not None:  # a kept count: neither counted nor read with the page
        paginator.count = total
        total_with_page = False
    if number is None:  # no page asked for: not a page, as Paginator.page says
        if not clamp:
            raise PageNotAnInteger(paginator.error_messages["invalid_page"])
        number = 1
    if not total_with_page:
        return paginator.get_page(number) if clamp else paginator.page(number)
    try:
        wanted = int(number)
    except (TypeError, ValueError):
        if not clamp:
            raise PageNotAnInteger(paginator.error_messages["invalid_page"]) from None
        wanted = 1
    bottom = (max(wanted, 1) - 1) * size
    rows = list(
        candidates.annotate(page_total=Window(Count("pk"))).values_list("pk", "page_total")[
            bottom : bottom + size
        ]
    )
    # Past the last page the window has no row to carry the total: it is counted apart.
    paginator.count = rows[0][1] if rows else (ids.count() if bottom else 0)
    try:
        number = paginator.validate_number(wanted)
    except EmptyPage:
        if not clamp:
            raise
        return page_of_ids(candidates, paginator.num_pages, size=size, total_with_page=True)
    return Page([pk for pk, _total in rows], number, paginator)


def province_name() -> Subquery:
    """The name of the first province (by name) a candidate stood in, as a subquery."""
    return Subquery(
        Candidacy.objects.filter(candidate=OuterRef("pk"))
        .order_by("election__place__province__name")
        .values("election__place__province__name")[:1]
    )


def last_verified() -> Subquery:
    """When a public claim of a candidate was last verified, as a subquery."""
    # Max() rather than the first row by date: ordered by date, SQLite may choose to walk
    # claim_review_order_idx through every verified claim instead of this candidate's few.
    latest = (
        public_claims_of(OuterRef("pk"))
        .order_by()
        .values("candidate")
        .annotate(latest=Max("reviewed_at"))
        .values("latest")
    )
    return Subquery(latest)


@dataclass(frozen=True)
class PlaceRow:
    """Where a candidate of the list stood: a place's names and its province's name
    (empty for a province itself)."""

    slug: str
    name: str
    name_zh: str
    level: str
    province: str


# What a row of the list shows of a candidate, and what says it is still published.
ROW_COLUMNS = (
    "display_name",
    "name_zh",
    "slug",
    "gender",
    "birth_year",
    "wikidata",
    "state",
    "merged_into",
)


# What a row shows of the public record, read from the candidate's kept digest
# (`elections.tallies`), which the list has just settled: the same rules, not worked out again.
ROW_DIGEST = {
    "public_status": F("digest__status"),
    "disputed": F("digest__disputed"),
    "last_verified": F("digest__last_verified"),
}


def candidate_rows(ids: Sequence[int], *, names: bool = False) -> list[Candidate]:
    """The published candidates `ids` in that order, each with its latest public status
    (`public_status`, "" for none), dispute flag (`disputed`), last review date
    (`last_verified`), the places of its candidacies (`places`: PlaceRow, in order of
    polling day) and, with `names`, its other names (`other_names`).

    `ids` is one page of the list (a few dozen), read with their kept digests: settled
    tallies are expected (`public_candidates()` settles them).
    """
    # Read by id alone, so that the database looks up those rows and nothing else; whether
    # they are still published is checked below.
    rows = Candidate.objects.filter(pk__in=ids).only(*ROW_COLUMNS).annotate(**ROW_DIGEST)
    candidates = {
        candidate.pk: candidate
        for candidate in rows.order_by()
        if candidate.state == Candidate.State.PUBLISHED and candidate.merged_into_id is None
    }
    for candidate in candidates.values():
        candidate.places, candidate.other_names = [], []
    stood = sorted(
        Candidacy.objects.filter(candidate_id__in=list(candidates))
        .order_by()
        .values_list(
            "election__polling_on",
            "election_id",
            "candidate_id",
            "election__place_id",
            "election__place__slug",
            "election__place__name",
            "election__place__name_zh",
            "election__place__level",
            "election__place__province_id",
            "election__place__province__name",
        ),
        # By polling day (undated last), as a profile lists them.
        key=lambda row: (row[0] is None, row[0] or datetime.date.min, row[1]),
    )
    seen = set()
    for row in stood:
        candidate_id, place_id, slug, name, name_zh, level, province_id, province = row[2:]
        if (candidate_id, place_id) in seen:
            continue
        seen.add((candidate_id, place_id))
        in_province = province_id is not None and province_id != place_id
        candidates[candidate_id].places.append(
            PlaceRow(slug, name, name_zh, level, province if in_province else "")
        )
    if names:
        forms = (
            CandidateName.objects.filter(candidate_id__in=list(candidates))
            .order_by("kind", "name")
            .values_list("candidate_id", "name")
        )
        for candidate_id, name in forms:
            candidates[candidate_id].other_names.append(name)
    return [candidates[pk] for pk in ids if pk in candidates]


def _published_candidacies() -> QuerySet[Candidacy]:
    return Candidacy.objects.filter(
        candidate__state=Candidate.State.PUBLISHED, candidate__merged_into__isnull=True
    )


@functools.cache
def _contested() -> Exists:
    # Built once: see the note above reporting_outlets() in base.py.
    return Exists(_published_candidacies().filter(election=OuterRef("pk")).order_by())


def _contested_elections() -> QuerySet[Election]:
    """Elections a published candidate stood in: far fewer rows than their candidacies."""
    return Election.objects.filter(_contested()).order_by()


def public_provinces() -> QuerySet[Place]:
    """Provinces where a published candidate stood, by name."""
    return Place.objects.filter(pk__in=_contested_elections().values("place__province")).order_by(
        "name"
    )


def public_places() -> QuerySet[Place]:
    """Places a published candidate stood in, and the provinces and prefecture cities that
    hold them: the places the public record names (the reconciliation service's)."""
    contested = _contested_elections()
    return Place.objects.filter(
        Q(pk__in=contested.values("place"))
        | Q(pk__in=contested.values("place__province"))
        | Q(pk__in=contested.values("place__city"))
    )


def public_cities() -> QuerySet[Place]:
    """Prefecture cities where a published candidate stood, with their province, by name."""
    return (
        Place.objects.filter(pk__in=_contested_elections().values("place__city"))
        .select_related("province")
        .order_by("name", "province__name")
    )


@dataclass
class PlaceChoices:
    """The list's place filters: (slug, label) pairs, by name."""

    provinces: list[tuple[str, str]]
    cities: list[tuple[str, str]]  # labelled "City, Province"


def _city_label(city: str, province: str) -> str:
    """A city as the city filter names it: with its province when known."""
    if not province:
        return city
    return pgettext("a city and its province", "%(city)s, %(province)s") % {
        "city": city,
        "province": province,
    }


def public_place_choices() -> PlaceChoices:
    """Provinces and prefecture cities where a published candidate stood, in one query."""
    rows = _contested_elections().values_list(
        "place__province__slug",
        "place__province__name",
        "place__city__slug",
        "place__city__name",
        "place__city__province__name",
    )
    provinces, cities = {}, {}
    for province_slug, province, city_slug, city, city_province in rows:
        if province_slug is not None:
            provinces[province_slug] = province
        if city_slug is not None:
            cities[city_slug] = (city, city_province or "")
    return PlaceChoices(
        provinces=sorted(provinces.items(), key=lambda pair: (pair[1], pair[0])),
        cities=[
            (slug, _city_label(city, province))
            for slug, (city, province) in sorted(
                cities.items(), key=lambda pair: (*pair[1], pair[0])
            )
        ],
    )


@dataclass
class Figures:
    """The home page's counts: candidates by province and by latest public status."""

    candidates: int
    outlets: int
    facts: int
    by_province: list[tuple[Place | None, int]]  # most candidates first
    by_status: list[tuple[str, int]]  # (status value or "", count), in the order of a candidacy


def home_figures() -> Figures:
    """Counts of published candidates by province and by outcome, and of facts and outlets:
    read from the kept tallies (`elections.tallies`), three queries however large the record."""
    from elections import tallies

    tallies.settled()
    rows = PublicTally.objects.filter(
        kind__in=(tallies.ALL, tallies.STATUS, tallies.PROVINCE), value__gt=0
    ).values_list("kind", "subject", "part", "value")
    totals: dict[str, int] = {}
    statuses: dict[str, int] = {}
    provinces: dict[int, int] = {}
    for kind, subject, part, value in rows:
        if kind == tallies.ALL:
            totals[part] = value
        elif kind == tallies.STATUS:
            statuses[part] = value
        else:
            provinces[subject] = value
    places = Place.objects.in_bulk(list(provinces))
    placed = sorted(
        ((places[pk], count) for pk, count in provinces.items() if pk in places),
        key=lambda pair: (-pair[1], pair[0].name),
    )
    by_province: list[tuple[Place | None, int]] = list(placed)
    if totals.get("unplaced"):
        by_province.append((None, totals["unplaced"]))
    by_status = sorted(
        statuses.items(), key=lambda pair: STATUS_ORDER.get(pair[0], len(STATUS_ORDER))
    )
    return Figures(
        candidates=totals.get("candidates", 0),
        outlets=totals.get("outlets", 0),
        facts=totals.get("facts", 0),
        by_province=by_province,
        by_status=by_status,
    )


def newest_public_claims(limit: int = 8) -> QuerySet[Claim]:
    """The most recently verified public claims, with candidate, passage, article and
    outlet."""
    # The candidate is checked with Exists rather than by the join alone, so that SQLite walks
    # the claims newest first (claim_review_order_idx) and stops after `limit`, instead of
    # joining every public claim to its candidate and sorting them all.
    published = Candidate.objects.published().filter(pk=OuterRef("candidate_id"))
    return (
        Claim.objects.filter(public_claim_filter())
        .filter(Exists(published))
        .select_related("candidate", "passage", "article__outlet")
        .only(*CITED_CLAIM_COLUMNS, *(f"candidate__{column}" for column in ROW_COLUMNS))
        .order_by("-reviewed_at", "-id")[:limit]
    )


def latest_facts(limit: int = 8) -> list[Claim]:
    """The home page's latest facts (`newest_public_claims`), each with `disputed`: whether
    it is a version of a public dispute (`mark_disputed`). Two queries."""
    return mark_disputed(list(newest_public_claims(limit)))


def merged_survivor(slug: str, *, hops: int = 10) -> Candidate | None:
    """The published record that the merged-away record `slug` now lives in, or None."""
    record = (
        Candidate.objects.filter(slug=slug, merged_into__isnull=False)
        .only("pk", "merged_into")
        .first()
    )
    target_id = record and record.merged_into_id
    for _ in range(hops):
        if target_id is None:
            return None
        target = Candidate.objects.only("slug", "state", "merged_into").get(pk=target_id)
        if target.merged_into_id is None:
            return target if target.state == Candidate.State.PUBLISHED else None
        target_id = target.merged_into_id
    return None


@dataclass
class Profile:
    """Everything a published candidate's page shows, read in six queries (seven when a claim
    a verdict overruled cites a source no fact on the page cites)."""

    candidate: Candidate
    names: list[CandidateName]
    candidacies: list[Candidacy]  # each with `public_steps` (dated, cited) and `public_status`
    facts: list[Claim]  # public claims, in property order, each with `dispute_id` (or None)
    disputes: list[Contradiction]  # public disputes, each with `versions` (list of Version)
    sources: list[Article]  # the articles cited, oldest first
    status: str = ""
    status_dispute: int | None = None  # the dispute of the step that gives `status`, if any
    # The candidate's own questions in public dispute (birth_year, gender...): property to id.
    disputed_properties: dict[str, int] = field(default_factory=dict)
    last_verified: datetime.datetime | None = None
    cited_articles: set[int] = field(default_factory=set)  # ids of articles with a public page
    cited_outlets: set[int] = field(default_factory=set)  # ids of outlets with a public page
    # How many facts of each property there are in all (`facts` may hold only the first
    # few of each, or one page of one property: `FactsShown`).
    fact_totals: dict[str, int] = field(default_factory=dict)
    focus: Page | None = None  # the page of `FactsShown.property`'s facts shown, if any


# How much of a candidate's facts a profile page shows: the first few of each property (in
# the profile's order: by date, then as recorded), each property's others a page at a time
# on `?facts=<property>`. A candidate reported on hundreds of times (a petition's platform
# quoted by every outlet that covered it) would otherwise make a page whose cost, to read
# and to render, is that of all of them: the page stays bounded, and every fact is reached
# from it. The JSON profile (`/api/candidates/<slug>/`) gives every fact.
PROFILE_FACTS_PER_PROPERTY = 10
PROFILE_FACTS_PER_PAGE = 50


@dataclass(frozen=True)
class FactsShown:
    """Which facts a profile reads: all (`per_property` None), the first `per_property` of
    each property, or, with `property`, page `page` of that property's alone."""

    per_property: int | None = None
    property: str = ""
    page: int | str | None = 1

    @classmethod
    def for_page(cls, prop: str | None, page: int | str | None) -> "FactsShown":
        """What a profile page shows for its query's `facts` and `page` (a property that is
        not one, or is the status, which the timeline shows, gives the whole profile)."""
        if prop in Property.values and prop != Property.STATUS:
            return cls(PROFILE_FACTS_PER_PAGE, prop, page)
        return cls(PROFILE_FACTS_PER_PROPERTY)


def _verified_claims_of(candidate: Candidate) -> QuerySet[Claim]:
    """Every verified claim of `candidate` citing words its article still holds, standing or
    overruled, with its citation."""
    return (
        Claim.objects.filter(candidate_id=candidate.pk, state=Claim.State.VERIFIED)
        .anchored()
        .select_related("passage", "article__outlet")
        .only(*CITED_CLAIM_COLUMNS)
        .order_by()
    )


def _ranked_rows(candidate_id: int, *bounds: Any) -> QuerySet[Claim, tuple[Any, ...]]:
    """The rows `_claims_shown` chooses: (id, `fact_rank`, `fact_total`, `last_verified`) of
    the claims a page needs; `bounds` are (property, first, last) for a page of one
    property's facts, (per_property,) for the first of each, () for all."""
    standing = [F("property"), F("overruled")]
    ranked = (
        Claim.objects.filter(candidate_id=candidate_id, state=Claim.State.VERIFIED)
        .anchored()
        .annotate(
            fact_rank=Window(
                RowNumber(),
                partition_by=standing,
                order_by=[F("as_of").asc(nulls_first=True), F("id")],
            ),
            fact_total=Window(Count("pk"), partition_by=standing),
            last_verified=Window(Max("reviewed_at"), partition_by=[F("overruled")]),
        )
    )
    # A column, not `pk__in`: Django moves the conditions beside a window's into a subquery
    # of its own, where an IN (subquery) becomes a scalar column (an error on PostgreSQL).
    # Only the candidate's own disputes count, as only those are shown (`_disputes_of`):
    # PostgreSQL then hashes their few members, not those of every dispute of the record.
    ranked = ranked.annotate(
        a_version=Exists(
            DisputeClaim.objects.filter(
                claim_id=OuterRef("pk"),
                contradiction__candidate_id=candidate_id,
                contradiction__status__in=SHOWN_DISPUTE_STATUSES,
            )
        )
    )
    needed = Q(overruled=True) | Q(property=Property.STATUS) | Q(a_version=True)
    if len(bounds) == 3:
        prop, first, last = bounds
        needed |= Q(property=prop, fact_rank__gt=first, fact_rank__lte=last)
    elif bounds:
        needed |= Q(fact_rank__lte=bounds[0])
    return (
        ranked.filter(needed)
        .order_by()
        .values_list("pk", "fact_rank", "fact_total", "last_verified")
    )


def _claims_read(candidate_id: int, *ids: int) -> QuerySet[Claim]:
    """The claims `ids` of the candidate, with their citations (`_verified_claims_of`)."""
    return _verified_claims_of(Candidate(pk=candidate_id)).filter(pk__in=ids)


def _claims_shown(candidate: Candidate, shown: FactsShown, focus: Page | None) -> list[Claim]:
    """`candidate`'s verified, anchored claims that a page showing `shown` needs: its facts
    (the first of each property, or the page `focus` of one), every status claim (for the
    timeline), every overruled one and every version of a dispute of the candidate (the
    disputes section; both are as few as the disputes are), each with `fact_rank` (its place
    among the standing facts of its property), `fact_total` (their number) and
    `last_verified` (of all its standing facts), counted in SQL over all of them.

    Two queries: the ranks are counted over the claims alone, and only the rows chosen are
    then read with their citations (joining every claim's passage, article and outlet
    before choosing would cost as much as reading them all)."""
    if focus is not None:
        first = focus.start_index() - 1 if focus.paginator.count else 0
        bounds: tuple[Any, ...] = (shown.property, first, focus.end_index())
    elif shown.per_property is not None:
        bounds = (shown.per_property,)
    else:
        bounds = ()
    # Compiled once per process for each kind of page (`prepared`), as their SQL is the same
    # for every candidate.
    ranked = prepared(("profile ranks", len(bounds)), _ranked_rows, (candidate.pk, *bounds))
    chosen = {pk: (rank, total, last) for pk, rank, total, last in ranked}
    ids = list(chosen)
    claims: list[Claim] = list(
        prepared(("profile claims", len(ids)), _claims_read, (candidate.pk, *ids))
    )
    for claim in claims:
        # Attributes read by `candidate_profile`.
        (
            claim.fact_rank,  # type: ignore[attr-defined]
            claim.fact_total,  # type: ignore[attr-defined]
            claim.last_verified,  # type: ignore[attr-defined]
        ) = chosen[claim.pk]
    return claims


def _is_shown_fact(claim: Claim, shown: FactsShown, focus: Page | None) -> bool:
    """Whether `claim`, a standing claim read by `_claims_shown`, is among the facts shown."""
    if claim.property == Property.STATUS:
        return True
    rank = claim.fact_rank  # type: ignore[attr-defined]
    if focus is not None:
        return claim.property == shown.property and focus.start_index() <= rank <= focus.end_index()
    return shown.per_property is None or rank <= shown.per_property


def _other_sources(candidate: Candidate, known: Iterable[int]) -> list[Article]:
    """The articles that `candidate`'s standing facts cite besides `known` (those of the
    facts shown): a profile lists every source of its facts, shown or not."""
    known = list(known)
    return list(
        prepared(("profile other sources", len(known)), _articles_besides, (candidate.pk, *known))
    )


def _articles_besides(candidate_id: int, *known: int) -> QuerySet[Article]:
    """The articles the candidate's public claims cite besides `known`."""
    cited = (
        public_claims()
        .filter(candidate_id=candidate_id)
        .exclude(article_id__in=known)
        .order_by()
        .values("article_id")
    )
    columns = [
        column.removeprefix("article__")
        for column in CITED_CLAIM_COLUMNS
        if column.startswith("article__")
    ]
    return (
        Article.objects.filter(pk__in=cited)
        .select_related("outlet")
        .only("outlet", *columns)
        .order_by()
    )


def _mark_cited(claims: list[Claim]) -> None:
    """Set `article_cited` and `outlet_cited` on each of `claims`: whether the article and the
    outlet have pages of their own, which they do when a public claim cites them.

    The claims are a published candidate's verified ones: a standing claim is public and so
    cites its own article and outlet. Only an overruled claim's sources may have no page, and
    only those no standing claim of the profile cites are looked up, in one query.
    """
    standing = [claim for claim in claims if not claim.overruled]
    articles = {claim.article_id for claim in standing}
    outlets = {claim.article.outlet_id for claim in standing}
    overruled = [claim for claim in claims if claim.overruled]
    unknown_articles = {claim.article_id for claim in overruled} - articles
    unknown_outlets = {claim.article.outlet_id for claim in overruled} - outlets
    if unknown_articles or unknown_outlets:
        cited = (
            public_claims()
            .filter(Q(article_id__in=unknown_articles) | Q(article__outlet_id__in=unknown_outlets))
            .order_by()
            .values_list("article_id", "article__outlet_id")
            .distinct()
        )
        for article_id, outlet_id in cited:
            articles.add(article_id)
            outlets.add(outlet_id)
    for claim in claims:
        # Attributes the page reads, set on the instance for the template.
        claim.article_cited = claim.article_id in articles  # type: ignore[attr-defined]
        claim.outlet_cited = claim.article.outlet_id in outlets  # type: ignore[attr-defined]


def _dispute_members(candidate_id: int) -> QuerySet[DisputeClaim]:
    """The members of the candidate's disputes in a state that may be shown."""
    return (
        DisputeClaim.objects.filter(
            contradiction__candidate_id=candidate_id,
            contradiction__status__in=SHOWN_DISPUTE_STATUSES,
        )
        .select_related("contradiction")
        .defer("contradiction__flag_note", "contradiction__closed_reason")
        .order_by()
    )


def _disputes_of(candidate: Candidate, claims: dict[int, Claim]) -> list[Contradiction]:
    """The public disputes of `candidate`, each with `versions`, from one query of their
    members; `claims` are the candidate's verified, anchored claims (the shown ones), each
    marked with the dispute it is a version of (`dispute_id`) when that dispute is public.

    The rule is `public_disputes`' (`dispute_is_shown`), applied here to the few rows read.
    """
    members = prepared(("profile disputes",), _dispute_members, (candidate.pk,))
    disputes: dict[int, Contradiction] = {}
    rows: dict[int, list[tuple[DisputeClaim, Claim]]] = {}
    for member in members:
        claim = claims.get(member.claim_id)
        if claim is None:  # unverified, or its words are no longer found: not shown
            continue
        disputes.setdefault(member.contradiction_id, member.contradiction)
        rows.setdefault(member.contradiction_id, []).append((member, claim))
    public = []
    for pk, dispute in disputes.items():
        if not dispute_is_shown(dispute, (member.group for member, _claim in rows[pk])):
            continue
        # An attribute the page reads, set on the instance for the template.
        dispute.versions = versions_of(rows[pk])  # type: ignore[attr-defined]
        for _member, claim in rows[pk]:
            claim.dispute_id = pk  # type: ignore[attr-defined]
        public.append(dispute)
    order = {prop: position for position, prop in enumerate(Property.values)}
    return sorted(
        public, key=lambda dispute: (order.get(dispute.property, len(order)), dispute.question)
    )


def _published_by_slug(slug: str) -> QuerySet[Candidate]:
    return Candidate.objects.published().filter(slug=slug).defer(*CANDIDATE_UNREAD).order_by()[:1]


def _published(slug: str) -> Candidate | None:
    return next(iter(prepared(("profile candidate",), _published_by_slug, (slug,))), None)


def by_polling_day(candidacy: Candidacy) -> tuple[bool, datetime.date, int]:
    """Sort key of candidacies: by polling day (undated last), then by election."""
    polling = candidacy.election.polling_on
    return (polling is None, polling or datetime.date.min, candidacy.election_id)


# The current status, derived here for every surface that shows one: the profile's header and
# timeline, the API's candidacies and Popolo's memberships read `current_status`; the list, its
# filter, its sort, the home page's chart and the API's list read the same rule in SQL
# (`latest_public_status`, `latest_status_is`, `status_rank` in base.py). The rule: of the
# steps a public claim reported, the last in course order, which elections.services.course
# works out and stores as `CandidacyStatus.sequence` (ties: the step recorded later). A step
# whose claim is not public does not count, so the public may see an earlier status than the
# editors' stored `Candidacy.status`, which counts every step review has not taken back.


def public_steps() -> QuerySet[CandidacyStatus]:
    """Status steps a public claim reported, in course order."""
    # Checked by the claim's id from each step, as in base._public_steps, with the one rule
    # of a public claim (public_claims) rather than a copy of it.
    return CandidacyStatus.objects.filter(
        Exists(public_claims().filter(pk=OuterRef("claim_id")).order_by())
    ).order_by("sequence", "id")


def course_place(step: CandidacyStatus | dict[str, Any]) -> tuple[int, int]:
    """Where a step (an instance, or a row with `sequence` and `id`) falls in its course."""
    if isinstance(step, dict):
        return step["sequence"], step["id"]
    return step.sequence, step.pk


def current_status(steps: Iterable[CandidacyStatus | dict[str, Any]]) -> str:
    """The current status that these public steps (a candidacy's, or all of a candidate's)
    give: the status of the last in course order; "" when there are none."""
    last = max(steps, key=course_place, default=None)
    if last is None:
        return ""
    return last["status"] if isinstance(last, dict) else last.status


def _status_dispute(steps: Iterable[CandidacyStatus]) -> int | None:
    """The public dispute of the step that gives the current status of `steps` (a profile's,
    whose claims carry `dispute_id`), or None."""
    last = max(steps, key=course_place, default=None)
    return getattr(last.claim, "dispute_id", None) if last is not None else None


def _candidacies_of(candidate_id: int) -> QuerySet[Candidacy]:
    return (
        Candidacy.objects.filter(candidate_id=candidate_id)
        .select_related("election__place__province")
        .order_by()
    )


def _steps_of(*candidacies: int) -> QuerySet[CandidacyStatus]:
    return CandidacyStatus.objects.filter(candidacy_id__in=candidacies).order_by()


def _names_of(candidate_id: int) -> QuerySet[CandidateName]:
    return CandidateName.objects.filter(candidate_id=candidate_id).order_by()


def candidate_profile(slug: str, shown: FactsShown | None = None) -> Profile | None:
    """The published candidate `slug` with names, candidacies, facts and disputes, or None;
    with `shown`, only the facts it names (the page's: `FactsShown.for_page`), else all.

    Each query reads one table's rows of this candidate (with the rows they point at); the
    rules of what is public are applied here, in Python, to those few rows, and so is their
    order (ordering in SQL costs Django more to build than sorting a few rows costs Python).
    Six queries; with `shown`, one more when some facts are not shown (their sources) and
    one more for a page of one property (its count).
    """
    candidate = _published(slug)
    if candidate is None:
        return None
    focus = None
    rows: Iterable[Claim]
    if shown is None:
        rows = _verified_claims_of(candidate)
    else:
        if shown.property:
            count = (
                _verified_claims_of(candidate)
                .filter(property=shown.property, overruled=False)
                .count()
            )
            paginator = Paginator(range(count), shown.per_property or PROFILE_FACTS_PER_PAGE)
            focus = paginator.get_page(shown.page)
        rows = _claims_shown(candidate, shown, focus)
    claims = {claim.pk: claim for claim in rows}
    for verified in claims.values():
        verified.dispute_id = None  # type: ignore[attr-defined]
    disputes = _disputes_of(candidate, claims)
    standing = [claim for claim in claims.values() if not claim.overruled]
    facts = [claim for claim in standing if shown is None or _is_shown_fact(claim, shown, focus)]
    totals: dict[str, int] = {}
    for fact in standing:
        # Counted in SQL over every standing fact when only some are read.
        totals[fact.property] = getattr(fact, "fact_total", totals.get(fact.property, 0) + 1)
    # An overruled claim is shown only as a version of a public dispute; a standing one may
    # be a version without being among the facts shown.
    in_facts = {claim.pk for claim in facts}
    shown_claims = facts + [
        claim
        for dispute in disputes
        for version in dispute.versions  # type: ignore[attr-defined]
        for claim in version.claims
        if claim.pk not in in_facts
    ]
    _mark_cited(shown_claims)
    candidacies = sorted(
        prepared(("profile candidacies",), _candidacies_of, (candidate.pk,)),
        key=by_polling_day,
    )
    by_candidacy = {candidacy.pk: candidacy for candidacy in candidacies}
    # Attributes the page reads, set on the instances for the template.
    for candidacy in candidacies:
        candidacy.public_steps = []  # type: ignore[attr-defined]
    steps = sorted(
        prepared(("profile steps", len(by_candidacy)), _steps_of, tuple(by_candidacy)),
        key=course_place,
    )
    reported = []
    for step in steps:
        # A step is public when a public claim reported it: the profile's claims are the
        # candidate's public ones, with the overruled ones beside them.
        claim = claims.get(step.claim_id) if step.claim_id is not None else None
        if claim is None or claim.overruled:
            continue
        step.claim = claim
        by_candidacy[step.candidacy_id].public_steps.append(step)  # type: ignore[attr-defined]
        reported.append(step)
    for candidacy in candidacies:
        candidacy.public_status = current_status(  # type: ignore[attr-defined]
            candidacy.public_steps  # type: ignore[attr-defined]
        )
        candidacy.status_dispute = _status_dispute(  # type: ignore[attr-defined]
            candidacy.public_steps  # type: ignore[attr-defined]
        )
    order = {prop: position for position, prop in enumerate(Property.values)}
    facts.sort(
        key=lambda claim: (
            order.get(claim.property, len(order)),
            claim.as_of or datetime.date.min,
            claim.pk,
        )
    )
    cited = {claim.article_id: claim.article for claim in shown_claims}
    # When only some were read, each carries the last verification of them all.
    verified_at: list[datetime.datetime] = [
        moment
        for moment in (getattr(fact, "last_verified", fact.reviewed_at) for fact in standing)
        if moment is not None
    ]
    shown_of = Counter(claim.property for claim in facts)
    others = (
        _other_sources(candidate, cited)
        if any(total > shown_of[prop] for prop, total in totals.items())
        else []
    )
    # Cited by standing facts, which are public: each has its page, as has its outlet.
    cited.update((article.pk, article) for article in others)
    sources = sorted(
        cited.values(),
        key=lambda article: (article.published_on is None, article.published_on, article.title),
    )
    return Profile(
        candidate=candidate,
        names=sorted(
            prepared(("profile names",), _names_of, (candidate.pk,)),
            key=lambda name: (name.kind, name.name),
        ),
        candidacies=candidacies,
        facts=facts,
        disputes=disputes,
        sources=sources,
        status=current_status(reported),
        status_dispute=_status_dispute(reported),
        disputed_properties={
            dispute.property: dispute.pk for dispute in disputes if dispute.candidacy_id is None
        },
        last_verified=max(verified_at, default=None),
        cited_articles={
            claim.article_id
            for claim in shown_claims
            if claim.article_cited  # type: ignore[attr-defined]
        }
        | {article.pk for article in others},
        cited_outlets={
            claim.article.outlet_id
            for claim in shown_claims
            if claim.outlet_cited  # type: ignore[attr-defined]
        }
        | {article.outlet_id for article in others},
        fact_totals=totals,
        focus=focus,
    )
