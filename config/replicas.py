"""Read replicas: anonymous public reads go to a replica that has every public change.

`DATABASE_REPLICA_URLS` (comma-separated, none by default) adds the aliases `replica1`,
`replica2`, ... to DATABASES. The public-cache wrapper (`elections.cache.cache_public`) reads
the generation of the public record on the primary, as it always does, and then asks
`replica_for(generation)` for a replica whose own generation is the same: one that has
replayed the latest public change. While the view renders, `PublicReadsRouter` sends its
reads there (`reading_from`); everything else (the admin, writes, logged-in users, tasks,
the generation itself) goes to the primary. A replica that lags behind a public change (a
withdrawal, say) is skipped until it has replayed it, so the change leaves every public URL
at once however far the replica lags; a replica that fails is skipped for
`SOURCEBOOK_REPLICA_RETRY_SECONDS`.

Why generations rather than a lag in seconds: a replica a second behind may miss the one
change that matters (a withdrawal), and one an hour behind may miss nothing public. The
generation says exactly whether the replica shows what the primary shows.
"""

from __future__ import annotations

import contextvars
import logging
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

logger = logging.getLogger(__name__)

_reading_from: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "sourcebook_public_reads", default=None
)
# alias -> monotonic time before which a replica that failed is not asked again.
_failed_until: dict[str, float] = {}


def replica_aliases() -> list[str]:
    """The aliases of the configured read replicas, in order."""
    return [alias for alias in settings.DATABASES if alias.startswith("replica")]


@contextmanager
def reading_from(alias: str | None) -> Iterator[None]:
    """Send the reads of this context to `alias` (None: the primary)."""
    token = _reading_from.set(alias)
    try:
        yield
    finally:
        _reading_from.reset(token)


def replica_for(generation: int | None) -> str | None:
    """A replica whose public generation is `generation` (the primary's), or None.

    Replicas are tried in a random order, so the readers spread over them.
    """
    aliases = replica_aliases()
    if generation is None or not aliases:
        return None
    from elections.cache import public_generation

    now = time.monotonic()
    for alias in random.sample(aliases, len(aliases)):
        if _failed_until.get(alias, 0) > now:
            continue
        try:
            seen = public_generation(using=alias)
        except Exception as error:  # a replica down or refusing: the primary serves
            _failed_until[alias] = now + settings.SOURCEBOOK_REPLICA_RETRY_SECONDS
            logger.warning("Replica %s failed (%s); reads go to the primary.", alias, error)
            connections[alias].close()
            continue
        if seen == generation:
            return alias
    return None


def replica_lag(alias: str) -> dict[str, bool | float | None]:
    """How far `alias` is behind the primary, for /healthz: whether it has replayed the
    latest public change (so that public reads may go there), and on PostgreSQL the seconds
    since the last transaction it replayed (which also grow while the primary is idle)."""
    from elections.cache import public_generation

    primary, replica = public_generation(using=DEFAULT_DB_ALIAS), public_generation(using=alias)
    seconds = None
    connection = connections[alias]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT CASE WHEN pg_is_in_recovery() THEN "
                "extract(epoch FROM now() - pg_last_xact_replay_timestamp()) ELSE 0 END"
            )
            row = cursor.fetchone()
            seconds = float(row[0]) if row and row[0] is not None else None
    return {
        "public_changes_replayed": primary is not None and primary == replica,
        "replay_seconds": seconds,
    }


class PublicReadsRouter:
    """Reads inside `reading_from(alias)` go to `alias`; every other read, and every write
    and migration, to the primary. All aliases are copies of one database, so any relation
    between their objects is allowed."""

    def db_for_read(self, model, **hints):
        return _reading_from.get()

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS
