"""Every write to candidates, claims and contradictions goes through these functions.

The admin, the importers and the management commands call them, so there is one path for each
change. Each takes the acting user, checks what that user may do, runs in one transaction and
leaves a history record (django-simple-history) naming the user.
"""

from .candidates import (
    candidacy_for,
    candidate_add_name,
    candidate_create,
    candidate_publish,
    candidate_refresh_search,
    candidate_submit_for_review,
    candidate_withdraw,
)
from .claims import (
    claim_create,
    claim_create_from_quote,
    claim_reject,
    claim_update,
    claim_verify,
    claims_reject,
    claims_verify,
)
from .contradictions import (
    contradiction_flag,
    contradiction_resolve,
    contradictions_detect,
    contradictions_redetect_all,
)
from .merges import candidate_merge, candidate_merge_undo

__all__ = [
    "candidacy_for",
    "candidate_add_name",
    "candidate_create",
    "candidate_merge",
    "candidate_merge_undo",
    "candidate_publish",
    "candidate_refresh_search",
    "candidate_submit_for_review",
    "candidate_withdraw",
    "claim_create",
    "claim_create_from_quote",
    "claim_reject",
    "claim_update",
    "claim_verify",
    "claims_reject",
    "claims_verify",
    "contradiction_flag",
    "contradiction_resolve",
    "contradictions_detect",
    "contradictions_redetect_all",
]
