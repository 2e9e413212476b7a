"""Long work as tasks: runs started, their progress, a death midway, a cancel, the admin pages
and the `reanchor` command with its progress bar.

Under the embedded default (these tests) a task runs at once in the process that starts it.
"""

import io
import json
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sources import tasks
from sources.audit import system_user
from sources.models import AnchorStatus, Outlet, Passage, TaskRun
from sources.services import (
    article_create,
    outlet_create,
    outlet_for_name,
    passage_create_from_quote,
)
from sources.services.tasks import task_cancel_request, task_queue, task_runs_end_lost
from sources.tasks import Progress, execute, run_here, start, task_kind
from tests.factories import make_user

pytestmark = pytest.mark.django_db

TEXT = (
    "Liu Bo, 38, a lawyer in Shenzhen, said on Friday that he had collected enough signatures "
    "to stand for the district people's congress. Voting in the district is due in November."
)


@pytest.fixture
def reviewer():
    return make_user("Reviewers")


@pytest.fixture
def editor():
    return make_user("Editors")


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self):
        return True


@pytest.fixture
def outlets_kind(monkeypatch):
    """A kind of work made for these tests: one outlet per unit, a unit per chunk; the
    arguments say where it fails on its own."""
    kinds = dict(tasks.kinds())
    monkeypatch.setattr(tasks, "_KINDS", kinds)

    @task_kind("test_outlets", label="Add test outlets")
    def add_outlets(progress: Progress, *, acting_user, count: int, fail_at: int = 0):
        progress.set_total(count)
        for number in range(1, count + 1):
            if number == fail_at:
                raise ValueError(f"outlet {number} <b>refused</b>")
            outlet_create(name=f"Task outlet {number}", acting_user=acting_user)
            progress.advance()
        return {"outlets": count}

    return "test_outlets"


def orphaned_passages(count):
    """`count` articles, each with a passage marked orphaned that today's rules find again
    by its context."""
    outlet = outlet_for_name(name="Harbour Evening News", acting_user=system_user())
    passages = []
    for number in range(count):
        article = article_create(
            outlet=outlet, title=f"Lawyer {number}", text=TEXT, acting_user=system_user()
        )
        passage = passage_create_from_quote(
            article=article, exact="a lawyer in Shenzhen", acting_user=system_user()
        )
        passages.append(passage)
    Passage.objects.filter(pk__in=[p.pk for p in passages]).update(
        anchor_status=AnchorStatus.ORPHANED, start=0, end=5
    )
    return passages


def anchoring():
    return list(Passage.objects.order_by("pk").values_list("pk", "anchor_status", "start", "end"))


# Runs, as the services see them.


def test_a_started_task_runs_at_once_under_the_embedded_default(reviewer, outlets_kind):
    run = start(outlets_kind, owner=reviewer, arguments={"count": 3})

    assert run.state == TaskRun.State.SUCCEEDED
    assert (run.done, run.total, run.percent) == (3, 3, 100)
    assert run.result == {"outlets": 3}
    assert run.owner == reviewer
    assert run.task_id
    assert run.started_at is not None and run.finished_at is not None
    assert Outlet.objects.filter(name__startswith="Task outlet").count() == 3


def test_starting_a_task_needs_its_permission(editor, outlets_kind):
    with pytest.raises(PermissionDenied, match="start this task"):
        start(outlets_kind, owner=editor, arguments={"count": 1})
    assert not TaskRun.objects.exists()


def test_an_unknown_task_is_refused(reviewer):
    with pytest.raises(LookupError, match="No task"):
        start("make_coffee", owner=reviewer)


def test_a_failing_task_keeps_nothing_and_says_why(reviewer, outlets_kind):
    run = start(outlets_kind, owner=reviewer, arguments={"count": 3, "fail_at": 3})

    assert run.state == TaskRun.State.FAILED
    assert run.error.startswith("ValueError: outlet 3 <b>refused</b>\n")
    assert "Traceback" in run.error
    assert (run.done, run.total) == (2, 3)
    assert not Outlet.objects.filter(name__startswith="Task outlet").exists()


def test_a_task_that_dies_midway_leaves_the_database_as_before_and_runs_again(reviewer):
    passages = orphaned_passages(3)
    before = anchoring()
    seen = []

    def die_after_the_first_chunk(done, total):
        seen.append(done)
        if done >= 1:
            raise RuntimeError("killed")

    died = run_here(
        "passages_reanchor_all",
        owner=reviewer,
        arguments={"chunk_size": 1},
        observer=die_after_the_first_chunk,
    )

    assert died.state == TaskRun.State.FAILED
    assert "RuntimeError: killed" in died.error
    assert seen == [0, 1]
    assert anchoring() == before
    assert not Passage.history.filter(history_change_reason="passage re-anchored").exists()

    again = run_here("passages_reanchor_all", owner=reviewer, arguments={"chunk_size": 1})

    assert again.state == TaskRun.State.SUCCEEDED
    assert again.result == {"statuses": {"relocated": 3}, "articles_written": 3}
    for passage in passages:
        passage.refresh_from_db()
        assert passage.anchor_status == AnchorStatus.RELOCATED
        assert TEXT[passage.start : passage.end] == "a lawyer in Shenzhen"


def test_reanchoring_twice_changes_nothing_the_second_time(reviewer):
    orphaned_passages(2)
    start("passages_reanchor_all", owner=reviewer)
    after_first = anchoring()
    history = Passage.history.count()

    second = start("passages_reanchor_all", owner=reviewer)

    assert second.result == {"statuses": {"exact": 2}, "articles_written": 0}
    assert anchoring() == after_first
    assert Passage.history.count() == history


def test_the_owner_cancels_a_running_task_and_nothing_is_kept(reviewer, outlets_kind):
    runs = []

    def cancel_after_the_first(done, total):
        if done == 1:
            run = TaskRun.objects.get()
            runs.append(task_cancel_request(run=run, acting_user=reviewer))

    run = run_here(
        outlets_kind, owner=reviewer, arguments={"count": 4}, observer=cancel_after_the_first
    )

    assert runs[0].cancel_requested
    assert run.state == TaskRun.State.CANCELLED
    assert run.cancel_requested
    assert (run.done, run.total) == (1, 4)
    assert not Outlet.objects.filter(name__startswith="Task outlet").exists()


def test_a_queued_task_cancelled_never_runs(reviewer, outlets_kind):
    run = task_queue(
        kind=outlets_kind,
        label="Add test outlets",
        arguments={"count": 2},
        permission="sources.run_task",
        acting_user=reviewer,
    )

    cancelled = task_cancel_request(run=run, acting_user=reviewer)
    ran = execute(run.pk)

    assert cancelled.state == ran.state == TaskRun.State.CANCELLED
    assert ran.started_at is None
    assert not Outlet.objects.filter(name__startswith="Task outlet").exists()
    with pytest.raises(ValidationError, match="already ended"):
        task_cancel_request(run=run, acting_user=reviewer)


def test_only_the_owner_or_a_superuser_cancels_a_task(reviewer, outlets_kind):
    run = task_queue(
        kind=outlets_kind,
        label="Add test outlets",
        arguments={"count": 2},
        permission="sources.run_task",
        acting_user=reviewer,
    )
    with pytest.raises(PermissionDenied):
        task_cancel_request(run=run, acting_user=make_user("Reviewers"))

    assert task_cancel_request(run=run, acting_user=system_user()).state == "cancelled"


def test_a_task_of_an_account_since_deactivated_does_not_run(reviewer, outlets_kind):
    run = task_queue(
        kind=outlets_kind,
        label="Add test outlets",
        arguments={"count": 2},
        permission="sources.run_task",
        acting_user=reviewer,
    )
    reviewer.is_active = False
    reviewer.save()

    ran = execute(run.pk)

    assert ran.state == TaskRun.State.FAILED
    assert "no longer active" in ran.error
    assert not Outlet.objects.filter(name__startswith="Task outlet").exists()


# The admin.


def test_the_list_offers_the_tasks_a_user_may_start(client, reviewer, editor):
    client.force_login(reviewer)
    page = client.get(reverse("admin:sources_taskrun_changelist")).content.decode()
    assert reverse("admin:sources_taskrun_start", args=["passages_reanchor_all"]) in page
    assert reverse("admin:sources_taskrun_start", args=["contradictions_redetect_all"]) in page

    client.force_login(editor)
    response = client.get(reverse("admin:sources_taskrun_changelist"))
    assert response.status_code == 200
    assert "/start/" not in response.content.decode()


def test_a_task_started_in_the_admin_shows_its_outcome(client, reviewer):
    orphaned_passages(2)
    client.force_login(reviewer)

    response = client.post(
        reverse("admin:sources_taskrun_start", args=["passages_reanchor_all"]), follow=True
    )

    run = TaskRun.objects.get()
    assert response.redirect_chain[-1][0] == reverse("admin:sources_taskrun_change", args=[run.pk])
    page = response.content.decode()
    assert run.state == TaskRun.State.SUCCEEDED
    assert '<progress max="2" value="2">100%</progress>' in page
    assert "articles_written: 2" in page
    assert 'data-poll="false"' in page


def test_starting_in_the_admin_needs_the_permission(client, editor):
    client.force_login(editor)
    response = client.post(reverse("admin:sources_taskrun_start", args=["passages_reanchor_all"]))
    assert response.status_code == 403
    assert not TaskRun.objects.exists()
    assert client.get(reverse("admin:sources_taskrun_start", args=["x"])).status_code == 405


def test_the_progress_endpoint_answers_json_in_few_queries(
    client, reviewer, editor, django_assert_max_num_queries
):
    run = TaskRun.objects.create(
        kind="passages_reanchor_all", label="Re-anchor", owner=reviewer, state="running"
    )
    TaskRun.objects.filter(pk=run.pk).update(done=5, total=20)
    client.force_login(editor)
    url = reverse("admin:sources_taskrun_progress", args=[run.pk])

    # The session, the user, their permissions (two), whether a run was lost (one look,
    # `task_runs_lost_exist`) and the run: whatever the data.
    with django_assert_max_num_queries(6):
        response = client.get(url)

    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    assert json.loads(response.content) == {
        "id": run.pk,
        "state": "running",
        "state_label": "running",
        "done": 5,
        "total": 20,
        "percent": 25,
        "cancel_requested": False,
        "active": True,
    }
    missing = reverse("admin:sources_taskrun_progress", args=[run.pk + 1])
    assert client.get(missing).status_code == 404


def test_the_progress_endpoint_is_for_staff_who_may_see_tasks(client, reviewer):
    run = TaskRun.objects.create(kind="k", owner=reviewer)
    url = reverse("admin:sources_taskrun_progress", args=[run.pk])
    assert client.get(url).status_code == 302
    client.force_login(make_user())
    assert client.get(url).status_code == 403


def test_the_owner_cancels_from_the_run_page(client, reviewer):
    run = TaskRun.objects.create(kind="k", label="Re-anchor", owner=reviewer, state="running")
    page_url = reverse("admin:sources_taskrun_change", args=[run.pk])
    cancel_url = reverse("admin:sources_taskrun_cancel", args=[run.pk])
    other = make_user("Reviewers")
    client.force_login(other)
    assert cancel_url not in client.get(page_url).content.decode()
    assert client.post(cancel_url).status_code == 403

    client.force_login(reviewer)
    assert cancel_url in client.get(page_url).content.decode()
    assert client.get(cancel_url).status_code == 405
    response = client.post(cancel_url, follow=True)

    run.refresh_from_db()
    assert run.cancel_requested and run.state == TaskRun.State.RUNNING
    assert "stops after its current step" in response.content.decode()


def test_a_run_page_escapes_its_error_and_label(client, reviewer):
    run = TaskRun.objects.create(
        kind="k",
        label="<img src=x onerror=alert(1)>",
        owner=reviewer,
        state="failed",
        error="ValueError: <script>alert(1)</script>\n\nTraceback <b>here</b>",
        result={"<i>": "<u>"},
    )
    client.force_login(reviewer)
    page = client.get(reverse("admin:sources_taskrun_change", args=[run.pk])).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img src=x" not in page
    assert "<b>here</b>" not in page and "<i>" not in page and "<u>" not in page


def test_a_run_whose_worker_went_silent_is_ended_as_lost_when_staff_look(
    client, reviewer, settings
):
    settings.SOURCEBOOK_TASK_LOST_AFTER = 300
    now = timezone.now()
    states = {}
    for name, beat in (
        ("silent", now - timedelta(seconds=301)),
        ("beating", now - timedelta(seconds=10)),
        # Run in the process that waits for it (the embedded default): it never beats, and
        # is never taken for lost.
        ("in process", None),
    ):
        run = TaskRun.objects.create(
            kind="passages_reanchor_all", label=name, owner=reviewer, state="running"
        )
        TaskRun.objects.filter(pk=run.pk).update(heartbeat_at=beat)
        states[name] = run
    client.force_login(reviewer)

    page = client.get(reverse("admin:sources_taskrun_changelist"))

    assert page.status_code == 200
    silent = TaskRun.objects.get(pk=states["silent"].pk)
    assert silent.state == TaskRun.State.FAILED and silent.finished_at is not None
    assert "stopped without a word" in silent.error and "start it again" in silent.error
    others = TaskRun.objects.exclude(pk=silent.pk)
    assert set(others.values_list("state", flat=True)) == {TaskRun.State.RUNNING}
    # Its page says so, and there is nothing left to cancel.
    shown = client.get(reverse("admin:sources_taskrun_change", args=[silent.pk]))
    assert "stopped without a word" in shown.content.decode()
    assert reverse("admin:sources_taskrun_cancel", args=[silent.pk]) not in shown.content.decode()


def test_ending_lost_runs_is_for_staff():
    outsider = make_user()
    outsider.is_staff = False
    with pytest.raises(PermissionDenied):
        task_runs_end_lost(acting_user=outsider)
    assert task_runs_end_lost(acting_user=system_user()) == 0


def test_runs_are_not_added_changed_or_deleted_in_the_admin(client, reviewer):
    run = TaskRun.objects.create(kind="k", owner=reviewer)
    client.force_login(make_user(superuser=True))
    assert client.get(reverse("admin:sources_taskrun_add")).status_code == 403
    assert client.post(reverse("admin:sources_taskrun_change", args=[run.pk])).status_code == 403
    assert client.get(reverse("admin:sources_taskrun_delete", args=[run.pk])).status_code == 403


# The command.


def test_reanchor_in_a_pipe_prints_its_summary_and_no_bar():
    orphaned_passages(2)
    out, err = io.StringIO(), io.StringIO()

    call_command("reanchor", stdout=out, stderr=err)

    assert out.getvalue().startswith("Re-anchored 2 passage(s): 2 relocated; 2 article(s) changed")
    assert err.getvalue() == ""
    assert TaskRun.objects.get().owner.username == "system"


def test_reanchor_on_a_terminal_draws_a_progress_bar():
    orphaned_passages(3)
    out, terminal = io.StringIO(), Terminal()

    call_command("reanchor", "--chunk-size", "1", stdout=out, stderr=terminal)

    drawn = terminal.getvalue()
    assert "Re-anchoring" in drawn
    assert "3/3" in drawn
    assert "\r" in drawn

    quiet = Terminal()
    call_command("reanchor", "--no-progress", stdout=out, stderr=quiet)
    assert quiet.getvalue() == ""


def test_reanchor_as_a_person_without_the_permission_fails(editor):
    with pytest.raises(PermissionDenied):
        call_command("reanchor", "--as", editor.username, stdout=io.StringIO())
    with pytest.raises(CommandError, match="at least 1"):
        call_command("reanchor", "--chunk-size", "0")


def test_a_progress_report_that_would_wait_for_a_lock_is_skipped(monkeypatch, reviewer):
    run = TaskRun.objects.create(kind="k", owner=reviewer, state=TaskRun.State.RUNNING)
    written = []

    def progress(*, run, done, total, alias):
        if done == 1:
            raise OperationalError("canceling statement due to lock timeout")
        written.append((done, total, alias))

    monkeypatch.setattr(tasks, "task_progress", progress)
    monkeypatch.setattr(tasks, "task_cancel_requested", lambda run, alias: False)
    report = Progress(run, alias="progress connection")

    report.set_total(3)
    for _ in range(3):
        report.advance()

    assert [done for done, _, _ in written] == [0, 2, 3]
    assert {alias for _, _, alias in written} == {"progress connection"}

    on_the_work_connection = Progress(run, alias="default")
    with pytest.raises(OperationalError):
        on_the_work_connection.advance()


def test_work_that_needs_arguments_is_not_offered_in_the_list(client, monkeypatch):
    monkeypatch.setattr(tasks, "_KINDS", dict(tasks.kinds()))

    @task_kind("test_sheet", label="Import a test sheet", offered=False)
    def import_sheet(progress: Progress, *, acting_user, upload: str):
        return {}

    client.force_login(make_user(superuser=True))
    page = client.get(reverse("admin:sources_taskrun_changelist")).content.decode()
    assert "Import a test sheet" not in page
    assert "Re-anchor every passage" in page
    start_url = reverse("admin:sources_taskrun_start", args=["test_sheet"])
    assert client.post(start_url).status_code == 404
    assert client.post(reverse("admin:sources_taskrun_start", args=["nothing"])).status_code == 404
    assert not TaskRun.objects.exists()


def test_the_list_of_runs_costs_the_same_queries_for_3_runs_or_30(client, reviewer):
    client.force_login(reviewer)
    url = reverse("admin:sources_taskrun_changelist")

    def queries(runs):
        TaskRun.objects.bulk_create(
            TaskRun(kind="k", label=f"Run {n}", owner=make_user(), state="running")
            for n in range(runs)
        )
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        TaskRun.objects.all().delete()
        return len(context)

    assert queries(3) == queries(30)
