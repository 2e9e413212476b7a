"""The open-data exports built ahead of time as a task (`exports_build`): kept in parts,
served while the public record is as it was built and only to the origin they were built
for, streamed live again after any public change; the admin's button and the command."""

import hashlib
import io
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.urls import reverse

from elections import tasks as election_tasks
from elections.models import ExportFile, ExportPart
from elections.services import candidate_withdraw
from elections.services import exports as export_services
from sources.models import TaskRun
from sources.tasks import run_here
from tests.factories import make_user
from tests.newsroom import fixtures

pytestmark = pytest.mark.django_db

_newsroom, newsroom = fixtures("public site")

URLS = {"claims.csv": "/export/claims.csv", "popolo.json": "/export/popolo.json"}
ORIGIN = "http://testserver"  # what the test client's requests are


def fetch(client, url):
    response = client.get(url)
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def build(owner, origin=ORIGIN):
    run = run_here("exports_build", owner=owner, arguments={"origin": origin})
    assert run.state == TaskRun.State.SUCCEEDED, run.error
    return run


def test_a_built_export_is_the_live_export_served_until_the_record_changes(client, newsroom):
    live = {name: fetch(client, url)[1] for name, url in URLS.items()}

    run = build(newsroom.reviewer)

    assert run.result["origin"] == ORIGIN and run.result["attempts"] == 1
    assert run.done == run.total > 0
    for name, url in URLS.items():
        response, body = fetch(client, url)
        assert body == live[name]
        assert "X-Export-Built" in response
        assert response["Content-Length"] == str(len(body))
        assert response["ETag"] == f'"{hashlib.sha256(body).hexdigest()}"'
        assert run.result["files"][name] == {
            "bytes": len(body),
            "sha256": hashlib.sha256(body).hexdigest(),
        }
    csv_response, _ = fetch(client, URLS["claims.csv"])
    assert csv_response["Content-Disposition"] == 'attachment; filename="claims.csv"'
    assert csv_response["Content-Type"] == "text/csv; charset=utf-8"
    assert fetch(client, URLS["popolo.json"])[0]["Content-Type"] == "application/json"

    # A public change: the built files show a record the public no longer has.
    candidate_withdraw(candidate=newsroom.xu, acting_user=newsroom.reviewer)

    for url in URLS.values():
        response, body = fetch(client, url)
        assert "X-Export-Built" not in response
        assert newsroom.xu.slug.encode() not in body


def test_a_built_export_is_served_only_to_the_origin_it_was_built_for(client, newsroom):
    build(newsroom.reviewer, origin="https://sourcebook.example.org")

    for url in URLS.values():
        response, body = fetch(client, url)
        assert "X-Export-Built" not in response
        assert b"sourcebook.example.org" not in body


def test_an_export_is_kept_in_parts_and_read_back_whole(client, newsroom, monkeypatch):
    monkeypatch.setattr(export_services, "PART_BYTES", 700)
    live = fetch(client, URLS["claims.csv"])[1]

    build(newsroom.reviewer)

    built = ExportFile.objects.get(name="claims.csv")
    assert built.parts_count == ExportPart.objects.filter(file=built).count() > 2
    assert fetch(client, URLS["claims.csv"])[1] == live


def test_a_build_that_sees_the_record_change_is_tried_again_then_refused(newsroom, monkeypatch):
    generations = iter(range(100, 200))
    monkeypatch.setattr(election_tasks, "public_generation", lambda: next(generations))

    run = run_here("exports_build", owner=newsroom.reviewer, arguments={"origin": ORIGIN})

    assert run.state == TaskRun.State.FAILED
    assert "changed during each of 3 attempts" in run.error
    assert not ExportFile.objects.exists() and not ExportPart.objects.exists()


def test_a_build_retried_once_keeps_only_its_last_attempt(newsroom, monkeypatch):
    readings = iter([1, 2, 5, 5])  # the first attempt sees a change, the second none
    monkeypatch.setattr(election_tasks, "public_generation", lambda: next(readings))

    run = build(newsroom.reviewer)

    assert run.result["attempts"] == 2 and run.result["generation"] == 5
    assert set(ExportFile.objects.values_list("generation", flat=True)) == {5}
    assert ExportFile.objects.count() == 2


def test_a_rebuild_replaces_what_it_built_before(client, newsroom, monkeypatch):
    monkeypatch.setattr(export_services, "KEEP_REPLACED", export_services.timedelta(0))
    build(newsroom.reviewer)
    first = set(ExportFile.objects.values_list("pk", flat=True))

    build(newsroom.reviewer)

    assert ExportFile.objects.count() == 2
    assert not first & set(ExportFile.objects.values_list("pk", flat=True))


def test_the_admin_builds_for_the_address_it_was_reached_at(client, newsroom):
    client.force_login(newsroom.reviewer)

    response = client.post(reverse("admin:sources_taskrun_start", args=["exports_build"]))

    run = TaskRun.objects.get(kind="exports_build")
    assert response.status_code == 302 and run.state == TaskRun.State.SUCCEEDED, run.error
    assert run.arguments == {"origin": ORIGIN}
    assert set(ExportFile.objects.values_list("origin", flat=True)) == {ORIGIN}
    listing = client.get(reverse("admin:sources_taskrun_changelist")).content.decode()
    assert "Build the open-data exports" in listing


def test_an_editor_may_not_build_the_exports(client, newsroom):
    client.force_login(newsroom.editor)

    response = client.post(reverse("admin:sources_taskrun_start", args=["exports_build"]))

    assert response.status_code == 403
    assert not ExportFile.objects.exists()


def test_the_command_builds_for_the_origin_given_and_prints_what_it_kept(newsroom, settings):
    out = io.StringIO()

    call_command("build_exports", "--origin", "https://sourcebook.example.org/", stdout=out)

    assert "Built the exports for https://sourcebook.example.org at generation" in out.getvalue()
    assert "claims.csv:" in out.getvalue() and "popolo.json:" in out.getvalue()
    popolo = ExportFile.objects.get(name="popolo.json")
    data = json.loads(b"".join(bytes(part.data) for part in popolo.parts.order_by("number")))
    assert data["persons"]


def test_the_command_needs_an_origin(newsroom, settings):
    settings.SOURCEBOOK_PUBLIC_ORIGIN = ""
    with pytest.raises(CommandError, match="SOURCEBOOK_PUBLIC_ORIGIN"):
        call_command("build_exports")
    with pytest.raises(CommandError, match="https://host"):
        call_command("build_exports", "--origin", "sourcebook.example.org/path")

    settings.SOURCEBOOK_PUBLIC_ORIGIN = "https://from.settings.example"
    call_command("build_exports", stdout=io.StringIO())
    assert set(ExportFile.objects.values_list("origin", flat=True)) == {
        "https://from.settings.example"
    }


def test_the_command_as_someone_without_the_permission_fails(newsroom):
    editor = make_user("Editors", username="exports-editor")

    with pytest.raises(PermissionDenied):
        call_command("build_exports", "--origin", ORIGIN, "--as", editor.username)
    assert not ExportFile.objects.exists()
