"""Runs of long work (`TaskRun`), from queued to ended, and the one transaction of their work.

A run is queued by whoever starts it (`task_queue`, which checks the permission its kind of
work asks), moved to running by the worker that picks it up (`task_start`), reports its
progress as the work goes (`task_progress`), and ends succeeded (`task_finish`), failed
(`task_fail`) or cancelled (`task_stopped`). Its owner, or a superuser, asks it to stop
(`task_cancel_request`): a queued run is cancelled at once, a running one stops at its next
chunk. The work itself runs inside `task_perform`: one transaction, so a run that fails, is
cancelled or is killed leaves the database as it was.

Progress is written, and the cancel request read, on the connection `alias` names. The work's
own writes stay invisible to every other connection until its transaction commits, so on
PostgreSQL the runner (`sources.tasks`) gives progress a connection of its own, in
autocommit: the admin's progress bar then moves while the work goes on, and the owner's
request to stop reaches the work before it commits.

A worker that dies (killed, its machine lost) cannot say so: its transaction is rolled back
with its connection, and its run would stay running for ever. A worker on PostgreSQL
therefore beats (`task_heartbeat`), and a run silent past SOURCEBOOK_TASK_LOST_AFTER is ended
as failed (`task_runs_end_lost`) wherever staff look at the runs.

Every ending is a conditional UPDATE of the run's row (`state` must still be what the step
expects), so a cancel request and a worker picking the run up at the same moment cannot both
win.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DEFAULT_DB_ALIAS
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sources.audit import IN_BODY, read_only, require_perm, service, service_step
from sources.models import TaskRun

R = TypeVar("R")

# Longer error texts are cut: the admin shows them, and a traceback says enough in this much.
ERROR_LENGTH = 20_000


def _may_act(run: TaskRun, user: User, action: str) -> None:
    """Only a run's owner moves it along or cancels it; a superuser (the system account of
    commands and tasks among them) may act on any run."""
    if not (user.is_superuser or (run.owner_id is not None and run.owner_id == user.pk)):
        if action == "cancel":
            raise PermissionDenied(_("You may not cancel another person's task."))
        raise PermissionDenied(_("You may not run another person's task."))


def _reload(run: TaskRun) -> TaskRun:
    run.refresh_from_db()
    return run


@service(perm=IN_BODY, action="start tasks")
def task_queue(
    *, kind: str, label: str, arguments: dict[str, Any], permission: str, acting_user: User
) -> TaskRun:
    """Queue a run of the work `kind` for `acting_user`, who must hold `permission` (what that
    kind of work asks of whoever starts it, `sources.run_task` for maintenance work)."""
    require_perm(acting_user, permission, "start this task")
    run = TaskRun(kind=kind, label=label[:300], owner=acting_user, arguments=arguments)
    run.full_clean()
    run.save()
    return run


@service(perm=IN_BODY, action="run tasks")
def task_start(*, run: TaskRun, task_id: str, acting_user: User) -> bool:
    """Move `run` from queued to running, recording the tasks backend's id for it.

    Returns False, and leaves the run as it is, when it is not queued: cancelled before a
    worker reached it, or already taken by another; its work must not run then.
    """
    _may_act(run, acting_user, "run")
    started = TaskRun.objects.filter(pk=run.pk, state=TaskRun.State.QUEUED).update(
        state=TaskRun.State.RUNNING,
        started_at=timezone.now(),
        task_id=task_id[:100],
        worker=f"{socket.gethostname()}:{os.getpid()}"[:200],
    )
    _reload(run)
    return bool(started)


@service(perm=IN_BODY, action="run tasks")
def task_perform(*, run: TaskRun, work: Callable[[], R], acting_user: User) -> R:
    """Do `run`'s `work` in one transaction, as the run's owner: committed whole when it
    returns, rolled back whole when it raises (a failure, a cancel request, a kill).

    The services and steps `work` calls join this transaction and act within the authority
    `task_queue` checked when the run was started.
    """
    _may_act(run, acting_user, "run")
    if run.state != TaskRun.State.RUNNING:
        raise ValidationError(_("Only a running task does its work."))
    return work()


@service_step
def task_progress(*, run: TaskRun, done: int, total: int, alias: str = DEFAULT_DB_ALIAS) -> None:
    """Record that `run` has done `done` of `total` units, on the connection `alias`.

    On a connection of its own (`alias` not the default) the report is seen at once by
    others, so it also counts as a sign of life (see `task_heartbeat`)."""
    fields: dict[str, Any] = {"done": done, "total": total}
    if alias != DEFAULT_DB_ALIAS:
        fields["heartbeat_at"] = timezone.now()
    TaskRun.objects.using(alias).filter(pk=run.pk).update(**fields)


@service(perm=IN_BODY, action="run tasks")
def task_heartbeat(*, run: TaskRun, alias: str, acting_user: User) -> None:
    """Record that the worker running `run` is alive, on the autocommit connection `alias`
    (its own thread's, beside the work: `sources.tasks`).

    Only a worker whose writes others see at once beats (on PostgreSQL, beside the work's
    transaction): a run without a heartbeat is never taken for lost.
    """
    _may_act(run, acting_user, "run")
    TaskRun.objects.using(alias).filter(pk=run.pk, state=TaskRun.State.RUNNING).update(
        heartbeat_at=timezone.now()
    )


# Stored as the run's error, in the language of whoever's look ends the run.
LOST = gettext_lazy(
    "The worker running this task stopped without a word (no sign of life since %(since)s): "
    "killed, or its machine lost. Nothing it did was kept; start it again."
)


def _lost() -> Any:
    cutoff = timezone.now() - timedelta(seconds=settings.SOURCEBOOK_TASK_LOST_AFTER)
    return TaskRun.objects.filter(state=TaskRun.State.RUNNING, heartbeat_at__lt=cutoff)


@read_only
def task_runs_lost_exist() -> bool:
    """Whether a running run's worker has been silent past SOURCEBOOK_TASK_LOST_AFTER: one
    query, so that pages polled every second look before `task_runs_end_lost` writes."""
    return _lost().exists()


@service(perm=IN_BODY, action="end lost tasks")
def task_runs_end_lost(*, acting_user: User) -> int:
    """End as failed every running run whose worker has been silent longer than
    SOURCEBOOK_TASK_LOST_AFTER seconds; return how many.

    Its work ran in one transaction on the worker's connection, which the database rolled
    back when the connection died: ending the run is all that is left to do. Any staff
    member's view of the runs calls this (the admin's list and pages, a worker's start), so
    a lost run is said to be lost wherever someone looks; no person has to act.
    """
    if not (acting_user.is_staff or acting_user.is_superuser):
        raise PermissionDenied(_("You may not end lost tasks."))
    ended = 0
    for pk, beat in _lost().values_list("pk", "heartbeat_at"):
        since = timezone.localtime(beat).strftime("%Y-%m-%d %H:%M:%S %Z")
        # Conditional, as every ending: a beat that came meanwhile keeps the run going.
        ended += TaskRun.objects.filter(
            pk=pk, state=TaskRun.State.RUNNING, heartbeat_at=beat
        ).update(
            state=TaskRun.State.FAILED, finished_at=timezone.now(), error=LOST % {"since": since}
        )
    return ended


@read_only
def task_cancel_requested(run: TaskRun, alias: str = DEFAULT_DB_ALIAS) -> bool:
    """Whether `run`'s owner has asked it to stop, read on the connection `alias`."""
    return TaskRun.objects.using(alias).filter(pk=run.pk, cancel_requested=True).exists()


def _end(run: TaskRun, state: str, **fields: Any) -> TaskRun:
    TaskRun.objects.filter(pk=run.pk, state=TaskRun.State.RUNNING).update(
        state=state, finished_at=timezone.now(), **fields
    )
    return _reload(run)


@service(perm=IN_BODY, action="run tasks")
def task_finish(
    *, run: TaskRun, done: int, total: int, result: dict[str, Any], acting_user: User
) -> TaskRun:
    """End `run` as succeeded, its work committed, with what it did (`result`)."""
    _may_act(run, acting_user, "run")
    return _end(run, TaskRun.State.SUCCEEDED, done=done, total=total, result=result)


@service(perm=IN_BODY, action="run tasks")
def task_fail(*, run: TaskRun, error: str, done: int, total: int, acting_user: User) -> TaskRun:
    """End `run` as failed, its work rolled back, saying why (`error`)."""
    _may_act(run, acting_user, "run")
    return _end(run, TaskRun.State.FAILED, done=done, total=total, error=error[:ERROR_LENGTH])


@service(perm=IN_BODY, action="run tasks")
def task_stopped(*, run: TaskRun, done: int, total: int, acting_user: User) -> TaskRun:
    """End `run` as cancelled: its owner asked it to stop, and its work was rolled back."""
    _may_act(run, acting_user, "run")
    return _end(run, TaskRun.State.CANCELLED, done=done, total=total, cancel_requested=True)


@service(perm=IN_BODY, action="cancel tasks")
def task_cancel_request(*, run: TaskRun, acting_user: User) -> TaskRun:
    """Ask `run` to stop, as its owner (or a superuser).

    A queued run is cancelled at once and never starts. A running one is marked: its work
    stops at its next chunk and is rolled back. A run that has ended is refused.
    """
    _may_act(run, acting_user, "cancel")
    runs = TaskRun.objects.filter(pk=run.pk)
    if runs.filter(state=TaskRun.State.QUEUED).update(
        state=TaskRun.State.CANCELLED, cancel_requested=True, finished_at=timezone.now()
    ):
        return _reload(run)
    if runs.filter(state=TaskRun.State.RUNNING).update(cancel_requested=True):
        return _reload(run)
    raise ValidationError(_("This task has already ended."))
