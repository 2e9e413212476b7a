"""A big sheet uploaded in the admin is checked as a task: the importer lands on the run's
page, which links, once the check succeeded, to the preview the run kept; confirming it
imports the sheet as a task. The check writes nothing but its run."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from elections.models import Candidate
from sources.models import SheetUpload, TaskRun
from tests.elections.fixtures_sheets import CANDIDATE_HEADER, csv_bytes, database_dump, make_places
from tests.factories import make_user

pytestmark = pytest.mark.django_db

IMPORT = reverse("admin:elections_candidate_import")
CONFIRM = reverse("admin:elections_candidate_process_import")


def _row(**cells):
    return [cells.get(column, "") for column in CANDIDATE_HEADER]


def _people(count):
    return [_row(name=f"Person {number:03d}", province="Zhejiang") for number in range(count)]


def _preview_page(run):
    return reverse("admin:elections_candidate_import_preview", args=[run.pk])


@pytest.fixture
def importer(client, settings):
    settings.SOURCEBOOK_SHEET_TASK_BYTES = 100  # every sheet here is "big"
    make_places()
    user = make_user("Importers")
    client.force_login(user)
    client.user = user
    return client


def _upload(client, rows, *, name="candidates.csv"):
    upload = SimpleUploadedFile(name, csv_bytes([CANDIDATE_HEADER, *rows]))
    return client.post(IMPORT, {"resource": "0", "format": "0", "import_file": upload})


def test_a_big_sheet_is_checked_as_a_task_that_writes_nothing_but_its_run(importer):
    before = database_dump()

    response = _upload(importer, _people(120))

    run = TaskRun.objects.get(kind="sheet_preview")
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:sources_taskrun_change", args=[run.pk])
    assert run.state == TaskRun.State.SUCCEEDED, run.error
    assert run.owner == importer.user
    assert (run.done, run.total) == (120, 120)
    assert run.result["rows"] == 120 and run.result["new"] == 120
    assert run.result["with problems"] == 0
    upload = SheetUpload.objects.get()
    assert run.arguments == {
        "upload": upload.token,
        "model": "elections.candidate",
        "resource": 0,
        "format": 0,
        "file_name": "candidates.csv",
    }
    after = database_dump()
    for label in ("sources.TaskRun", "sources.SheetUpload"):
        before.pop(label), after.pop(label)
    assert after == before  # a dry run: nothing else written
    assert not Candidate.objects.filter(display_name__startswith="Person ").exists()
    # The preview kept is capped, whatever the sheet's length.
    assert len(run.result["preview"]["rows"]) == 100
    assert run.result["preview"]["rows_hidden"] == 20

    page = importer.get(response["Location"])
    assert page.status_code == 200
    assert f'href="{_preview_page(run)}"' in page.content.decode()


def test_the_preview_page_shows_the_counts_and_confirming_imports_as_a_task(importer):
    _upload(importer, _people(120))
    run = TaskRun.objects.get(kind="sheet_preview")
    token = SheetUpload.objects.get().token

    page = importer.get(_preview_page(run))

    html = page.content.decode()
    assert page.status_code == 200
    assert "<strong>120 rows</strong>" in html and "120 new" in html
    assert "0 with problems" in html
    assert "Person 000" in html and "20 more rows not shown here" in html
    assert 'name="confirm"' in html
    confirm = page.context["confirm_form"].initial
    assert confirm["import_file_name"] == token

    response = importer.post(
        CONFIRM,
        {
            "import_file_name": confirm["import_file_name"],
            "original_file_name": confirm["original_file_name"],
            "format": str(confirm["format"]),
            "resource": str(confirm["resource"]),
        },
    )

    imported = TaskRun.objects.get(kind="sheet_confirm")
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:sources_taskrun_change", args=[imported.pk])
    assert imported.state == TaskRun.State.SUCCEEDED, imported.error
    assert Candidate.objects.filter(display_name__startswith="Person ").count() == 120
    assert not SheetUpload.objects.exists()
    # Confirmed: the preview's upload is gone, so is its confirm form.
    again = importer.get(_preview_page(run))
    assert again.status_code == 400 and 'name="confirm"' not in again.content.decode()


def test_only_the_runs_owner_sees_its_preview(importer):
    _upload(importer, _people(5))
    run = TaskRun.objects.get(kind="sheet_preview")
    client = Client()

    client.force_login(make_user("Importers"))
    assert client.get(_preview_page(run)).status_code == 404
    client.force_login(make_user("Editors"))
    assert client.get(_preview_page(run)).status_code == 403
    # Nor under another list's admin.
    other = reverse("admin:elections_place_import_preview", args=[run.pk])
    assert importer.get(other).status_code == 404


def test_a_sheet_with_a_bad_row_shows_its_problem_and_no_confirm_form(importer):
    rows = [*_people(3), _row(name="Person <b>X</b>", gender="sometimes")]

    _upload(importer, rows)

    run = TaskRun.objects.get(kind="sheet_preview")
    assert run.state == TaskRun.State.SUCCEEDED, run.error
    assert run.result["with problems"] == 1
    page = importer.get(_preview_page(run))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="confirm"' not in html
    assert "sometimes" in html and "sheet-bad-cell" in html
    assert "Person &lt;b&gt;X&lt;/b&gt;" in html and "<b>X</b>" not in html
    assert "Nothing is imported while the sheet has a problem" in html
    # The problems, as CSV, were kept by the check: the download reads them, checks nothing.
    errors_url = page.context["preview"].errors_url
    assert "kept=1" in errors_url and run.result["problems_upload"] in errors_url
    with CaptureQueriesContext(connection) as download:
        problems = importer.get(errors_url)
    assert problems.status_code == 200
    assert "sometimes" in problems.content.decode("utf-8-sig")
    assert problems["Content-Disposition"].endswith('candidates problems.csv"')
    assert len(download.captured_queries) < 10
    # Only its owner reads it.
    other = Client()
    other.force_login(make_user("Importers"))
    assert other.get(errors_url).status_code == 404
    run_page = importer.get(reverse("admin:sources_taskrun_change", args=[run.pk]))
    assert "See the preview</a>" in run_page.content.decode()


def test_an_unreadable_sheet_fails_its_check_and_says_so(importer):
    upload = SimpleUploadedFile("candidates.xlsx", b"not a workbook at all " * 10)
    formats = importer.get(IMPORT).context["form"].fields["format"].choices
    xlsx = next(str(index) for index, label in formats if "xlsx" in str(label).lower())

    response = importer.post(IMPORT, {"resource": "0", "format": xlsx, "import_file": upload})

    run = TaskRun.objects.get(kind="sheet_preview")
    assert response.status_code == 302
    assert run.state == TaskRun.State.FAILED
    assert "cannot be read" in run.error
    assert importer.get(_preview_page(run)).status_code == 302


def test_a_small_sheet_is_still_previewed_in_the_request(importer, settings):
    settings.SOURCEBOOK_SHEET_TASK_BYTES = 1_000_000

    response = _upload(importer, _people(3))

    assert response.status_code == 200 and 'name="confirm"' in response.content.decode()
    assert not TaskRun.objects.exists()
