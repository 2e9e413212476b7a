"""`manage.py import`: every encoding and format, problems by row and column, exit status."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from elections.models import Candidacy, Candidate
from tests.elections.fixtures_sheets import (
    CANDIDATE_HEADER,
    csv_bytes,
    database_dump,
    make_places,
    xlsx_bytes,
)

pytestmark = pytest.mark.django_db

RESOURCE = "elections.resources.CandidateResource"
ROWS = [
    ["姓名", "中文名", "性别", "省份", "城市", "状态"],
    ["Liu Ping", "刘萍", "女", "江西", "新余", "退选"],
    ["", "", "", "", "", ""],
    ["Xu Yan", "", "男", "Zhejiang", "Hangzhou", "宣布参选"],
]


@pytest.fixture
def places():
    return make_places()


def _run(*args):
    out, err = StringIO(), StringIO()
    call_command("import", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("candidates.csv", csv_bytes(ROWS)),
        ("candidates.csv", csv_bytes(ROWS, bom=True)),
        ("candidates.csv", csv_bytes(ROWS, encoding="gb18030")),
        ("candidates.xlsx", xlsx_bytes(ROWS)),
    ],
    ids=["utf-8", "utf-8-bom", "gb18030", "xlsx"],
)
def test_the_command_imports_a_sheet_in_every_encoding_and_format(places, tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)

    out, _ = _run(RESOURCE, str(path))

    assert "Imported candidates: 2 new, 0 updated, 0 skipped." in out
    assert sorted(Candidacy.objects.values_list("status", flat=True)) == ["declared", "withdrew"]


def test_a_second_run_reports_every_row_skipped(places, tmp_path):
    path = tmp_path / "candidates.csv"
    path.write_bytes(csv_bytes(ROWS))
    _run(RESOURCE, str(path))

    out, _ = _run(RESOURCE, str(path))

    assert "Imported candidates: 0 new, 0 updated, 2 skipped." in out


def test_problems_are_printed_with_row_column_and_reason_and_the_command_fails(places, tmp_path):
    path = tmp_path / "candidates.csv"
    path.write_bytes(
        csv_bytes(
            [
                CANDIDATE_HEADER,
                ["", "Good", "", "", "", "", "", "Hangzhou", "", "", "", "", ""],
                [],
                ["", "Bad", "", "", "maybe", "", "", "Hongzhou", "", "", "", "", ""],
            ]
        )
    )
    before = database_dump()
    err = StringIO()

    with pytest.raises(CommandError, match=r"nothing was imported: 2 problems in candidates\.csv"):
        call_command("import", RESOURCE, str(path), stdout=StringIO(), stderr=err)

    lines = err.getvalue().splitlines()
    assert lines[0].startswith("row 4, column gender: 'maybe' is not a gender")
    assert lines[1].startswith("row 4, column city: no city called “Hongzhou” is known")
    assert database_dump() == before


def test_the_command_exits_with_status_one(places, tmp_path, capsys):
    from django.core.management import execute_from_command_line

    path = tmp_path / "candidates.csv"
    path.write_bytes(csv_bytes([["name", "gender"], ["X", "maybe"]]))

    with pytest.raises(SystemExit) as exit:
        execute_from_command_line(["manage.py", "import", RESOURCE, str(path)])

    assert exit.value.code == 1
    assert "row 2, column gender: 'maybe' is not a gender" in capsys.readouterr().err


def test_a_dry_run_writes_nothing(places, tmp_path):
    path = tmp_path / "candidates.csv"
    path.write_bytes(csv_bytes(ROWS))
    before = database_dump()

    out, _ = _run(RESOURCE, str(path), "--dry-run")

    assert "Dry run, nothing written: candidates: 2 new, 0 updated, 0 skipped." in out
    assert database_dump() == before


def test_a_file_over_the_size_cap_is_refused(places, tmp_path, settings):
    settings.SOURCEBOOK_IMPORT_MAX_BYTES = 100
    path = tmp_path / "candidates.csv"
    path.write_bytes(csv_bytes(ROWS))

    with pytest.raises(CommandError, match=r"candidates\.csv is 1 KB, larger than the 1 KB"):
        _run(RESOURCE, str(path))
    assert not Candidate.objects.exists()


def test_an_encoding_can_be_named_and_is_then_insisted_on(places, tmp_path):
    path = tmp_path / "candidates.csv"
    path.write_bytes(csv_bytes(ROWS, encoding="gb18030"))

    with pytest.raises(CommandError, match="is not valid utf-8"):
        _run(RESOURCE, str(path), "--encoding", "utf-8")
    out, _ = _run(RESOURCE, str(path), "--encoding", "gb18030")
    assert "2 new" in out


def test_a_status_that_cannot_be_placed_is_a_printed_notice(places, tmp_path):
    path = tmp_path / "candidates.csv"
    path.write_bytes(csv_bytes([["name", "status"], ["Yang Lingyun", "declared"]]))

    out, _ = _run(RESOURCE, str(path))

    assert "Row 2: the status declared (宣布参选) is not recorded" in out
    assert "Imported candidates: 1 new" in out
