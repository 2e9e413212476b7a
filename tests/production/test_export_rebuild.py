"""The open-data exports built again after a public change, on PostgreSQL as production runs
it: the change commits, its on-commit hook queues one build in the database queue (a burst of
changes still one), a `db_worker` runs it, and the download is the new build, as a file."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings

from elections.cache import public_generation
from elections.models import ExportFile, Property
from sources.models import TaskRun
from sources.tasks import run_here
from tests.factories import make_article, make_candidate, make_claim
from tests.production.test_tasks import QUOTE, TASKS_IN_THE_DATABASE, TEXT, WAIT, database_url

pytestmark = [pytest.mark.production, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent.parent
ORIGIN = "http://testserver"


@override_settings(TASKS=TASKS_IN_THE_DATABASE, SOURCEBOOK_EXPORTS_REBUILD_DELAY=0)
def test_a_public_change_has_the_exports_built_again_by_a_worker(
    client, editor, reviewer, tmp_path, settings
):
    from django_tasks_db.models import DBTaskResult

    from elections.services import candidate_publish, candidate_withdraw, claim_verify

    settings.SOURCEBOOK_EXPORTS_DIR = str(tmp_path)
    people = []
    article = make_article(TEXT, outlet="Harbour Evening News", published="2011-06-02")
    for name in ("Liu Bo", "Chen Li"):
        candidate = make_candidate(name)
        claim = make_claim(candidate, Property.OCCUPATION, "lawyer", article, QUOTE, by=editor)
        claim_verify(claim=claim, acting_user=reviewer)
        candidate_publish(candidate=candidate, acting_user=reviewer)
        people.append(candidate)
    assert not TaskRun.objects.filter(kind="exports_build").exists()  # nothing built yet
    built = run_here("exports_build", owner=reviewer, arguments={"origin": ORIGIN})
    assert built.state == TaskRun.State.SUCCEEDED, built.error

    # Two changes, each committed on its own: one build queued, in the database's queue.
    candidate_withdraw(candidate=people[0], acting_user=reviewer)
    candidate_withdraw(candidate=people[1], acting_user=reviewer)

    (queued,) = TaskRun.objects.filter(kind="exports_build", state=TaskRun.State.QUEUED)
    assert queued.arguments == {"origin": ORIGIN} and queued.owner.username == "system"
    assert DBTaskResult.objects.count() == 1
    stale = client.get("/export/popolo.json")
    assert "X-Export-Built" not in stale and b"Liu Bo" not in stale.content
    assert TaskRun.objects.filter(kind="exports_build", state="queued").count() == 1

    worker = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "manage.py"),
            "db_worker",
            "--batch",
            "--no-startup-delay",
            "--no-reload",
        ],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": database_url(),
            "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    _, err = worker.communicate(timeout=WAIT * 5)
    assert worker.returncode == 0, err[-3000:]

    queued.refresh_from_db()
    assert queued.state == TaskRun.State.SUCCEEDED, queued.error
    generation = public_generation()
    assert set(
        ExportFile.objects.filter(origin=ORIGIN, generation=generation).values_list(
            "name", flat=True
        )
    ) == {"popolo.json", "claims.csv"}
    served = client.get("/export/popolo.json")
    body = b"".join(served.streaming_content)
    assert "X-Export-Built" in served and served["Content-Length"] == str(len(body))
    assert b"Liu Bo" not in body and b"Chen Li" not in body
    # The build itself changed nothing public: nothing more is queued.
    assert not TaskRun.objects.filter(kind="exports_build", state="queued").exists()
