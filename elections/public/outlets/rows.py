"""Instances made from rows of the columns a page shows, and the rules the outlets' and
articles' pages share.

The querysets of this package that do not change from one request to the next are built
once per process (see the note above reporting_outlets() in `elections.public.base`); each
request narrows a copy.
"""

import functools
from collections.abc import Sequence
from typing import Any, TypeVar

from django.db.models import Exists, Model

from ..base import in_public_dispute

M = TypeVar("M", bound=Model)


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
