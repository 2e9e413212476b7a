"""Sheets kept between preview and confirm: in the database, for their uploader only, for a day.

The confirm form posts `import_file_name`: the token the server issued at the preview. Any
other name (a path, a random token, another user's, an expired one) answers 400 and imports
nothing; a confirmed upload is deleted, and expired ones are purged.
"""

import tempfile
from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sources.audit import system_user
from sources.models import Outlet, SheetUpload
from sources.services.uploads import (
    PURGED_PER_UPLOAD,
    UploadMissing,
    upload_create,
    upload_delete,
    upload_read,
)
from sources.uploads import SheetUploadStorage, uploads_by
from tests.elections.fixtures_sheets import csv_bytes
from tests.factories import make_user

pytestmark = pytest.mark.django_db

IMPORT = reverse("admin:sources_outlet_import")
CONFIRM = reverse("admin:sources_outlet_process_import")
SHEET = csv_bytes([["name", "kind"], ["Harbour Daily", "newspaper"]])


@pytest.fixture
def importer(client):
    client.force_login(make_user("Importers"))
    return client


def preview(client, data=SHEET, *, name="outlets.csv"):
    """Upload `data` for a preview; the confirm form's fields (None if none is offered)."""
    upload = SimpleUploadedFile(name, data, content_type="text/csv")
    response = client.post(IMPORT, {"resource": "0", "format": "0", "import_file": upload})
    assert response.status_code == 200
    form = response.context.get("confirm_form")
    return {name: str(value) for name, value in form.initial.items()} if form else None


def old(upload, **delta):
    SheetUpload.objects.filter(pk=upload.pk).update(expires_at=timezone.now() - timedelta(**delta))


def test_the_preview_keeps_the_sheet_in_the_database_under_a_token_for_its_uploader(importer):
    confirm = preview(importer)

    upload = SheetUpload.objects.get()
    assert confirm["import_file_name"] == upload.token
    assert len(upload.token) >= 40 and "/" not in upload.token
    assert bytes(upload.data) == SHEET and upload.size == len(SHEET)
    assert upload.file_name == "outlets.csv"
    assert upload.owner_id == int(importer.session["_auth_user_id"])
    hours = (upload.expires_at - timezone.now()).total_seconds() / 3600
    assert 23.9 < hours <= 24


def test_the_confirm_imports_the_sheet_and_deletes_its_upload(importer):
    confirm = preview(importer)

    response = importer.post(CONFIRM, confirm)

    assert response.status_code == 302
    assert Outlet.objects.get().name == "Harbour Daily"
    assert not SheetUpload.objects.exists()
    # Confirming again finds nothing to import.
    again = importer.post(CONFIRM, confirm)
    assert again.status_code == 400
    assert Outlet.objects.count() == 1


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd",
        "/etc/passwd",
        "passwd",
        "tmpab12cd34",
        "aGVsbG8gd29ybGQgdGhpcyBpcyBub3QgYSB0b2tlbiBhdCBhbGw",
        "",
        "\x00",
        "x" * 5000,
    ],
    ids=[
        "relative-path",
        "absolute-path",
        "file-name",
        "temp-file",
        "random-token",
        "blank",
        "nul",
        "long",
    ],
)
def test_a_name_the_server_never_issued_answers_400_and_imports_nothing(importer, name):
    confirm = preview(importer)

    response = importer.post(CONFIRM, {**confirm, "import_file_name": name})

    assert response.status_code == 400
    assert not Outlet.objects.exists()
    assert SheetUpload.objects.count() == 1


def test_another_users_upload_answers_400_and_stays_theirs(importer):
    confirm = preview(importer)
    colleague = Client()
    colleague.force_login(make_user("Importers"))

    response = colleague.post(CONFIRM, confirm)

    assert response.status_code == 400
    assert b"upload it again" in response.content
    assert not Outlet.objects.exists()
    assert SheetUpload.objects.count() == 1
    assert importer.post(CONFIRM, confirm).status_code == 302


def test_an_expired_upload_answers_400_and_imports_nothing(importer):
    confirm = preview(importer)
    old(SheetUpload.objects.get(), seconds=1)

    response = importer.post(CONFIRM, confirm)

    assert response.status_code == 400
    assert not Outlet.objects.exists()


@pytest.mark.parametrize(
    "field",
    [("format", "99"), ("format", "csv"), ("format", "-1"), ("format", "²"), ("resource", "3")],
)
def test_an_unknown_format_or_resource_answers_400_and_imports_nothing(importer, field):
    confirm = preview(importer)

    response = importer.post(CONFIRM, {**confirm, field[0]: field[1]})

    assert response.status_code == 400
    assert "Start the import again." in response.text
    assert not Outlet.objects.exists()
    assert SheetUpload.objects.count() == 1


def test_a_file_that_cannot_be_read_is_not_kept(importer):
    assert preview(importer, b"\x00\xff" * 50, name="outlets.xlsx") is None

    assert not SheetUpload.objects.exists()


def test_a_sheet_with_problems_is_kept_for_its_problems_to_be_downloaded(importer):
    assert preview(importer, csv_bytes([["name", "kind"], ["Daily", "tabloid"]])) is None

    assert SheetUpload.objects.count() == 1


def test_nothing_is_written_to_the_servers_temp_folder(importer, monkeypatch, tmp_path):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    confirm = preview(importer)

    importer.post(CONFIRM, confirm)

    assert list(tmp_path.iterdir()) == []
    assert Outlet.objects.get().name == "Harbour Daily"


def test_purge_uploads_removes_the_expired_uploads_only():
    user = make_user("Importers")
    kept = upload_create(data=b"a", file_name="kept.csv", acting_user=user)
    gone = [upload_create(data=b"b", file_name="old.csv", acting_user=user) for _ in range(3)]
    for upload in gone:
        old(upload, hours=1)
    out = StringIO()

    call_command("purge_uploads", stdout=out)

    assert list(SheetUpload.objects.values_list("token", flat=True)) == [kept.token]
    assert out.getvalue().strip() == "Removed 3 expired uploads."


def test_each_new_upload_removes_a_bounded_number_of_expired_ones():
    user = make_user("Importers")
    for _ in range(PURGED_PER_UPLOAD + 5):
        upload_create(data=b"x", file_name="old.csv", acting_user=user)
    SheetUpload.objects.update(expires_at=timezone.now() - timedelta(minutes=5))

    upload_create(data=b"y", file_name="new.csv", acting_user=user)

    assert SheetUpload.objects.filter(expires_at__lte=timezone.now()).count() == 5
    upload_create(data=b"z", file_name="newer.csv", acting_user=user)
    assert not SheetUpload.objects.filter(expires_at__lte=timezone.now()).exists()
    assert SheetUpload.objects.count() == 2


def test_an_upload_is_read_and_deleted_only_by_its_owner():
    owner, other = make_user("Importers"), make_user("Importers")
    upload = upload_create(data=b"sheet", file_name="s.csv", acting_user=owner)

    assert bytes(upload_read(token=upload.token, owner=owner).data) == b"sheet"
    with pytest.raises(UploadMissing):
        upload_read(token=upload.token, owner=other)
    assert upload_delete(token=upload.token, acting_user=other) is False
    assert upload_delete(token=upload.token, acting_user=owner) is True
    with pytest.raises(UploadMissing):
        upload_read(token=upload.token, owner=owner)


def test_only_importers_may_upload_and_a_storage_without_a_user_stores_nothing():
    with pytest.raises(PermissionDenied, match="You may not import spreadsheets"):
        upload_create(data=b"x", file_name="x.csv", acting_user=make_user("Editors"))
    with pytest.raises(PermissionDenied, match="acting user"):
        SheetUploadStorage(read_mode="rb").save(b"x")
    assert not SheetUpload.objects.exists()


def test_the_storage_reads_back_as_the_bound_user_only():
    owner = make_user("Importers")
    with uploads_by(owner):
        stored = SheetUploadStorage(read_mode="rb", file_name="s.csv")
        stored.save(b"cells")
        assert SheetUploadStorage(name=stored.name, read_mode="rb").read() == b"cells"
        assert SheetUploadStorage(name=stored.name, read_mode="r").read() == "cells"
    with uploads_by(system_user()), pytest.raises(UploadMissing):
        SheetUploadStorage(name=stored.name, read_mode="rb").read()
    with pytest.raises(UploadMissing):
        SheetUploadStorage(name=stored.name, read_mode="rb").read()


def test_deleting_an_upload_does_not_read_its_bytes(django_assert_max_num_queries):
    user = make_user("Importers")
    upload = upload_create(data=b"x" * 1000, file_name="s.csv", acting_user=user)

    # The delete, its savepoint, and the settling of public tallies (none pending).
    with django_assert_max_num_queries(4) as captured:
        upload_delete(token=upload.token, acting_user=user)

    # (The settling of public tallies at the service's end reads its own table, not this one.)
    statements = [
        query["sql"]
        for query in captured.captured_queries
        if "elections_tallypending" not in query["sql"]
    ]
    assert not any(sql.startswith("SELECT") for sql in statements), statements
