"""The public disputes an outlet took part in, and those of the facts its page shows."""

import functools
from dataclasses import dataclass
from typing import Any, cast

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from elections.models import Candidate, Claim, Contradiction, DisputeClaim
from sources.models import Outlet

from ..base import dispute_is_shown, shown_member_filter, versions_of
from .reports import Report
from .rows import instance, shown_dispute


@functools.cache
def _shown_members() -> QuerySet[DisputeClaim]:
    """The members of public disputes whose claims are shown as versions. Narrowed to the
    claims of one outlet (`claim__article__outlet_id`), they are the disputes it took part
    in."""
    return DisputeClaim.objects.filter(shown_member_filter(), shown_dispute()).order_by()


@functools.cache
def disputes_taken_part() -> QuerySet[DisputeClaim, tuple[Any, ...]]:
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


def disputes_with(first: list[int], reports: list[Report]) -> list[Contradiction]:
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
            dispute = instance(Contradiction, rows.db, DISPUTE_COLUMNS_READ, columns)
            dispute.candidate = instance(
                Candidate, rows.db, DISPUTED_COLUMNS, row[read + len(DISPUTE_COLUMNS_READ) :]
            )
            disputes[dispute_id] = dispute
        if outlet_id not in outlets:
            outlets[outlet_id] = instance(Outlet, rows.db, ("id", "name"), (outlet_id, name))
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
