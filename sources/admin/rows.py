"""Rendering the rows of a big admin list without the work Django repeats in every cell.

A changelist page of 100 rows renders each row's action checkbox through the form widget
templates, and each link to a row's page through `add_preserved_filters`, which parses the
list's filters again and resolves the link's URL against every admin URL pattern to learn that
it is not the list's own. On the claims list that was about half of the page's time.
`LargeListChangeList` and `LargeListAdminMixin` (`sources.admin.paging`) give the same HTML:

- the checkbox is written as the widget writes it (`action_checkbox`), labelled with
  `row_label` (the row's `str()`, which a model admin may make cheaper);
- a row's link is reversed once per row, whatever the number of linked columns, with the
  filters to return to added once per page, as `add_preserved_filters` adds them to a link
  that is not the list's.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

from django.contrib.admin import helpers
from django.contrib.admin.views.main import ChangeList
from django.utils.html import format_html
from django.utils.translation import gettext


class LargeListChangeList(ChangeList):
    """A changelist whose row links cost one `reverse` a row and no URL resolving."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A row's page is never the list itself: `add_preserved_filters` would add the
        # filters as they stand, which is what `returning` holds. The template tag gets no
        # filters to work on again.
        filters = self.preserved_filters
        self.returning = urlencode(dict(parse_qsl(filters))) if filters else ""
        self.preserved_filters = ""
        self._row_urls: dict[Any, str] = {}

    def url_for_result(self, result: Any) -> str:
        url = self._row_urls.get(result.pk)
        if url is None:
            url = super().url_for_result(result)
            if self.returning:
                url = f"{url}?{self.returning}"
            self._row_urls[result.pk] = url
        return url


def action_checkbox_html(pk: Any, label: Any) -> str:
    """The action checkbox of a row, as Django's `CheckboxInput` renders it."""
    return format_html(
        '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
        helpers.ACTION_CHECKBOX_NAME,
        pk,
        format_html(gettext("Select this object for an action - {}"), label),
    )
