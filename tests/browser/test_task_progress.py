"""In Chromium: a long task's page keeps its progress bar up to date while the task runs, then
shows its outcome; its owner starts tasks from the list and cancels one that waits.

The run's progress is written straight into the database here, as a worker on another
server would write it; the page only reads it through its JSON progress endpoint.
"""

import pytest
from django.utils import timezone

from sources.models import TaskRun
from tests.browser.conftest import log_in, staff_with

pytestmark = pytest.mark.browser

PASSWORD = "task-browser-password-81e"


@pytest.fixture
def owner(transactional_db):
    return staff_with("task-owner", PASSWORD, ["view_taskrun", "run_task"], apps=("sources",))


def bar_reads(page, done, total):
    page.wait_for_function(
        "([done, total]) => { const bar = document.querySelector('.sb-task-progress progress');"
        " return bar && bar.max === total && bar.value === done; }",
        arg=[done, total],
    )


def test_the_progress_bar_follows_a_running_task_then_shows_its_outcome(
    page, owner, console_errors
):
    run = TaskRun.objects.create(
        kind="passages_reanchor_all",
        label="Re-anchor every passage",
        owner=owner,
        state=TaskRun.State.RUNNING,
        started_at=timezone.now(),
    )
    log_in(page, owner, PASSWORD)
    page.goto(f"/admin/sources/taskrun/{run.pk}/change/")
    progress = page.locator(".sb-task-progress")
    assert progress.locator("progress").get_attribute("value") is None

    TaskRun.objects.filter(pk=run.pk).update(total=10, done=4)
    bar_reads(page, 4, 10)
    assert progress.locator(".sb-task-count").inner_text() == "4 / 10"

    TaskRun.objects.filter(pk=run.pk).update(done=9)
    bar_reads(page, 9, 10)

    TaskRun.objects.filter(pk=run.pk).update(
        done=10,
        state=TaskRun.State.SUCCEEDED,
        finished_at=timezone.now(),
        result={"statuses": {"exact": 10}, "articles_written": 0},
    )
    page.locator('.sb-task-progress[data-poll="false"]').wait_for()
    bar_reads(page, 10, 10)
    assert "statuses exact: 10" in page.locator(".sb-task-outcome").inner_text()
    assert "succeeded" in page.locator(".sb-task-state").inner_text()
    assert console_errors == []


def test_the_owner_starts_a_task_and_cancels_one_that_waits(page, owner, console_errors):
    log_in(page, owner, PASSWORD)
    page.goto("/admin/sources/taskrun/")
    page.get_by_role("button", name="Re-anchor every passage").click()
    page.wait_for_url(f"**/admin/sources/taskrun/{TaskRun.objects.get().pk}/change/")
    assert "succeeded" in page.locator(".sb-task-state").inner_text()
    assert page.get_by_role("button", name="Cancel this task").count() == 0

    waiting = TaskRun.objects.create(kind="passages_reanchor_all", label="Waiting", owner=owner)
    page.goto(f"/admin/sources/taskrun/{waiting.pk}/change/")
    page.get_by_role("button", name="Cancel this task").click()
    page.wait_for_load_state()

    assert "cancelled before it started" in page.locator("ul.messagelist").inner_text()
    waiting.refresh_from_db()
    assert waiting.state == TaskRun.State.CANCELLED
    assert "cancelled" in page.locator(".sb-task-state").inner_text()
    assert console_errors == []
