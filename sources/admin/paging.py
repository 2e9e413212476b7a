"""Counting the rows of a big admin list without reading every row.

Django's changelist counts on every page it shows: the rows the filters leave, for the
paginator, and the whole table, for "(N total)". PostgreSQL keeps no stored count, so a
COUNT(*) reads every row it counts: 88 to 700 ms a page at two million claims. The lists of
claims, candidates and articles therefore

- set `show_full_result_count = False`: no whole-table count (the search bar offers
  "Show all" instead of "N total");
- page with `EstimatedCountPaginator`, which counts exactly up to `EXACT_UP_TO` rows (a count
  over `LIMIT EXACT_UP_TO + 1`, which stops reading there) and, beyond that, takes the
  planner's estimate: `pg_class.reltuples` for a whole table, EXPLAIN's row estimate for a
  filtered or searched list. The list then reads "about N claims" (`templates/admin/
  pagination.html`), and the last page links are as good as the estimate (a page past the
  real end is empty, never an error);
- set `show_facets = NEVER`: facet counts would count every filter choice over every row.

SQLite keeps no statistics the project reads, so there the count past `EXACT_UP_TO` is exact
(`COUNT(*)`): the embedded default is for small databases. Estimates are as fresh as
PostgreSQL's statistics, which autovacuum's ANALYZE keeps (README, "The admin at scale").
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.contrib.admin import ShowFacets
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property

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
    exact on other databases."""
    if exact_up_to is None:
        exact_up_to = EXACT_UP_TO
    rows = queryset.order_by().values("pk")
    capped = rows[: exact_up_to + 1].count()
    if capped <= exact_up_to:
        return RowCount(capped, exact=True)
    estimate = planner_estimate(rows)
    if estimate is None:
        return RowCount(rows.count(), exact=True)
    return RowCount(max(estimate, capped), exact=False)


def planner_estimate(queryset: QuerySet) -> int | None:
    """PostgreSQL's estimate of the rows of `queryset`, read without running it; None on
    other databases.

    A whole table (no condition) is read from `pg_class.reltuples`, which ANALYZE and VACUUM
    keep; a table never analyzed (reltuples -1), or a filtered list, from the row estimate of
    the top node of `EXPLAIN`.
    """
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    query = queryset.query
    with connection.cursor() as cursor:
        if not query.where and not query.distinct and not query.combinator:
            cursor.execute(
                "SELECT reltuples FROM pg_class WHERE oid = %s::regclass",
                [connection.ops.quote_name(queryset.model._meta.db_table)],
            )
            row = cursor.fetchone()
            if row is not None and row[0] >= 0:
                return int(row[0])
        sql, params = query.sql_with_params()
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
    past `EXACT_UP_TO` rows, no facet counts."""

    paginator = EstimatedCountPaginator
    show_full_result_count = False
    show_facets = ShowFacets.NEVER
