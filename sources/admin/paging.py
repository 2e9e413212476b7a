"""Counting the rows of a big admin list without reading every row.

Django's changelist counts on every page it shows: the rows the filters leave, for the
paginator, and the whole table, for "(N total)". PostgreSQL keeps no stored count, so a
COUNT(*) reads every row it counts: 88 to 700 ms a page at two million claims. The lists of
claims, candidates and articles therefore

- set `show_full_result_count = False`: no whole-table count (the search bar offers
  "Show all" instead of "N total");
- page with `EstimatedCountPaginator`, which counts exactly up to `EXACT_UP_TO` rows (a count
  over `LIMIT EXACT_UP_TO + 1`, which stops reading there) and, beyond that, takes the
  planner's estimate, EXPLAIN's row estimate (for a whole table, `pg_class.reltuples`
  scaled to its present size). The list then reads "about N claims" (`templates/admin/
  pagination.html`), and the last page links are as good as the estimate (a page past the
  real end is empty, never an error);
- set `show_facets = NEVER`: facet counts would count every filter choice over every row.

SQLite keeps no statistics the project reads, so there the count past `EXACT_UP_TO` is exact
(`COUNT(*)`): the embedded default is for small databases. Estimates are as fresh as
PostgreSQL's statistics, which autovacuum's ANALYZE keeps (README, "The admin at scale").

A count costs the same queries however many rows there are, so that a page's queries do not
grow with the data: on PostgreSQL two (the capped count, and the estimate even when the count
did not need it), elsewhere one (a capped count that counts on past the limit in the same
statement).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.contrib.admin import ShowFacets
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property

from .rows import LargeListChangeList, action_checkbox_html

# Up to this many rows a list is counted exactly: reading 10,000 index entries costs a few
# milliseconds, and a reader filtering down to one candidate or outlet sees the true number.
EXACT_UP_TO = 10_000


@dataclass(frozen=True)
class RowCount:
    """How many rows a list holds, and whether the number is exact or an estimate."""

    number: int
    exact: bool


def count_rows(queryset: QuerySet, *, exact_up_to: int | None = None) -> RowCount:
    """The number of rows of `queryset`: exact up to `exact_up_to` (`EXACT_UP_TO` unless
    given), else the planner's estimate on PostgreSQL (never below `exact_up_to + 1`), and
    exact on other databases; in the same number of queries whatever the count."""
    if exact_up_to is None:
        exact_up_to = EXACT_UP_TO
    rows = queryset.order_by().values("pk")
    try:
        if connections[rows.db].vendor == "postgresql":
            counted = rows[: exact_up_to + 1].count()
        else:
            counted = counted_on_past(rows, exact_up_to)
        # Asked whether or not the count needs it (None, without a query, where the database
        # gives none): the list's queries stay the same as it grows.
        estimate = planner_estimate(rows)
    except EmptyResultSet:  # a condition no row can meet (`pk__in=[]`): nothing to ask
        return RowCount(0, exact=True)
    if counted <= exact_up_to or estimate is None:
        return RowCount(counted, exact=True)
    return RowCount(max(estimate, counted), exact=False)


def counted_on_past(rows: QuerySet, exact_up_to: int) -> int:
    """The exact number of `rows`, in one statement: a count capped at `exact_up_to + 1`
    rows, and only past that (SQLite evaluates the branch of a CASE it takes) a full count."""
    sql, params = rows.query.get_compiler(rows.db).as_sql()
    capped_sql, capped_params = rows[: exact_up_to + 1].query.get_compiler(rows.db).as_sql()
    # Django's own SQL for the queryset, its values passed as parameters.
    counted = (
        "SELECT CASE WHEN capped.n <= %s THEN capped.n "  # noqa: S608
        f"ELSE (SELECT COUNT(*) FROM ({sql}) every_row) END "
        f"FROM (SELECT COUNT(*) AS n FROM ({capped_sql}) first_rows) capped"
    )
    with connections[rows.db].cursor() as cursor:
        cursor.execute(counted, [exact_up_to, *params, *capped_params])
        return int(cursor.fetchone()[0])


def planner_estimate(queryset: QuerySet) -> int | None:
    """PostgreSQL's estimate of the rows of `queryset`, read without running it, in one
    query; None on other databases.

    The row estimate of the top node of `EXPLAIN`: for a whole table, `pg_class.reltuples`
    (which ANALYZE and VACUUM keep) scaled to the table's present size; for a filtered list,
    what the planner expects the conditions to leave.
    """
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    sql, params = queryset.query.get_compiler(queryset.db).as_sql()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


class EstimatedCountPaginator(Paginator):
    """A paginator whose count is `count_rows`: exact for small lists, PostgreSQL's estimate
    for big ones; `estimated` says which (see the module's docstring)."""

    @cached_property
    def row_count(self) -> RowCount:
        if isinstance(self.object_list, QuerySet):
            return count_rows(self.object_list)
        return RowCount(len(self.object_list), exact=True)

    @cached_property
    def count(self) -> int:
        return self.row_count.number

    @property
    def estimated(self) -> bool:
        return not self.row_count.exact


class LargeListAdminMixin:
    """What a changelist over a big table sets: no whole-table count, an estimated count
    past `EXACT_UP_TO` rows, no facet counts; and rows rendered without the per-cell work
    of Django's (`sources.admin.rows`: a changelist class of the admin's derives from
    `LargeListChangeList`)."""

    paginator = EstimatedCountPaginator
    show_full_result_count = False
    show_facets = ShowFacets.NEVER

    def get_changelist(self, request, **kwargs):
        return LargeListChangeList

    def action_checkbox(self, obj):
        return action_checkbox_html(obj.pk, self.row_label(obj))

    def row_label(self, obj):
        """What a row's checkbox is labelled with for a screen reader: the row's `str()`."""
        return str(obj)
