"""What the published record says about the world."""

from .candidacy import Candidacy, CandidacyStatus, Status
from .candidate import Candidate, CandidateMerge, CandidateName
from .claim import Claim, Property
from .contradiction import Contradiction, DisputeClaim
from .election import Election
from .event import PublicEvent
from .export import ExportFile, ExportPart
from .place import Place, PlaceName
from .proposal import CandidateProposal
from .public_state import PublicState
from .release import DataRelease, DataReleaseFile, DataReleasePart
from .tally import CandidateDigest, DigestLedger, PublicTally, TallyPending

__all__ = [
    "Candidacy",
    "CandidacyStatus",
    "Candidate",
    "CandidateDigest",
    "CandidateMerge",
    "CandidateName",
    "CandidateProposal",
    "Claim",
    "Contradiction",
    "DataRelease",
    "DataReleaseFile",
    "DataReleasePart",
    "DigestLedger",
    "DisputeClaim",
    "Election",
    "ExportFile",
    "ExportPart",
    "Place",
    "PlaceName",
    "Property",
    "PublicEvent",
    "PublicState",
    "PublicTally",
    "Status",
    "TallyPending",
]
