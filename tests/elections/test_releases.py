"""Dated data releases: /data/, /data/<version>/<file>, /data/latest/<file>, the task and
`manage.py release_data` that make them, and what they hold."""

import csv
import datetime
import hashlib
import io
import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from elections.models import DataRelease, Property
from elections.public import releases as release_selectors
from elections.services.releases import data_release_withdraw
from sources.audit import system_user
from sources.models import TaskRun
from sources.tasks import run_here
from tests.newsroom import fixtures

pytestmark = pytest.mark.django_db

ORIGIN = "https://sourcebook.example"
HIDDEN = re.compile("quxv|曌", re.IGNORECASE)
DAY = datetime.datetime(2026, 12, 5, 6, 0, tzinfo=datetime.UTC)

_records, records = fixtures("leaks", name="records", fillers=3)


def release(*, at=DAY, if_changed=False, monkeypatch=None):
    """Make a release through its task, the clock at `at`; the run."""
    if monkeypatch is not None:
        monkeypatch.setattr(timezone, "now", lambda: at)
    run = run_here(
        "data_release",
        owner=system_user(),
        arguments={"origin": ORIGIN, "if_changed": if_changed},
    )
    assert run.state == TaskRun.State.SUCCEEDED, run.error
    return run


def files_of(client, version):
    """{path: bytes} of every file of the release `version`, as the public downloads them."""
    package = client.get(f"/data/{version}/datapackage.json")
    assert package.status_code == 200
    body = b"".join(package.streaming_content)
    files = {"datapackage.json": body}
    for resource in json.loads(body)["resources"]:
        response = client.get(f"/data/{version}/{resource['path']}")
        assert response.status_code == 200, resource["path"]
        files[resource["path"]] = b"".join(response.streaming_content)
    return files


def rows(data):
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def write(files, folder):
    for path, data in files.items():
        (folder / path).write_bytes(data)
    return folder / "datapackage.json"


def validate(path):
    from frictionless import validate as frictionless_validate

    report = frictionless_validate(str(path))
    return report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_the_latest_release_of_the_demo_data_is_a_valid_data_package(client, tmp_path):
    call_command("load_demo", verbosity=0)
    call_command("release_data", origin=ORIGIN, verbosity=0)

    latest = client.get("/data/latest/datapackage.json")
    assert latest.status_code == 302
    version = latest["Location"].split("/")[2]
    files = files_of(client, version)
    valid, errors = validate(write(files, tmp_path))

    assert errors == [] and valid
    package = json.loads(files["datapackage.json"])
    assert package["version"] == version
    assert package["licenses"] == [
        {
            "name": "CC-BY-4.0",
            "path": "https://creativecommons.org/licenses/by/4.0/",
            "title": "Creative Commons Attribution 4.0",
        }
    ]
    names = [resource["name"] for resource in package["resources"]]
    assert names == [
        "candidates",
        "names",
        "places",
        "elections",
        "candidacies",
        "status_steps",
        "claims",
        "disputes",
        "dispute_versions",
        "articles",
        "outlets",
        "annotations",
    ]
    for resource in package["resources"]:
        data = files[resource["path"]]
        assert resource["bytes"] == len(data)
        assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
        if resource["format"] == "csv":
            assert "apostrophe" in resource["schema"]["description"]
    assert len(rows(files["candidates.csv"])) == 13  # the demo's published candidates
    annotations = json.loads(files["annotations.jsonld"])
    assert annotations["total"] == len(annotations["first"]["items"]) > 0


def test_a_release_with_disputes_is_valid_and_holds_nothing_unpublished(client, records, tmp_path):
    release()
    version = DataRelease.objects.get().version
    files = files_of(client, version)

    valid, errors = validate(write(files, tmp_path))

    assert errors == [] and valid
    for path, data in files.items():
        assert not HIDDEN.search(data.decode("utf-8")), path
    assert {row["slug"] for row in rows(files["candidates.csv"])} >= {"liu-ping", "zhang-kai"}
    assert rows(files["disputes.csv"]) and rows(files["dispute_versions.csv"])
    outlets = rows(files["outlets.csv"])
    assert "Q1100001" in {row["wikidata"] for row in outlets}


def test_a_formula_in_a_cell_is_neutralized(client, records):
    liu = records.liu
    records.add_verified(
        liu, Property.EMPLOYER, "=HYPERLINK(1)", records.public_article, "runs as an independent"
    )
    release()

    claims = rows(files_of(client, DataRelease.objects.get().version)["claims.csv"])

    assert "'=HYPERLINK(1)" in {row["value"] for row in claims}


def test_two_releases_a_day_apart_differ_only_in_what_changed(client, records, monkeypatch):
    release(monkeypatch=monkeypatch)
    filler = records.fillers[0]
    records.add_verified(filler, Property.OCCUPATION, "lawyer", records.public_article)
    release(at=DAY + datetime.timedelta(days=1), monkeypatch=monkeypatch)

    first, second = DataRelease.objects.order_by("created")
    assert (first.version, second.version) == ("2026-12-05", "2026-12-06")
    before, after = files_of(client, first.version), files_of(client, second.version)
    changed = {
        path
        for path in before
        if path not in ("datapackage.json", "annotations.jsonld") and before[path] != after[path]
    }
    assert changed == {"claims.csv"}
    old = {json.dumps(row, sort_keys=True) for row in rows(before["claims.csv"])}
    new = {json.dumps(row, sort_keys=True) for row in rows(after["claims.csv"])}
    assert old < new
    assert [json.loads(row)["candidate_slug"] for row in new - old] == [filler.slug]
    items = [
        json.loads(data)["first"]["items"]
        for data in (before["annotations.jsonld"], after["annotations.jsonld"])
    ]
    added = [item for item in items[1] if item not in items[0]]
    assert len(items[1]) == len(items[0]) + 1 and len(added) == 1
    assert added[0]["body"][2]["id"].endswith(f"/candidates/{filler.slug}/")
    packages = [json.loads(files["datapackage.json"]) for files in (before, after)]
    for package in packages:
        package.pop("version"), package.pop("created"), package.pop("description")
        for resource in package["resources"]:
            if resource["name"] in ("claims", "annotations"):
                for key in ("bytes", "hash", "description"):
                    resource.pop(key)
    assert packages[0] == packages[1]


def test_a_release_never_changes_and_a_new_one_is_a_new_version(client, records, monkeypatch):
    release(monkeypatch=monkeypatch)
    first = DataRelease.objects.get()
    kept = files_of(client, first.version)
    records.add_verified(records.zhang, Property.CITY, "Hangzhou", records.public_article)
    release(monkeypatch=monkeypatch)

    second = DataRelease.objects.exclude(pk=first.pk).get()
    assert second.version == f"{first.version}.2"
    assert files_of(client, first.version) == kept
    assert files_of(client, second.version)["claims.csv"] != kept["claims.csv"]
    assert client.get("/data/latest/claims.csv")["Location"] == f"/data/{second.version}/claims.csv"
    etag = client.get(f"/data/{first.version}/claims.csv")["ETag"]
    assert (
        client.get(f"/data/{first.version}/claims.csv", headers={"if-none-match": etag}).status_code
        == 304
    )


def test_the_same_version_cannot_be_made_twice(records, monkeypatch):
    from elections.services.releases import data_release_store

    release(monkeypatch=monkeypatch)
    with pytest.raises(ValidationError):
        data_release_store(
            version=DataRelease.objects.get().version,
            created=DAY,
            licence=("CC-BY-4.0", "", ""),
            origin=ORIGIN,
            generation=1,
            files=[],
            describe=lambda kept: b"{}",
            acting_user=system_user(),
        )


def test_if_changed_makes_a_release_only_when_the_public_record_changed(records, monkeypatch):
    # The clock is set for each release: on the machine's own clock, a run after midnight
    # (UTC) of DAY + 1 made the first release that day, and the changed one its ".2".
    assert release(if_changed=True, monkeypatch=monkeypatch).result["made"]
    unchanged = release(if_changed=True, monkeypatch=monkeypatch)
    records.add_claim(records.liu, Property.EMPLOYER, "Quxvsinger", records.public_article)
    still = release(if_changed=True, monkeypatch=monkeypatch)  # nothing public changed
    records.add_verified(records.zhang, Property.CITY, "Hangzhou", records.public_article)
    changed = release(if_changed=True, at=DAY + datetime.timedelta(days=1), monkeypatch=monkeypatch)

    assert not unchanged.result["made"] and not still.result["made"]
    assert changed.result["made"] and changed.result["version"] == "2026-12-06"
    assert DataRelease.objects.count() == 2


def test_a_withdrawn_release_is_no_longer_served(client, records):
    release()
    made = DataRelease.objects.get()
    data_release_withdraw(release=made, reason="A takedown request.", acting_user=system_user())

    assert client.get(f"/data/{made.version}/datapackage.json").status_code == 404
    assert client.get("/data/latest/datapackage.json").status_code == 404
    assert made.version not in client.get("/data/").content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/data/2011-01-01/datapackage.json",
        "/data/2026-12-05/text.csv",
        "/data/2026-12-05/../datapackage.json",
        "/data/" + "9" * 400 + "/datapackage.json",
        "/data/2026-12-05.99999999999999999999/claims.csv",
        "/data/latest/secrets.csv",
        "/data/?before=99999999999999999999999",
        "/data/?before=-1",
    ],
)
def test_unknown_releases_and_files_answer_404(client, records, url):
    release()

    assert client.get(url).status_code == 404


def test_the_list_of_releases_costs_the_same_queries_however_many(client, records):
    release()
    with CaptureQueriesContext(connection) as one:
        page = client.get("/data/")
    release()
    release()
    with CaptureQueriesContext(connection) as three:
        again = client.get("/data/")

    assert page.status_code == again.status_code == 200
    assert len(one) == len(three)
    text = again.content.decode()
    assert text.count('<h2><a href="/data/') == 3
    assert "/data/latest/datapackage.json" in text


def test_the_release_page_has_no_inline_style_or_script(client, records):
    release()

    text = client.get("/data/").content.decode()

    assert "<style" not in text and "<script>" not in text and "style=" not in text


def test_release_selectors_read_only_published_candidates(records):
    slugs = set(release_selectors.release_candidates().values_list("slug", flat=True))

    assert "liu-ping" in slugs and records.draft.slug not in slugs
