"""Instances made from rows of the columns a page shows, and the rules the outlets' and
articles' pages share.

The querysets of this package that do not change from one request to the next are built
once per process (see the note above reporting_outlets() in `elections.public.base`); each
request narrows a copy.
"""

import functools
from collections.abc import Callable, Sequence
from typing import Any, TypeVar, cast

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Exists, Model, QuerySet

from ..base import in_public_dispute

M = TypeVar("M", bound=Model)
T = TypeVar("T")
Q = TypeVar("Q", bound=QuerySet[Any, Any])


@functools.cache
def _in_model_order(model: type[Model], columns: tuple[str, ...]) -> tuple[list[str], list[int]]:
    attnames = [field.attname for field in model._meta.concrete_fields if field.attname in columns]
    return attnames, [columns.index(attname) for attname in attnames]


def instance(model: type[M], db: str | None, columns: tuple[str, ...], values: Sequence[Any]) -> M:
    """An instance of `model` read as `values` of its `columns` (attribute names), as a query
    of those columns would make it: the other fields are deferred (read if ever asked for)."""
    attnames, positions = _in_model_order(model, columns)
    return model.from_db(db, attnames, [values[position] for position in positions])


@functools.cache
def shown_dispute() -> Exists:
    """Whether the dispute of a member (a DisputeClaim row) is public (an Exists), built once."""
    return in_public_dispute()


# Values that stand for a request's own in a query compiled once (`prepared`): integers no
# key takes (negative, within a 32-bit column's range, so that Django does not drop the
# condition as out of range) and strings no text column holds.
_SENTINEL_INT = -2_000_000_000
_SENTINEL_TEXT = "\x1esentinel "


def _sentinel(kind: type, number: int) -> Any:
    return _SENTINEL_INT + number * 7919 if kind is int else f"{_SENTINEL_TEXT}{number}"


class _Prepared:
    """A query compiled with stand-ins, its SQL and the places of the request's values among
    its parameters."""

    __slots__ = ("compiler", "params", "places", "queryset", "sql")

    def __init__(
        self,
        queryset: QuerySet[Any, Any],
        compiler: Any,
        sql: str,
        params: tuple[Any, ...],
        places: list[tuple[int, int]],
    ):
        self.queryset = queryset
        self.compiler = compiler
        self.sql = sql
        self.params = params
        self.places = places


_prepared: dict[tuple[Any, ...], _Prepared | None] = {}
_PREPARED_KEPT = 512


def prepared(key: tuple[Any, ...], build: Callable[..., Q], values: Sequence[Any]) -> Q:
    """The queryset `build(*values)`, to be iterated (not narrowed further), whose SQL is
    compiled once per process for `key` and filled with `values` for each request. `key`
    names every choice of `build` that changes its SQL other than `values`, which only fill
    its parameters (ints or strings).

    A page's few queries cost Django more to build and compile than PostgreSQL to run, and
    their SQL is the same from one request to the next but for its parameters. It is
    compiled once with stand-ins for `values`, whose places among the parameters are kept;
    when a stand-in is not found among them (a value written into the SQL, or one a lookup
    changed), the query is built and compiled on each request, as any other.
    """
    full_key = (key, connections[DEFAULT_DB_ALIAS].vendor)
    if full_key not in _prepared:
        if len(_prepared) >= _PREPARED_KEPT:
            _prepared.clear()
        _prepared[full_key] = _prepare(build, values)
    entry = _prepared[full_key]
    if entry is None:
        return build(*values)
    params = list(entry.params)
    for place, position in entry.places:
        params[place] = values[position]
    # Shallow copies (copying a queryset with copy() would run it): nothing mutates them,
    # as nothing compiles them again.
    queryset = _shallow(entry.queryset)
    query = _shallow(entry.queryset.query)
    queryset._query = query  # type: ignore[attr-defined]
    compiler = _shallow(entry.compiler)
    compiler.query = query
    compiler.connection = connections[queryset.db]
    sql = entry.sql
    compiler.as_sql = lambda *args, **kwargs: (sql, tuple(params))
    query.get_compiler = lambda *args, **kwargs: compiler  # type: ignore[method-assign]
    return cast(Q, queryset)


def _shallow(thing: T) -> T:
    copied = object.__new__(type(thing))
    copied.__dict__.update(thing.__dict__)
    return copied


def _prepare(build: Callable[..., QuerySet[Any, Any]], values: Sequence[Any]) -> _Prepared | None:
    if any(type(value) not in (int, str) for value in values):
        return None
    stand_ins = [_sentinel(type(value), number) for number, value in enumerate(values)]
    try:
        queryset = build(*stand_ins)
        compiler = queryset.query.get_compiler(queryset.db)
        sql, params = compiler.as_sql()
    except (EmptyResultSet, FullResultSet, ValueError, TypeError):
        # Nothing to run, or a stand-in a value may not be (a negative slice): as any other.
        return None
    places: list[tuple[int, int]] = []
    for number, stand_in in enumerate(stand_ins):
        found = [place for place, param in enumerate(params) if param == stand_in]
        if not found or str(stand_in) in sql:
            return None
        places.extend((place, number) for place in found)
    compiler.connection = None
    return _Prepared(queryset, compiler, sql, tuple(params), places)
