"""The elections' long work, run as tasks (see `sources.tasks`): the full re-detection.

Re-anchoring every passage is sources' work (`sources.tasks.passages_reanchor_all`); the
claims citing passages it leaves fuzzy or orphaned go back to review, and their questions are
reconciled, through `passages_moved` as on every re-anchoring. The open-data exports
(/export/popolo.json, /export/claims.csv) are streamed from the database per request, so
there is nothing to build ahead of time and no task for them.
"""

from collections import Counter
from typing import Any

from elections.models import Claim, Contradiction
from elections.services.contradictions import CHUNK, disputes_reconcile
from sources.tasks import Progress, task_kind


def candidates_to_reconcile() -> list[int]:
    """Every candidate with a claim, and every candidate with a dispute still standing (its
    claims merged away: the dispute closes)."""
    with_claims = Claim.objects.order_by().values_list("candidate_id", flat=True).distinct()
    standing = (
        Contradiction.objects.exclude(status=Contradiction.Status.CLOSED)
        .order_by()
        .values_list("candidate_id", flat=True)
        .distinct()
    )
    return sorted({*with_claims, *standing} - {None})


@task_kind("contradictions_redetect_all", label="Re-detect every contradiction")
def contradictions_redetect_all(
    progress: Progress, *, acting_user: Any, chunk_size: int = CHUNK
) -> dict[str, int]:
    """Reconcile every question of every candidate with the rules, as the service
    `contradictions_redetect_all` does, a chunk of candidates at a time with progress after
    each: disputes are opened, regrouped, reopened and closed. Returns those counts."""
    candidate_ids = candidates_to_reconcile()
    progress.set_total(len(candidate_ids))
    counts: Counter[str] = Counter({"opened": 0, "reopened": 0, "closed": 0, "regrouped": 0})
    for first in range(0, len(candidate_ids), chunk_size):
        batch = candidate_ids[first : first + chunk_size]
        counts.update(disputes_reconcile(candidate_ids=batch, acting_user=acting_user))
        progress.advance(len(batch))
    return dict(counts)
