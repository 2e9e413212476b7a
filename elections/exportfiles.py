"""Built exports as files: each app server's copy on disk, and the build after a change.

Serving (`local_copy`). A built export (`ExportFile`, kept in the database in parts, where
every app server reads it) is sent from a copy on the server's own disk, in
SOURCEBOOK_EXPORTS_DIR: the first download of a build copies its parts there (one at a time,
checking the SHA-256 and the size against the build's) under a name made of its SHA-256,
and every download sends that file as a static file is sent (the WSGI server's file wrapper:
`sendfile` under gunicorn), whatever its size, with memory that does not grow with it. A
copy is named by its content, so it can never be the bytes of another build, and servers,
test databases and origins may share the folder. A copy nobody downloaded for a day is
removed when the next copy is made (an open one is still read to its end: Linux keeps a
removed file for whoever has it open). Which build the public may have is decided elsewhere
(`elections.public.fresh_export`: one built at the current public-cache generation).

Building after a change (`rebuild_soon`). After a transaction that changed public data
commits, a build of both exports is queued, to run SOURCEBOOK_EXPORTS_REBUILD_DELAY seconds
later (60), for each origin that is kept fresh:

- How a change is known: a row of a model the public reads (`elections.cache`'s public
  tables) saved or deleted through the ORM registers, once per transaction,
  `transaction.on_commit(rebuild_soon)`; writes that send no signal (`QuerySet.update()`,
  `bulk_create`, raw SQL) are caught by the next download, which finds only a build of an
  older generation and calls `rebuild_soon` too. `rebuild_soon` itself compares
  generations, so a commit that changed nothing public (an unverified claim saved) queues
  nothing.
- Which origins: the addresses in an export are absolute, and no request says which address
  the public uses when a commit, a command or a task makes the change. So a rebuild is for
  SOURCEBOOK_PUBLIC_ORIGIN when it is set (production sets it), else for the origins of the
  builds kept (someone built for them, from the admin, the command or a download); with
  neither, nothing is built: nobody asked for built exports.
- Debounce: while a build for an origin is queued (not started), no other is queued for it:
  the queued one reads the record when it starts, so it takes in every change committed
  until then; a burst of edits in the delay makes one build. A build already running may
  have read the record before the change, so one more is queued behind it (at most one
  waits). Two commits at the same instant may both queue one: both builds are right, the
  later replaces the earlier.
- Only on a tasks backend that can run a task later (`supports_defer`: the database's, the
  default of production settings). Under the embedded default (`ImmediateBackend`, `make
  run`, the tests) a task runs inside the request that queues it, so a rebuild would make
  each editor's save wait for a whole build: there nothing is queued, and after a change the
  exports are streamed live (bounded in memory) until someone builds them again.

Until the new build is kept, the views serve the export streamed live from the database:
never a build of an older generation.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from elections.cache import public_generation
from elections.models import ExportFile

KIND = "exports_build"
# A copy not downloaded for this long is removed when another is made.
KEEP_UNUSED = timedelta(days=1)
# A copy's time of last use is written at most this often.
TOUCH_EVERY = timedelta(hours=1)
_COPY_NAME = re.compile(r"^[0-9a-f]{64}\.export$")
SCHEDULED_LABEL = _("Build the open-data exports after a public change")


# Copies on this server's disk.


def exports_dir() -> Path:
    """The folder of this server's copies (SOURCEBOOK_EXPORTS_DIR, or a temporary one)."""
    configured = getattr(settings, "SOURCEBOOK_EXPORTS_DIR", "")
    return Path(configured) if configured else Path(tempfile.gettempdir()) / "sourcebook-exports"


def local_copy(built: ExportFile) -> Path | None:
    """This server's copy of `built` (made now from its parts if there is none), or None
    when none can be made (the folder not writable, the parts gone or not the build's)."""
    from elections.public import export_bytes

    if not re.fullmatch(r"[0-9a-f]{64}", built.sha256):
        return None
    folder = exports_dir()
    path = folder / f"{built.sha256}.export"
    try:
        stat = path.stat()
    except OSError:
        stat = None
    if stat is not None and stat.st_size == built.size:
        if time.time() - stat.st_mtime > TOUCH_EVERY.total_seconds():
            with contextlib.suppress(OSError):
                os.utime(path)
        return path
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".copy-")
    except OSError:
        return None
    digest, size = hashlib.sha256(), 0
    try:
        with os.fdopen(handle, "wb") as copy:
            for part in export_bytes(built):
                digest.update(part)
                size += len(part)
                copy.write(part)
        if size != built.size or digest.hexdigest() != built.sha256:
            return None
        os.replace(temporary, path)
    except OSError:
        return None
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    _remove_unused(folder, keep=path)
    return path


def _remove_unused(folder: Path, *, keep: Path) -> None:
    cutoff = time.time() - KEEP_UNUSED.total_seconds()
    for entry in folder.iterdir():
        if entry == keep or not (_COPY_NAME.match(entry.name) or entry.name.startswith(".copy-")):
            continue
        try:
            if entry.stat().st_mtime < cutoff:
                entry.unlink()
        except OSError:
            continue


# Building again after a public change.


def _backend() -> Any:
    from sources.tasks import run_task

    return run_task.get_backend()


def rebuild_origins() -> list[str]:
    """The origins whose exports are kept fresh: SOURCEBOOK_PUBLIC_ORIGIN when set, else
    those of the builds kept."""
    configured = getattr(settings, "SOURCEBOOK_PUBLIC_ORIGIN", "").rstrip("/")
    if configured:
        return [configured]
    return sorted(
        ExportFile.objects.exclude(sha256="").order_by().values_list("origin", flat=True).distinct()
    )


def rebuild_soon(origin: str | None = None) -> list[int]:
    """Queue a build of both exports for `origin` (else for each of `rebuild_origins`) whose
    builds are not at the current generation, unless one is queued already; returns the ids
    of the runs queued. Nothing on a backend that cannot run a task later."""
    from sources.audit import system_user
    from sources.models import TaskRun
    from sources.services.tasks import task_queue
    from sources.tasks import kind_named, run_task

    backend = _backend()
    if not backend.supports_defer:
        return []
    origins = [origin] if origin else rebuild_origins()
    if not origins:
        return []
    generation = public_generation()
    if generation is None:
        return []
    names = set(ExportFile.Name.values)
    delay = getattr(settings, "SOURCEBOOK_EXPORTS_REBUILD_DELAY", 60)
    queued = []
    for wanted in origins:
        fresh = set(
            ExportFile.objects.filter(origin=wanted, generation=generation)
            .exclude(sha256="")
            .values_list("name", flat=True)
        )
        if fresh >= names:
            continue
        waiting = TaskRun.objects.filter(
            kind=KIND, state=TaskRun.State.QUEUED, arguments__origin=wanted
        )
        if waiting.exists():
            continue
        kind = kind_named(KIND)
        run = task_queue(
            kind=kind.name,
            label=str(SCHEDULED_LABEL),
            arguments={"origin": wanted},
            permission=kind.permission,
            acting_user=system_user(),
        )
        later = timezone.now() + timedelta(seconds=delay) if delay > 0 else None
        run_task.using(run_after=later).enqueue(run.pk)
        queued.append(run.pk)
    return queued


def _after_commit() -> None:
    rebuild_soon()


def on_service_commit() -> None:
    """Registered with `sources.audit.before_commit`: a service or unit of work that is about
    to commit makes the exports be built again once it has (`rebuild_soon`, once per
    transaction, which does nothing while the builds are of the current generation; nothing
    where the tasks backend cannot run a task later). Model signals are not used: a receiver
    on every model would make Django read each row before deleting it. A write from outside
    every service is caught by the next download, which finds its build out of date."""
    if not _backend().supports_defer:
        return
    connection = transaction.get_connection()
    if any(callback is _after_commit for _ids, callback, _robust in connection.run_on_commit):
        return
    if not _changed_public_data(connection):
        return
    transaction.on_commit(_after_commit, robust=True)


def _changed_public_data(connection: Any) -> bool:
    """Whether this transaction wrote public data. On PostgreSQL the public-cache triggers
    note it in a transaction-local setting (`elections.cache.PENDING_SETTING`): a build's own
    writes (built exports, task runs: tables the public never reads) leave it unset, so a
    build never queues another. Elsewhere, assumed."""
    from elections.cache import PENDING_SETTING

    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(current_setting(%s, true), '')", [PENDING_SETTING])
        return bool(cursor.fetchone()[0])
