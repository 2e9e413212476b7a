"""Reading sheets (encodings, XLSX, blank rows, a million-row dimension, the size cap) and
the outlet and article sheets; the hostile ones are in test_hostile_sheets.py."""

import csv
import io
import zipfile

import openpyxl
import pytest

from sources.audit import system_user
from sources.models import Article, ArticleVersion, Outlet
from sources.resources import ArticleResource, OutletResource
from sources.sheets import (
    SheetCSV,
    SheetError,
    SheetXLSX,
    read_sheet,
    read_sheet_file,
)
from tests.elections import fixtures_sheets
from tests.elections.fixtures_sheets import csv_bytes, database_dump, xlsx_bytes


def import_sheet(resource_class, data, **options):
    """Import as the system account: these tests are about the sheets, not who imports."""
    return fixtures_sheets.import_sheet(resource_class, data, user=system_user(), **options)


ROWS = [["name", "kind", "country"], ["示例新闻", "online", "中国"], ["Harbour Daily", "报纸", ""]]


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (csv_bytes(ROWS), "utf-8"),
        (csv_bytes(ROWS, bom=True), "utf-8-sig"),
        (csv_bytes(ROWS, encoding="gb18030"), "gb18030"),
    ],
    ids=["utf-8", "utf-8-bom", "gb18030"],
)
def test_csv_is_read_in_each_encoding_importers_send(data, encoding):
    sheet = read_sheet(data, name="outlets.csv")

    assert sheet.encoding == encoding
    assert sheet.headers == ["name", "kind", "country"]
    assert list(sheet) == [("示例新闻", "online", "中国"), ("Harbour Daily", "报纸", "")]


def test_a_chosen_encoding_is_used_as_given():
    data = csv_bytes(ROWS, encoding="gb18030")

    with pytest.raises(SheetError, match="not valid utf-8"):
        read_sheet(data, name="outlets.csv", encoding="utf-8")
    assert read_sheet(data, name="outlets.csv", encoding="gb18030")[0][0] == "示例新闻"


def test_xlsx_is_read_from_its_first_sheet_with_numbers_and_dates_as_written():
    import datetime

    data = xlsx_bytes(
        [["name", "year", "date"], ["  Xu Yan ", 1984.0, datetime.datetime(2011, 11, 8)]]
    )

    sheet = read_sheet(data, name="people.xlsx")

    assert sheet.format_name == "xlsx"
    assert list(sheet) == [("Xu Yan", "1984", "2011-11-08")]


def test_blank_rows_are_skipped_and_rows_keep_their_spreadsheet_numbers():
    data = csv_bytes([[], ["name", "kind"], ["", " "], ["A", "blog"], [], [" B ", ""]])

    sheet = read_sheet(data, name="outlets.csv")

    assert sheet.header_row == 2
    assert list(sheet) == [("A", "blog"), ("B", "")]
    assert sheet.row_numbers == [4, 6]


@pytest.mark.django_db
def test_a_value_outside_the_header_is_reported_where_it_is():
    data = csv_bytes([["name", "kind"], ["A", "blog", "stray"]])

    result = import_sheet(OutletResource, data)

    assert result.problems() == [(2, "C", "a value in a column without header")]


def _xlsx_claiming_every_row(data_rows, *, last_row_value=None):
    """An XLSX whose dimension says A1:C1048576 and which holds an empty <row> for each of
    the 1,048,576 rows after its data, as some spreadsheet programs save formatted sheets."""
    book = openpyxl.Workbook()
    for row in data_rows:
        book.active.append(row)
    saved = io.BytesIO()
    book.save(saved)
    last = 1_048_576
    with zipfile.ZipFile(saved) as source:
        sheet_xml = source.read("xl/worksheets/sheet1.xml").decode()
        files = {name: source.read(name) for name in source.namelist()}
    head, _, tail = sheet_xml.partition("</sheetData>")
    empty = "".join(f'<row r="{r}"/>' for r in range(len(data_rows) + 1, last))
    final = (
        f'<row r="{last}"><c r="A{last}" t="inlineStr"><is><t>{last_row_value}</t></is></c></row>'
        if last_row_value
        else f'<row r="{last}"/>'
    )
    sheet_xml = head + empty + final + "</sheetData>" + tail
    sheet_xml = sheet_xml.replace('<dimension ref="A1:C3"/>', f'<dimension ref="A1:C{last}"/>')
    files["xl/worksheets/sheet1.xml"] = sheet_xml.encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name, content in files.items():
            target.writestr(name, content)
    return out.getvalue()


def test_an_xlsx_claiming_a_million_rows_is_read_to_its_end():
    data = _xlsx_claiming_every_row(
        [["name", "kind", "country"], ["A", "blog", ""], ["B", "online", ""]],
        last_row_value="far below",
    )
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    assert book.active.max_row == 1_048_576

    sheet = read_sheet(data, name="outlets.xlsx")

    # The value a million rows down is read (reading once stopped 1,000 empty rows after the
    # data and lost it); the memory this takes is measured in test_hostile_sheets.py.
    assert list(sheet) == [("A", "blog", ""), ("B", "online", ""), ("far below", "", "")]
    assert sheet.row_numbers == [2, 3, 1_048_576]


@pytest.mark.django_db
def test_a_file_over_the_size_cap_is_refused_before_it_is_read(settings, tmp_path, monkeypatch):
    settings.SOURCEBOOK_IMPORT_MAX_BYTES = 1024
    path = tmp_path / "outlets.csv"
    path.write_bytes(csv_bytes([["name"], *[[f"Outlet {n}"] for n in range(200)]]))

    def never(self):
        raise AssertionError("the file was read")

    monkeypatch.setattr(type(path), "read_bytes", never)

    with pytest.raises(SheetError, match=r"outlets.csv is 3 KB, larger than the 1 KB"):
        read_sheet_file(path)


def test_exported_cells_are_neutralized_in_csv_and_xlsx():
    import tablib

    dataset = tablib.Dataset(['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "plain"])
    dataset.headers = ["a", "b", "c", "d", "e"]

    text = SheetCSV().export_data(dataset).decode("utf-8-sig")
    book = openpyxl.load_workbook(io.BytesIO(SheetXLSX().export_data(dataset)))

    assert list(csv.reader(io.StringIO(text)))[1] == [
        '\'=HYPERLINK("http://x")',
        "'+1",
        "'-2",
        "'@SUM(A1)",
        "plain",
    ]
    assert [cell.value for cell in book.active[2]] == [
        '\'=HYPERLINK("http://x")',
        "'+1",
        "'-2",
        "'@SUM(A1)",
        "plain",
    ]
    assert book.active["A2"].data_type == "s"


@pytest.mark.django_db
def test_outlets_are_created_updated_and_skipped_by_name_in_any_case():
    Outlet.objects.create(name="Harbour Daily", slug="harbour-daily", kind="other")
    sheet = csv_bytes(
        [
            ["名称", "类型", "COUNTRY"],
            ["harbour daily", "报纸", "China"],
            ["示例新闻", "online", ""],
        ]
    )

    first = import_sheet(OutletResource, sheet)
    second = import_sheet(OutletResource, sheet)

    assert [row.import_type for row in first.rows] == ["update", "new"]
    assert [row.import_type for row in second.rows] == ["skip", "skip"]
    harbour = Outlet.objects.get(slug="harbour-daily")
    assert (harbour.kind, harbour.country) == ("newspaper", "China")
    assert Outlet.objects.get(name="示例新闻").slug


@pytest.mark.django_db
def test_an_unreadable_outlet_row_is_reported_with_its_column_and_nothing_is_written():
    before = database_dump()
    sheet = csv_bytes([["name", "kind", "language"], ["A", "tabloid", "en"], ["B", "blog", "xx_1"]])

    result = import_sheet(OutletResource, sheet)

    assert [(number, column) for number, column, _ in result.problems()] == [
        (2, "kind"),
        (3, "language"),
    ]
    assert "“tabloid” is not a kind of outlet" in result.problems()[0][2]
    assert database_dump() == before


@pytest.mark.django_db
def test_an_unknown_column_is_a_problem_that_names_the_closest():
    result = import_sheet(OutletResource, csv_bytes([["name", "homepgae"], ["A", ""]]))

    ((number, column, message),) = result.problems()
    assert (number, column) == (1, "homepgae")
    assert "closest: “homepage”" in message


@pytest.mark.django_db
def test_articles_come_in_with_their_text_normalized_as_version_one_and_never_twice():
    Outlet.objects.create(name="Harbour Daily", slug="harbour-daily")
    sheet = csv_bytes(
        [
            ["outlet", "title", "url", "published_on", "language", "text"],
            [
                "Harbour Daily",
                "Polling day",
                "https://news.example/1",
                "2011年11月8日",
                "en",
                "First  line &amp; more.\r\n\r\n\r\nSecond paragraph.",
            ],
        ]
    )

    first = import_sheet(ArticleResource, sheet, file_name="articles.csv")
    second = import_sheet(ArticleResource, sheet)

    article = Article.objects.get()
    assert [row.import_type for row in first.rows] == ["new"]
    assert [row.import_type for row in second.rows] == ["skip"]
    assert article.text == "First line & more.\n\nSecond paragraph."
    assert article.published.isoformat() == "2011-11-08"
    assert article.source_name == "articles.csv"
    assert ArticleVersion.objects.filter(article=article).count() == 1


@pytest.mark.django_db
def test_a_changed_article_text_becomes_a_new_version():
    Outlet.objects.create(name="Harbour Daily", slug="harbour-daily")
    header = ["outlet", "title", "text"]
    import_sheet(ArticleResource, csv_bytes([header, ["Harbour Daily", "T", "Old words."]]))

    result = import_sheet(ArticleResource, csv_bytes([header, ["Harbour Daily", "T", "New."]]))

    article = Article.objects.get()
    assert [row.import_type for row in result.rows] == ["update"]
    assert (article.text, article.version) == ("New.", 2)


@pytest.mark.django_db
def test_an_unknown_outlet_is_a_problem_naming_the_closest_outlet():
    Outlet.objects.create(name="Harbour Daily", slug="harbour-daily")
    sheet = csv_bytes([["outlet", "title", "text"], ["Harbor Daily", "T", "Words."]])

    result = import_sheet(ArticleResource, sheet)

    ((number, column, message),) = result.problems()
    assert (number, column) == (2, "outlet")
    assert "no outlet is called “Harbor Daily”" in message
    assert "closest: “Harbour Daily”" in message
    assert not Article.objects.exists()


@pytest.mark.django_db
def test_an_outlet_export_reads_back_unchanged_neutralized_cells_included():
    Outlet.objects.create(name="=Bad Idea", slug="bad", notes="-5 sources @home")
    data = SheetCSV().export_data(OutletResource().export())
    before = database_dump()

    result = import_sheet(OutletResource, data)

    assert [row.import_type for row in result.rows] == ["skip"]
    assert database_dump() == before


@pytest.mark.django_db
def test_an_outlet_row_shows_each_change_old_and_new_and_appends_its_notes_once():
    Outlet.objects.create(
        name="Harbour Daily", slug="harbour-daily", kind="other", notes="Owned by the city."
    )
    sheet = csv_bytes([["name", "kind", "notes"], ["Harbour Daily", "报纸", "Tabloid since 2009."]])

    first = import_sheet(OutletResource, sheet)
    after_first = database_dump()
    second = import_sheet(OutletResource, sheet)

    summary = first.rows[0].diff[-1]
    assert "kind: “other” → “newspaper”" in summary
    assert "notes: “Owned by the city.” → adds “Tabloid since 2009.”" in summary
    notes = Outlet.objects.get(slug="harbour-daily").notes
    assert notes.startswith("Owned by the city.\n\n— from a sheet imported by ")
    assert notes.endswith(":\nTabloid since 2009.")
    assert [row.import_type for row in second.rows] == ["skip"]
    assert database_dump() == after_first


@pytest.mark.django_db
def test_a_changed_article_row_shows_where_the_text_changed_and_how_passages_fared():
    Outlet.objects.create(name="Harbour Daily", slug="harbour-daily")
    header = ["outlet", "title", "text"]
    old = "The candidate, a retired engineer, printed leaflets himself."
    import_sheet(ArticleResource, csv_bytes([header, ["Harbour Daily", "T", old]]))
    new = "The candidate, a retired engineer, printed posters himself."

    preview = import_sheet(
        ArticleResource, csv_bytes([header, ["Harbour Daily", "T", new]]), dry_run=True
    )
    result = import_sheet(ArticleResource, csv_bytes([header, ["Harbour Daily", "T", new]]))

    said = "text: “…engineer, printed leaflets himself.” → “…engineer, printed posters himself.”"
    assert said in preview.rows[0].diff[-1]
    assert "passages:" not in preview.rows[0].diff[-1]
    assert "passages: 0 still anchored" in result.rows[0].diff[-1]
