"""What changed in a record, for the services and admins of both apps.

A form opened at one revision of a record and saved after someone else's save is refused
with one message, naming what they changed, whichever record it is.
"""

from django.core.exceptions import ValidationError
from django.db import models

from sources.audit import read_only


@read_only
def field_shown(instance: models.Model, field: models.Field) -> str:
    """`instance`'s value of `field` as an editor reads it: a choice's label, a related
    record's name, "(empty)" for nothing."""
    value = getattr(instance, field.attname)
    if value in (None, ""):
        return "(empty)"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.is_relation:
        return str(getattr(instance, field.name))
    return str(value)


@read_only
def stale_revision_refusal(
    name: str,
    opened: int,
    current: int,
    changes: list[tuple[str, str, str]],
    *,
    code: str | None = None,
) -> ValidationError:
    """The refusal of a change to a `name` made on a form opened at revision `opened` when
    it is at `current`; `changes` are the (label, before, after) triples since then."""
    if changes:
        listed = "; ".join(f"{label}: “{old}” → “{new}”" for label, old, new in changes)
        detail = f"They changed {listed}."
    else:
        detail = "Their change was to something this form does not show."
    return ValidationError(
        f"Someone else saved this {name} after you opened it (revision {opened}, now "
        f"{current}). {detail} Your changes were not saved: reload the page, and make them "
        "again if they still apply.",
        code=code,
    )
