"""A resource's Table Schema (https://specs.frictionlessdata.io/table-schema/): its fields
and their types and constraints, its primary key and foreign keys; and the `Context` its rows
are made in."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

NEUTRALIZED = (
    "Text cells that begin as a spreadsheet formula would (=, +, -, @, a tab or a carriage "
    "return, or their full-width forms) carry a leading apostrophe, as in the site's other "
    "CSV exports, so that no spreadsheet runs them."
)
PARTIAL_DATE = {"pattern": r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?"}
WIKIDATA = {"pattern": "Q[1-9][0-9]*"}


def _field(name: str, type_: str, description: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "type": type_, "description": description, **extra}


def _enum(values: Iterable[str], required: bool = False) -> dict[str, Any]:
    constraints: dict[str, Any] = {"enum": [value for value in values if value]}
    if required:
        constraints["required"] = True
    return {"constraints": constraints}


def _fk(fields: str | list[str], resource: str, target: str | list[str]) -> dict[str, Any]:
    return {"fields": fields, "reference": {"resource": resource, "fields": target}}


def _string(name: str, description: str, **extra: Any) -> dict[str, Any]:
    return _field(name, "string", description, **extra)


def _integer(name: str, description: str, **extra: Any) -> dict[str, Any]:
    return _field(name, "integer", description, **extra)


def _slug_of(resource: str) -> dict[str, Any]:
    return _string(f"{resource}_slug", f"The {resource}'s slug ({resource}s.slug).")


@dataclass
class Resource:
    """One CSV resource: its name, what it holds, its schema, and its rows (lists of cells
    in the order of `fields`), made by `rows(context)`."""

    name: str
    title: str
    description: str
    fields: list[dict[str, Any]]
    rows: Callable[["Context"], Iterable[list[Any]]]
    primary_key: list[str]
    foreign_keys: list[dict[str, Any]] = field(default_factory=list)

    @property
    def path(self) -> str:
        return f"{self.name}.csv"

    def schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {
            "description": NEUTRALIZED,
            "fields": self.fields,
            "primaryKey": self.primary_key,
        }
        if self.foreign_keys:
            schema["foreignKeys"] = self.foreign_keys
        return schema


@dataclass
class Context:
    """What the rows of a release need besides the database: the site's origin."""

    origin: str
    version: str
    place_ids: set[int] = field(default_factory=set)

    def url(self, path: str) -> str:
        return self.origin + path
