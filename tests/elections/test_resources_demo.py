"""The demo data set loads cleanly through the sheets, as an importer would load it."""

import csv
from collections import Counter
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from elections.models import Candidacy, Candidate, Claim, Contradiction
from elections.resources import CandidateResource, ClaimResource
from sources.models import Outlet
from sources.resources import OutletResource
from sources.sheets import read_sheet_file
from tests.factories import make_user

DEMO = Path(__file__).resolve().parents[2] / "elections" / "demo"


def _rows(name):
    with (DEMO / name).open(encoding="utf-8", newline="") as handle:
        return sum(1 for row in csv.DictReader(handle) if any(row.values()))


def _import(resource_class, name):
    importer = User.objects.filter(username="importer").first() or make_user(
        "Importers", username="importer"
    )
    return resource_class().import_data(read_sheet_file(DEMO / name), file_name=name, user=importer)


@pytest.mark.django_db
def test_the_demo_sheets_load_cleanly_and_a_second_load_changes_nothing():
    call_command("load_places", stdout=StringIO())
    call_command("import_articles", "--manifest", str(DEMO / "manifest.csv"), stdout=StringIO())

    outlets = _import(OutletResource, "outlets.csv")
    candidates = _import(CandidateResource, "candidates.csv")
    claims = _import(ClaimResource, "claims.csv")

    assert (outlets.problems(), candidates.problems(), claims.problems()) == ([], [], [])
    assert Outlet.objects.get(name="示例新闻").kind == "online"
    assert Candidate.objects.count() == _rows("candidates.csv")
    assert Claim.objects.count() == _rows("claims.csv")
    # Yang Lingyun's sheet status names no place, so no election can be found for it.
    assert [notice[:7] for notice in candidates.notices] == ["Row 13:", "The occ"]
    qiao = Candidacy.objects.get(candidate__slug="qiao-mu")
    assert (qiao.election.place.name, qiao.status) == ("Haidian", "defeated")
    # The disputes the demo README says a careful editor will find are detected, one per
    # question: ages answer the year of birth, and Liu Ping's two June 2011 reports are one
    # version against the republished piece.
    found = Counter(Contradiction.objects.values_list("candidate__slug", "property"))
    assert found == Counter(
        {
            ("xu-yan", "city"): 1,
            ("xu-yan", "birth_year"): 1,
            ("liu-ping", "birth_year"): 1,
            ("he-peng", "birth_year"): 1,
            ("wang-xiuzhen", "birth_year"): 1,
            ("zhang-wei", "birth_year"): 1,
        }
    )
    liu_ping = Contradiction.objects.get(candidate__slug="liu-ping")
    assert sorted(liu_ping.members.values_list("group", flat=True)) == [1, 2, 2]

    again = [
        _import(resource, name)
        for resource, name in (
            (OutletResource, "outlets.csv"),
            (CandidateResource, "candidates.csv"),
            (ClaimResource, "claims.csv"),
        )
    ]

    assert [result.totals["skip"] for result in again] == [
        _rows(name) for name in ("outlets.csv", "candidates.csv", "claims.csv")
    ]
    assert [result.totals["new"] + result.totals["update"] for result in again] == [0, 0, 0]
