"""A big sheet confirmed in the admin is imported as a task: the importer lands on the run's
page, which counts the rows as the batches go; nothing is written when the sheet is refused."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from elections.models import Candidate
from sources import tasks
from sources.models import SheetUpload, TaskRun
from sources.tasks import run_here
from tests.elections.fixtures_sheets import CANDIDATE_HEADER, csv_bytes, make_places
from tests.factories import make_user

pytestmark = pytest.mark.django_db

IMPORT = reverse("admin:elections_candidate_import")
CONFIRM = reverse("admin:elections_candidate_process_import")


def _row(**cells):
    return [cells.get(column, "") for column in CANDIDATE_HEADER]


@pytest.fixture
def importer(client, settings):
    settings.SOURCEBOOK_SHEET_TASK_BYTES = 100  # every sheet here is "big"
    user = make_user("Importers")
    client.force_login(user)
    client.user = user
    return client


def _preview(client, rows):
    upload = SimpleUploadedFile("candidates.csv", csv_bytes([CANDIDATE_HEADER, *rows]))
    checked = client.post(IMPORT, {"resource": "0", "format": "0", "import_file": upload})
    # A big sheet is checked as a task too (test_sheet_preview_task): its run keeps the preview.
    assert checked.status_code == 302
    run = TaskRun.objects.filter(kind="sheet_preview").latest("pk")
    preview = client.get(reverse("admin:elections_candidate_import_preview", args=[run.pk]))
    assert preview.status_code == 200
    return preview.context["confirm_form"].initial


def test_a_big_sheet_is_confirmed_as_a_task_with_its_rows_counted(importer, monkeypatch):
    make_places()
    rows = [_row(name=f"Person {number:03d}", province="Zhejiang") for number in range(120)]
    confirm = _preview(importer, rows)
    reported = []
    report = tasks.task_progress
    monkeypatch.setattr(
        tasks,
        "task_progress",
        lambda **kw: (reported.append((kw["done"], kw["total"])), report(**kw))[1],
    )

    response = importer.post(CONFIRM, {**confirm, "format": str(confirm["format"])})

    run = TaskRun.objects.get(kind="sheet_confirm")
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:sources_taskrun_change", args=[run.pk])
    assert run.state == TaskRun.State.SUCCEEDED, run.error
    assert run.owner == importer.user
    # Each row counted twice: checked (in batches of 1,000: one here), then written.
    assert (run.done, run.total) == (240, 240)
    assert reported[:3] == [(0, 240), (120, 240), (240, 240)]
    assert run.result["new"] == 120 and run.result["rows"] == 120
    assert Candidate.objects.filter(display_name__startswith="Person ").count() == 120
    assert not SheetUpload.objects.exists()  # confirmed: the upload is gone
    page = importer.get(response["Location"])
    assert page.status_code == 200 and "Import candidates.csv" in page.content.decode()


def test_a_refused_sheet_writes_nothing_and_keeps_its_upload_for_another_try(importer):
    make_places()
    confirm = _preview(importer, [_row(name="Person A", province="Zhejiang")])
    # What the task reads has a bad row (as if the places changed since the preview).
    upload = SheetUpload.objects.get()
    bad = csv_bytes(
        [
            CANDIDATE_HEADER,
            _row(name="Person A", province="Zhejiang"),
            _row(name="Person C", gender="sometimes"),
        ]
    )
    SheetUpload.objects.filter(pk=upload.pk).update(data=bad, size=len(bad))
    before = Candidate.objects.count()

    run = run_here(
        "sheet_confirm",
        owner=importer.user,
        arguments={
            "upload": upload.token,
            "model": "elections.candidate",
            "resource": 0,
            "format": int(confirm["format"]),
            "file_name": "candidates.csv",
        },
    )

    assert run.state == TaskRun.State.FAILED
    assert "Nothing was imported" in run.error and "row 3" in run.error
    assert Candidate.objects.count() == before  # not even the good row
    assert SheetUpload.objects.filter(pk=upload.pk).exists()


def test_another_users_upload_is_never_imported_as_a_task(importer):
    make_places()
    _preview(importer, [_row(name="Person B", province="Zhejiang")])
    upload = SheetUpload.objects.get()
    stranger = make_user("Importers")

    run = run_here(
        "sheet_confirm",
        owner=stranger,
        arguments={
            "upload": upload.token,
            "model": "elections.candidate",
            "resource": 0,
            "format": 0,
        },
    )

    assert run.state == TaskRun.State.FAILED
    assert not Candidate.objects.filter(display_name="Person B").exists()
    assert SheetUpload.objects.filter(pk=upload.pk).exists()
