"""What changed in a record, for the services and admins of both apps.

An update service sets the fields it is given (`apply_given`) and keeps the others. A form
opened at one revision of a record and saved after someone else's save is refused with one
message, naming what they changed, whichever record it is.
"""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from sources.audit import read_only, service_step

from .passages import concrete_field
from .unset import UNSET


@service_step
def apply_given(instance: models.Model, given: Mapping[str, Any]) -> list[str]:
    """Set on `instance` each field of `given` whose value is not UNSET; return the names of
    those whose value differs from what `instance` held. Nothing is saved.

    A related record given by its field's name is compared by its key, so that comparing
    does not fetch the one `instance` points to.
    """
    changed = []
    for name, value in given.items():
        if value is UNSET:
            continue
        field = concrete_field(type(instance), name)
        if field.is_relation and name != field.attname:
            before, after = getattr(instance, field.attname), getattr(value, "pk", None)
        else:
            before, after = getattr(instance, name), value
        if after != before:
            changed.append(name)
        setattr(instance, name, value)
    return changed


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
        listed = "; ".join(
            _("%(label)s: “%(old)s” → “%(new)s”") % {"label": label, "old": old, "new": new}
            for label, old, new in changes
        )
        detail = _("They changed %(changes)s.") % {"changes": listed}
    else:
        detail = _("Their change was to something this form does not show.")
    return ValidationError(
        _(
            "Someone else saved this %(name)s after you opened it (revision %(opened)s, now "
            "%(current)s). %(detail)s Your changes were not saved: reload the page, and make "
            "them again if they still apply."
        )
        % {"name": name, "opened": opened, "current": current, "detail": detail},
        code=code,
    )
