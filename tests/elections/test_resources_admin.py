"""Sheets in the admin: preview, confirm, errors, who may import, and export of a list."""

import csv
import io

import pytest
from django.contrib.admin.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from elections.models import Candidate
from sources.models import SheetUpload
from tests.elections.fixtures_sheets import CANDIDATE_HEADER, csv_bytes, database_dump, make_places
from tests.factories import make_candidate, make_user

pytestmark = pytest.mark.django_db

IMPORT = reverse("admin:elections_candidate_import")
CONFIRM = reverse("admin:elections_candidate_process_import")
EXPORT = reverse("admin:elections_candidate_export")
CHANGELIST = reverse("admin:elections_candidate_changelist")


@pytest.fixture
def places():
    return make_places()


def _row(**cells):
    return [cells.get(column, "") for column in CANDIDATE_HEADER]


def records():
    """The database dump, but for the uploads a preview keeps until its confirm."""
    dump = database_dump()
    dump.pop("sources.SheetUpload")
    return dump


def _upload(client, data, *, name="candidates.csv", format_index="0"):
    upload = SimpleUploadedFile(name, data, content_type="text/csv")
    return client.post(IMPORT, {"resource": "0", "format": format_index, "import_file": upload})


@pytest.fixture
def importer(client):
    client.force_login(make_user("Importers"))
    return client


def test_the_preview_shows_what_each_row_does_with_cells_escaped(places, importer):
    make_candidate("Xu Yan", slug="xu-yan")
    make_candidate("Zhang Kai", slug="zhang-kai", gender="male")
    sheet = csv_bytes(
        [
            CANDIDATE_HEADER,
            _row(slug="xu-yan", name="Xu Yan", gender="male"),
            _row(slug="zhang-kai", name="Zhang Kai", gender="male"),
            _row(name="<script>alert(1)</script>", city="Hangzhou", status="declared"),
        ]
    )
    before = records()

    response = _upload(importer, sheet)

    html = response.content.decode()
    assert response.status_code == 200
    rows = [(row.diff[0], row.import_type) for row in response.context["result"].rows]
    assert rows == [(2, "update"), (3, "skip"), (4, "new")]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)</script>" not in html
    assert "records the candidacy" in html
    assert 'name="confirm"' in html
    assert records() == before
    assert (
        SheetUpload.objects.get().token
        == response.context["confirm_form"].initial["import_file_name"]
    )


def test_confirming_writes_the_rows_and_logs_them(places, importer):
    sheet = csv_bytes([CANDIDATE_HEADER, _row(name="Xu Yan", city="Hangzhou", status="declared")])
    preview = _upload(importer, sheet)
    confirm = preview.context["confirm_form"].initial

    response = importer.post(CONFIRM, {**confirm, "format": str(confirm["format"])})

    assert response.status_code == 302
    candidate = Candidate.objects.get()
    assert candidate.candidacies.get().status == "declared"
    assert LogEntry.objects.get().object_id == str(candidate.pk)
    assert not SheetUpload.objects.exists()


def test_a_gb18030_file_reads_at_preview_and_at_confirm(places, importer):
    sheet = csv_bytes(
        [["姓名", "中文名", "城市", "状态"], ["Liu Ping", "刘萍", "新余", "退选"]],
        encoding="gb18030",
    )
    preview = _upload(importer, sheet)
    confirm = preview.context["confirm_form"].initial

    importer.post(CONFIRM, {**confirm, "format": str(confirm["format"])})

    assert Candidate.objects.get().name_zh == "刘萍"


def test_problems_are_shown_by_row_and_column_and_nothing_can_be_confirmed(places, importer):
    sheet = csv_bytes(
        [CANDIDATE_HEADER, _row(name="Fine"), [], _row(name="<b>Bad</b>", gender="<i>maybe</i>")]
    )

    response = _upload(importer, sheet)

    html = response.content.decode()
    (invalid,) = response.context["result"].invalid_rows
    assert invalid.number == 4
    assert list(invalid.field_specific_errors) == ["gender"]
    assert "&lt;i&gt;maybe&lt;/i&gt;" in html and "<i>maybe</i>" not in html
    assert 'name="confirm"' not in html
    assert not Candidate.objects.exists()


def test_a_file_over_the_size_cap_is_refused_on_the_form(places, importer, settings):
    settings.SOURCEBOOK_IMPORT_MAX_BYTES = 10

    response = _upload(importer, csv_bytes([CANDIDATE_HEADER, _row(name="Xu Yan")]))

    errors = response.context["form"].errors["import_file"]
    assert "larger than the 1 KB an import accepts" in errors[0]
    assert not Candidate.objects.exists()


def test_only_importers_see_the_import_button_and_others_are_refused(places, client):
    client.force_login(make_user("Editors"))

    assert IMPORT not in client.get(CHANGELIST).content.decode()
    assert client.get(IMPORT).status_code == 403
    assert client.post(CONFIRM, {"import_file_name": "x", "format": "0"}).status_code == 403
    client.force_login(make_user("Importers"))
    assert IMPORT in client.get(CHANGELIST).content.decode()


def test_superusers_may_import(places, admin_client):
    assert admin_client.get(IMPORT).status_code == 200


def test_the_export_holds_the_filtered_list(places, admin_client):
    make_candidate("Xu Yan", slug="xu-yan")
    make_candidate("Liu Ping", slug="liu-ping", notes="=2+3")

    response = admin_client.post(
        f"{EXPORT}?q=Liu",
        {
            "resource": "0",
            "format": "0",
            "candidateresource_slug": "on",
            "candidateresource_name": "on",
            "candidateresource_notes": "on",
        },
    )

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [["slug", "name", "notes"], ["liu-ping", "Liu Ping", "'=2+3"]]


def test_claims_and_places_have_their_import_pages(places, importer):
    assert importer.get(reverse("admin:elections_claim_import")).status_code == 200
    assert importer.get(reverse("admin:elections_place_import")).status_code == 200
    assert importer.get(reverse("admin:elections_election_import")).status_code == 200
    assert importer.get(reverse("admin:sources_outlet_import")).status_code == 200
    assert importer.get(reverse("admin:sources_article_import")).status_code == 200


def test_confirming_a_claim_sheet_logs_each_claim_it_wrote(places, importer):
    from elections.models import Claim
    from tests.factories import make_article, make_claim

    xu = make_candidate("Xu Yan", slug="xu-yan")
    article = make_article("Xu Yan, 27, lives in Hangzhou.", title="Report")
    stored = make_claim(xu, "city", "Hangzhou", article, "lives in Hangzhou")
    sheet = csv_bytes(
        [
            ["candidate", "property", "value", "article_title", "quote", "note"],
            ["xu-yan", "age", "27", "Report", "Xu Yan, 27", ""],
            ["xu-yan", "city", "Hangzhou", "Report", "lives in Hangzhou", "checked"],
        ]
    )
    upload = SimpleUploadedFile("claims.csv", sheet, content_type="text/csv")
    preview = importer.post(
        reverse("admin:elections_claim_import"),
        {"resource": "0", "format": "0", "import_file": upload},
    )
    confirm = preview.context["confirm_form"].initial

    importer.post(
        reverse("admin:elections_claim_process_import"),
        {**confirm, "format": str(confirm["format"])},
    )

    age = Claim.objects.get(property="age")
    logged = dict(LogEntry.objects.values_list("object_id", "action_flag"))
    assert logged == {str(age.pk): 1, str(stored.pk): 2}
    stored.refresh_from_db()
    # The sheet's note is added under a dated line naming the importer, never in place.
    heading, note = stored.note.split("\n")
    assert heading.startswith("— from a sheet imported by user") and note == "checked"


def test_the_preview_shows_old_and_new_values_escaped(places, importer):
    make_candidate("Xu Yan", slug="xu-yan", notes="<b>seen at the count</b>", birth_year=1960)
    sheet = csv_bytes(
        [
            CANDIDATE_HEADER,
            _row(slug="xu-yan", name="Xu Yan", birth_year="1961", notes="<script>x()</script>"),
        ]
    )

    html = _upload(importer, sheet).content.decode()

    assert "birth_year: “1960” → “1961”" in html
    assert (
        "notes: “&lt;b&gt;seen at the count&lt;/b&gt;” → adds “&lt;script&gt;x()&lt;/script&gt;”"
        in html
    )
    assert "<script>x()</script>" not in html
    assert Candidate.objects.get(slug="xu-yan").notes == "<b>seen at the count</b>"
