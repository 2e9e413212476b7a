"""The sheet formats of django-import-export: CSV in each encoding a sheet is read in, XLSX.

The encoding of a CSV format is the class's own (`ENCODING`, None meaning detected), so that
the admin's confirm step reads the file exactly as the preview did; exports are neutralized
(`sources.spreadsheets.neutralize_cell`), CSV written with a byte-order mark for Excel.
"""

import importlib
from contextlib import contextmanager

import tablib
from tablib.formats import load_format_class, registry

from sources.spreadsheets import neutralize_cell

from .reading import CSV, XLSX, read_sheet


class _FormatAtUse:
    """A tablib format registered by its path, loaded when anything of it is asked for."""

    def __init__(self, path):
        self.path = path

    def __getattr__(self, name):
        return getattr(load_format_class(self.path), name)


@contextmanager
def _tablib_formats_at_use():
    """tablib's formats registered by path, standing in for themselves unloaded meanwhile.

    django-import-export lists the formats it offers when its formats module is imported,
    loading each of tablib's to see that it can (XLSX loads openpyxl, and numpy with it;
    YAML loads PyYAML). That module comes with the admin, so every process serving pages
    would carry them; the formats are loaded when a sheet is read or written instead. The
    formats offered are the same: tablib registers a format by path only when it finds its
    library. Afterwards tablib's registry holds the paths again, as it does unused."""
    deferred = {key: path for key, path in list(registry._formats.items()) if isinstance(path, str)}
    for key, path in deferred.items():
        registry._formats[key] = _FormatAtUse(path)
    try:
        yield
    finally:
        for key, path in deferred.items():
            if isinstance(registry._formats.get(key), _FormatAtUse):
                registry._formats[key] = path


# Imported first here (config.admin imports this module before the admin's modules).
with _tablib_formats_at_use():
    base_formats = importlib.import_module("import_export.formats.base_formats")


def neutralized(dataset):
    """A copy of `dataset` with every cell passed through `neutralize_cell`."""
    safe = tablib.Dataset(headers=[neutralize_cell(header) for header in dataset.headers or []])
    for row in dataset:
        safe.append([neutralize_cell(cell) for cell in row])
    return safe


class SheetCSV(base_formats.CSV):
    """CSV for django-import-export: read through `read_csv`, written with a BOM for Excel."""

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


# The other encodings a CSV is tried in (`encodings.CANDIDATES`), for an importer to name
# when a sheet is refused as ambiguous.
class SheetCSVBig5(SheetCSV):
    ENCODING = "cp950"
    TITLE = "csv (Big5)"


class SheetCSVShiftJIS(SheetCSV):
    ENCODING = "cp932"
    TITLE = "csv (Shift-JIS)"


class SheetCSVEUCJP(SheetCSV):
    ENCODING = "euc_jp"
    TITLE = "csv (EUC-JP)"


class SheetCSVEUCKR(SheetCSV):
    ENCODING = "cp949"
    TITLE = "csv (EUC-KR)"


class SheetCSVWindows1252(SheetCSV):
    ENCODING = "cp1252"
    TITLE = "csv (Windows-1252)"


# New formats go last: the admin's confirm step names a format by its place in this list.
IMPORT_FORMATS = [
    SheetCSV,
    SheetCSVUTF8,
    SheetCSVGB18030,
    SheetXLSX,
    SheetCSVBig5,
    SheetCSVShiftJIS,
    SheetCSVEUCJP,
    SheetCSVEUCKR,
    SheetCSVWindows1252,
]
EXPORT_FORMATS = [SheetCSV, SheetXLSX]
