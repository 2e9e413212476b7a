"""Long work as tasks: started from the admin or a command, run by Django's tasks API.

A kind of long work is a function registered with `task_kind` in an app's `tasks` module
(this one holds re-anchoring every passage; `elections.tasks` the full re-detection). It is
called as `work(progress, acting_user=..., **arguments)` and returns what it did, as JSON.

- `start(kind, owner=..., arguments=...)` queues a run (`sources.TaskRun`) and hands it to the
  tasks backend (`run_task`). Under the embedded default the backend runs it at once, in the
  process that asks; in production a `db_worker` process picks it up from the database.
- `run_here(kind, owner=...)` runs one in this process, whatever the backend: the commands
  do, showing its progress on a terminal (`progress_bar`).

How a run keeps the database whole: its work runs inside one service, `task_perform`, so one
transaction. A failure, a cancel request or a kill leaves the database as it was, and the
run can be started again. The work goes in chunks; after each it calls `progress.advance`,
which records how far it got and raises `TaskCancelled` when the owner asked it to stop.

Why progress goes on a connection of its own: what the work writes, progress included,
stays invisible to every other connection until its transaction commits. On PostgreSQL the
runner therefore opens a second connection for progress, in autocommit, so the admin sees
each chunk as it ends and the owner's cancel request reaches the work before it commits. The
work's transaction never writes the run's row (its start committed before, its end is written
after), so the two connections share no row and cannot wait for each other; the run's table
carries no public-cache trigger either (`elections.cache.NEVER_PUBLIC`). Should a progress
write still wait for a lock longer than PROGRESS_LOCK_TIMEOUT_MS, that one report is skipped:
progress never holds the work up.

On SQLite, whose writers take the whole database, and inside an outer transaction (the
admin's unit of work under the embedded default, a test), progress is written on the work's
own connection: the process that waits for the run is the one running it there, and the
run's final counts are written again after its transaction ends.
"""

from __future__ import annotations

import copy
import functools
import logging
import sys
import threading
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any, TextIO, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections
from django.db.utils import load_backend
from django.utils.functional import Promise
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_tasks import TaskContext, task

from sources.anchoring import AnchorStatus, TextChange
from sources.audit import system_user
from sources.models import Article, Passage, TaskRun
from sources.progress import listening
from sources.services.passages import passages_reanchor_many
from sources.services.tasks import (
    task_cancel_requested,
    task_fail,
    task_finish,
    task_heartbeat,
    task_perform,
    task_progress,
    task_queue,
    task_runs_end_lost,
    task_start,
    task_stopped,
)

logger = logging.getLogger(__name__)

RUN_TASK = "sources.run_task"
PROGRESS_ALIAS = "sourcebook_task_progress"
HEARTBEAT_ALIAS = "sourcebook_task_heartbeat"
PROGRESS_LOCK_TIMEOUT_MS = 200
# Articles re-anchored per chunk: their texts are read together.
REANCHOR_CHUNK = 100

Observer = Callable[[int, int], None]
W = TypeVar("W", bound=Callable[..., dict[str, Any]])


class TaskCancelled(Exception):
    """The run's owner asked it to stop: raised between chunks, it rolls the work back."""


@dataclass(frozen=True)
class TaskKind:
    """A kind of long work: its name (stored on each run), what the admin calls it, the
    function doing it, the permission whoever starts it needs, whether the admin's list of
    runs offers a button to start it (work that needs no arguments but those its
    `request_arguments` takes from the request that starts it, such as the site's origin)."""

    name: str
    label: str | Promise
    work: Callable[..., dict[str, Any]]
    permission: str = RUN_TASK
    offered: bool = True
    request_arguments: Callable[[Any], dict[str, Any]] | None = None


_KINDS: dict[str, TaskKind] = {}
_discovered = False


def task_kind(
    name: str,
    *,
    label: str | Promise,
    permission: str = RUN_TASK,
    offered: bool = True,
    request_arguments: Callable[[Any], dict[str, Any]] | None = None,
) -> Callable[[W], W]:
    """Register the decorated function as the work of the kind `name` (see TaskKind)."""

    def register(work: W) -> W:
        _KINDS[name] = TaskKind(
            name=name,
            label=label,
            work=work,
            permission=permission,
            offered=offered,
            request_arguments=request_arguments,
        )
        return work

    return register


def kinds() -> dict[str, TaskKind]:
    """Every kind of long work, from the `tasks` module of every installed app."""
    global _discovered
    if not _discovered:
        autodiscover_modules("tasks")
        _discovered = True
    return dict(_KINDS)


def kind_named(name: str) -> TaskKind:
    try:
        return kinds()[name]
    except KeyError:
        raise LookupError(f"No task is called {name!r}.") from None


class Progress:
    """How far a run's work has got, told to its TaskRun (the admin's progress bar) and to
    an observer (a command's progress bar); the work's way to hear a cancel request."""

    def __init__(self, run: TaskRun, *, alias: str, observer: Observer | None = None):
        self.run, self.alias, self.observer = run, alias, observer
        self.done = self.total = 0

    def set_total(self, total: int) -> None:
        """Say how many units (articles, candidates, rows) the work has to do."""
        self.total = total
        self._report()

    def advance(self, count: int = 1) -> None:
        """Say `count` more units are done; raise TaskCancelled if the owner asked to stop."""
        self.done += count
        self._report()
        if task_cancel_requested(self.run, self.alias):
            raise TaskCancelled

    def _report(self) -> None:
        if self.observer is not None:
            self.observer(self.done, self.total)
        try:
            task_progress(run=self.run, done=self.done, total=self.total, alias=self.alias)
        except OperationalError:
            if self.alias == DEFAULT_DB_ALIAS:
                raise
            # The run's row was locked longer than PROGRESS_LOCK_TIMEOUT_MS (a cancel request
            # committing, say): this report is skipped rather than holding the work up.
            logger.info("Task run %s: a progress report was skipped.", self.run.pk)


@contextmanager
def _side_connection(alias: str, settings_dict: dict[str, Any]) -> Iterator[str]:
    """A connection of this thread's own, in autocommit, named `alias`, whose writes give up
    after PROGRESS_LOCK_TIMEOUT_MS rather than wait for a lock."""
    settings_dict = copy.deepcopy(settings_dict)
    side = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, alias)
    connections[alias] = side
    try:
        with side.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('lock_timeout', %s, false)", [f"{PROGRESS_LOCK_TIMEOUT_MS}ms"]
            )
        yield alias
    finally:
        side.close()
        del connections[alias]


class _Heartbeat:
    """Says every SOURCEBOOK_TASK_HEARTBEAT seconds, from a thread and on a connection of its
    own, that the worker running `run` is alive, however long the work goes between two
    progress reports (a run silent past SOURCEBOOK_TASK_LOST_AFTER is taken for lost:
    `task_runs_end_lost`)."""

    def __init__(self, run: TaskRun, owner: Any, settings_dict: dict[str, Any]):
        self.run, self.owner, self.settings_dict = run, owner, settings_dict
        self.stopping = threading.Event()
        self.thread = threading.Thread(
            target=self._beat, name=f"task-run-{run.pk}-heartbeat", daemon=True
        )

    def __enter__(self) -> _Heartbeat:
        self.thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stopping.set()
        self.thread.join(timeout=10)

    def _beat(self) -> None:
        interval = max(1, settings.SOURCEBOOK_TASK_HEARTBEAT)
        try:
            with _side_connection(HEARTBEAT_ALIAS, self.settings_dict) as alias:
                while True:
                    try:
                        task_heartbeat(run=self.run, alias=alias, acting_user=self.owner)
                    except OperationalError:
                        logger.info("Task run %s: a heartbeat was skipped.", self.run.pk)
                    if self.stopping.wait(interval):
                        return
        except Exception:
            logger.exception("Task run %s: the heartbeat stopped.", self.run.pk)
        finally:
            connections.close_all()  # this thread's own


@contextmanager
def _progress_alias(run: TaskRun, owner: Any) -> Iterator[str]:
    """The connection progress goes on while the work's transaction is open (module doc),
    with a heartbeat beside it where others can see it beat."""
    default = connections[DEFAULT_DB_ALIAS]
    if default.vendor != "postgresql" or default.in_atomic_block:
        yield DEFAULT_DB_ALIAS
        return
    with (
        _Heartbeat(run, owner, default.settings_dict),
        _side_connection(PROGRESS_ALIAS, default.settings_dict) as alias,
    ):
        yield alias


def _described(error: BaseException) -> str:
    """What the admin shows of a failure: the error first, then where it happened."""
    headline = f"{type(error).__name__}: {error}".strip()
    trace = "".join(traceback.format_exception(error))
    return f"{headline}\n\n{trace}"


def execute(run_id: int, *, task_id: str = "", observer: Observer | None = None) -> TaskRun:
    """Run the queued TaskRun `run_id` here and now, and return it ended.

    It succeeds with its work committed, or fails or is cancelled with its work rolled back;
    a run no longer queued (cancelled before it started) is returned as it is.
    """
    # A worker about to run work ends the runs whose workers were lost.
    task_runs_end_lost(acting_user=system_user())
    run = TaskRun.objects.select_related("owner").get(pk=run_id)
    owner = run.owner
    runner = owner if owner is not None and owner.is_active else system_user()
    if not task_start(run=run, task_id=task_id, acting_user=runner):
        return run
    if runner is not owner:
        return task_fail(
            run=run,
            error="The account that started this task is no longer active.",
            done=0,
            total=0,
            acting_user=runner,
        )
    progress = Progress(run, alias=DEFAULT_DB_ALIAS, observer=observer)
    try:
        with _progress_alias(run, owner) as alias:
            progress.alias = alias
            kind = kind_named(run.kind)
            work = functools.partial(kind.work, progress, acting_user=owner, **run.arguments)
            result = task_perform(run=run, work=work, acting_user=owner)
    except TaskCancelled:
        return task_stopped(run=run, done=progress.done, total=progress.total, acting_user=owner)
    except BaseException as error:
        logger.exception("Task run %s (%s) failed", run.pk, run.kind)
        task_fail(
            run=run,
            error=_described(error),
            done=progress.done,
            total=progress.total,
            acting_user=owner,
        )
        if isinstance(error, Exception):
            return run
        raise
    return task_finish(
        run=run,
        done=progress.done,
        total=progress.total,
        result=dict(result or {}),
        acting_user=owner,
    )


@task(takes_context=True)
def run_task(context: TaskContext, run_id: int) -> dict[str, Any]:
    """The task the tasks backend runs: one TaskRun, by its id."""
    run = execute(run_id, task_id=str(context.task_result.id))
    return {"run": run.pk, "state": run.state}


def start(
    kind: str, *, owner: Any, arguments: dict[str, Any] | None = None, label: str = ""
) -> TaskRun:
    """Queue a run of `kind` for `owner` and hand it to the tasks backend; return the run.

    Under the embedded default the run has ended when this returns. Inside a transaction
    (an admin view's), the run and its place in the database queue commit with it.
    """
    found = kind_named(kind)
    run = task_queue(
        kind=found.name,
        # Stored with the run: in the language of the request that starts it.
        label=label or str(found.label),
        arguments=arguments or {},
        permission=found.permission,
        acting_user=owner,
    )
    run_task.enqueue(run.pk)
    run.refresh_from_db()
    return run


def run_here(
    kind: str,
    *,
    owner: Any,
    arguments: dict[str, Any] | None = None,
    label: str = "",
    observer: Observer | None = None,
) -> TaskRun:
    """Queue a run of `kind` and run it in this process at once (a command's way)."""
    found = kind_named(kind)
    run = task_queue(
        kind=found.name,
        label=label or str(found.label),
        arguments=arguments or {},
        permission=found.permission,
        acting_user=owner,
    )
    return execute(run.pk, task_id="", observer=observer)


@contextmanager
def progress_bar(
    *,
    description: str,
    unit: str = "it",
    enabled: bool | None = None,
    stream: TextIO | None = None,
) -> Iterator[Observer]:
    """An observer drawing a progress bar (tqdm) on `stream` (standard error by default),
    counting `unit`s from the moment the work says how many there are.

    With `enabled` None the bar is drawn only when `stream` is a terminal: a command in a
    pipe or a log stays quiet.
    """
    from tqdm import tqdm

    stream = stream if stream is not None else sys.stderr
    if enabled is None:
        enabled = hasattr(stream, "isatty") and stream.isatty()
    bars: list[Any] = []

    def observe(done: int, total: int) -> None:
        if not bars:
            bars.append(
                tqdm(
                    total=total,
                    desc=description,
                    unit=f" {unit}",
                    file=stream,
                    disable=not enabled,
                    dynamic_ncols=True,
                )
            )
        bar = bars[0]
        if total != bar.total:
            bar.total = total
            bar.refresh()
        bar.update(done - bar.n)

    try:
        yield observe
    finally:
        for bar in bars:
            bar.close()


# Re-anchoring every passage.


def _chunks(ids: list[int], size: int) -> Iterator[list[int]]:
    for first in range(0, len(ids), size):
        yield ids[first : first + size]


def _unchanged(passage: Passage, article: Article, result: Any) -> bool:
    """Whether re-anchoring `passage` would store what it holds already. A relocated passage
    found where it is counts as unchanged: "exact" would only forget how it was found."""
    if result.status == passage.anchor_status == AnchorStatus.ORPHANED:
        return True
    same_status = result.status == passage.anchor_status or (
        passage.anchor_status == AnchorStatus.RELOCATED and result.status == AnchorStatus.EXACT
    )
    return (
        same_status
        and passage.anchored_version == article.version
        and (result.start, result.end, result.exact, result.prefix, result.suffix)
        == (passage.start, passage.end, passage.exact, passage.prefix, passage.suffix)
        and result.similarity == passage.similarity
    )


@task_kind("passages_reanchor_all", label=_("Re-anchor every passage"))
def passages_reanchor_all(
    progress: Progress, *, acting_user: Any, chunk_size: int = REANCHOR_CHUNK
) -> dict[str, Any]:
    """Anchor every passage again in its article's current text, under today's rules (after
    a change of them): in chunks of articles, whose rows are locked until the run commits so
    that no editor changes their text meanwhile. An article whose passages would all stay
    as they are is not written, so running it twice changes nothing the second time.
    Returns how many passages ended in each status, and how many articles were written."""
    article_ids = list(
        Passage.objects.order_by("article_id").values_list("article_id", flat=True).distinct()
    )
    progress.set_total(Passage.objects.count())
    statuses: Counter[str] = Counter()
    written = 0
    for chunk in _chunks(article_ids, chunk_size):
        articles = list(
            Article.objects.select_for_update()
            .filter(pk__in=chunk)
            .only("id", "text", "version")
            .order_by("pk")
        )
        by_article = {article.pk: article for article in articles}
        # The same text before and after: each passage is looked for under today's rules.
        texts = {article.pk: TextChange(article.text, article.text) for article in articles}
        passages = list(
            Passage.objects.filter(article_id__in=by_article).order_by("article_id", "pk")
        )
        changing = set()
        for passage in passages:
            article = by_article[passage.article_id]
            result = texts[article.pk].reanchor(passage)
            statuses[str(result.status)] += 1
            if not _unchanged(passage, article, result):
                changing.add(article.pk)
        if changing:
            passages_reanchor_many(
                changes=[(by_article[pk], by_article[pk].text) for pk in sorted(changing)],
                acting_user=acting_user,
            )
            written += len(changing)
        progress.advance(len(passages))
    return {"statuses": dict(sorted(statuses.items())), "articles_written": written}


def _sheet_admin(model: str, resource: int, format: int) -> tuple[Any, Any, Any]:
    """The admin of `model` (a `sources.admin.sheets.SheetAdminMixin`), and the resource class
    and input format its import form offered at those positions, for a sheet task."""
    from django.apps import apps
    from django.contrib import admin

    model_admin: Any = admin.site._registry[apps.get_model(model)]
    resource_class = list(model_admin.resource_classes)[resource]
    return model_admin, resource_class, model_admin.get_import_formats()[format]()


class SheetRefused(Exception):
    """A sheet confirmed as a task had problems: nothing is written, and the run says why."""


@task_kind(
    "sheet_confirm",
    label=_("Import a sheet"),
    permission="elections.import_sheets",
    offered=False,
)
def sheet_confirm(
    progress: Progress,
    *,
    acting_user: Any,
    upload: str,
    model: str,
    resource: int,
    format: int,
    file_name: str = "",
) -> dict[str, Any]:
    """Import a sheet an importer previewed and confirmed, when it is too big for a request.

    Reads the upload (only its owner's, `upload` the token the server issued), imports it
    with the resource and format the confirm form chose in the admin of `model`, all or
    nothing, and removes the upload once imported; a refused sheet keeps it, to be fixed and
    confirmed again. Progress counts each row twice, batch by batch: checked, then written.
    """

    from sources.services.uploads import upload_delete, upload_read

    _admin, resource_class, input_format = _sheet_admin(model, resource, format)
    stored = upload_read(token=upload, owner=acting_user)
    dataset = input_format.create_dataset(bytes(stored.data))
    file_name = file_name or stored.file_name
    del stored  # the file's bytes are no longer needed once read
    # Each row is counted twice: once checked, once written (`sources.progress`).
    progress.set_total(2 * len(dataset))
    with listening(lambda _phase, count: progress.advance(count)):
        result = resource_class().import_data(
            dataset,
            dry_run=False,
            file_name=file_name,
            user=acting_user,
            counts_only=True,
        )
    problems = result.problems() if hasattr(result, "problems") else []
    if result.has_errors() or result.has_validation_errors() or problems:
        # The run's error is stored and shown on its page; tasks run in English.
        listed = "; ".join(
            gettext("row %(row)s, %(column)s: %(message)s")
            % {"row": number, "column": column, "message": message}
            for number, column, message in problems[:20]
        )
        if not problems:
            raise SheetRefused(gettext("Nothing was imported: some problem(s)."))
        raise SheetRefused(
            gettext("Nothing was imported: %(count)s problem(s). %(listed)s")
            % {"count": len(problems), "listed": listed}
        )
    upload_delete(token=upload, acting_user=acting_user)
    totals = result.totals
    progress.done = progress.total
    return {
        "rows": len(dataset),
        "new": totals.get("new", 0),
        "update": totals.get("update", 0),
        "skip": totals.get("skip", 0),
    }


class SheetUnreadable(Exception):
    """A sheet previewed as a task cannot be read in the format chosen for it."""


@task_kind(
    "sheet_preview",
    label=_("Check a sheet before its import"),
    permission="elections.import_sheets",
    offered=False,
)
def sheet_preview(
    progress: Progress,
    *,
    acting_user: Any,
    upload: str,
    model: str,
    resource: int,
    format: int,
    file_name: str = "",
) -> dict[str, Any]:
    """Check an uploaded sheet (a dry run) when it is too big to check in a request.

    Reads the upload (only its owner's, `upload` the token the server issued) with the
    resource and format the upload form chose in the admin of `model`, plans every row and
    rolls it all back: the run is all it writes. Returns the counts, and the preview the
    import page shows (`sources.admin.previews.SheetPreview.as_json`: capped rows), which
    the admin's preview page of the run reads (`<model>/import/preview/<run id>/`), with the
    confirm form when the sheet has no problem; else every problem as CSV, kept as the
    owner's upload (`problems_upload`, its token) for the page's download. Progress counts
    the rows planned.
    """
    from django.urls import NoReverseMatch, reverse

    from sources.admin.previews import SheetPreview, errors_csv
    from sources.services.uploads import upload_create, upload_read

    # A model admin with sheet imports (`sources.admin.sheets.SheetAdminMixin`).
    model_admin, resource_class, input_format = _sheet_admin(model, resource, format)
    stored = upload_read(token=upload, owner=acting_user)
    try:
        dataset = input_format.create_dataset(bytes(stored.data))
    except Exception as error:
        # As the import page: whatever the reader raises, the file is not of this format.
        raise SheetUnreadable(
            gettext("The sheet cannot be read in this format: %(error)s") % {"error": error}
        ) from None
    progress.set_total(len(dataset))
    with listening(lambda _phase, count: progress.advance(count)):
        result = resource_class().import_data(
            dataset,
            dry_run=True,
            raise_errors=False,
            file_name=file_name or stored.file_name,
            user=acting_user,
        )
    preview = SheetPreview.of(
        result,
        columns=getattr(resource_class, "columns", ()),
        file_name=file_name or stored.file_name,
    )
    problems = ""
    if preview.has_problems:
        # Every problem as CSV, kept as the owner's upload (it expires with the sheet), so
        # that its download costs the request nothing.
        stem = PurePath(file_name or stored.file_name or "sheet").stem or "sheet"
        problems = upload_create(
            data=errors_csv(result), file_name=f"{stem} problems.csv", acting_user=acting_user
        ).token
    progress.done = progress.total
    opts = model_admin.model._meta
    try:
        page = reverse(
            f"admin:{opts.app_label}_{opts.model_name}_import_preview", args=[progress.run.pk]
        )
    except NoReverseMatch:
        page = ""
    return {
        "rows": preview.total_rows,
        **{name: count for name, count in preview.counts.items() if name != "error"},
        "with problems": preview.counts["error"],
        "preview_page": page,
        "preview": preview.as_json(),
        "problems_upload": problems,
    }


class IntakeRefused(Exception):
    """A batch of reports imported as a task had problems: nothing is written, the run says
    which."""


@task_kind(
    "articles_intake",
    label=_("Import reports"),
    permission="sources.add_article",
    offered=False,
)
def articles_intake(
    progress: Progress,
    *,
    acting_user: Any,
    upload: str,
    fields: dict[str, str],
    address: str = "",
    pasted: str = "",
    pasted_format: str = "",
) -> dict[str, Any]:
    """Import a batch of reports from the admin's intake page that is too big for a request
    (`sources.intake.runs_as_task`): the files packed in the upload `upload` (only its
    owner's), the address and the pasted report, all or nothing. Progress counts the reports
    read (the import's writing follows in one go). A refused batch keeps its upload until it
    expires; an imported one removes it."""
    from sources.importing import ImportFailed
    from sources.intake import intake_import, unpack
    from sources.services.uploads import upload_delete, upload_read

    files = unpack(bytes(upload_read(token=upload, owner=acting_user).data))

    def read(done: int, total: int) -> None:
        if progress.total != total:
            progress.set_total(total)
        progress.advance(done - progress.done)

    try:
        result = intake_import(
            acting_user=acting_user,
            fields=fields,
            files=files,
            address=address,
            pasted=pasted,
            pasted_format=pasted_format,
            progress=read,
        )
    except ImportFailed as failed:
        # The run's error is stored and shown on its page; tasks run in English.
        raise IntakeRefused(
            gettext("Nothing was imported: %(count)s problem(s). %(listed)s")
            % {"count": len(failed.problems), "listed": "; ".join(map(str, failed.problems))}
        ) from failed
    upload_delete(token=upload, acting_user=acting_user)
    return {
        "reports": len(files) + bool(address) + bool((pasted or "").strip()),
        "created": len(result.created),
        "changed": len(result.changed),
        "unchanged": len(result.unchanged),
    }
