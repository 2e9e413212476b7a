"""The caps on what one import reads, and the error that refuses a sheet.

Every cap is checked before the work it bounds grows: the file's size before it is read, an
XLSX's uncompressed size before anything is decompressed, rows and cells as they are read.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext

# A sheet in Excel or LibreOffice has at most this many rows and columns; a file that numbers
# a row or a column beyond them was not saved by a spreadsheet program.
GRID_ROWS = 1_048_576
GRID_COLUMNS = 16_384


class SheetError(ValueError):
    """A file that cannot be read as a sheet; the message says why, for the importer."""


class LongText:
    """A shared string longer than a cell may hold: only its length is kept."""

    def __init__(self, length):
        self.length = length


@dataclass(frozen=True)
class Limits:
    """The caps of `settings` (read when a sheet is read, never at import time)."""

    max_bytes: int
    max_rows: int
    max_cells: int
    max_cell: int
    max_uncompressed: int

    @classmethod
    def current(cls):
        return cls(
            max_bytes=settings.SOURCEBOOK_IMPORT_MAX_BYTES,
            max_rows=settings.SOURCEBOOK_IMPORT_MAX_ROWS,
            max_cells=settings.SOURCEBOOK_IMPORT_MAX_CELLS,
            max_cell=settings.SOURCEBOOK_IMPORT_MAX_CELL,
            max_uncompressed=settings.SOURCEBOOK_IMPORT_MAX_UNCOMPRESSED,
        )


def size_text(size):
    """`size` bytes as an importer reads it: `3 KB`, `20.0 MB`."""
    if size < 1024 * 1024:
        return f"{-(-size // 1024)} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def column_name(number):
    """The spreadsheet's letters for column `number` (1 is A, 27 is AA)."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell_place(row, column=""):
    """Where a cell is, for a message: `row 3, column C`, or `row 3` when no column is known."""
    if column:
        return gettext("row %(row)s, column %(column)s") % {"row": row, "column": column}
    return gettext("row %(row)s") % {"row": row}


def too_long(name, row, column, limit, length=None):
    """The refusal of a cell over `limit` characters, naming where it is."""
    if length:
        message = gettext(
            "%(name)s: %(where)s: the cell holds %(length)s characters, more than the "
            "%(limit)s characters a cell may hold (SOURCEBOOK_IMPORT_MAX_CELL)"
        )
    else:
        message = gettext(
            "%(name)s: %(where)s: the cell holds more than the %(limit)s characters a cell may "
            "hold (SOURCEBOOK_IMPORT_MAX_CELL)"
        )
    where = cell_place(row, column_name(column) if column else "")
    length = f"{length:,}" if length else ""
    return SheetError(
        message % {"name": name, "where": where, "length": length, "limit": f"{limit:,}"}
    )
