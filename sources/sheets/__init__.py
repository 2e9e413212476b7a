"""Reading the spreadsheets importers really have, and hostile ones, with bounded work.

A sheet is read into a `SheetDataset` (a tablib Dataset) whose rows keep the numbers a
spreadsheet program shows, the header being the first row that holds anything:

- CSV is decoded only when one reading of its bytes is beyond doubt (`encodings`): UTF-8
  (with or without a byte-order mark, or any text with a byte-order mark), else the one of
  GB18030, Big5, Shift-JIS, EUC-JP, EUC-KR and Windows-1252 in which it reads as ordinary
  text; when none or several do, it is refused with a sample of each reading, and the
  importer names the encoding (a csv format in the admin, `--encoding` for the `import`
  command). The delimiter is a comma, or a tab or semicolon when the header holds those
  instead.
- XLSX is read from its first sheet, values rather than formulas, streamed row by row
  (`xlsx`) after its ZIP has been checked (`archive`).
- Every cell is text, stripped; empty rows are left out (their numbers are skipped); a cell
  that an export neutralized (`'=...`, see `sources.spreadsheets`) is read back as it was.
  Numbers saved as floats by spreadsheet programs (`1985.0`) read as `1985`, and date cells
  as `2011-11-08`.

Caps (`limits`, from the settings), each checked before the work it bounds grows:

- the file: `SOURCEBOOK_IMPORT_MAX_BYTES`, before it is read;
- an XLSX once uncompressed: `SOURCEBOOK_IMPORT_MAX_UNCOMPRESSED` for the sizes its ZIP
  declares, before anything is decompressed;
- rows of data (blank ones aside): `SOURCEBOOK_IMPORT_MAX_ROWS`, counted as they are read;
  the refusal comes as the first row over the cap is met;
- cells (each row of data counts the header's width, and an XLSX's shared strings count
  too): `SOURCEBOOK_IMPORT_MAX_CELLS`, which bounds the memory a sheet takes however narrow
  its cells;
- one cell: `SOURCEBOOK_IMPORT_MAX_CELL` characters, refused naming its row and column.

Within them a process reading any sheet stays under the memory the README states (768 MB,
Python and Django included), which tests/sources/test_hostile_sheets.py measures.

Blank rows never end the reading: a sheet is read to its end, and data after any gap of
blank rows is read with the rest. What bounds that work is the row numbering itself: a
sheet has at most 1,048,576 rows (as in Excel and LibreOffice), so a file numbering a row
beyond that, CSV records included, is refused naming it. In an XLSX a missing row costs
nothing and an empty one only its parsing; a CSV's blank lines are bounded by its size.

Modules: `reading` (CSV, and the dataset either format becomes), `xlsx` and `archive`
(workbooks), `encodings`, `limits` (the caps and SheetError), `formats` (for
django-import-export).
"""

from .formats import (
    EXPORT_FORMATS,
    IMPORT_FORMATS,
    SheetCSV,
    SheetCSVBig5,
    SheetCSVEUCJP,
    SheetCSVEUCKR,
    SheetCSVGB18030,
    SheetCSVShiftJIS,
    SheetCSVUTF8,
    SheetCSVWindows1252,
    SheetXLSX,
    neutralized,
)
from .limits import SheetError
from .reading import (
    CSV,
    XLSX,
    SheetDataset,
    cell_text,
    check_size,
    max_bytes,
    read_csv,
    read_sheet,
    read_sheet_file,
    read_stream,
    read_xlsx,
    sheet_format,
)

__all__ = [
    "CSV",
    "EXPORT_FORMATS",
    "IMPORT_FORMATS",
    "XLSX",
    "SheetCSV",
    "SheetCSVBig5",
    "SheetCSVEUCJP",
    "SheetCSVEUCKR",
    "SheetCSVGB18030",
    "SheetCSVShiftJIS",
    "SheetCSVUTF8",
    "SheetCSVWindows1252",
    "SheetDataset",
    "SheetError",
    "SheetXLSX",
    "cell_text",
    "check_size",
    "max_bytes",
    "neutralized",
    "read_csv",
    "read_sheet",
    "read_sheet_file",
    "read_stream",
    "read_xlsx",
    "sheet_format",
]
