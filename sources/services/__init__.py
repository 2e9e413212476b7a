"""Every write to outlets, articles and passages goes through these functions.

The admin, the importers and the management commands call them, so there is one path for
each change. Each is a service (`sources.audit.service`): keyword-only, with a required
acting user whose permission it checks, one transaction, and history naming that user.
"""

from .articles import article_create, article_update
from .outlets import (
    outlet_create,
    outlet_delete,
    outlet_for_name,
    outlet_update,
    outlets_for_names,
)
from .passages import (
    passage_confirm,
    passage_create_from_quote,
    passage_create_from_span,
    passage_delete,
    passage_for_quote,
    passage_reselect,
    passage_set_note,
    passages_reanchor,
    passages_reanchor_many,
)
from .revisions import article_set_text
from .uploads import (
    UploadMissing,
    upload_create,
    upload_create_reports,
    upload_delete,
    upload_read,
    uploads_purge_expired,
)

__all__ = [
    "UploadMissing",
    "article_create",
    "article_set_text",
    "article_update",
    "outlet_create",
    "outlet_delete",
    "outlet_for_name",
    "outlet_update",
    "outlets_for_names",
    "passage_confirm",
    "passage_create_from_quote",
    "passage_create_from_span",
    "passage_delete",
    "passage_for_quote",
    "passage_reselect",
    "passage_set_note",
    "passages_reanchor",
    "passages_reanchor_many",
    "upload_create",
    "upload_create_reports",
    "upload_delete",
    "upload_read",
    "uploads_purge_expired",
]
