"""The sheets of the elections app: places, elections, candidates and claims.

Each is a django-import-export resource (`elections.resources.CandidateResource` ...), for
the admin and for `manage.py import`; see `sources.resources.base` for what they share.

Loading them registers `reimport.withdrawn_facts` with `sources.importing`, so that an
article import reports the verified facts a changed text withdrew.
"""

from sources.importing import register_reimport_reporter

from .candidates import CandidateResource
from .claims import ClaimResource
from .elections import ElectionResource
from .places import PlaceResource
from .reimport import withdrawn_facts

register_reimport_reporter(withdrawn_facts)

__all__ = ["CandidateResource", "ClaimResource", "ElectionResource", "PlaceResource"]
