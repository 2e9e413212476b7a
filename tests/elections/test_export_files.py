"""The exports written as they are read, served as files, and built again after a change.

- The Popolo export is written a page of candidates at a time: the same bytes whatever the
  page size, and the memory of building either export does not grow with the candidates
  (2,000 against 8,000, under tracemalloc).
- A built export is this server's copy on disk, sent as a file, with its length and ETag;
  If-None-Match answers 304.
- A public change committed queues one build (debounced) for the origins kept fresh, on a
  backend that runs tasks later; under the embedded default nothing is queued.
"""

import hashlib
import tracemalloc

import pytest
from django.test import override_settings

from elections import exportfiles, popolo
from elections.services import candidate_withdraw
from elections.views.exports import claims_csv_bytes, popolo_bytes
from sources.models import TaskRun
from sources.tasks import run_here
from tests.benchmarks.bench_exports import load
from tests.newsroom import fixtures

pytestmark = pytest.mark.django_db

_newsroom, newsroom = fixtures("public site")

ORIGIN = "http://testserver"
LATER = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def build_url(path):
    return ORIGIN + path


@pytest.fixture(autouse=True)
def copies(settings, tmp_path):
    settings.SOURCEBOOK_EXPORTS_DIR = str(tmp_path / "copies")
    return tmp_path / "copies"


def build(owner, origin=ORIGIN):
    run = run_here("exports_build", owner=owner, arguments={"origin": origin})
    assert run.state == TaskRun.State.SUCCEEDED, run.error
    return run


def test_the_popolo_export_is_the_same_bytes_whatever_its_page(newsroom, monkeypatch):
    whole = b"".join(popolo_bytes(build_url))
    monkeypatch.setattr(popolo, "PAGE", 1)

    assert b"".join(popolo_bytes(build_url)) == whole
    assert whole.startswith(b'{"persons": [{"id": "person/') and whole.endswith(b"]}")


def _peak_mb(chunks):
    tracemalloc.start()
    try:
        for _chunk in chunks:
            pass
        return tracemalloc.get_traced_memory()[1] / 1024 / 1024
    finally:
        tracemalloc.stop()


def test_building_an_export_takes_the_same_memory_for_four_times_the_candidates():
    load(2000)
    # Once before measuring: the first run of a process fills its caches (URLs, catalogs).
    _peak_mb(popolo_bytes(build_url))
    small = {
        "popolo": _peak_mb(popolo_bytes(build_url)),
        "csv": _peak_mb(claims_csv_bytes(build_url)),
    }
    load(6000, first=2000)
    large = {
        "popolo": _peak_mb(popolo_bytes(build_url)),
        "csv": _peak_mb(claims_csv_bytes(build_url)),
    }

    for name in small:
        assert large[name] <= small[name] * 1.2 + 0.5, (name, small, large)
        assert large[name] < 20, (name, large)


def test_a_built_export_is_sent_from_a_copy_with_its_length_and_etag(client, newsroom, copies):
    run = build(newsroom.reviewer)

    response = client.get("/export/popolo.json")
    body = b"".join(response.streaming_content)

    digest = run.result["files"]["popolo.json"]["sha256"]
    assert hashlib.sha256(body).hexdigest() == digest
    assert response["ETag"] == f'"{digest}"'
    assert response["Content-Length"] == str(len(body))
    assert (copies / f"{digest}.export").read_bytes() == body
    assert response.block_size == 1024 * 1024

    again = client.get("/export/popolo.json", HTTP_IF_NONE_MATCH=f'"{digest}"')
    assert again.status_code == 304 and again["ETag"] == f'"{digest}"'
    other = client.get("/export/popolo.json", HTTP_IF_NONE_MATCH='"something-else"')
    assert other.status_code == 200


def test_a_copy_that_is_not_the_build_is_made_again(client, newsroom, copies):
    run = build(newsroom.reviewer)
    digest = run.result["files"]["claims.csv"]["sha256"]
    client.get("/export/claims.csv")
    (copies / f"{digest}.export").write_bytes(b"truncated")

    body = b"".join(client.get("/export/claims.csv").streaming_content)

    assert hashlib.sha256(body).hexdigest() == digest


def test_without_a_folder_for_copies_the_parts_are_streamed(client, newsroom, settings, tmp_path):
    (tmp_path / "a-file").write_text("not a folder")
    settings.SOURCEBOOK_EXPORTS_DIR = str(tmp_path / "a-file" / "copies")
    run = build(newsroom.reviewer)

    response = client.get("/export/claims.csv")

    body = b"".join(response.streaming_content)
    assert hashlib.sha256(body).hexdigest() == run.result["files"]["claims.csv"]["sha256"]
    assert response["Content-Disposition"] == 'attachment; filename="claims.csv"'


def _queued():
    return TaskRun.objects.filter(kind="exports_build", state=TaskRun.State.QUEUED)


def test_under_the_embedded_default_a_change_queues_nothing(
    newsroom, django_capture_on_commit_callbacks
):
    build(newsroom.reviewer)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        candidate_withdraw(candidate=newsroom.xu, acting_user=newsroom.reviewer)
        exportfiles.on_service_commit()  # as the newsroom's unit of work does at its end

    assert exportfiles._after_commit not in callbacks and not _queued().exists()


@override_settings(TASKS=LATER, SOURCEBOOK_EXPORTS_REBUILD_DELAY=60)
def test_a_public_change_queues_one_build_for_the_origins_built(
    newsroom, django_capture_on_commit_callbacks
):
    from django_tasks import task_backends

    # Nothing was ever built, and no public origin is set: nobody asked for built exports.
    assert exportfiles.rebuild_soon() == []

    build(newsroom.reviewer)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        candidate_withdraw(candidate=newsroom.xu, acting_user=newsroom.reviewer)
        # What the unit of work the newsroom's services nest in does before it commits.
        exportfiles.on_service_commit()
        exportfiles.on_service_commit()

    # Once per transaction, however many rows it wrote.
    assert callbacks.count(exportfiles._after_commit) == 1
    run = _queued().get()
    assert run.arguments == {"origin": ORIGIN} and run.owner.username == "system"
    assert run.label == "Build the open-data exports after a public change"
    (result,) = task_backends["default"].results
    assert result.args == [run.pk] and result.task.run_after is not None

    # A burst: the queued build takes in every change committed before it starts.
    assert exportfiles.rebuild_soon() == []
    # One running may have read the record before: one more waits behind it.
    TaskRun.objects.filter(pk=run.pk).update(state=TaskRun.State.RUNNING)
    assert len(exportfiles.rebuild_soon()) == 1
    assert exportfiles.rebuild_soon() == []


@override_settings(TASKS=LATER, SOURCEBOOK_PUBLIC_ORIGIN="https://sourcebook.example.org")
def test_the_public_origin_when_set_is_the_one_kept_fresh(newsroom):
    build(newsroom.reviewer)  # for the test server's origin, not the public one

    (queued,) = exportfiles.rebuild_soon()

    assert TaskRun.objects.get(pk=queued).arguments == {"origin": "https://sourcebook.example.org"}


@override_settings(TASKS=LATER)
def test_nothing_is_queued_while_the_builds_are_fresh(newsroom):
    build(newsroom.reviewer)

    assert exportfiles.rebuild_soon() == []


@override_settings(TASKS=LATER)
def test_a_download_that_finds_an_older_build_asks_for_a_new_one(client, newsroom):
    build(newsroom.reviewer)
    # A change the ORM sends no signal for (an update), committed as the test's own.
    newsroom.xu.__class__.objects.filter(pk=newsroom.xu.pk).update(state="withdrawn")

    response = client.get("/export/claims.csv")

    assert "X-Export-Built" not in response
    assert newsroom.xu.slug.encode() not in b"".join(response.streaming_content)
    assert _queued().get().arguments == {"origin": ORIGIN}
