"""The Popolo export is valid Popolo, holds the published record and nothing else."""

import datetime
import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.db import transaction
from jsonschema import Draft3Validator, FormatChecker
from referencing import Registry
from referencing.jsonschema import DRAFT3

from elections.models import Candidate, Contradiction, Property
from elections.services import candidate_publish, claim_verify
from elections.tallies import settle
from sources.audit import unit_of_work
from sources.dates import PartialDate
from tests.conftest import SHARED
from tests.factories import make_candidacy, make_candidate, make_claim
from tests.newsroom import fixtures

pytestmark = pytest.mark.django_db

# The records of the public site, and the demo newsroom, each built once for the class of
# tests that reads it (each class's records are gone before the next class's are built,
# since the two have candidates in common).
_newsroom, newsroom = fixtures("public site", scope="class")


@pytest.fixture(scope="class")
def _demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), unit_of_work():
        call_command("load_demo", "--no-logins", verbosity=0)
        settle()  # what the unit would do before committing
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo(_demo, db):
    """The demo newsroom of `make run` (`load_demo`), for a test in its own transaction."""


SCHEMAS = SHARED / "popolo-schemas"
# Each list of the export and the schema its items follow.
COLLECTIONS = {
    "persons": "person",
    "organizations": "organization",
    "memberships": "membership",
    "areas": "area",
    "events": "event",
}


def _format_checker():
    # jsonschema checks "uri" and "date-time" only with optional packages; check them here.
    checker = FormatChecker()

    @checker.checks("uri")
    def is_uri(value):
        parts = urlsplit(value)
        return parts.scheme in ("http", "https") and bool(parts.netloc)

    @checker.checks("date-time", raises=ValueError)
    def is_date_time(value):
        return datetime.datetime.fromisoformat(value) is not None

    return checker


@pytest.fixture(scope="session")
def popolo_validators():
    """A draft-03 validator for each Popolo schema, its `$ref`s resolved to the local files
    by their `id` URLs; skips when the schemas are not beside the project."""
    if not (SCHEMAS / "person.json").exists():
        pytest.skip(f"the Popolo schemas are not at {SCHEMAS}")
    schemas = {path.stem: json.loads(path.read_text()) for path in Path(SCHEMAS).glob("*.json")}
    registry = Registry().with_resources(
        (schema["id"], DRAFT3.create_resource(schema)) for schema in schemas.values()
    )
    checker = _format_checker()
    return {
        name: Draft3Validator(schema, registry=registry, format_checker=checker)
        for name, schema in schemas.items()
    }


def schema_errors(document, validators):
    """Every way `document` breaks the Popolo schemas, as readable lines."""
    errors = []
    for collection, schema in COLLECTIONS.items():
        for position, item in enumerate(document.get(collection, [])):
            for error in validators[schema].iter_errors(item):
                where = "/".join(str(part) for part in error.absolute_path)
                errors.append(f"{collection}[{position}]/{where}: {error.message}")
    return errors


def fetch(client):
    response = client.get("/export/popolo.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()


def test_the_validators_catch_what_popolo_forbids(popolo_validators):
    broken = {
        "persons": [{"id": "x", "birth_date": "84", "links": [{"url": "/relative"}]}],
        "memberships": [{"start_date": "soon", "sources": [{"note": "no url"}]}],
    }

    assert len(schema_errors(broken, popolo_validators)) == 4


class TestNewsroomExport:
    """The export of the public site's records (the "public site" newsroom)."""

    def test_export_validates_against_the_popolo_schemas(self, client, newsroom, popolo_validators):
        document = fetch(client)

        assert schema_errors(document, popolo_validators) == []
        assert {key: len(value) for key, value in document.items()} == {
            "persons": 2,
            "organizations": 2,
            "events": 2,
            "areas": 4,
            "memberships": 2,
        }

    def test_every_reference_points_at_an_item_of_the_export(self, client, newsroom):
        document = fetch(client)
        ids = {key: {item["id"] for item in items} for key, items in document.items()}

        for membership in document["memberships"]:
            assert membership["person_id"] in ids["persons"]
            assert membership["organization_id"] in ids["organizations"]
            assert membership["area_id"] in ids["areas"]
        for organization in document["organizations"]:
            assert organization["area_id"] in ids["areas"]
        for event in document["events"]:
            assert event["organization_id"] in ids["organizations"]
        parents = {area["parent_id"] for area in document["areas"] if "parent_id" in area}
        assert parents and parents <= ids["areas"]

    def test_a_person_has_every_name_form_identifier_birth_year_and_sources(self, client, newsroom):
        liu = next(p for p in fetch(client)["persons"] if p["id"] == "person/liu-ping")

        assert liu["name"] == "Liu Ping"
        assert liu["other_names"] == [
            {"name": "刘萍", "note": "Chinese characters"},
            {"name": "Liú Píng", "note": "pinyin"},
        ]
        assert liu["identifiers"] == [{"scheme": "sourcebook", "identifier": "liu-ping"}]
        assert liu["gender"] == "female"
        assert liu["birth_date"] == "1964"
        assert liu["links"] == [
            {"url": "http://testserver/candidates/liu-ping/", "note": "profile on this site"}
        ]
        assert {source["url"] for source in liu["sources"]} == {
            "https://example.org/reports/1",
            f"http://testserver/articles/{newsroom.wire.pk}/",
            f"http://testserver/articles/{newsroom.chinese.pk}/",
        }
        assert "示例日报: 新余参选人 (2011-06-12)" in {source["note"] for source in liu["sources"]}

    def test_a_candidacy_is_a_candidate_membership_dated_by_its_status_steps(
        self, client, newsroom
    ):
        document = fetch(client)
        run = next(m for m in document["memberships"] if m["person_id"] == "person/liu-ping")
        election = newsroom.liu_run.election

        assert run["role"] == "candidate"
        assert run["label"] == f"Candidate in {election.name}; latest reported status: barred"
        assert run["organization_id"] == f"organization/{election.slug}"
        assert run["start_date"] == "2011-03-01"
        assert run["end_date"] == "2011-04"
        assert len(run["sources"]) == 2
        congress = next(o for o in document["organizations"] if o["id"] == run["organization_id"])
        assert congress["name"] == election.name
        assert congress["area_id"] == f"area/{newsroom.xinyu.slug}"
        polling = next(e for e in document["events"] if e["organization_id"] == congress["id"])
        assert polling["start_date"] == "2011-04-15"
        assert polling["classification"] == "election"

    def test_a_membership_whose_status_outlets_dispute_says_so_in_its_label(
        self, client, newsroom, popolo_validators
    ):
        # Withdrew on 2 May, after the daily's "barred" of April; a second outlet says she was
        # barred on that very day.
        day = PartialDate(2011, 5, 2)
        for status, article, quote in (
            ("withdrew", newsroom.wire, "described as a retired worker"),
            ("barred", newsroom.chinese, "是新余市的参选人"),
        ):
            claim = make_claim(
                newsroom.liu,
                Property.STATUS,
                status,
                article,
                quote,
                candidacy=newsroom.liu_run,
                as_of=day,
                by=newsroom.editor,
            )
            claim_verify(claim=claim, acting_user=newsroom.reviewer)
        assert Contradiction.objects.filter(candidacy=newsroom.liu_run, status="open").exists()

        document = fetch(client)
        run = next(m for m in document["memberships"] if m["person_id"] == "person/liu-ping")

        assert run["label"].endswith(
            "(disputed: outlets disagree; the profile shows every version)"
        )
        assert schema_errors(document, popolo_validators) == []

    def test_a_candidacy_still_running_has_no_end_date(self, client, newsroom):
        run = next(m for m in fetch(client)["memberships"] if m["person_id"] == "person/xu-yan")

        assert "end_date" not in run and "start_date" not in run
        assert run["label"].endswith("latest reported status: no status reported")

    def test_areas_are_the_places_of_the_elections_and_what_contains_them(self, client, newsroom):
        areas = {area["id"]: area for area in fetch(client)["areas"]}

        xinyu = areas[f"area/{newsroom.xinyu.slug}"]
        assert xinyu["identifier"] == "360500"
        assert xinyu["parent_id"] == f"area/{newsroom.jiangxi.slug}"
        assert areas[xinyu["parent_id"]]["name"] == "Jiangxi"

    def test_export_holds_nothing_unpublished_or_unverified(self, client, newsroom):
        body = client.get("/export/popolo.json").content.decode()

        for hidden in (
            "Hidden Person",
            "隐藏人",
            "Qianjiang",
            "Hubei",
            "Quiet Outlet",
            "steelworker",
        ):
            assert hidden not in body
        assert "weibo" not in body.lower()

    def test_export_reads_a_fixed_number_of_queries(
        self, client, newsroom, django_assert_num_queries
    ):
        # Twelve to write it (four for the page of persons, four for the page of memberships,
        # the organizations, the events, two levels of places), and two to look for a built one
        # (the generation, the newest file). More candidates, up to a page of popolo.PAGE,
        # read no more.
        with django_assert_num_queries(14) as few:
            fetch(client)
        for number in range(10):
            candidate = make_candidate(f"Extra Person {number}", birth_year=1970 + number)
            run = make_candidacy(candidate, newsroom.xu_run.election)
            claim = make_claim(
                candidate, Property.STATUS, "declared", newsroom.wire, "Hangzhou", candidacy=run
            )
            claim_verify(claim=claim, acting_user=newsroom.reviewer)
            candidate_publish(candidate=candidate, acting_user=newsroom.reviewer)

        with django_assert_num_queries(len(few.captured_queries)):
            document = fetch(client)
        assert len(document["persons"]) == 12


class TestDemoExport:
    """The export of the demo newsroom."""

    def test_the_demo_export_validates_against_the_popolo_schemas(
        self, client, demo, popolo_validators
    ):
        document = fetch(client)

        assert schema_errors(document, popolo_validators) == []
        assert len(document["persons"]) == Candidate.objects.published().count() >= 12
        people = {person["id"] for person in document["persons"]}
        areas = {area["id"] for area in document["areas"]}
        assert document["memberships"] and document["organizations"]
        assert {membership["person_id"] for membership in document["memberships"]} <= people
        assert {membership["area_id"] for membership in document["memberships"]} <= areas
        assert all(person["sources"] for person in document["persons"])
