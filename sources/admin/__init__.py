"""The admin of outlets, articles and passages, with the annotate view and the passage queue.

Importing the modules registers their classes with the admin site.
"""

from .articles import ArticleAdmin, ArticleVersionAdmin
from .outlets import OutletAdmin
from .passages import PassageAdmin

__all__ = ["ArticleAdmin", "ArticleVersionAdmin", "OutletAdmin", "PassageAdmin"]
