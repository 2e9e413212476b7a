"""The public disputes an outlet took part in, and those of the facts its page shows.

How many it took part in, by property, and in how many its version was found wrong are kept
counts (`elections.tallies`, kind outlet, parts "disputes:" and "wrong:"); the first few are
found among the disputes of the first candidates by name it took part in disputes about
(kind `took part`). What is read grows with the page shown, not with the outlet's record.
"""

import functools
from dataclasses import dataclass
from typing import Any, cast

from django.db.models import Case, QuerySet, Value, When

from elections.models import (
    Candidate,
    CandidateDigest,
    Claim,
    Contradiction,
    DisputeClaim,
    Property,
    PublicTally,
)
from sources.models import Outlet

from ..base import dispute_is_shown, shown_member_filter, versions_of
from .reports import Report
from .rows import instance, prepared

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


def disputed_candidates(part: str, shown: int, asked: list[int]) -> QuerySet[CandidateDigest, Any]:
    """Ids of the candidates of the public disputes the outlet `part` (its id as text) took
    part in that its page reads, found from its kept count of them (kind `took part`, by
    the outlet's id as part: `public_tally_part_idx`), not from its claims: those of
    `asked` (the page's candidates whose facts are members of a dispute), then the first by
    name (as the page's candidates), `shown` of them besides `asked`. Each has one dispute
    at least, so the first `shown` disputes are about these.

    One subquery with its LIMIT, rather than `asked` in a condition of its own: PostgreSQL
    plans an OR of the two with a scan of every candidate to join."""
    from elections import tallies

    took_part = PublicTally.objects.filter(kind=tallies.TOOK_PART, part=part, value__gt=0).values(
        "subject"
    )
    order: list[Any] = ["name", "pk"]
    if asked:
        order.insert(0, Case(When(pk__in=asked, then=Value(0)), default=Value(1)))
    return (
        CandidateDigest.objects.filter(listed=True, pk__in=took_part)
        .order_by(*order)
        .values("pk")[: shown + len(asked)]
    )


def _rows_of_disputes(
    shown: int, part: str, *asked: int
) -> QuerySet[DisputeClaim, tuple[Any, ...]]:
    """The rows `outlet_disputes` reads: the members of the disputes about the candidates
    `disputed_candidates` reads."""
    return _member_rows().filter(
        contradiction__candidate_id__in=disputed_candidates(part, shown, list(asked))
    )


def outlet_disputes(outlet: Outlet, shown: int, reports: list[Report]) -> list[Contradiction]:
    """The first `shown` public disputes `outlet` took part in (one of its claims is a
    version), by candidate name, then property in `Property`'s order, each with its
    `versions`, its candidate, `own` (the group numbers of the outlet's versions) and
    `own_found_wrong`: from one query of the shown members of the disputes about the
    candidates of the first and of the facts of `reports` that are members of a dispute
    (`disputed_candidates`, a subquery).

    A dispute read is public by the rule a profile applies to the members it reads
    (`dispute_is_shown`): every candidate read is listed. A fact keeps its `dispute_id`
    only when that dispute is public. With `shown` 0 (the outlet took part in no public
    dispute, by its kept count), no fact is a version of one either: nothing is read.
    """
    facts = [(report.candidate.pk, fact) for report in reports for fact in report.claims]
    # The candidates of the facts that are members of a dispute (of theirs, as a rule).
    asked = sorted({candidate for candidate, fact in facts if fact.dispute_id is not None})
    if not shown:
        # It took part in no public dispute: neither are its facts versions of one.
        for _candidate, fact in facts:
            fact.dispute_id = None
        return []
    # Compiled once for each number of candidates asked (`prepared`).
    rows = prepared(
        ("outlet disputes", shown, len(asked)),
        functools.partial(_rows_of_disputes, shown),
        (str(outlet.pk), *asked),
    )
    disputes: dict[int, Contradiction] = {}
    members: dict[int, list[tuple[Member, Printed]]] = {}
    outlets: dict[int, Outlet] = {}
    columns = len(MEMBER_COLUMNS)
    for row in rows:
        dispute_id, group, judged, new, claim_id, value, language, outlet_id, name = row[:columns]
        if dispute_id not in disputes:
            dispute_columns = row[columns : columns + len(DISPUTE_COLUMNS_READ)]
            dispute = instance(Contradiction, rows.db, DISPUTE_COLUMNS_READ, dispute_columns)
            dispute.candidate = instance(
                Candidate, rows.db, DISPUTED_COLUMNS, row[columns + len(DISPUTE_COLUMNS_READ) :]
            )
            disputes[dispute_id] = dispute
        if outlet_id not in outlets:
            outlets[outlet_id] = instance(Outlet, rows.db, ("id", "name"), (outlet_id, name))
        printed = Printed(claim_id, value, PrintedIn(outlet_id, outlets[outlet_id], language))
        members.setdefault(dispute_id, []).append((Member(group, judged, new), printed))
    public = {
        pk
        for pk, dispute in disputes.items()
        if dispute_is_shown(dispute, (member.group for member, _ in members[pk]))
    }
    for candidate_id, fact in facts:
        if fact.dispute_id is None:
            continue
        member_of = disputes.get(fact.dispute_id)
        # The facts' candidates are published: a dispute about one of them is public when
        # its state allows it and two of its versions are shown.
        if (
            member_of is None
            or member_of.candidate_id != candidate_id
            or member_of.pk not in public
        ):
            fact.dispute_id = None
    order = {prop: position for position, prop in enumerate(Property.values)}
    taken_part = sorted(
        (
            disputes[pk]
            for pk in public
            if any(printed.article.outlet_id == outlet.pk for _member, printed in members[pk])
        ),
        key=lambda dispute: (
            dispute.candidate.display_name,
            dispute.candidate_id,
            order.get(dispute.property, len(order)),
            dispute.question,
            dispute.pk,
        ),
    )
    first = taken_part[:shown]
    for dispute in first:
        # Attributes the page reads, set on the instance for the template. A version's
        # claims are rows of the columns it shows (`Printed`), not models.
        versions = versions_of(cast(list[tuple[DisputeClaim, Claim]], members[dispute.pk]))
        own = [
            version
            for version in versions
            if any(claim.article.outlet_id == outlet.pk for claim in version.claims)
        ]
        dispute.versions = versions  # type: ignore[attr-defined]
        dispute.own = {version.group for version in own}  # type: ignore[attr-defined]
        dispute.own_found_wrong = any(  # type: ignore[attr-defined]
            version.found_wrong for version in own
        )
    return first
