"""What the published record says about the world."""

from .candidacy import Candidacy, CandidacyStatus, Status
from .candidate import Candidate, CandidateMerge, CandidateName
from .claim import Claim, Property
from .contradiction import Contradiction, DisputeClaim
from .election import Election
from .export import ExportFile, ExportPart
from .place import Place, PlaceName
from .proposal import CandidateProposal
from .public_state import PublicState

__all__ = [
    "Candidacy",
    "CandidacyStatus",
    "Candidate",
    "CandidateMerge",
    "CandidateName",
    "CandidateProposal",
    "Claim",
    "Contradiction",
    "DisputeClaim",
    "Election",
    "ExportFile",
    "ExportPart",
    "Place",
    "PlaceName",
    "Property",
    "PublicState",
    "Status",
]
