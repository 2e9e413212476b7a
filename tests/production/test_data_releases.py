"""Data releases on PostgreSQL as production makes them: the task queued in the database is
run by a `db_worker`, outside any test transaction; the release is then read back from
/data/, its files' hashes as its datapackage.json lists them; `--if-changed` makes none more
while the public record is unchanged, and making a release leaves the public pages' cache
generation alone."""

import hashlib
import json

import pytest
from django.core.management import call_command
from django.test import override_settings

from elections.cache import public_generation
from elections.models import DataRelease, Property
from sources.models import TaskRun
from sources.tasks import start
from tests.factories import make_article, make_candidate, make_claim
from tests.production.test_tasks import QUOTE, TASKS_IN_THE_DATABASE, TEXT, WAIT, manage

pytestmark = [pytest.mark.production, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ORIGIN = "http://testserver"


@override_settings(TASKS=TASKS_IN_THE_DATABASE)
def test_a_release_made_by_a_worker_is_read_back_whole(client, editor, reviewer):
    from elections.services import candidate_publish, claim_verify

    candidate = make_candidate("Liu Bo")
    article = make_article(TEXT, outlet="Harbour Evening News", published="2011-06-02")
    claim = make_claim(candidate, Property.OCCUPATION, "lawyer", article, QUOTE, by=editor)
    claim_verify(claim=claim, acting_user=reviewer)
    candidate_publish(candidate=candidate, acting_user=reviewer)
    generation = public_generation()

    run = start("data_release", owner=reviewer, arguments={"origin": ORIGIN})
    assert run.state == TaskRun.State.QUEUED
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
    assert run.state == TaskRun.State.SUCCEEDED, run.error
    made = DataRelease.objects.get()
    assert run.result["version"] == made.version and made.generation == generation
    assert public_generation() == generation  # a release changes no public page
    latest = client.get("/data/latest/datapackage.json")
    assert latest.status_code == 302
    package = json.loads(b"".join(client.get(latest["Location"]).streaming_content))
    assert package["version"] == made.version
    for resource in package["resources"]:
        data = b"".join(client.get(f"/data/{made.version}/{resource['path']}").streaming_content)
        assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
        assert resource["bytes"] == len(data)
    claims = b"".join(client.get(f"/data/{made.version}/claims.csv").streaming_content)
    assert b"lawyer" in claims and b"liu-bo" in claims

    call_command("release_data", origin=ORIGIN, if_changed=True, verbosity=0)
    assert DataRelease.objects.count() == 1
