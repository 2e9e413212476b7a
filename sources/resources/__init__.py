"""The sheets of the sources app (outlets, articles) and what every import sheet shares.

`sources.resources.OutletResource` and `sources.resources.ArticleResource` are
django-import-export resources, for the admin and for `manage.py import`; `base` holds the
machinery the elections sheets use too.
"""

from .articles import ArticleResource
from .base import Column, SheetResource
from .outlets import OutletResource

__all__ = ["ArticleResource", "Column", "OutletResource", "SheetResource"]
