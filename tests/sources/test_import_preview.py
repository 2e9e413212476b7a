"""The preview of a sheet reads the same at any size: counts first, problems first, rows capped.

Django-import-export's own page showed every row (15-60 MB of HTML for a big sheet) and a
row's problems only on hover. Here the page holds the counts, at most a hundred rows with
problems (their reasons written in the row, the bad cell marked) and a hundred others, and
the problems download as CSV for the uploader only.
"""

import csv
import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from import_export.results import InvalidRow, RowResult

from sources.admin.previews import ERROR_ROWS_SHOWN, ROWS_SHOWN, SheetPreview
from sources.models import Outlet, SheetUpload
from sources.resources import OutletResource
from sources.resources.base import SheetResult
from tests.elections.fixtures_sheets import csv_bytes
from tests.factories import make_user

pytestmark = pytest.mark.django_db

IMPORT = reverse("admin:sources_outlet_import")
HEADER = ["name", "kind", "country"]


@pytest.fixture
def importer(client):
    client.force_login(make_user("Importers"))
    return client


def outlets(count, *, bad=()):
    """A sheet of `count` outlets; the rows whose index is in `bad` have an unknown kind."""
    rows = [HEADER]
    for index in range(count):
        kind = "tabloid" if index in bad else "newspaper"
        rows.append([f"Outlet {index:04}", kind, "中国"])
    return rows


def preview(client, rows):
    upload = SimpleUploadedFile("outlets.csv", csv_bytes(rows), content_type="text/csv")
    response = client.post(IMPORT, {"resource": "0", "format": "0", "import_file": upload})
    assert response.status_code == 200
    return response


def body_rows(html):
    """The rows of the preview's tables, their header rows aside."""
    tables = re.findall(r'<table class="sheet-rows.*?<tbody>(.*?)</tbody>', html, re.DOTALL)
    return sum(len(re.findall(r"<tr[\s>]", table)) for table in tables)


def test_a_thousand_row_sheet_previews_as_counts_and_a_hundred_rows(importer):
    response = preview(importer, outlets(1000))

    html = response.text
    assert "<strong>1000 rows</strong>" in html
    assert "1000 new" in html and "0 with problems" in html
    assert body_rows(html) == ROWS_SHOWN
    assert "Outlet 0099" in html and "Outlet 0100" not in html
    assert "900 more rows not shown here" in html
    assert 'name="confirm"' in html
    # The library's page for the same sheet is about 1 MB; this one is a small fraction.
    assert len(response.content) < 120_000
    assert html.index("1000 new") < html.index('name="confirm"') < html.index("Outlet 0000")


def test_rows_with_problems_come_first_with_their_reasons_in_the_row_and_the_cell_marked(
    importer,
):
    bad = set(range(3, 1000, 6))  # 166 rows with an unknown kind
    response = preview(importer, outlets(1000, bad=bad))

    html = response.text
    assert f"{len(bad)} with problems ({len(bad)} problems)" in html
    assert "Nothing is imported while the sheet has a problem" in html
    assert 'name="confirm"' not in html
    assert body_rows(html) == ERROR_ROWS_SHOWN
    first = html.index("Rows with problems")
    row = html[
        html.index("<td>5</td>", first) : html.index("</tr>", html.index("<td>5</td>", first))
    ]
    assert "<strong>kind</strong>: “tabloid” is not a kind of outlet" in row
    assert '<td class="sheet-bad-cell"><mark>tabloid</mark></td>' in row
    assert "<td>Outlet 0003</td>" in row
    assert html.count('class="sheet-bad-cell"') == ERROR_ROWS_SHOWN
    assert f"{len(bad) - ERROR_ROWS_SHOWN} more rows have problems" in html
    assert "Download the problems as CSV" in html
    assert len(response.content) < 150_000
    assert not Outlet.objects.exists()


def test_a_bad_header_is_shown_as_row_1_with_the_unknown_column_marked(importer):
    response = preview(importer, [["name", "knd"], ["Daily", "newspaper"]])

    html = response.text
    assert "<td>1</td>" in html
    assert "<strong>knd</strong>: unknown column" in html
    assert "closest: “kind”" in html
    assert '<td class="sheet-bad-cell"><mark>knd</mark></td>' in html


def test_cells_and_reasons_are_escaped_and_long_cells_cut(importer):
    long_name = "x" * 5000
    response = preview(
        importer,
        [HEADER, ["<script>alert(1)</script>", "<b>tabloid</b>", ""], [long_name, "x", ""]],
    )

    html = response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)</script>" not in html and "<b>tabloid</b>" not in html
    assert long_name not in html and "x" * 199 + "…" in html


def problems_csv(client, response):
    url = response.context["preview"].errors_url
    assert url
    return client.get(url)


def read_csv(response):
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_problems_download_as_csv_for_the_uploader_with_cells_neutralized(importer):
    rows = outlets(1000, bad={1, 500})
    rows[2][0] = '=HYPERLINK("http://evil")'
    response = preview(importer, rows)

    download = problems_csv(importer, response)

    assert download.status_code == 200
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert download["Content-Disposition"] == 'attachment; filename="outlets problems.csv"'
    reason = "“tabloid” is not a kind of outlet"
    table = read_csv(download)
    assert table[0] == ["row", "column", "reason", *HEADER]
    assert [line[:2] for line in table[1:]] == [["3", "kind"], ["502", "kind"]]
    assert table[1][2].startswith(reason)
    assert table[1][3:] == ['\'=HYPERLINK("http://evil")', "tabloid", "中国"]
    assert table[2][3:] == ["Outlet 0500", "tabloid", "中国"]
    # Downloading reads the upload again and writes nothing.
    assert SheetUpload.objects.count() == 1 and not Outlet.objects.exists()


def test_the_problems_of_a_header_download_with_the_headers_as_the_row(importer):
    response = preview(importer, [["name", "knd"], ["Daily", "newspaper"]])

    table = read_csv(problems_csv(importer, response))

    assert table[1][:2] == ["1", "knd"] and table[1][3:] == ["name", "knd"]


def test_no_one_but_the_uploader_downloads_the_problems(importer):
    response = preview(importer, outlets(3, bad={0}))
    url = response.context["preview"].errors_url
    colleague, editor = Client(), Client()
    colleague.force_login(make_user("Importers"))
    editor.force_login(make_user("Editors"))

    assert colleague.get(url).status_code == 404
    assert editor.get(url).status_code == 403
    assert importer.post(url).status_code == 405
    assert importer.get(url.replace("format=0", "format=9")).status_code == 400
    SheetUpload.objects.update(expires_at="2000-01-01T00:00:00Z")
    assert importer.get(url).status_code == 404


def test_the_download_costs_the_same_queries_for_ten_rows_or_a_thousand(importer):
    def queries(count):
        response = preview(importer, outlets(count, bad={0}))
        with CaptureQueriesContext(connection) as captured:
            assert problems_csv(importer, response).status_code == 200
        return len(captured.captured_queries)

    assert queries(1000) == queries(10)


def mixed_result():
    """A result with rows of both kinds, as a resource that plans every row would give."""
    result = SheetResult()
    result.diff_headers = ["row", *HEADER, "what the import does"]
    for number in range(2, 302):
        if number % 2:
            error = ValidationError({"kind": [f"row {number} is wrong"]})
            result.invalid_rows.append(InvalidRow(number, error, (number, "A", "bad", "", "")))
        else:
            row = RowResult()
            row.import_type = RowResult.IMPORT_TYPE_NEW
            row.diff = [number, f"Outlet {number}", "blog", "", "creates the outlet"]
            result.append_row_result(row)
            result.increment_row_result_total(row)
    result.total_rows = 300
    return result


def test_the_preview_lists_the_rows_with_problems_before_the_others(importer, monkeypatch):
    monkeypatch.setattr(OutletResource, "import_data", lambda self, *a, **k: mixed_result())

    html = preview(importer, outlets(3)).text

    assert html.index("150 with problems") < html.index("Rows with problems")
    assert html.index("row 3 is wrong") < html.index("The other rows") < html.index("Outlet 2")
    assert "50 more rows have problems" in html and "50 more rows not shown here" in html
    assert body_rows(html) == ERROR_ROWS_SHOWN + ROWS_SHOWN


def test_the_preview_of_a_result_counts_everything_and_keeps_a_hundred_of_each():
    preview = SheetPreview.of(mixed_result(), columns=OutletResource.columns)

    assert preview.counts == {"new": 150, "update": 0, "delete": 0, "skip": 0, "error": 150}
    assert preview.problem_count == 150
    assert len(preview.error_rows) == len(preview.rows) == 100
    assert (preview.error_rows_hidden, preview.rows_hidden) == (50, 50)
    assert [cell.bad for cell in preview.error_rows[0].cells] == [False, True, False]
    assert preview.error_rows[0].problems == [("kind", "row 3 is wrong")]
