"""The candidate sheet: headers in two languages, identity, statuses, all or nothing."""

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from elections.models import Candidacy, CandidacyStatus, Candidate, CandidateName, Election
from elections.resources import CandidateResource
from elections.services import candidacy_for
from sources.audit import system_user
from tests.elections.fixtures_sheets import (
    CANDIDATE_HEADER,
    csv_bytes,
    database_dump,
    import_sheet,
    make_places,
    xlsx_bytes,
)
from tests.factories import make_candidate, make_election, make_user

pytestmark = pytest.mark.django_db

CHINESE_HEADER = [
    "姓名",
    "中文名",
    "别名",
    "性别",
    "出生年份",
    "省份",
    "城市",
    "区县",
    "职业",
    "状态",
]


@pytest.fixture
def places():
    return make_places()


def _row(**cells):
    return [cells.get(column, "") for column in CANDIDATE_HEADER]


def _sheet(*rows, **options):
    return csv_bytes([CANDIDATE_HEADER, *rows], **options)


@pytest.mark.parametrize(
    "encode",
    [
        lambda rows: csv_bytes(rows),
        lambda rows: csv_bytes(rows, bom=True),
        lambda rows: csv_bytes(rows, encoding="gb18030"),
        xlsx_bytes,
    ],
    ids=["utf-8", "utf-8-bom", "gb18030", "xlsx"],
)
def test_a_chinese_sheet_with_chinese_status_words_imports_in_every_encoding(places, encode):
    rows = [
        CHINESE_HEADER,
        ["Liu Ping", "刘萍", "Liu Ping (Xinyu)", "女", "1964", "江西", "新余", "", "工人", "退选"],
        [],
        ["Qiao Mu", "乔木", "", "男", "", "北京", "北京", "海淀", "教师", "落选"],
    ]
    name = "candidates.xlsx" if encode is xlsx_bytes else "candidates.csv"

    result = import_sheet(CandidateResource, encode(rows), name=name)

    assert result.problems() == []
    assert [row.import_type for row in result.rows] == ["new", "new"]
    liu = Candidate.objects.get(name_zh="刘萍")
    assert (liu.display_name, liu.gender, liu.birth_year) == ("Liu Ping", "female", 1964)
    assert list(liu.names.values_list("name", flat=True)) == ["Liu Ping (Xinyu)"]
    (candidacy,) = liu.candidacies.all()
    assert (candidacy.election.place, candidacy.status) == (places["Xinyu"], "withdrew")
    qiao = Candidacy.objects.get(candidate__name_zh="乔木")
    assert qiao.election.place == places["Haidian"]
    assert qiao.status == "defeated"


def test_a_status_becomes_an_internal_step_in_the_election_of_the_most_specific_place(places):
    import_sheet(
        CandidateResource,
        _sheet(
            _row(
                slug="qiao-mu",
                name="Qiao Mu",
                province="Beijing",
                city="Beijing",
                district="Haidian",
                status="defeated",
            )
        ),
    )

    step = CandidacyStatus.objects.get()
    election = step.candidacy.election
    assert (election.place, election.level, election.cycle) == (
        places["Haidian"],
        "county",
        "2011-2012",
    )
    # Beijing's districts all polled on 8 November 2011, and a defeat is dated to polling day.
    assert election.polling.isoformat() == "2011-11-08"
    assert (step.status, step.date.isoformat(), step.claim) == ("defeated", "2011-11-08", None)


def test_a_status_finds_the_election_already_recorded_for_the_place(places):
    election = make_election(places["Hangzhou"], polling="2011-11")
    election.cycle = "2011-2012"
    election.save()

    import_sheet(CandidateResource, _sheet(_row(name="Xu Yan", city="Hangzhou", status="declared")))

    assert Election.objects.count() == 1
    assert Candidacy.objects.get().election == election
    assert CandidacyStatus.objects.get().date.isoformat() == "2011"


def test_importing_the_same_sheet_twice_reports_every_row_skipped_and_changes_nothing(places):
    sheet = _sheet(
        _row(slug="xu-yan", name="Xu Yan", province="Zhejiang", city="Hangzhou", status="declared"),
        _row(name="Hu Jiangquan", aliases="Hu Jiang Quan", city="Hangzhou", gender="male"),
        _row(name="Yang Lingyun", gender="female"),
    )
    import_sheet(CandidateResource, sheet)
    before = database_dump()

    result = import_sheet(CandidateResource, sheet)

    assert [row.import_type for row in result.rows] == ["skip", "skip", "skip"]
    assert database_dump() == before


def test_a_row_without_slug_updates_the_one_candidate_of_that_name_in_the_province(places):
    xu = make_candidate("Xu Yan")
    candidacy_for(
        candidate=xu, election=make_election(places["Hangzhou"]), acting_user=system_user()
    )

    result = import_sheet(
        CandidateResource, _sheet(_row(name="XU YAN", province="Zhejiang", gender="male"))
    )

    assert [row.import_type for row in result.rows] == ["update"]
    xu.refresh_from_db()
    assert (xu.gender, xu.revision, Candidate.objects.count()) == ("male", 2, 1)


def test_a_name_in_another_province_is_another_person(places):
    xu = make_candidate("Xu Yan")
    candidacy_for(
        candidate=xu, election=make_election(places["Hangzhou"]), acting_user=system_user()
    )

    result = import_sheet(CandidateResource, _sheet(_row(name="Xu Yan", province="Sichuan")))

    assert [row.import_type for row in result.rows] == ["new"]
    assert Candidate.objects.count() == 2


def test_a_name_that_could_be_two_candidates_is_an_error_naming_both(places):
    first = make_candidate("Liu Ping", name_zh="刘萍")
    second = make_candidate("Liu Ping", name_zh="刘平", slug="liu-ping-2")
    before = database_dump()

    result = import_sheet(CandidateResource, _sheet(_row(name="Liu Ping", province="Jiangxi")))

    ((number, column, message),) = result.problems()
    assert (number, column) == (2, "name")
    assert f"Liu Ping ({first.slug})" in message and f"Liu Ping ({second.slug})" in message
    assert database_dump() == before


def test_a_chinese_name_tells_two_homophones_apart(places):
    make_candidate("Liu Ping", name_zh="刘萍")
    ping = make_candidate("Liu Ping", name_zh="刘平", slug="liu-ping-2")

    result = import_sheet(
        CandidateResource, _sheet(_row(name="Liu Ping", name_zh="刘平", birth_year="1970"))
    )

    assert [row.import_type for row in result.rows] == ["update"]
    ping.refresh_from_db()
    assert ping.birth_year == 1970


def test_a_new_slug_with_a_known_name_is_imported_with_a_notice(places):
    make_candidate("Zhang Wei", slug="zhang-wei")

    result = import_sheet(CandidateResource, _sheet(_row(slug="zhang-wei-2", name="Zhang Wei")))

    assert [row.import_type for row in result.rows] == ["new"]
    assert (
        "the new candidate zhang-wei-2 has the name of Zhang Wei (zhang-wei)" in result.notices[0]
    )


def test_two_rows_about_one_new_person_are_an_error(places):
    result = import_sheet(
        CandidateResource,
        _sheet(_row(name="Xu Yan", city="Hangzhou"), _row(name="xu yan", city="Hangzhou")),
    )

    assert result.problems() == [(3, "name", "the same candidate as row 2")]


def test_a_slug_updates_its_candidate_and_other_names_are_only_added(places):
    xu = make_candidate("Xu Yan", slug="xu-yan")
    CandidateName.objects.create(candidate=xu, name="Hsu Yen")

    import_sheet(
        CandidateResource,
        _sheet(_row(slug="xu-yan", name="Xu Ruiyan", name_zh="徐瑞焰", aliases="徐琰; Xu Yan")),
    )

    xu.refresh_from_db()
    assert (xu.display_name, xu.name_zh) == ("Xu Ruiyan", "徐瑞焰")
    assert sorted(xu.names.values_list("name", flat=True)) == ["Hsu Yen", "Xu Yan", "徐琰"]
    assert "|xuyan|" in xu.search_text and "|徐琰|" in xu.search_text


def test_a_status_without_a_place_is_not_recorded_and_says_so(places):
    result = import_sheet(CandidateResource, _sheet(_row(name="Yang Lingyun", status="declared")))

    assert [row.import_type for row in result.rows] == ["new"]
    assert not Candidacy.objects.exists()
    assert "Row 2: the status declared (宣布参选) is not recorded: no place" in result.notices[0]


def test_a_new_status_in_a_later_sheet_adds_a_step(places):
    row = {"slug": "liu-ping", "name": "Liu Ping", "province": "Jiangxi", "city": "Xinyu"}
    import_sheet(CandidateResource, _sheet(_row(**row, status="declared")))

    result = import_sheet(CandidateResource, _sheet(_row(**row, status="被取消资格")))

    assert [row.import_type for row in result.rows] == ["update"]
    candidacy = Candidacy.objects.get()
    assert list(candidacy.statuses.values_list("status", flat=True)) == ["declared", "barred"]
    assert candidacy.status == "barred"


def test_every_bad_row_is_reported_with_row_column_and_reason_and_nothing_is_written(places):
    before = database_dump()
    sheet = _sheet(
        _row(name="Good Row", city="Hangzhou"),
        _row(name="Bad Gender", gender="maybe"),
        [],
        _row(name="Bad Year", birth_year="1066"),
        _row(name="Misprint", province="Zhejiang", city="Hongzhou"),
        _row(name="Wrong Word", status="won by a mile"),
    )

    result = import_sheet(CandidateResource, sheet)

    assert [(number, column) for number, column, _ in result.problems()] == [
        (3, "gender"),
        (5, "birth_year"),
        (6, "city"),
        (7, "status"),
    ]
    assert "closest: “Hangzhou”" in result.problems()[2][2]
    assert database_dump() == before


def test_an_unknown_place_names_the_closest_ones(places):
    result = import_sheet(CandidateResource, _sheet(_row(name="X", province="Zhejaing")))

    ((_, column, message),) = result.problems()
    assert column == "province"
    assert "no province called “Zhejaing” is known; closest: “Zhejiang”" in message


def test_a_city_outside_the_province_given_is_a_problem(places):
    result = import_sheet(
        CandidateResource, _sheet(_row(name="X", province="Sichuan", city="Hangzhou"))
    )

    ((_, column, message),) = result.problems()
    assert column == "city"
    assert "“Hangzhou” is not in Sichuan" in message


def test_only_importers_may_import(places):
    editor = make_user("Editors")

    with pytest.raises(PermissionDenied, match="You may not import"):
        import_sheet(CandidateResource, _sheet(_row(name="X")), user=editor)
    assert not Candidate.objects.exists()

    import_sheet(CandidateResource, _sheet(_row(name="X")), user=make_user("Importers"))
    assert Candidate.objects.get().history.get().history_user.groups.get().name == "Importers"


def test_a_dry_run_writes_nothing_but_says_what_it_would_do(places):
    before = database_dump()

    result = import_sheet(
        CandidateResource,
        _sheet(_row(name="Xu Yan", city="Hangzhou", status="declared")),
        dry_run=True,
    )

    assert [row.import_type for row in result.rows] == ["new"]
    assert "records the candidacy" in result.rows[0].diff[-1]
    assert database_dump() == before


def test_export_and_reimport_changes_nothing(places):
    import_sheet(
        CandidateResource,
        _sheet(
            _row(
                slug="qiao-mu",
                name="Qiao Mu",
                name_zh="乔木",
                gender="male",
                province="Beijing",
                city="Beijing",
                district="Haidian",
                status="defeated",
                notes="=not a formula",
            ),
            _row(
                slug="hu",
                name="Hu Jiangquan",
                aliases="Hu Jiang Quan; 胡江泉",
                birth_year="1990",
                city="Hangzhou",
                status="declared",
                weibo="@hujiangquan",
            ),
        ),
    )
    from sources.sheets import SheetCSV

    exported = SheetCSV().export_data(CandidateResource().export())
    before = database_dump()

    result = import_sheet(CandidateResource, exported)

    assert [row.import_type for row in result.rows] == ["skip", "skip"]
    assert database_dump() == before
    assert "'=not a formula" in exported.decode("utf-8-sig")


@pytest.mark.parametrize("count", [50, 500])
def test_queries_grow_with_batches_of_rows_not_with_rows(
    places, monkeypatch, django_assert_max_num_queries, count
):
    monkeypatch.setattr(CandidateResource, "batch_size", 100)
    rows = [
        _row(
            name=f"Person {n:03d}",
            city=("Hangzhou", "Xinyu", "Chengdu")[n % 3],
            aliases=f"P{n}",
            status="declared",
        )
        for n in range(count)
    ]
    batches = -(-count // 100)

    # A fixed part (slugs and elections read once, the candidate index) and about eight
    # queries a batch of 100 rows (slugs, places, stored names and candidacies, then the
    # inserts, which SQLite's limit on parameters splits into a few statements each).
    # (30: five settle the public tallies of the candidates written, keep their ledgers and
    # renew their versions, on PostgreSQL once it has asked whether the public saw a change.)
    with django_assert_max_num_queries(30 + 12 * batches):
        result = import_sheet(CandidateResource, _sheet(*rows))

    assert result.totals["new"] == count
    assert Candidacy.objects.count() == count


@pytest.mark.parametrize(
    "name", ["Liu Ping", "刘萍", "劉曉波", "阿依古丽·买买提", "Hu Jiang-Quan", "单田芳"]
)
def test_the_index_reads_names_as_search_does(name):
    from elections.names import name_keys, query_keys
    from elections.resources.lookups import CandidateIndex

    assert CandidateIndex().forms(name) == (query_keys(name), name_keys(name))


# Nothing overwritten silently.

EDITORS_NOTES = "Met him at the count on 8 November; he asked not to be quoted."


def test_a_changed_row_shows_each_field_old_and_new(places):
    make_candidate("Xu Yan", slug="xu-yan", birth_year=1960, gender="female")

    result = import_sheet(
        CandidateResource,
        _sheet(_row(slug="xu-yan", name="Xu Yan", birth_year="1961", gender="male")),
        dry_run=True,
    )

    (row,) = result.rows
    assert row.import_type == "update"
    assert "birth_year: “1960” → “1961”" in row.diff[-1]
    assert "gender: “female” → “male”" in row.diff[-1]


def test_a_sheet_appends_its_notes_to_the_editors_dated_and_attributed(places):
    make_candidate("Xu Yan", slug="xu-yan", notes=EDITORS_NOTES)
    importer = make_user("Importers", username="sheet-importer")
    sheet = _sheet(_row(slug="xu-yan", name="Xu Yan", notes="A retired teacher, per the list."))

    result = import_sheet(CandidateResource, sheet, user=importer)

    notes = Candidate.objects.get(slug="xu-yan").notes
    today = timezone.localdate().isoformat()
    assert notes == (
        f"{EDITORS_NOTES}\n\n— from a sheet imported by sheet-importer, {today}:\n"
        "A retired teacher, per the list."
    )
    summary = result.rows[0].diff[-1]
    assert "notes: “Met him at the count on 8 November; he asked not to be quot…” →" in summary
    assert "adds “A retired teacher, per the list.”" in summary


def test_re_importing_a_sheet_with_notes_appends_them_once_and_changes_nothing(places):
    make_candidate("Xu Yan", slug="xu-yan", notes=EDITORS_NOTES)
    sheet = _sheet(_row(slug="xu-yan", name="Xu Yan", birth_year="1961", notes="Teacher."))
    import_sheet(CandidateResource, sheet)
    before = database_dump()

    result = import_sheet(CandidateResource, sheet)

    assert [row.import_type for row in result.rows] == ["skip"]
    assert database_dump() == before
    assert Candidate.objects.get(slug="xu-yan").notes.count("Teacher.") == 1


def test_notes_given_to_a_candidate_without_notes_are_attributed_too(places):
    make_candidate("Xu Yan", slug="xu-yan")

    result = import_sheet(CandidateResource, _sheet(_row(slug="xu-yan", notes="Teacher.")))

    notes = Candidate.objects.get(slug="xu-yan").notes
    assert notes.startswith("— from a sheet imported by ") and notes.endswith(":\nTeacher.")
    assert "notes: (blank) → adds “Teacher.”" in result.rows[0].diff[-1]


def test_long_values_are_shortened_with_an_ellipsis_in_the_outcome(places):
    make_candidate("Xu Yan", slug="xu-yan", notes="x" * 500)

    result = import_sheet(CandidateResource, _sheet(_row(slug="xu-yan", notes="y" * 500)))

    summary = result.rows[0].diff[-1]
    assert "“" + "x" * 59 + "…”" in summary and "“" + "y" * 59 + "…”" in summary
    assert "x" * 61 not in summary


def test_appended_notes_exported_and_read_back_change_nothing(places):
    make_candidate("Xu Yan", slug="xu-yan", notes=EDITORS_NOTES)
    import_sheet(CandidateResource, _sheet(_row(slug="xu-yan", notes="Teacher.\nRetired.")))
    from sources.sheets import SheetCSV

    exported = SheetCSV().export_data(CandidateResource().export())
    before = database_dump()

    result = import_sheet(CandidateResource, exported)

    assert [row.import_type for row in result.rows] == ["skip"]
    assert database_dump() == before
