"""Reading a sheet's bytes into a SheetDataset, within the caps (see the package)."""

import csv
import datetime
import re
from pathlib import Path, PurePath

import tablib
from django.utils.translation import gettext

from sources.spreadsheets import FORMULA_STARTS

from .encodings import decode_sheet
from .limits import GRID_COLUMNS, GRID_ROWS, Limits, LongText, SheetError, size_text, too_long

CSV, XLSX = "csv", "xlsx"
_ZIP_MAGIC = b"PK\x03\x04"
# A line of CSV ends at \r\n, \r or \n, as `open(newline="")` reads it.
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
_FIRST_LINE = re.compile(r"[^\r\n]*\S[^\r\n]*")


def max_bytes():
    """The largest file accepted, from `settings.SOURCEBOOK_IMPORT_MAX_BYTES`."""
    return Limits.current().max_bytes


def check_size(size, *, name="the file"):
    """Raise SheetError when `size` bytes are over the import limit."""
    limit = max_bytes()
    if size > limit:
        raise SheetError(
            gettext(
                "%(name)s is %(size)s, larger than the %(limit)s an import accepts "
                "(SOURCEBOOK_IMPORT_MAX_BYTES); split it into smaller sheets"
            )
            % {"name": name, "size": size_text(size), "limit": size_text(limit)}
        )


def read_stream(stream, *, name="the input"):
    """The bytes of `stream` (stdin, an upload), reading no more than one past the cap."""
    limit = max_bytes()
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise SheetError(
            gettext(
                "%(name)s is larger than the %(limit)s an import accepts "
                "(SOURCEBOOK_IMPORT_MAX_BYTES); split it into smaller sheets"
            )
            % {"name": name, "limit": size_text(limit)}
        )
    return data


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


class _Builder:
    """Builds a SheetDataset row by row, refusing the sheet as soon as a cap is passed."""

    def __init__(self, *, name, format_name, encoding="", limits, strings=0):
        self.dataset = SheetDataset()
        self.dataset.name, self.dataset.format_name = name, format_name
        self.dataset.encoding = encoding
        self.name, self.limits = name, limits
        self.width = None
        self.rows = 0
        # An XLSX's shared strings are held as long as its cells, and count among them.
        self.cells = strings

    def add(self, number, values):
        """Add row `number` from its (column number, value) pairs; a blank row adds nothing."""
        texts = {}
        for column, value in values:
            if isinstance(value, LongText):
                raise too_long(self.name, number, column, self.limits.max_cell, value.length)
            text = cell_text(value)
            if text:
                if len(text) > self.limits.max_cell:
                    raise too_long(self.name, number, column, self.limits.max_cell, len(text))
                texts[column] = text
        if not texts:
            return
        if self.width is None:
            self._header(number, texts)
            return
        self.rows += 1
        if self.rows > self.limits.max_rows:
            raise SheetError(
                gettext(
                    "%(name)s: holds more than the %(most)s rows an import reads "
                    "(SOURCEBOOK_IMPORT_MAX_ROWS; row %(row)s is the first beyond it); split it "
                    "into smaller sheets"
                )
                % {"name": self.name, "most": f"{self.limits.max_rows:,}", "row": f"{number:,}"}
            )
        width = self.width
        stray = sorted(column for column in texts if column > width)
        self.cells += width + len(stray)
        if self.cells > self.limits.max_cells:
            raise SheetError(
                gettext(
                    "%(name)s: holds more than the %(most)s cells an import reads "
                    "(SOURCEBOOK_IMPORT_MAX_CELLS: rows times columns, and an XLSX's shared "
                    "strings; passed at row %(row)s); split it into smaller sheets"
                )
                % {"name": self.name, "most": f"{self.limits.max_cells:,}", "row": f"{number:,}"}
            )
        self.dataset.append([texts.get(column, "") for column in range(1, width + 1)])
        self.dataset.row_numbers.append(number)
        self.dataset.stray.extend((number, column) for column in stray)

    def _header(self, number, texts):
        self.width = max(texts)
        if self.width > GRID_COLUMNS:
            raise SheetError(
                gettext(
                    "%(name)s: its header has %(columns)s columns, more than the %(most)s of a "
                    "sheet"
                )
                % {"name": self.name, "columns": f"{self.width:,}", "most": f"{GRID_COLUMNS:,}"}
            )
        self.dataset.header_row = number
        self.dataset.headers = [texts.get(column, "") for column in range(1, self.width + 1)]


def _beyond_grid(name, number):
    return SheetError(
        gettext("%(name)s: holds a row %(row)s, beyond the %(most)s rows of a sheet")
        % {"name": name, "row": f"{number:,}", "most": f"{GRID_ROWS:,}"}
    )


def _delimiter(text):
    first = _FIRST_LINE.search(text)
    first = first.group() if first else ""
    counts = {delimiter: first.count(delimiter) for delimiter in (",", "\t", ";")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


class _Lines:
    """The lines of a text, one at a time (no list of them), noting where the last ended."""

    def __init__(self, text):
        self.matches = _LINE.finditer(text)
        self.end = 0

    def __iter__(self):
        return self

    def __next__(self):
        match = next(self.matches)
        self.end = match.end()
        return match.group()


def _long_field(text, start, delimiter, limit):
    """The column of the record starting at `start` whose field is over `limit` characters."""
    other = re.escape(delimiter)
    field = re.compile(rf'(?:"(?:[^"]++|"")*+"?)?[^{other}\r\n]*+')
    column, position = 1, start
    while True:
        match = field.match(text, position)
        if len(match.group()) > limit:
            return column
        position = match.end()
        if text[position : position + 1] != delimiter:
            return None
        column, position = column + 1, position + 1


def read_csv(data, *, name="sheet.csv", encoding=None):
    """Read CSV bytes, decoded as `encoding` or, unless one is named, as `encodings` decides."""
    limits = Limits.current()
    text, used = decode_sheet(data, name=name, encoding=encoding or None)
    builder = _Builder(name=name, format_name=CSV, encoding=used, limits=limits)
    delimiter = _delimiter(text)
    lines = _Lines(text)
    reader = csv.reader(lines, delimiter=delimiter)
    number, start = 0, 0
    try:
        for number, cells in enumerate(reader, start=1):
            if number > GRID_ROWS:
                raise _beyond_grid(name, number)
            builder.add(number, enumerate(cells, start=1))
            start = lines.end
    except csv.Error as error:
        if "field larger than field limit" not in str(error):
            raise SheetError(
                gettext("%(name)s: not a CSV file (%(error)s)") % {"name": name, "error": error}
            ) from None
        # The csv module's own cap (131,072 characters) is under any sensible cell cap.
        limit = min(limits.max_cell, csv.field_size_limit())
        column = _long_field(text, start, delimiter, limit)
        raise too_long(name, number + 1, column, limit) from None
    return builder.dataset


def _build(rows, strings, *, name, limits):
    builder = _Builder(name=name, format_name=XLSX, limits=limits, strings=strings)
    for number, values in rows:
        builder.add(number, values)
    return builder.dataset


def read_xlsx(data, *, name="sheet.xlsx"):
    """Read the first sheet of an XLSX workbook's bytes (values, not formulas)."""
    # Imported here: openpyxl (and numpy with it) loads only when a workbook is read.
    from .xlsx import workbook_rows

    limits = Limits.current()
    return workbook_rows(
        data,
        name=name,
        limits=limits,
        consume=lambda rows, strings: _build(rows, strings, name=name, limits=limits),
    )


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
        with path.open("rb") as handle:
            data = read_stream(handle, name=path.name)
    except OSError as error:
        raise SheetError(
            gettext("%(path)s: cannot be read (%(error)s)")
            % {"path": path, "error": error.strerror}
        ) from None
    return read_sheet(data, name=path.name, format_name=format_name, encoding=encoding)
