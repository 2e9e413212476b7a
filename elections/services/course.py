"""The order of a candidate's status steps, kept in `CandidacyStatus.sequence`.

Steps are dated with the precision the press gave them: `2011`, `2011-04`, `2011-04-12`. Sorting
by the first day a date can mean would put "withdrew (2011)" before "barred (2011-04)" and make
"barred" the latest status, though the year-precise step may well be the later one. So the
course is ordered thus, and each step's place stored, so that every query (the candidacy's
current status, the public "latest status" and its filter, the history shown on a profile and
in the open data) reads one order:

1. Two steps whose periods do not overlap are in date order.
2. Steps whose periods overlap (one date within the other, or the same date):
   - in the same candidacy, by their place in a candidacy's course (declared, seeking
     nomination, preliminary candidate, official candidate, then the outcomes: elected,
     defeated, withdrew, barred); a step that can only come later is later;
   - in different candidacies, by their elections' polling dates when both are known;
   - otherwise (two outcomes, say) the step whose period ends later is later, then the one
     whose period starts later, then the one recorded later.

The comparison is not a strict total order for every contrived set of dates (three steps can
overlap pairwise in a cycle); the sort is stable over the recorded order, so the result is
always the same for the same steps.
"""

import functools
from collections.abc import Callable, Iterable
from itertools import groupby
from typing import Any

from django.db.models import F, QuerySet

from elections.models import Candidacy, CandidacyStatus, Status
from sources.audit import read_only, service_step
from sources.dates import PartialDate

BATCH_SIZE = 500

# A candidacy's course is the order of the Status choices; the outcomes (elected onwards)
# share one place, since any of them can end it.
OUTCOME_RANK = Status.values.index(Status.ELECTED)
COURSE_RANK = {status: min(place, OUTCOME_RANK) for place, status in enumerate(Status.values)}


def _compare(a: dict[str, Any], b: dict[str, Any]) -> int:
    if a["last"] < b["first"]:
        return -1
    if b["last"] < a["first"]:
        return 1
    if a["candidacy_id"] == b["candidacy_id"]:
        rank_a, rank_b = COURSE_RANK[a["status"]], COURSE_RANK[b["status"]]
        if rank_a != rank_b:
            return rank_a - rank_b
    elif a["polling_on"] and b["polling_on"] and a["polling_on"] != b["polling_on"]:
        return -1 if a["polling_on"] < b["polling_on"] else 1
    for key in ("last", "first", "id"):
        if a[key] != b[key]:
            return -1 if a[key] < b[key] else 1
    return 0


@read_only
def course_order(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`steps` (dicts with id, candidacy_id, status, on, precision, polling_on) in order."""
    for step in steps:
        date = PartialDate.from_stored(step["on"], step["precision"])
        step["first"], step["last"] = date.earliest(), date.latest()
    return sorted(sorted(steps, key=lambda step: step["id"]), key=functools.cmp_to_key(_compare))


@service_step
def steps_renumber(
    *, candidate_ids: Iterable[int] | None = None, candidacy_ids: Iterable[int] | None = None
) -> int:
    """Store the course order of every step of these candidates (or of the candidates these
    candidacies belong to).

    Places count from 0, the column's default, so a candidate's only step (what a sheet of new
    candidates adds) is already in place. One read per batch and one UPDATE for the steps whose
    place changed; a step added at the end of its course, the usual case, changes no other step.
    """
    owners: Callable[[list[int]], Iterable[int] | QuerySet[Candidacy, Any]]
    if candidate_ids is not None:
        ids = sorted(set(candidate_ids))

        def owners(chunk: list[int]) -> list[int]:
            return chunk
    elif candidacy_ids is not None:
        ids = sorted(set(candidacy_ids))

        def owners(chunk: list[int]) -> QuerySet[Candidacy, Any]:
            return Candidacy.objects.filter(pk__in=chunk).values("candidate_id")
    else:
        raise TypeError("steps_renumber() needs candidate_ids or candidacy_ids")

    changed: dict[int, CandidacyStatus] = {}
    for first in range(0, len(ids), BATCH_SIZE):
        rows = (
            CandidacyStatus.objects.filter(
                candidacy__candidate_id__in=owners(ids[first : first + BATCH_SIZE])
            )
            .order_by("candidacy__candidate_id", "id")
            .values("id", "candidacy_id", "status", "on", "precision", "sequence")
            .annotate(
                candidate_id=F("candidacy__candidate_id"),
                polling_on=F("candidacy__election__polling_on"),
            )
        )
        for _, steps in groupby(rows, key=lambda row: row["candidate_id"]):
            for place, step in enumerate(course_order(list(steps))):
                if step["sequence"] != place:
                    # A candidate whose candidacies fall in two batches is read twice.
                    changed[step["id"]] = CandidacyStatus(pk=step["id"], sequence=place)
    renumbered = list(changed.values())
    CandidacyStatus.objects.bulk_update(renumbered, ["sequence"], batch_size=BATCH_SIZE)
    return len(renumbered)
