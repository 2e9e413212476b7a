"""The public record's guard: a verified claim whose cited words moved goes back to review.

`sources` sends `passages_moved` (`sources.signals`) when re-anchoring leaves passages fuzzy
or orphaned, or an editor confirms or re-selects one; `elections.apps` connects it here. The
claims citing those passages were checked against words that are no longer what they cite:
a verified one returns to review, off every public surface, until a reviewer who did not
shape it verifies it again. Whoever moved the words shaped the claims citing them
(`Claim.shaped_by`, read by the four-eyes rule of `claim_verify`).
"""

from collections.abc import Sequence
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from elections.models import Claim
from sources.audit import Reason, service_step
from sources.services.bulk import history_bulk_insert

# Passage ids read per query: far below every database's limit on query parameters.
BATCH = 500
_RETURNED_FIELDS = ["state", "reviewed_by", "reviewed_at", "revision", "updated_at"]


@service_step
def claims_shaped(*, claim_ids: Sequence[int], acting_user: User) -> None:
    """Record that `acting_user` shaped the claims `claim_ids` (changed what they say or
    cite), so that the four-eyes rule keeps them from verifying those claims. One INSERT."""
    through = Claim.shaped_by.through
    through.objects.bulk_create(
        [through(claim_id=claim_id, user_id=acting_user.pk) for claim_id in claim_ids],
        ignore_conflicts=True,
    )


@service_step
def claims_back_to_review(*, passage_ids: Sequence[int], acting_user: User) -> list[Claim]:
    """Send the verified claims citing `passage_ids` back to review, each with a history
    record naming `acting_user` and the reason "claim returned to review"; `acting_user`
    moved the words they cite, and so shaped every claim citing them (`claims_shaped`).

    Returns the claims sent back; claims not verified stay as they are. A fixed number of
    queries per BATCH passages, however many claims cite them.
    """
    returned: list[Claim] = []
    ids = list(passage_ids)
    now = timezone.now()
    for first in range(0, len(ids), BATCH):
        citing = list(
            Claim.objects.select_for_update()
            .filter(passage_id__in=ids[first : first + BATCH])
            .order_by("pk")
        )
        if not citing:
            continue
        claims_shaped(claim_ids=[claim.pk for claim in citing], acting_user=acting_user)
        claims = [claim for claim in citing if claim.state == Claim.State.VERIFIED]
        for claim in claims:
            claim.state, claim.reviewed_by, claim.reviewed_at = Claim.State.UNVERIFIED, None, None
            claim.revision += 1
            claim.updated_at = now
        if claims:
            Claim.objects.bulk_update(claims, _RETURNED_FIELDS)
            history_bulk_insert(
                claims, Claim, user=acting_user, reason=Reason.CLAIM_RETURNED, updated=True
            )
        returned.extend(claims)
    if returned:
        # Their questions are reconciled as on every path that changes claims (the versions
        # hold what was printed, not whether it is verified: usually nothing changes).
        from .contradictions import disputes_reconcile

        disputes_reconcile(claim_ids=[claim.pk for claim in returned], acting_user=acting_user)
    return returned


@service_step
def on_passages_moved(
    sender: Any, *, passage_ids: Sequence[int], acting_user: User, **signal: Any
) -> None:
    """The receiver of `sources.signals.passages_moved`: runs inside the sending service."""
    claims_back_to_review(passage_ids=passage_ids, acting_user=acting_user)
