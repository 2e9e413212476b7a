"""The first sheet of an XLSX workbook, read with bounded work whoever made the file.

The workbook's ZIP is checked first (`archive`). openpyxl then reads the workbook's small
parts (content types, workbook, relationships, styles), each at most `archive.PART_MAX`
when openpyxl opens it. The two parts that grow with the
data are streamed here, the way openpyxl's read-only mode streams them but letting go of
every element once it is read (openpyxl keeps an emptied element per row and per string,
and a dictionary per formatted row):

- the shared-strings table holds at most `SOURCEBOOK_IMPORT_MAX_CELLS` strings; a string
  longer than a cell may hold is kept as its length, and refused where a cell uses it;
- the first worksheet is read row by row, each row's cells by openpyxl's own parser (types,
  dates, shared strings); its rows must be numbered in order and within the 1,048,576 of a
  sheet, with at most 16,384 cells each, and at most four times
  `SOURCEBOOK_IMPORT_MAX_CELLS` cells in all (empty ones included).

Missing rows cost nothing and empty ones only their parsing, so the reading always goes on
to the sheet's end: data after any gap of blank rows is read.

While a part is decompressed, its bytes are checked before the XML parser sees them: UTF-8,
no document type, entity or CDATA section (no spreadsheet program writes them), and no text
longer than a cell may hold could take (`TEXT_FACTOR` bytes a character), so no single
text or tag outgrows the cell cap. Elements nest at most `MAX_DEPTH` deep, and a row or a
string holds at most `UNIT_ELEMENTS` elements.
"""

import io
import re
from xml.etree.ElementTree import iterparse

from django.utils.translation import gettext
from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.worksheet._reader import INLINE_STRING, WorkSheetParser
from openpyxl.xml.constants import SHARED_STRINGS, SHEET_MAIN_NS

from .archive import UNREADABLE, open_archive
from .limits import GRID_COLUMNS, GRID_ROWS, LongText, SheetError, cell_place, column_name

MAX_DEPTH = 32
UNIT_ELEMENTS = 8 * GRID_COLUMNS
# Bytes of XML one character of a cell may take (UTF-8, or a character reference), and the
# longest text or tag allowed whatever the cap on a cell (a worksheet's root tag, with its
# namespaces, takes about a kilobyte).
TEXT_FACTOR = 12
TEXT_FLOOR = 64 * 1024
# Cells read, empty ones included, per cell an import keeps.
READ_FACTOR = 4
CHUNK = 64 * 1024
_MAIN = f"{{{SHEET_MAIN_NS}}}"
SHEET_DATA, ROW, CELL = f"{_MAIN}sheetData", f"{_MAIN}row", f"{_MAIN}c"
STRING, TEXT, RUN = f"{_MAIN}si", f"{_MAIN}t", f"{_MAIN}r"
# Excel escapes "_" as "_x005F_" in a string; openpyxl's reader removes it, as this one does.
_ESCAPED_UNDERSCORE = "x005F_"


class _Overlong(Exception):
    """A text longer than a cell may hold, met while a part is decompressed."""


class _Checked:
    """A part's bytes as they are decompressed, refused if they hold what no spreadsheet
    program writes: a document type, entity or CDATA section, or a text of more than
    `longest` bytes. The latter is raised as _Overlong at the read after the one that met
    it, once the parser has passed on the elements begun before, for the reader to say in
    which row and cell it is."""

    def __init__(self, source, *, name, longest):
        self.source, self.name, self.longest = source, name, longest
        self.run = 0
        self.last = b""
        self.overlong = False
        self._long = re.compile(b"[^<]{%d}" % (longest + 1))

    def read(self, size=CHUNK):
        if self.overlong:
            raise _Overlong
        chunk = self.source.read(size if size and size > 0 else CHUNK)
        if b"<!" in chunk or (self.last == b"<" and chunk[:1] == b"!"):
            raise SheetError(
                gettext(
                    "%(name)s: holds a document type, entity or CDATA section, which no "
                    "spreadsheet program writes"
                )
                % {"name": self.name}
            )
        if b"\x00" in chunk:
            # XML in UTF-16 or UTF-32, which would hide all of the above from these checks.
            raise SheetError(
                gettext("%(name)s: its XML is not in UTF-8, as spreadsheets write it")
                % {"name": self.name}
            )
        self.last = chunk[-1:]
        first = chunk.find(b"<")
        if first < 0:
            self.run += len(chunk)
        else:
            if self.run + first > self.longest or (
                len(chunk) > self.longest and self._long.search(chunk)
            ):
                self.overlong = True
            self.run = len(chunk) - chunk.rfind(b"<") - 1
        if self.run > self.longest:
            self.overlong = True
        if self.overlong and not chunk:
            raise _Overlong
        return chunk


def _string_text(node):
    """A string's text as openpyxl reads it (`Text.content`): the plain text and every run's,
    phonetic guides left out."""
    parts = []
    for child in node:
        if child.tag == RUN:
            child = child.find(TEXT)
        if child is not None and child.tag == TEXT and child.text:
            parts.append(child.text)
    return "".join(parts)


class _RowParser(WorkSheetParser):
    """openpyxl's parser of a sheet's rows, reading an inline string's text directly where
    openpyxl builds a rich-text object for it (which took most of the time of a sheet of
    inline strings, as openpyxl itself writes them)."""

    def parse_cell(self, element):
        if element.get("t") != "inlineStr":
            return super().parse_cell(element)
        coordinate = element.get("r")
        if coordinate:
            row, column = coordinate_to_tuple(coordinate)
            self.col_counter = column
        else:
            self.col_counter += 1
            row, column = self.row_counter, self.col_counter
        string = element.find(INLINE_STRING)
        value = None if string is None else _string_text(string)
        return {"row": row, "column": column, "value": value, "data_type": "s", "style_id": 0}


def _shared_strings(source, *, name, limits):
    strings = []
    depth = elements = 0
    root = None
    try:
        # The bytes reach the parser through _Checked, which refuses any DTD or entity.
        for event, element in iterparse(source, events=("start", "end")):  # noqa: S314
            if event == "start":
                depth += 1
                if depth == 1:
                    root = element
                elif depth == 2:
                    elements = 0
                else:
                    elements += 1
                    if elements > UNIT_ELEMENTS or depth > MAX_DEPTH:
                        raise SheetError(
                            gettext(
                                "%(name)s: shared string %(number)s nests deeper or holds more "
                                "elements than any spreadsheet's"
                            )
                            % {"name": name, "number": f"{len(strings) + 1:,}"}
                        )
                continue
            depth -= 1
            if depth == 1:
                if element.tag == STRING:
                    text = _string_text(element).replace(_ESCAPED_UNDERSCORE, "")
                    strings.append(text if len(text) <= limits.max_cell else LongText(len(text)))
                    if len(strings) > limits.max_cells:
                        raise SheetError(
                            gettext(
                                "%(name)s: its shared strings are more than the %(most)s cells "
                                "an import reads (SOURCEBOOK_IMPORT_MAX_CELLS)"
                            )
                            % {"name": name, "most": f"{limits.max_cells:,}"}
                        )
                root.clear()
    except _Overlong:
        raise SheetError(
            gettext(
                "%(name)s: shared string %(number)s holds more than the %(limit)s characters a "
                "cell may hold (SOURCEBOOK_IMPORT_MAX_CELL)"
            )
            % {"name": name, "number": f"{len(strings) + 1:,}", "limit": f"{limits.max_cell:,}"}
        ) from None
    return strings


class _Position:
    """Where the reading of a sheet is, for the messages: the row and cell last begun."""

    previous = 0
    row = cell = None

    def __str__(self):
        number = self.previous + 1
        if self.row is not None and (self.row.get("r") or "").isdigit():
            number = int(self.row.get("r"))
        if self.cell is not None and self.cell.get("r"):
            return cell_place(number, re.sub(r"[0-9]+", "", self.cell.get("r")))
        return cell_place(number)


def _row_number(element, previous):
    """A row's number as openpyxl's parser reads it: its `r`, or the one after the last."""
    number = element.get("r")
    if number is None:
        return previous + 1
    try:
        return int(number)
    except ValueError:
        value = float(number)
        if not value.is_integer():
            raise
        return int(value)


def _sheet_rows(source, parser, *, name, limits):
    """(row number, [(column, value) ...]) for each row of the sheet that holds a cell."""
    depth = elements = cells = read = previous = 0
    root = section = None
    in_data = False
    position = _Position()
    most_read = READ_FACTOR * limits.max_cells
    try:
        # The bytes reach the parser through _Checked, which refuses any DTD or entity.
        for event, element in iterparse(source, events=("start", "end")):  # noqa: S314
            if event == "start":
                depth += 1
                if depth > 3:
                    elements += 1
                    if elements > UNIT_ELEMENTS or depth > MAX_DEPTH:
                        raise SheetError(
                            gettext(
                                "%(name)s: %(where)s: its XML nests deeper or holds more "
                                "elements than any spreadsheet's"
                            )
                            % {"name": name, "where": position}
                        )
                    if depth == 4 and in_data and element.tag == CELL:
                        cells, read = cells + 1, read + 1
                        position.cell = element
                        if cells > GRID_COLUMNS:
                            raise SheetError(
                                gettext(
                                    "%(name)s: %(where)s: more than the %(most)s cells a row of "
                                    "a sheet has"
                                )
                                % {"name": name, "where": position, "most": f"{GRID_COLUMNS:,}"}
                            )
                        if read > most_read:
                            raise SheetError(
                                gettext(
                                    "%(name)s: %(where)s: the sheet holds more than %(most)s "
                                    "cells, empty ones included, more than an import reads "
                                    "(four times SOURCEBOOK_IMPORT_MAX_CELLS)"
                                )
                                % {"name": name, "where": position, "most": f"{most_read:,}"}
                            )
                elif depth == 3:
                    elements = cells = 0
                    position.row, position.cell, position.previous = element, None, previous
                elif depth == 2:
                    section, in_data = element, element.tag == SHEET_DATA
                else:
                    root = element
                continue
            depth -= 1
            if depth == 2:
                if in_data and element.tag == ROW:
                    if len(element):
                        number, values = _parse_row(parser, element, name=name, position=position)
                    else:
                        # An empty row (a formatted one, or one a program wrote for nothing).
                        number, values = _empty_row(parser, element, name=name, position=position)
                    if number <= previous:
                        raise SheetError(
                            gettext(
                                "%(name)s: row %(row)s comes after row %(previous)s: its rows "
                                "are out of order, as no spreadsheet program saves them"
                            )
                            % {"name": name, "row": number, "previous": previous}
                        )
                    if number > GRID_ROWS:
                        raise SheetError(
                            gettext(
                                "%(name)s: holds a row %(row)s, beyond the %(most)s rows of a sheet"
                            )
                            % {"name": name, "row": f"{number:,}", "most": f"{GRID_ROWS:,}"}
                        )
                    previous = number
                    if values:
                        yield number, values
                section.remove(element)
            elif depth == 1:
                root.clear()
    except _Overlong:
        raise SheetError(
            gettext(
                "%(name)s: %(where)s: the cell holds more than the %(limit)s characters a cell may "
                "hold (SOURCEBOOK_IMPORT_MAX_CELL)"
            )
            % {"name": name, "where": position, "limit": f"{limits.max_cell:,}"}
        ) from None


def _unreadable(name, position, error):
    return SheetError(
        gettext("%(name)s: %(where)s: cannot be read (%(error)s)")
        % {"name": name, "where": position, "error": error}
    )


def _empty_row(parser, element, *, name, position):
    try:
        number = _row_number(element, parser.row_counter)
    except ValueError as error:
        raise _unreadable(name, position, error) from None
    parser.row_counter = number
    return number, None


def _parse_row(parser, element, *, name, position):
    try:
        number, cells = parser.parse_row(element)
    except (ValueError, TypeError, IndexError, KeyError, OverflowError) as error:
        raise _unreadable(name, position, error) from None
    # openpyxl keeps the attributes of every formatted row; nothing here needs them.
    parser.row_dimensions.clear()
    values = []
    for cell in cells:
        column = cell["column"]
        if column > GRID_COLUMNS:
            raise SheetError(
                gettext(
                    "%(name)s: row %(row)s: a cell in column %(column)s, beyond the %(most)s "
                    "columns of a sheet"
                )
                % {
                    "name": name,
                    "row": number,
                    "column": column_name(column),
                    "most": f"{GRID_COLUMNS:,}",
                }
            )
        if cell["value"] is not None:
            values.append((column, cell["value"]))
    return number, values


class _WorkbookReader(ExcelReader):
    """openpyxl's reader of a workbook's small parts; the large ones are streamed here."""

    def __init__(self, data, archive, *, name, limits):
        super().__init__(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
        self.archive.close()
        self.archive = archive
        self.name, self.limits = name, limits

    def read(self):
        # Only what reading the first sheet's values needs: no properties, theme, names.
        self.read_manifest()
        self.read_strings()
        self.read_workbook()
        apply_stylesheet(self.archive, self.wb)

    def read_strings(self):
        part = self.package.find(SHARED_STRINGS)
        if part is not None:
            with self.archive.stream(part.PartName[1:]) as source:
                self.shared_strings = _shared_strings(
                    self._checked(source), name=self.name, limits=self.limits
                )

    def _checked(self, source):
        longest = max(TEXT_FACTOR * self.limits.max_cell, TEXT_FLOOR)
        return _Checked(source, name=self.name, longest=longest)

    def first_sheet(self):
        """The part of the workbook's first worksheet (chart sheets are not worksheets)."""
        for _sheet, relation in self.parser.find_sheets():
            if relation.target in self.valid_files and "chartsheet" not in relation.Type:
                return relation.target
        return None

    def rows(self, part):
        """(row number, [(column, value) ...]) for each row of `part` that holds a value."""
        parser = _RowParser(
            None,
            self.shared_strings,
            data_only=True,
            epoch=self.wb.epoch,
            date_formats=self.wb._date_formats,
            timedelta_formats=self.wb._timedelta_formats,
        )
        with self.archive.stream(part) as source:
            yield from _sheet_rows(
                self._checked(source), parser, name=self.name, limits=self.limits
            )


def workbook_rows(data, *, name, limits, consume):
    """Pass `consume` the rows of the first sheet of the workbook `data` and the number of
    its shared strings, and return what it returns; SheetError if the workbook cannot be
    read within the caps."""
    archive = open_archive(data, name=name, limits=limits)
    try:
        reader = _WorkbookReader(data, archive, name=name, limits=limits)
        reader.read()
        part = reader.first_sheet()
        if part is None:
            raise SheetError(gettext("%(name)s: the workbook has no sheet") % {"name": name})
        return consume(reader.rows(part), len(reader.shared_strings))
    except SheetError:
        raise
    except UNREADABLE as error:
        raise SheetError(
            gettext("%(name)s: not an XLSX workbook (%(error)s)") % {"name": name, "error": error}
        ) from None
    finally:
        archive.close()
