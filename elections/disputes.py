"""Reconciliation: which question a claim answers, its value groups, and what a dispute becomes.

Pure: everything here works on plain records (`Fact`, `DisputeState`) and returns a `Plan`,
without reading or writing the database. `elections.services.contradictions` reads the
claims of the questions a change touched (one claim saved, a sheet of thousands, a merge, a
re-anchoring, or every claim for a full re-detection), calls `reconcile` once per question,
and writes the plans in bulk; a single save is a batch of one.

The rules (DESIGN.md, "Dispute" and "Properties and how they are compared"):

- A question is a subject and a property. Ages and years of birth answer one question, the
  year of birth. Status and votes are asked of a candidacy; a status of one date.
- Claims are grouped in the order they were recorded: each joins the first group none of
  whose claims it conflicts with (`elections.normalizers.conflicts`), else starts a group.
  Values that can be true together are so one group however many outlets print them; for a
  range such as a birth year, a group holds the values with a year in common. Rejected
  claims take no part.
- A question detected by the rules is in dispute while it has two groups or more and its
  claims come from two outlets or more. A question flagged by an editor groups by the
  normalized value as well (what the editor saw differ) and is in dispute while it has two
  groups; for a property with many values (occupation, employer), only the claims the editor
  flagged and those printing the same values take part, since a new occupation adds to the
  others rather than contradicting them.
- A verdict judges groups: the claims of a group found wrong are overruled. A claim joining
  a judged group takes its side (no work for anyone); a group no verdict judged (or one
  holding claims judged both ways) reopens the question. A detected question that stops
  being in dispute closes while open and keeps its verdict once resolved.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from elections import normalizers
from elections.models.claim import CANDIDACY_PROPERTIES, Property
from elections.normalizers.statuses import _status_date
from sources.dates import PartialDate

# Properties that answer another's question: an age says a year of birth.
QUESTION_PROPERTY = {Property.AGE.value: Property.BIRTH_YEAR.value}

OPEN, RESOLVED, CLOSED = "open", "resolved", "closed"
DETECTED, FLAGGED = "detected", "flagged"
RIGHT, WRONG = "right", "wrong"


@dataclass(frozen=True, slots=True)
class Fact:
    """What reconciliation reads of a claim."""

    id: int
    candidate_id: int
    candidacy_id: int | None
    property: str
    value_key: str
    normalized: dict[str, Any]
    as_of: PartialDate | None
    outlet_id: int

    @property
    def stamp(self) -> str:
        """The value as a verdict judged it: a claim whose stamp changed is judged anew."""
        as_of = self.as_of.isoformat() if self.as_of else ""
        return f"{self.value_key}|{as_of}"[:540]


@dataclass(frozen=True, slots=True)
class Question:
    key: str
    candidate_id: int
    candidacy_id: int | None
    property: str
    on_date: str


def question_property(property: str) -> str:
    return QUESTION_PROPERTY.get(property, property)


def question_of(fact: Fact) -> Question | None:
    """The question `fact` answers; None for a candidacy's fact not tied to a candidacy."""
    prop = question_property(fact.property)
    on_date = ""
    if fact.property in CANDIDACY_PROPERTIES:
        if fact.candidacy_id is None:
            return None
        subject = f"candidacy:{fact.candidacy_id}"
        if fact.property == Property.STATUS:
            date = _status_date(normalizers.Normalized(fact.value_key, fact.normalized), fact.as_of)
            on_date = date.isoformat() if date else "undated"
    else:
        subject = f"candidate:{fact.candidate_id}"
    key = f"{subject}/{prop}" + (f"/{on_date}" if on_date else "")
    return Question(key, fact.candidate_id, fact.candidacy_id, prop, on_date)


def _conflict(a: Fact, b: Fact) -> bool:
    return normalizers.conflicts(
        a.property,
        normalizers.Normalized(a.value_key, a.normalized),
        normalizers.Normalized(b.value_key, b.normalized),
        a_as_of=a.as_of,
        b_as_of=b.as_of,
    )


def compatible_rule(property: str, flagged: bool) -> Callable[[Fact, Fact], bool]:
    """Whether two facts of a question may stand in one value group."""
    compared = normalizers.is_compared(property)
    if compared and not flagged:
        return lambda a, b: not _conflict(a, b)
    if compared:
        return lambda a, b: a.value_key == b.value_key and not _conflict(a, b)
    return lambda a, b: a.value_key == b.value_key


def value_groups(facts: Iterable[Fact], *, flagged: bool = False) -> list[list[Fact]]:
    """The facts of one question in value groups, in the order they were recorded."""
    ordered = sorted(facts, key=lambda fact: fact.id)
    if not ordered:
        return []
    fits = compatible_rule(ordered[0].property, flagged)
    groups: list[list[Fact]] = []
    for fact in ordered:
        for group in groups:
            if all(fits(fact, member) for member in group):
                group.append(fact)
                break
        else:
            groups.append([fact])
    return groups


def in_dispute(groups: Sequence[Sequence[Fact]], *, flagged: bool = False) -> bool:
    """Whether value groups put their question in dispute: two or more of them, and (unless
    an editor flagged it) claims of a property the rules compare, from two outlets or more."""
    if len(groups) < 2:
        return False
    if flagged:
        return True
    return (
        normalizers.is_compared(groups[0][0].property)
        and len({fact.outlet_id for group in groups for fact in group}) > 1
    )


@dataclass(frozen=True, slots=True)
class Judgement:
    side: str  # RIGHT, WRONG or ""
    stamp: str


@dataclass(slots=True)
class DisputeState:
    """What reconciliation reads of a question's dispute."""

    status: str
    origin: str
    verdict: str
    flagged_claims: list[int] = field(default_factory=list)
    judged: dict[int, Judgement] = field(default_factory=dict)  # claim id -> judgement
    groups: dict[int, int] = field(default_factory=dict)  # claim id -> group, as stored
    new: dict[int, bool] = field(default_factory=dict)  # claim id -> new, as stored


@dataclass(frozen=True, slots=True)
class Member:
    claim_id: int
    group: int
    judged: str
    judged_value: str
    new: bool


@dataclass(slots=True)
class Plan:
    """What a question's dispute becomes.

    `status` None: no dispute (none exists and none is needed). `members` are the claims in
    their groups; `overruled` and `upheld` the claim ids whose `overruled` flag must be set
    or cleared; `changed` whether the dispute's state or groups differ from what was read.
    """

    status: str | None
    members: list[Member]
    overruled: set[int]
    upheld: set[int]
    reopened: bool = False
    closed_reason: str = ""
    changed: bool = False

    @property
    def group_count(self) -> int:
        return len({member.group for member in self.members})


def _group_side(group: Sequence[Fact], judged: dict[int, Judgement]) -> str | None:
    """The side the verdict gave `group`: RIGHT or WRONG, None if it judged none of it (or
    judged its claims both ways)."""
    sides = {
        judged[fact.id].side
        for fact in group
        if fact.id in judged and judged[fact.id].side and judged[fact.id].stamp == fact.stamp
    }
    return sides.pop() if len(sides) == 1 else None


def reconcile(
    facts: Sequence[Fact],
    dispute: DisputeState | None,
    *,
    overruled: Iterable[int] = (),
) -> Plan:
    """What the dispute on the question of `facts` (its standing claims) becomes.

    `overruled` are the ids among `facts` whose claims are overruled now; the plan says which
    to change so that exactly the claims of groups found wrong are.
    """
    flagged = dispute is not None and dispute.origin == FLAGGED
    if flagged and facts and not normalizers.is_compared(facts[0].property):
        # Many values can all be true (occupations): only the values an editor flagged as
        # disagreeing take part, and a new occupation is no new version of this question.
        assert dispute is not None
        flagged_keys = {fact.value_key for fact in facts if fact.id in dispute.flagged_claims}
        facts = [
            fact
            for fact in facts
            if fact.id in dispute.flagged_claims or fact.value_key in flagged_keys
        ]
    groups = value_groups(facts, flagged=flagged)
    disputed = in_dispute(groups, flagged=flagged)
    currently_overruled = set(overruled)
    if dispute is None and not disputed:
        return Plan(None, [], set(), currently_overruled & {fact.id for fact in facts})
    status = dispute.status if dispute is not None else OPEN
    judged = dispute.judged if dispute is not None else {}
    members: list[Member] = []
    reopen = False
    judging = dispute is not None and bool(dispute.verdict)
    for number, group in enumerate(groups, start=1):
        side = _group_side(group, judged) if judging else None
        new = judging and side is None
        reopen = reopen or new
        for fact in group:
            members.append(
                Member(
                    fact.id,
                    number,
                    side or "",
                    fact.stamp if side else "",
                    new,
                )
            )
    closed_reason = ""
    reopened = False
    if status == CLOSED and disputed:
        status, reopened = OPEN, True
    elif status == OPEN and not disputed and not flagged:
        status, closed_reason = (
            CLOSED,
            "no longer holds: its claims now agree or come from one outlet",
        )
    elif status == OPEN and not disputed and flagged and len(groups) < 2:
        status, closed_reason = CLOSED, "no longer holds: fewer than two versions remain"
    elif status == RESOLVED and disputed and reopen:
        status, reopened = OPEN, True
    wrong = {member.claim_id for member in members if member.judged == WRONG}
    if status == CLOSED:
        wrong = set()
    fact_ids = {fact.id for fact in facts}
    plan = Plan(
        status,
        members,
        overruled=wrong - currently_overruled,
        upheld=(currently_overruled & fact_ids) - wrong,
        reopened=reopened,
        closed_reason=closed_reason,
    )
    plan.changed = dispute is None or (
        status != dispute.status
        or {m.claim_id: m.group for m in members} != dispute.groups
        or {m.claim_id: m.new for m in members} != dispute.new
        or {m.claim_id: Judgement(m.judged, m.judged_value) for m in members}
        != {
            claim_id: judgement
            for claim_id, judgement in dispute.judged.items()
            if claim_id in dispute.groups
        }
    )
    return plan


def verdict_sides(verdict: str, group_count: int, right_group: int | None) -> dict[int, str]:
    """The side a verdict gives each group (numbered from 1)."""
    groups = range(1, group_count + 1)
    if verdict == "one_right":
        if right_group not in groups:
            raise ValueError(f"group {right_group} is not one of the {group_count} versions")
        return {number: RIGHT if number == right_group else WRONG for number in groups}
    if verdict == "all_wrong":
        return dict.fromkeys(groups, WRONG)
    return dict.fromkeys(groups, RIGHT)
