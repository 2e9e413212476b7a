"""Long tasks on PostgreSQL, outside any test transaction, as production runs them.

- While a run's work is in its one open transaction, its progress is visible to every other
  connection (the admin's progress bar) and its work is not; the owner's cancel request,
  committed from elsewhere, stops it at its next chunk, and nothing of it is kept.
- A run killed with SIGKILL midway (a worker lost) keeps nothing, is ended as lost once its
  heartbeat has been silent long enough, and run again, completes.
- With the database backend, a run queued from a request waits in the database until a
  `db_worker` process runs it; one cancelled first is never run.

Progress goes on a connection of its own while the work's transaction is open (see
`sources.tasks`); `sources_taskrun` carries no public-cache trigger (`elections.cache`,
NEVER_PUBLIC), so a progress write waits for no lock the work holds.
"""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection, connections
from django.test import override_settings

from elections.models import Contradiction, Property
from sources.audit import system_user
from sources.models import AnchorStatus, Article, Passage, TaskRun
from sources.services import outlet_for_name
from sources.services.tasks import task_cancel_request, task_runs_end_lost
from sources.tasks import run_here, start
from tests.factories import make_article, make_candidate, make_claim

pytestmark = [pytest.mark.production, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent.parent
TEXT = (
    "Liu Bo, 38, a lawyer in Shenzhen, said on Friday that he had collected enough signatures "
    "to stand for the district people's congress. Voting in the district is due in November."
)
QUOTE = "a lawyer in Shenzhen"
WAIT = 60


def age_conflicts(count, editor):
    for number in range(count):
        candidate = make_candidate(f"Candidate {number}")
        for outlet, age in (("A", "27"), ("B", "35")):
            article = make_article(f"Candidate {number}, {age}.", outlet=outlet, published="2011")
            make_claim(candidate, Property.AGE, age, article, by=editor)
    Contradiction.objects.all().delete()


def orphans(count):
    """`count` articles with a passage each, orphaned, that re-anchoring finds again."""
    outlet = outlet_for_name(name="Harbour Evening News", acting_user=system_user())
    articles = Article.objects.bulk_create(
        Article(outlet=outlet, title=f"Lawyer {number}", text=TEXT) for number in range(count)
    )
    at = TEXT.index(QUOTE)
    Passage.objects.bulk_create(
        Passage(
            article=article,
            start=0,
            end=5,
            exact=QUOTE,
            prefix=TEXT[at - 32 : at],
            suffix=TEXT[at + len(QUOTE) : at + len(QUOTE) + 32],
            anchor_status=AnchorStatus.ORPHANED,
        )
        for article in articles
    )


def database_url():
    settings = connection.settings_dict
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    server = f"{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}"
    return f"postgres://{settings['USER']}{password}@{server}/{settings['NAME']}"


def manage(*arguments, **environment):
    """`manage.py` in a child process, on this test's database."""
    return subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), *arguments],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": database_url(),
            **environment,
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@override_settings(SOURCEBOOK_TASK_HEARTBEAT=1)
def test_progress_shows_while_the_work_is_open_and_a_cancel_request_stops_it(editor, reviewer):
    age_conflicts(3, editor)
    paused, resume, outcome = threading.Event(), threading.Event(), {}

    def pause_in_the_second_chunk(done, total):
        if done == 2:
            paused.set()
            assert resume.wait(WAIT)

    def work():
        try:
            outcome["run"] = run_here(
                "contradictions_redetect_all",
                owner=reviewer,
                arguments={"chunk_size": 1},
                observer=pause_in_the_second_chunk,
            )
        finally:
            connections.close_all()

    worker = threading.Thread(target=work)
    worker.start()
    try:
        assert paused.wait(WAIT), "the run never reached its second chunk"
        run = TaskRun.objects.get()
        # Read on this test's own connection: the first chunk's progress, not its work.
        assert (run.state, run.done, run.total) == (TaskRun.State.RUNNING, 1, 3)
        assert not Contradiction.objects.exists()
        # The work is held in its chunk, reporting nothing; its worker still beats, every
        # second here, so the run is not taken for lost however long a chunk takes.
        first_beat = run.heartbeat_at
        assert first_beat is not None
        deadline = time.monotonic() + WAIT
        while TaskRun.objects.get().heartbeat_at == first_beat:
            assert time.monotonic() < deadline, "the worker stopped beating"
            time.sleep(0.2)
        with override_settings(SOURCEBOOK_TASK_LOST_AFTER=30):
            assert task_runs_end_lost(acting_user=reviewer) == 0

        asked = task_cancel_request(run=run, acting_user=reviewer)
        assert asked.cancel_requested and asked.state == TaskRun.State.RUNNING
    finally:
        resume.set()
        worker.join(WAIT)

    run = outcome["run"]
    assert (run.state, run.done, run.total) == (TaskRun.State.CANCELLED, 2, 3)
    assert not Contradiction.objects.exists()

    again = run_here("contradictions_redetect_all", owner=reviewer)
    assert again.state == TaskRun.State.SUCCEEDED
    assert Contradiction.objects.filter(status=Contradiction.Status.OPEN).count() == 3


def test_a_run_killed_midway_keeps_nothing_and_completes_when_run_again():
    orphans(1500)
    child = manage("reanchor", "--chunk-size", "1", "--no-progress")
    deadline = time.monotonic() + WAIT * 5
    try:
        while True:
            assert time.monotonic() < deadline, "the run never got going"
            assert child.poll() is None, "the run ended before it could be killed"
            run = TaskRun.objects.filter(state=TaskRun.State.RUNNING).first()
            if run is not None and 10 <= run.done < run.total:
                break
            time.sleep(0.01)
        child.send_signal(signal.SIGKILL)
        child.wait(WAIT)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(WAIT)

    # Nothing it did is kept; its run is left running, with the progress it last reported.
    assert not Passage.objects.exclude(anchor_status=AnchorStatus.ORPHANED).exists()
    assert not Passage.history.filter(history_change_reason="passage re-anchored").exists()
    killed = TaskRun.objects.get()
    assert killed.state == TaskRun.State.RUNNING and 10 <= killed.done < 1500
    # Its worker beat while it was alive; once silent past SOURCEBOOK_TASK_LOST_AFTER, the
    # run is ended as lost wherever staff look at the runs (here, the next worker's start).
    assert killed.heartbeat_at is not None and killed.worker.endswith(f":{child.pid}")
    with override_settings(SOURCEBOOK_TASK_LOST_AFTER=0):
        assert task_runs_end_lost(acting_user=system_user()) == 1
    killed.refresh_from_db()
    assert killed.state == TaskRun.State.FAILED and killed.finished_at is not None
    assert "stopped without a word" in killed.error and "start it again" in killed.error

    again = manage("reanchor", "--no-progress")
    out, err = again.communicate(timeout=WAIT * 5)
    assert again.returncode == 0, err[-3000:]
    assert "1500 relocated; 1500 article(s) changed" in out
    assert Passage.objects.filter(anchor_status=AnchorStatus.RELOCATED).count() == 1500


TASKS_IN_THE_DATABASE = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
}


@override_settings(TASKS=TASKS_IN_THE_DATABASE)
def test_a_queued_run_waits_for_a_database_worker(editor, reviewer):
    from django_tasks_db.models import DBTaskResult

    age_conflicts(2, editor)
    run = start("contradictions_redetect_all", owner=reviewer)
    cancelled = start("passages_reanchor_all", owner=reviewer)
    task_cancel_request(run=cancelled, acting_user=reviewer)

    assert run.state == TaskRun.State.QUEUED
    assert DBTaskResult.objects.count() == 2
    assert not Contradiction.objects.exists()

    worker = manage(
        "db_worker",
        "--batch",
        "--no-startup-delay",
        "--no-reload",
        TASKS_BACKEND="django_tasks_db.DatabaseBackend",
    )
    _, err = worker.communicate(timeout=WAIT * 5)
    assert worker.returncode == 0, err[-3000:]

    run.refresh_from_db()
    assert run.state == TaskRun.State.SUCCEEDED
    assert run.result["opened"] == 2
    assert DBTaskResult.objects.get(id=run.task_id).status == "SUCCESSFUL"
    assert Contradiction.objects.count() == 2
    cancelled.refresh_from_db()
    assert cancelled.state == TaskRun.State.CANCELLED and cancelled.started_at is None


def test_built_exports_are_served_until_a_public_change_commits(client, editor, reviewer):
    from elections.services import candidate_publish, candidate_withdraw, claim_verify

    candidate = make_candidate("Liu Bo")
    article = make_article(TEXT, outlet="Harbour Evening News", published="2011-06-02")
    claim = make_claim(candidate, Property.OCCUPATION, "lawyer", article, QUOTE, by=editor)
    claim_verify(claim=claim, acting_user=reviewer)
    candidate_publish(candidate=candidate, acting_user=reviewer)
    live = b"".join(client.get("/export/claims.csv").streaming_content)
    assert b"lawyer" in live

    run = run_here("exports_build", owner=reviewer, arguments={"origin": "http://testserver"})

    assert run.state == TaskRun.State.SUCCEEDED, run.error
    served = client.get("/export/claims.csv")
    assert "X-Export-Built" in served
    assert b"".join(served.streaming_content) == live
    # Committed from this test's connection, as any editor's change: the file is stale.
    candidate_withdraw(candidate=candidate, acting_user=reviewer)
    after = client.get("/export/claims.csv")
    assert "X-Export-Built" not in after
    assert b"lawyer" not in b"".join(after.streaming_content)
