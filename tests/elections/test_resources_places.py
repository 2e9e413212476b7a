"""The place and election sheets."""

import pytest

from elections.models import Election, Place
from elections.places import lookup_places
from elections.resources import ElectionResource, PlaceResource
from sources.sheets import SheetCSV
from tests.elections.fixtures_sheets import csv_bytes, database_dump, import_sheet, make_places

pytestmark = pytest.mark.django_db


@pytest.fixture
def places():
    return make_places()


def test_a_township_comes_in_under_its_county_and_is_then_found_by_any_name(places):
    sheet = csv_bytes(
        [
            ["级别", "中文名", "上级", "别名"],
            ["乡镇", "清河街道", "110108", "Qinghe; Tsinghe"],
        ]
    )

    first = import_sheet(PlaceResource, sheet)
    second = import_sheet(PlaceResource, sheet)

    assert [row.import_type for row in first.rows] == ["new"]
    assert [row.import_type for row in second.rows] == ["skip"]
    (township,) = lookup_places("Tsinghe")
    assert (township.level, township.parent, township.city) == (
        "township",
        places["Haidian"],
        places["Beijing"],
    )
    assert township.name == "Qinghe"


def test_an_alias_added_to_a_known_place_by_its_code(places):
    result = import_sheet(PlaceResource, csv_bytes([["code", "aliases"], ["330100", "Hongzhou"]]))

    assert [row.import_type for row in result.rows] == ["update"]
    assert lookup_places("Hongzhou") == [places["Hangzhou"]]


def test_an_unknown_parent_is_a_problem_and_nothing_is_written(places):
    before = database_dump()

    result = import_sheet(
        PlaceResource,
        csv_bytes([["level", "name_zh", "parent"], ["township", "某某镇", "Nowhere County"]]),
    )

    assert result.problems() == [
        (2, "parent", "no place “Nowhere County” is known to hold a township")
    ]
    assert database_dump() == before


def test_an_election_is_created_for_its_place_and_found_again(places):
    sheet = csv_bytes(
        [
            ["province", "city", "district", "polling_on", "notes"],
            ["Beijing", "Beijing", "Haidian", "2011年11月8日", "district congress"],
        ]
    )

    first = import_sheet(ElectionResource, sheet)
    second = import_sheet(ElectionResource, sheet)

    election = Election.objects.get()
    assert [row.import_type for row in first.rows] == ["new"]
    assert [row.import_type for row in second.rows] == ["skip"]
    assert (election.place, election.level, election.cycle) == (
        places["Haidian"],
        "county",
        "2011-2012",
    )
    assert election.polling.isoformat() == "2011-11-08"
    assert election.name == "Haidian people's congress election, 2011-2012"


def test_an_election_sheet_changes_name_and_date_but_never_moves_an_election(places):
    import_sheet(ElectionResource, csv_bytes([["slug", "city"], ["hz", "Hangzhou"]]))

    renamed = import_sheet(
        ElectionResource,
        csv_bytes([["slug", "name", "polling_on"], ["hz", "Hangzhou 2011", "2011-11"]]),
    )
    moved = import_sheet(ElectionResource, csv_bytes([["slug", "city"], ["hz", "Xinyu"]]))

    election = Election.objects.get(slug="hz")
    assert [row.import_type for row in renamed.rows] == ["update"]
    assert (election.name, election.polling.isoformat()) == ("Hangzhou 2011", "2011-11")
    assert "a sheet cannot move it" in moved.problems()[0][2]
    assert election.place == places["Hangzhou"]


def test_place_and_election_exports_read_back_unchanged(places):
    import_sheet(
        PlaceResource, csv_bytes([["level", "name_zh", "parent"], ["乡镇", "清河街道", "110108"]])
    )
    import_sheet(ElectionResource, csv_bytes([["city", "polling_on"], ["Hangzhou", "2011-11"]]))
    place_sheet = SheetCSV().export_data(PlaceResource().export(Place.objects.order_by("pk")))
    election_sheet = SheetCSV().export_data(ElectionResource().export())
    before = database_dump()

    places_again = import_sheet(PlaceResource, place_sheet)
    elections_again = import_sheet(ElectionResource, election_sheet)

    assert {row.import_type for row in places_again.rows} == {"skip"}
    assert {row.import_type for row in elections_again.rows} == {"skip"}
    assert database_dump() == before


def test_an_election_row_shows_old_and_new_and_appends_its_notes_once(places):
    import_sheet(
        ElectionResource, csv_bytes([["slug", "city", "notes"], ["hz", "Hangzhou", "Quiet."]])
    )
    sheet = csv_bytes(
        [["slug", "polling_on", "notes"], ["hz", "2011-11-08", "Turnout disputed by observers."]]
    )

    first = import_sheet(ElectionResource, sheet)
    after_first = database_dump()
    second = import_sheet(ElectionResource, sheet)

    summary = first.rows[0].diff[-1]
    assert "polling_on: (blank) → “2011-11-08”" in summary
    assert "notes: “Quiet.” → adds “Turnout disputed by observers.”" in summary
    notes = Election.objects.get(slug="hz").notes
    assert notes.startswith("Quiet.\n\n— from a sheet imported by ")
    assert notes.endswith(":\nTurnout disputed by observers.")
    assert [row.import_type for row in second.rows] == ["skip"]
    assert database_dump() == after_first


def test_a_place_row_shows_the_names_it_changes_old_and_new(places):
    sheet = csv_bytes([["code", "name"], [places["Haidian"].code, "Haidian Qu"]])

    result = import_sheet(PlaceResource, sheet, dry_run=True)

    assert "name: “Haidian” → “Haidian Qu”" in result.rows[0].diff[-1]
