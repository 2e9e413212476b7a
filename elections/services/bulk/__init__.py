"""The bulk paths of the elections services, for sheet imports.

The same rules as the one-by-one services (`candidate_create`, `candidate_add_name`,
`candidacy_for`, `claim_create_from_quote`, `claim_update`, `contradictions_detect`), for
thousands of rows at once in a number of queries that grows with batches of rows, not with
rows. They check the importer's permission (`require_import`) and leave history records
naming the acting user.
"""

from .candidates import (
    CYCLE,
    SlugPool,
    candidacies_bulk_for,
    candidacies_refresh_status,
    candidacy_steps_bulk_add,
    candidate_names_bulk_add,
    candidates_bulk_create,
    candidates_bulk_update,
    election_level,
    elections_existing,
    elections_for_places,
    name_kind,
    require_import,
    sheet_status_date,
)
from .claims import ClaimChange, NewClaim, articles_for_quotes, claims_import
from .contradictions import contradictions_detect_many
from .reading import ArticleDates, ClaimDraft, ClaimReader, PlaceCache

__all__ = [
    "CYCLE",
    "ArticleDates",
    "ClaimChange",
    "ClaimDraft",
    "ClaimReader",
    "NewClaim",
    "PlaceCache",
    "SlugPool",
    "articles_for_quotes",
    "candidacies_bulk_for",
    "candidacies_refresh_status",
    "candidacy_steps_bulk_add",
    "candidate_names_bulk_add",
    "candidates_bulk_create",
    "candidates_bulk_update",
    "claims_import",
    "contradictions_detect_many",
    "election_level",
    "elections_existing",
    "elections_for_places",
    "name_kind",
    "require_import",
    "sheet_status_date",
]
