"""What was published: outlets, articles (with every version of their text) and passages."""

from .article import ArchivedCopy, Article, ArticleVersion
from .outlet import Outlet
from .passage import AnchorStatus, Passage
from .work import SheetUpload, TaskRun

__all__ = [
    "AnchorStatus",
    "ArchivedCopy",
    "Article",
    "ArticleVersion",
    "Outlet",
    "Passage",
    "SheetUpload",
    "TaskRun",
]
