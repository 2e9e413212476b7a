"""Every write to places, elections, candidates, claims and contradictions goes through these.

The admin, the importers and the management commands call them, so there is one path for each
change. Each is a `sources.audit.service`: keyword-only, with a required acting user whose
permission it checks, in one transaction, leaving a history record (django-simple-history)
that names the user and a reason from `sources.audit.Reason`.
"""

from .candidacies import (
    candidacy_create,
    candidacy_remove,
    candidacy_step_add,
    candidacy_step_remove,
    candidacy_step_update,
    candidacy_update,
)
from .candidates import (
    candidacy_for,
    candidate_add_name,
    candidate_create,
    candidate_name_remove,
    candidate_name_update,
    candidate_publish,
    candidate_refresh_search,
    candidate_submit_for_review,
    candidate_update,
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
from .elections import election_create, election_update, elections_import
from .merges import candidate_merge, candidate_merge_undo
from .places import place_create, place_name_add, place_name_remove, place_update, places_import
from .places_load import places_load

__all__ = [
    "candidacy_create",
    "candidacy_for",
    "candidacy_remove",
    "candidacy_step_add",
    "candidacy_step_remove",
    "candidacy_step_update",
    "candidacy_update",
    "candidate_add_name",
    "candidate_create",
    "candidate_merge",
    "candidate_merge_undo",
    "candidate_name_remove",
    "candidate_name_update",
    "candidate_publish",
    "candidate_refresh_search",
    "candidate_submit_for_review",
    "candidate_update",
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
    "election_create",
    "election_update",
    "elections_import",
    "place_create",
    "place_name_add",
    "place_name_remove",
    "place_update",
    "places_import",
    "places_load",
]
