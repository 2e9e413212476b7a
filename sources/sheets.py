"""Reading the spreadsheets importers really have: CSV in UTF-8 or GB18030, and XLSX.

A sheet is read into a `SheetDataset` (a tablib Dataset) whose rows keep the numbers a
spreadsheet program shows, the header being the first row that holds anything:

- CSV in UTF-8, with or without a byte-order mark, and in GB18030 (the encoding Excel saves
  CSV in on Chinese Windows) is recognised without being named; any other encoding can be
  named. The delimiter is a comma, or a tab or semicolon when the header holds those
  instead.
- XLSX is read from its first sheet in openpyxl's read-only mode, values rather than
  formulas. Spreadsheet programs often save a sheet whose dimension claims every one of its
  1,048,576 rows, some of them present but empty: reading stops after `EMPTY_RUN` empty rows
  in a row, so such a file costs what its data costs.
- Every cell is text, stripped; empty rows are left out (their numbers are skipped); a cell
  that an export neutralized (`'=...`, see `sources.spreadsheets`) is read back as it was.
  Numbers saved as floats by spreadsheet programs (`1985.0`) read as `1985`, and date cells
  as `2011-11-08`.

Files larger than `settings.SOURCEBOOK_IMPORT_MAX_BYTES` are refused before they are read.
"""

import csv
import datetime
import io
import zipfile
from pathlib import Path, PurePath

import tablib
from django.conf import settings
from import_export.formats import base_formats

from sources.extract import ExtractionError, decode_bytes
from sources.spreadsheets import FORMULA_STARTS, neutralize_cell

# Empty rows in a row after which an XLSX sheet is taken to have ended.
EMPTY_RUN = 1000
CSV, XLSX = "csv", "xlsx"
_ZIP_MAGIC = b"PK\x03\x04"


class SheetError(ValueError):
    """A file that cannot be read as a sheet; the message says why, for the importer."""


def max_bytes():
    """The largest file accepted, from `settings.SOURCEBOOK_IMPORT_MAX_BYTES`."""
    return settings.SOURCEBOOK_IMPORT_MAX_BYTES


def _size(size):
    if size < 1024 * 1024:
        return f"{-(-size // 1024)} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def check_size(size, *, name="the file"):
    """Raise SheetError when `size` bytes are over the import limit."""
    limit = max_bytes()
    if size > limit:
        raise SheetError(
            f"{name} is {_size(size)}, larger than the {_size(limit)} an import accepts "
            "(SOURCEBOOK_IMPORT_MAX_BYTES); split it into smaller sheets"
        )


def cell_text(value):
    """A cell's value as the stripped text an import reads."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time():
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = str(value).strip()
    # An exported cell kept from running as a formula reads as the value it was.
    if text[:1] == "'" and text[1:2] and text[1:].startswith(FORMULA_STARTS):
        text = text[1:].strip()
    return text


class SheetDataset(tablib.Dataset):
    """A tablib Dataset of text cells that knows each row's number in the spreadsheet.

    `row_numbers[i]` is the spreadsheet row of `self[i]` (the header is `header_row`);
    `stray` lists (row number, column number) of cells outside the header's columns that
    hold something; `encoding` and `format_name` say how the file was read.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.row_numbers = []
        self.header_row = 1
        self.stray = []
        self.encoding = ""
        self.format_name = ""
        self.name = ""


def _dataset(rows, *, name, format_name, encoding=""):
    """Build a SheetDataset from (row number, cells) pairs, blank rows already left out."""
    dataset = SheetDataset()
    dataset.name, dataset.format_name, dataset.encoding = name, format_name, encoding
    rows = iter(rows)
    for number, cells in rows:
        header = [cell_text(cell) for cell in cells]
        while header and not header[-1]:
            header.pop()
        dataset.header_row = number
        dataset.headers = header
        break
    else:
        return dataset
    width = len(dataset.headers)
    for number, cells in rows:
        texts = [cell_text(cell) for cell in cells]
        for column, text in enumerate(texts[width:], start=width + 1):
            if text:
                dataset.stray.append((number, column))
        texts = texts[:width]
        texts.extend([""] * (width - len(texts)))
        dataset.append(texts)
        dataset.row_numbers.append(number)
    return dataset


def _is_blank(cells):
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


def _delimiter(text):
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {delimiter: first.count(delimiter) for delimiter in (",", "\t", ";")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def read_csv(data, *, name="sheet.csv", encoding=None):
    """Read CSV bytes (UTF-8, UTF-8 with BOM or GB18030 unless `encoding` names another)."""
    try:
        text, used = decode_bytes(data, name=name, encoding=encoding or None)
    except ExtractionError as error:
        raise SheetError(str(error)) from None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        rows = [
            (number, cells) for number, cells in enumerate(reader, start=1) if not _is_blank(cells)
        ]
    except csv.Error as error:
        raise SheetError(f"{name}: not a CSV file ({error})") from None
    return _dataset(rows, name=name, format_name=CSV, encoding=used)


def _xlsx_rows(sheet):
    """(row number, values) of the sheet's rows that hold something, stopping at the end."""
    empty = 0
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        if _is_blank(values):
            empty += 1
            if empty >= EMPTY_RUN:
                return
            continue
        empty = 0
        yield number, values


def read_xlsx(data, *, name="sheet.xlsx"):
    """Read the first sheet of an XLSX workbook's bytes (values, not formulas)."""
    import openpyxl  # loaded only when a workbook is read

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise SheetError(f"{name}: not an XLSX workbook ({error})") from None
    try:
        if not book.worksheets:
            raise SheetError(f"{name}: the workbook has no sheet")
        sheet = book.worksheets[0]
        # The stored dimension may claim the whole grid; only the cells present count.
        sheet.reset_dimensions()
        return _dataset(_xlsx_rows(sheet), name=name, format_name=XLSX)
    finally:
        book.close()


def sheet_format(name, data=b""):
    """`xlsx` for a workbook (by its name, or its zip signature), else `csv`."""
    if PurePath(name).suffix.lower() in (".xlsx", ".xlsm") or data.startswith(_ZIP_MAGIC):
        return XLSX
    return CSV


def read_sheet(data, *, name="sheet", format_name=None, encoding=None):
    """Read a sheet's bytes as CSV or XLSX (guessed from `name` and the bytes if not given)."""
    check_size(len(data), name=name)
    format_name = format_name or sheet_format(name, data)
    if format_name == XLSX:
        return read_xlsx(data, name=name)
    return read_csv(data, name=name, encoding=encoding)


def read_sheet_file(path, *, format_name=None, encoding=None):
    """Read the sheet at `path`; a file over the size limit is refused before it is read."""
    path = Path(path)
    try:
        check_size(path.stat().st_size, name=path.name)
        data = path.read_bytes()
    except OSError as error:
        raise SheetError(f"{path}: cannot be read ({error.strerror})") from None
    return read_sheet(data, name=path.name, format_name=format_name, encoding=encoding)


def neutralized(dataset):
    """A copy of `dataset` with every cell passed through `neutralize_cell`."""
    safe = tablib.Dataset(headers=[neutralize_cell(header) for header in dataset.headers or []])
    for row in dataset:
        safe.append([neutralize_cell(cell) for cell in row])
    return safe


class SheetCSV(base_formats.CSV):
    """CSV for django-import-export: read through `read_csv`, written with a BOM for Excel.

    The encoding is the class's own (`ENCODING`, None meaning detected), so that the admin's
    confirm step reads the file exactly as the preview did.
    """

    ENCODING = None
    TITLE = "csv"

    def __init__(self, encoding=None):
        super().__init__(encoding=self.ENCODING or encoding)

    def get_title(self):
        return self.TITLE

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream, **kwargs):
        if isinstance(in_stream, str):
            in_stream = in_stream.encode("utf-8")
        return read_sheet(in_stream, name="sheet.csv", format_name=CSV, encoding=self.encoding)

    def export_data(self, dataset, **kwargs):
        # A byte-order mark makes Excel read the file as UTF-8 (Chinese names included).
        return ("\ufeff" + neutralized(dataset).export("csv", **kwargs)).encode("utf-8")


class SheetCSVUTF8(SheetCSV):
    ENCODING = "utf-8"
    TITLE = "csv (UTF-8)"


class SheetCSVGB18030(SheetCSV):
    ENCODING = "gb18030"
    TITLE = "csv (GB18030)"


class SheetXLSX(base_formats.XLSX):
    """XLSX for django-import-export: read through `read_xlsx`, cells neutralized on export."""

    def get_title(self):
        return XLSX

    def create_dataset(self, in_stream):
        return read_sheet(in_stream, name="sheet.xlsx", format_name=XLSX)

    def export_data(self, dataset, **kwargs):
        return super().export_data(neutralized(dataset), **kwargs)


IMPORT_FORMATS = [SheetCSV, SheetCSVUTF8, SheetCSVGB18030, SheetXLSX]
EXPORT_FORMATS = [SheetCSV, SheetXLSX]
