"""Properties of the sheet readers: any table of Unicode cells reads back as it was written."""

import csv
import io

from hypothesis import example, given, settings
from hypothesis import strategies as st

from sources.sheets import read_sheet
from sources.spreadsheets import FORMULA_STARTS, neutralize_cell
from tests.properties.strategies import (
    ACCENTED,
    CJK,
    CJK_ASTRAL,
    COMBINING,
    EMOJI,
    LATIN,
    PUNCTUATION,
    RTL,
)

# What a cell may hold: any of the newsroom's scripts, inner spaces and line breaks.
CELL_PIECE = st.one_of(
    LATIN,
    ACCENTED,
    CJK,
    CJK_ASTRAL,
    EMOJI,
    COMBINING,
    RTL,
    PUNCTUATION,
    st.sampled_from([" ", "\n"]),
)
cell = st.lists(CELL_PIECE, max_size=12).map("".join).map(str.strip)
# Headers are words: a header holding commas and semicolons would make the delimiter ambiguous.
header = st.lists(
    st.one_of(st.characters(min_codepoint=0x61, max_codepoint=0x7A), CJK), min_size=1, max_size=6
).map("".join)


@st.composite
def tables(draw):
    headers = draw(st.lists(header, min_size=1, max_size=5, unique=True))
    rows = draw(st.lists(st.lists(cell, min_size=len(headers), max_size=len(headers)), max_size=8))
    # A row of empty cells is skipped by design (the million empty rows some programs save).
    return headers, [row for row in rows if any(row)]


def as_csv(headers, rows):
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue()


def read_back(dataset):
    return list(dataset.headers), [list(row) for row in dataset]


@settings(max_examples=60)
@given(tables(), st.sampled_from(["utf-8", "utf-8-sig"]))
def test_csv_in_utf8_reads_back_exactly(table, encoding):
    headers, rows = table
    data = as_csv(headers, rows).encode(encoding)
    assert read_back(read_sheet(data, name="sheet.csv")) == (headers, rows)


@settings(max_examples=60)
@given(tables())
def test_csv_in_gb18030_reads_back_exactly_when_named(table):
    headers, rows = table
    data = as_csv(headers, rows).encode("gb18030")
    assert read_back(read_sheet(data, name="sheet.csv", encoding="gb18030")) == (headers, rows)


@settings(max_examples=30)
@given(tables())
@example((["value"], [["=0"], ["@SUM(1)"]]))
def test_xlsx_reads_back_exactly(table):
    import openpyxl

    headers, rows = table
    book = openpyxl.Workbook()
    sheet = book.active
    for number, values in enumerate([headers, *rows], start=1):
        for column, value in enumerate(values, start=1):
            if value:
                # Typed as text, as a spreadsheet program stores typed text: "=0" is not a formula.
                sheet.cell(number, column, value).data_type = "s"
    out = io.BytesIO()
    book.save(out)
    assert read_back(read_sheet(out.getvalue(), name="sheet.xlsx")) == (headers, rows)


formula = st.tuples(st.sampled_from(["=", "+", "-", "@", "=HYPERLINK(", "@SUM("]), cell).map(
    "".join
)


@given(st.one_of(cell, formula))
def test_a_neutralized_cell_never_starts_a_formula_and_reads_back_as_it_was(value):
    safe = neutralize_cell(value)
    assert not str(safe).startswith(FORMULA_STARTS)
    data = as_csv(["value"], [[safe]]).encode("utf-8")
    assert read_back(read_sheet(data, name="sheet.csv"))[1] in ([[value]], [])
