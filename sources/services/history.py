"""History records of rows written in bulk, for the imports of both apps."""

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import connections, models, router
from django.utils import timezone

from sources.audit import Reason, service_step

from .passages import _rows

BATCH_SIZE = 500


@service_step
def history_bulk_insert(
    objects: Sequence[models.Model],
    model: type[models.Model],
    *,
    user: User,
    reason: Reason,
    updated: bool = False,
    date: Any = None,
) -> None:
    """Add the history record of each of `objects` (saved rows of `model`) in one INSERT.

    The rows are those django-simple-history's `bulk_history_create` makes (a creation "+",
    or with `updated` a change "~", by `user` at `date`, for `reason`), written without
    building a historical model instance for each and without the ORM's insert compiler:
    for the thousands of rows of an import those cost as much as the insert of the rows
    themselves. (`sources.services.passages` records re-anchoring the same way.)
    """
    if not objects or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    # Every model written in bulk keeps django-simple-history's `history` manager.
    history = getattr(model, "history").model  # noqa: B009 (not typed on models.Model)
    database = connections[router.db_for_write(history)]
    fixed = {
        "history_date": date or timezone.now(),
        "history_user_id": getattr(user, "pk", None),
        "history_change_reason": Reason(reason).value,
        "history_type": "~" if updated else "+",
    }
    fields = {field.attname: field for field in history._meta.concrete_fields}
    tracked = [fields[field.attname] for field in history.tracked_fields]
    constant_fields = [fields[name] for name in fixed]
    constants = [
        field.get_db_prep_save(fixed[field.attname], database) for field in constant_fields
    ]
    quote = database.ops.quote_name
    columns = ", ".join(quote(field.column) for field in tracked + constant_fields)
    placeholders = ", ".join(["%s"] * (len(tracked) + len(constant_fields)))
    # Only names from the models' metadata are spliced in; every value is a parameter.
    sql = f"INSERT INTO {quote(history._meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608
    with database.cursor() as cursor:
        for first in range(0, len(objects), BATCH_SIZE):
            batch = objects[first : first + BATCH_SIZE]
            cursor.executemany(sql, _rows(batch, tracked, database, extra=constants))
