"""Every write to outlets, articles and passages goes through these functions.

The admin, the importers and the management commands call them, so there is one path for
each change. Each is keyword-only and runs in one transaction.
"""

from .articles import article_create, outlet_for_name
from .passages import (
    passage_confirm,
    passage_create_from_quote,
    passage_create_from_span,
    passage_for_quote,
    passage_reselect,
    passages_reanchor,
    passages_reanchor_many,
)
from .revisions import article_set_text

__all__ = [
    "article_create",
    "article_set_text",
    "outlet_for_name",
    "passage_confirm",
    "passage_create_from_quote",
    "passage_create_from_span",
    "passage_for_quote",
    "passage_reselect",
    "passages_reanchor",
    "passages_reanchor_many",
]
