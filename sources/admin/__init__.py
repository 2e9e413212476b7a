"""The admin of outlets, articles and passages, with the annotate view and the passage queue,
and of long tasks (their progress, outcome and errors).

Importing the modules registers their classes with the admin site.
"""

from .articles import ArticleAdmin, ArticleVersionAdmin
from .outlets import OutletAdmin
from .passages import PassageAdmin
from .tasks import TaskRunAdmin

__all__ = ["ArticleAdmin", "ArticleVersionAdmin", "OutletAdmin", "PassageAdmin", "TaskRunAdmin"]
