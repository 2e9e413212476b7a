from . import (  # noqa: F401
    annotate_claims,
    candidacies,
    candidates,
    claims,
    contradictions,
    merges,
    places,
    proposals,
)
