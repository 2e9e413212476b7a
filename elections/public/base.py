"""The rules of what is public, as querysets and subqueries the public selectors build on."""

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.db.models.functions import Coalesce

from elections.models import (
    CandidacyStatus,
    Candidate,
    Claim,
    Contradiction,
    DisputeClaim,
    PublicTally,
    Status,
)
from elections.models.claim import ANCHORED_STATUSES
from elections.names import has_han, to_simplified
from sources.models import Outlet

# Columns a public page never shows, left in the database rather than read for every row.
ARTICLE_UNREAD = ("text", "source_text", "boilerplate", "notes")
OUTLET_UNREAD = ("notes",)
CANDIDATE_UNREAD = ("notes", "search_text")

# Dispute states the public may see (a resolved one only with a verdict that it was one).
SHOWN_DISPUTE_STATUSES = (Contradiction.Status.OPEN, Contradiction.Status.RESOLVED)
STATUS_ORDER = {status: position for position, status in enumerate(Status.values)}


def text_lang(text: str, default: str = "") -> str:
    """The language tag for showing `text`: zh-Hans or zh-Hant when it holds Chinese
    characters (traditional when simplifying would change it), else `default`."""
    if not has_han(text):
        return default
    return _han_lang(text)


# Pages show the same names, outlets and titles again and again; simplifying is the costly part.
@functools.lru_cache(maxsize=4096)
def _han_lang(text: str) -> str:
    return "zh-Hant" if to_simplified(text) != text else "zh-Hans"


def unread_columns(prefix: str, columns: Iterable[str]) -> list[str]:
    return [f"{prefix}{column}" for column in columns]


# What a claim shown with its citation reads: its own columns, and those of its passage,
# article and outlet that a citation shows. Reading only these (rather than deferring the
# few long ones) halves the cost of turning a profile's rows into objects.
CITED_CLAIM_COLUMNS = (
    "candidate",
    "candidacy",
    "property",
    "value",
    "value_key",
    "as_of",
    "as_of_precision",
    "as_of_explicit",
    "state",
    "overruled",
    "reviewed_at",
    "passage__exact",
    "passage__prefix",
    "passage__suffix",
    "passage__anchor_status",
    "article__title",
    "article__url",
    "article__archived_at",
    "article__byline",
    "article__language",
    "article__published_on",
    "article__published_precision",
    "article__outlet__name",
    "article__outlet__slug",
    "article__outlet__kind",
)


def citation_unread(path: str = "") -> list[str]:
    """Deferred columns of a claim's article and outlet reached through `path`."""
    return [
        *unread_columns(f"{path}article__", ARTICLE_UNREAD),
        *unread_columns(f"{path}article__outlet__", OUTLET_UNREAD),
    ]


# The rule of a public claim, one place for every surface: verified, not overruled by a
# verdict, and citing a passage found word for word in its article's current text (see
# `ANCHORED_STATUSES`). Whether its candidate is published is checked by each selector,
# which reaches candidates its own way.
PUBLIC_CLAIM = {
    "state": Claim.State.VERIFIED,
    "overruled": False,
    "passage__anchor_status__in": ANCHORED_STATUSES,
}


def public_claim_filter(path: str = "") -> Q:
    """The rule of a public claim, for claims reached through `path` (e.g. "claim_a__")."""
    return Q(**{f"{path}{lookup}": value for lookup, value in PUBLIC_CLAIM.items()})


def public_claims() -> QuerySet[Claim]:
    """Verified claims about published candidates that no verdict overruled, citing words
    their article still holds: the facts."""
    return Claim.objects.public().standing()


def dispute_shown_filter(path: str = "") -> Q:
    """The state in which a dispute reached through `path` (e.g. "contradiction__") may be
    shown: about a published candidate, open, or resolved by a verdict other than "not a
    contradiction" (which says the outlets did not disagree). Closed ones are not shown."""
    Status, Verdict = Contradiction.Status, Contradiction.Verdict
    resolved = Q(**{f"{path}status": Status.RESOLVED}) & ~Q(
        **{f"{path}verdict": Verdict.NOT_CONTRADICTION}
    )
    return Q(
        Q(**{f"{path}status": Status.OPEN}) | resolved,
        **{
            f"{path}candidate__state": Candidate.State.PUBLISHED,
            f"{path}candidate__merged_into__isnull": True,
        },
    )


def shown_member_filter(path: str = "") -> Q:
    """Whether the claim of a dispute's member reached through `path` is shown as one of its
    versions: verified and citing words its article still holds. An overruled claim is shown:
    it is a version the verdict found wrong."""
    return Q(
        **{
            f"{path}claim__state": Claim.State.VERIFIED,
            f"{path}claim__passage__anchor_status__in": ANCHORED_STATUSES,
        }
    )


def dispute_is_shown(dispute: Contradiction, shown_groups: Iterable[int]) -> bool:
    """The rule of `public_disputes`, for a dispute of a published candidate read by a page
    with its members: `shown_groups` are the groups of its members whose claims are shown."""
    Status, Verdict = Contradiction.Status, Contradiction.Verdict
    if dispute.status == Status.RESOLVED:
        state_shown = dispute.verdict != Verdict.NOT_CONTRADICTION
    else:
        state_shown = dispute.status == Status.OPEN
    return state_shown and len(set(shown_groups)) >= 2


@dataclass
class Version:
    """One version of a dispute as the public reads it: the shown claims of a value group
    (verified and anchored; an overruled one among them is a version found wrong)."""

    group: int  # the group's number, from 1 in the order its first claim was recorded
    claims: list[Claim]  # by id
    judged: str = ""  # what the verdict found of it: "right", "wrong", or "" (not judged)
    new: bool = False  # it appeared after the verdict, and reopened the question

    @property
    def found_wrong(self) -> bool:
        return self.judged == DisputeClaim.Judged.WRONG

    @property
    def found_right(self) -> bool:
        return self.judged == DisputeClaim.Judged.RIGHT


def versions_of(rows: Iterable[tuple[DisputeClaim, Claim]]) -> list[Version]:
    """A dispute's shown members, each with its claim, as its versions in group order.

    A version's side is the one the verdict gave its claims; none when they were judged
    differently (a claim whose value changed since the verdict carries no judgement).
    """
    versions: dict[int, Version] = {}
    sides: dict[int, set[str]] = {}
    for member, claim in rows:
        version = versions.setdefault(member.group, Version(member.group, []))
        version.claims.append(claim)
        version.new = version.new or member.new
        sides.setdefault(member.group, set()).add(member.judged)
    for number, version in versions.items():
        version.claims.sort(key=lambda claim: claim.pk)
        judged = sides[number]
        version.judged = judged.pop() if len(judged) == 1 else ""
    return [versions[number] for number in sorted(versions)]


def _shown_group_count() -> Coalesce:
    """How many of a dispute's value groups hold a shown claim (a subquery on disputes)."""
    groups = (
        DisputeClaim.objects.filter(shown_member_filter(), contradiction=OuterRef("pk"))
        .order_by()
        .values("contradiction")
        .annotate(count=Count("group", distinct=True))
        .values("count")
    )
    return Coalesce(Subquery(groups), 0)


def public_disputes() -> QuerySet[Contradiction]:
    """Where outlets disagree, as the public sees it: the disputes of published candidates,
    open or resolved (but not found "not a contradiction"), of which at least two value
    groups hold a claim that is verified and anchored. A group of unverified claims alone is
    no version the public can read, so it does not make a dispute public."""
    return (
        Contradiction.objects.filter(dispute_shown_filter())
        .alias(shown_groups=_shown_group_count())
        .filter(shown_groups__gte=2)
        .order_by("property", "question")
    )


def disputed_claims() -> QuerySet[DisputeClaim, Any]:
    """Ids of the claims that are versions of a public dispute, for `pk__in`: a fact among
    them is "disputed" wherever it appears. Read once from the few disputes, not probed for
    every claim."""
    return (
        DisputeClaim.objects.filter(contradiction__in=public_disputes().values("pk"))
        .order_by()
        .values("claim_id")
    )


def disputed_fact(path: str = "") -> ExpressionWrapper:
    """Whether a claim (reached through `path`, e.g. "claim__") is a version of a public
    dispute, to annotate rows with (`.annotate(disputed=disputed_fact())`): one uncorrelated
    subquery, whatever the number of rows."""
    return ExpressionWrapper(Q(**{f"{path}pk__in": disputed_claims()}), output_field=BooleanField())


def in_public_dispute() -> Exists:
    """Whether a dispute member's dispute (a DisputeClaim row's) is public, probed by its id
    with the rule of `public_disputes`."""
    return Exists(public_disputes().filter(pk=OuterRef("contradiction_id")).order_by())


def mark_disputed(claims: list[Claim]) -> list[Claim]:
    """Set `disputed` on each of `claims` (a page of a few): whether it is a version of a
    public dispute, read from their own memberships, each checked by the rule of
    `public_disputes` on its one dispute (one query, whose cost is the page's).
    `disputed_fact` reads every public dispute once instead, which suits an export of every
    claim, but costs a page as much as there are disputes: PostgreSQL evaluates even a
    correlated probe as a hash of them all when it expects many rows before a LIMIT."""
    ids = [claim.pk for claim in claims]
    disputed = (
        set(
            DisputeClaim.objects.filter(claim_id__in=ids)
            .filter(in_public_dispute())
            .values_list("claim_id", flat=True)
        )
        if ids
        else set()
    )
    for claim in claims:
        # An attribute the page reads, set on the instance for the template.
        claim.disputed = claim.pk in disputed  # type: ignore[attr-defined]
    return claims


def public_claims_of(candidate_ref: OuterRef) -> QuerySet[Claim]:
    """Public claims of the candidate `candidate_ref` points at, for use in a subquery."""
    return Claim.objects.filter(public_claim_filter(), candidate=candidate_ref)


def _public_steps(candidate_ref: OuterRef) -> QuerySet[CandidacyStatus]:
    """Status steps a public claim reported, latest first, for use in a subquery.

    A step without a claim, or whose claim is not public (unverified, rejected, overruled,
    or citing words its article no longer holds), is not public: the candidacy's stored
    `status` may count it, so it is not read here.
    """
    # The claim is checked by its id from each step rather than joined: joined, SQLite starts
    # from the index of verified claims and reads all of them for every candidate.
    public_claim = Claim.objects.filter(public_claim_filter(), pk=OuterRef("claim_id"))
    return (
        CandidacyStatus.objects.filter(candidacy__candidate=candidate_ref)
        .filter(Exists(public_claim))
        .order_by("-sequence", "-id")
    )


def latest_public_status(candidate_ref: OuterRef | None = None) -> Subquery:
    """The latest candidacy status a public claim reported, as a subquery on candidates."""
    steps = _public_steps(candidate_ref if candidate_ref is not None else OuterRef("pk"))
    return Subquery(steps.values("status")[:1])


def status_rank() -> Coalesce:
    """The latest public status as its place in a candidacy's course (none: last)."""
    rank = Case(
        *(When(status=status, then=position) for status, position in STATUS_ORDER.items()),
        default=len(STATUS_ORDER),
        output_field=IntegerField(),
    )
    steps = _public_steps(OuterRef("pk")).annotate(rank=rank).values("rank")[:1]
    return Coalesce(Subquery(steps), len(STATUS_ORDER))


def disputed_condition() -> Exists:
    """Whether a candidate has a dispute the public sees (an Exists on candidates)."""
    return Exists(public_disputes().filter(candidate=OuterRef("pk")).order_by())


def disputed_candidates() -> QuerySet[Contradiction, Any]:
    """Ids of the candidates with a dispute the public sees, for `pk__in`.

    Read once from the few disputes rather than probed for every candidate.
    """
    return public_disputes().order_by().values("candidate_id")


def latest_status_is(status: str) -> QuerySet[CandidacyStatus, Any]:
    """Ids of the candidates whose latest public status step is `status`, for `pk__in`.

    Starts from the steps of that status and keeps those with no later public step of the
    same candidate, instead of working out every candidate's latest status to compare it.
    """
    public_claim = Claim.objects.filter(public_claim_filter(), pk=OuterRef("claim_id"))
    later = (
        CandidacyStatus.objects.filter(candidacy__candidate=OuterRef("candidacy__candidate"))
        .filter(
            Q(sequence__gt=OuterRef("sequence"))
            | Q(sequence=OuterRef("sequence"), pk__gt=OuterRef("pk"))
        )
        .filter(Exists(public_claim))
    )
    return (
        CandidacyStatus.objects.filter(status=status)
        .filter(Exists(public_claim))
        .filter(~Exists(later))
        .order_by()
        .values("candidacy__candidate")
    )


def has_public_status() -> Exists:
    """Whether a public claim reported a status step of the candidate (an Exists)."""
    return Exists(_public_steps(OuterRef("pk")).order_by())


# Subqueries that do not change from one request to the next are built once per process, by
# functions under functools.cache: building their filters and joins costs Django more than
# compiling and running them, and each query that uses an expression copies it, never
# changes it, so one expression serves every request and thread.


def reporting_outlets() -> QuerySet[Outlet]:
    """Outlets that a public claim cites, by name: those whose kept count of facts
    (`elections.tallies`) is above 0, so the cost is that of the outlets, not of their claims.

    The caller settles pending tallies first (the candidate list's filter reads
    `public_candidates()`, which does), so that one query per page does it."""
    from elections import tallies

    cited = PublicTally.objects.filter(kind=tallies.OUTLET, part="facts", value__gt=0)
    return (
        Outlet.objects.filter(pk__in=cited.values("subject")).defer(*OUTLET_UNREAD).order_by("name")
    )
