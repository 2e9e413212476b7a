"""The sheets of the elections app: places, elections, candidates and claims.

Each is a django-import-export resource (`elections.resources.CandidateResource` ...), for
the admin and for `manage.py import`; see `sources.resources.base` for what they share.

Loading them registers `reimport.withdrawn_facts` with `sources.importing`, so that an
article import reports the verified facts a changed text withdrew.

Language: the problems, outcomes and notices of a plan are marked for translation and made
(`gettext`) when the row is planned, in the language active then. A sheet checked in the
request reads in the importer's language; one too big for a request is checked by a task
(`sources.tasks.sheet_preview`), which runs with no request and stores its preview
(`SheetPreview.as_json`) as made, so that preview and its problems CSV are in English. An
accepted trade-off: nothing parses these texts back (they are only shown, and written to
the problems CSV), and what is saved to the database (notes, proposal fields, status
notes) stays in English.
"""

from sources.importing import register_reimport_reporter

from .candidates import CandidateResource
from .claims import ClaimResource
from .elections import ElectionResource
from .places import PlaceResource
from .reimport import withdrawn_facts

register_reimport_reporter(withdrawn_facts)

__all__ = ["CandidateResource", "ClaimResource", "ElectionResource", "PlaceResource"]
