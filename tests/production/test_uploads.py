"""A sheet previewed on one app server is confirmed on another: the upload is in PostgreSQL.

Two clients of the same importer stand for two servers behind a balancer, each with its own
empty temp folder and its own session: they share nothing but the database.
"""

import tempfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sources.models import Outlet, SheetUpload
from tests.elections.fixtures_sheets import csv_bytes
from tests.production.checks import client_of

pytestmark = [pytest.mark.production, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

IMPORT = reverse("admin:sources_outlet_import")
CONFIRM = reverse("admin:sources_outlet_process_import")
SHEET = csv_bytes([["name", "kind"], ["Harbour Daily", "newspaper"], ["Hill Times", "online"]])


def on_server(folder, monkeypatch, request):
    """Make `folder` the temp folder, as it is on the server answering `request`."""
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return request()


def test_a_preview_on_one_server_is_confirmed_on_another(importer, monkeypatch, tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    upload = SimpleUploadedFile("outlets.csv", SHEET, content_type="text/csv")
    one, other = client_of(importer), client_of(importer)

    preview = on_server(
        first,
        monkeypatch,
        lambda: one.post(IMPORT, {"resource": "0", "format": "0", "import_file": upload}),
    )
    confirm = {name: str(value) for name, value in preview.context["confirm_form"].initial.items()}
    assert SheetUpload.objects.get().token == confirm["import_file_name"]

    response = on_server(second, monkeypatch, lambda: other.post(CONFIRM, confirm))

    assert response.status_code == 302
    assert sorted(Outlet.objects.values_list("name", flat=True)) == ["Harbour Daily", "Hill Times"]
    assert not SheetUpload.objects.exists()
    assert list(first.iterdir()) == list(second.iterdir()) == []


def test_a_forged_name_is_refused_on_postgresql_and_imports_nothing(importer, superuser):
    upload = SimpleUploadedFile("outlets.csv", SHEET, content_type="text/csv")
    client = client_of(importer)
    preview = client.post(IMPORT, {"resource": "0", "format": "0", "import_file": upload})
    confirm = {name: str(value) for name, value in preview.context["confirm_form"].initial.items()}

    forged = client.post(CONFIRM, {**confirm, "import_file_name": "../../etc/passwd"})
    nul = client.post(CONFIRM, {**confirm, "import_file_name": "\x00"})
    theirs = client_of(superuser).post(CONFIRM, confirm)
    errors = client.get(reverse("admin:sources_outlet_import_errors", args=["%00"]))

    assert (forged.status_code, nul.status_code, theirs.status_code) == (400, 400, 400)
    assert errors.status_code == 404
    assert not Outlet.objects.exists()
    assert SheetUpload.objects.count() == 1


def test_a_big_sheet_with_problems_keeps_them_as_csv_for_its_owner(importer, settings):
    """A sheet checked as a task, on PostgreSQL: its run commits the problems CSV as the
    importer's upload (the dry run's writes rolled back), which the preview's link sends."""
    from sources.models import TaskRun

    settings.SOURCEBOOK_SHEET_TASK_BYTES = 10  # every sheet is "big" here
    # The embedded default, which runs the task at once, named here: the tests that queue
    # tasks in the database before this one leave the backend handler as it was then.
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default"],
        }
    }
    sheet = csv_bytes([["name", "kind"], ["Harbour Daily", "newspaper"], ["Hill Times", "="]])
    client = client_of(importer)

    response = client.post(
        IMPORT,
        {"resource": "0", "format": "0", "import_file": SimpleUploadedFile("outlets.csv", sheet)},
    )

    run = TaskRun.objects.get(kind="sheet_preview")
    assert response.status_code == 302 and run.state == TaskRun.State.SUCCEEDED, run.error
    assert not Outlet.objects.exists()
    assert SheetUpload.objects.count() == 2  # the sheet, and its problems
    page = client.get(reverse("admin:sources_outlet_import_preview", args=[run.pk]))
    problems = client.get(page.context["preview"].errors_url)
    assert problems.status_code == 200
    assert "Hill Times" in problems.content.decode("utf-8-sig")
