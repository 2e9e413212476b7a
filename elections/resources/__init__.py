"""The sheets of the elections app: places, elections, candidates and claims.

Each is a django-import-export resource (`elections.resources.CandidateResource` ...), for
the admin and for `manage.py import`; see `sources.resources.base` for what they share.
"""

from .candidates import CandidateResource
from .claims import ClaimResource
from .elections import ElectionResource
from .places import PlaceResource

__all__ = ["CandidateResource", "ClaimResource", "ElectionResource", "PlaceResource"]
