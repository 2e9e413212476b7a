"""What the import preview shows of a sheet, whatever its size, and its problems as CSV.

`SheetPreview.of(result)` reads a dry run's result (django-import-export's `Result`, as the
sheet resources make it) into what the page shows: the counts of new, updated, skipped rows
and of rows with problems; the rows with problems, each with its reasons and its bad cells
marked; the other rows with what the import does to each. Each list keeps its first hundred
rows and counts the rest, long cells are cut and wide sheets narrowed, so the page stays
tens of kilobytes for a sheet of any length (django-import-export's own page shows every
row: 15-60 MB of HTML for a big sheet). A big sheet's dry run runs as a task
(`sources.tasks.sheet_preview`), which keeps the preview as JSON in its run
(`SheetPreview.as_json`, read back by `SheetPreview.from_json`). `errors_csv(result)` writes
every problem, with the row's cells neutralized (`sources.spreadsheets.neutralize_cell`), for
the importer to fix.
"""

import csv
import io
from dataclasses import asdict, dataclass, field
from itertools import islice

from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.translation import pgettext
from import_export.results import RowResult

from sources.resources.base import fold_header
from sources.spreadsheets import neutralize_cell

# What the preview shows of a sheet, whatever its size: the rest is counted, not shown.
ROWS_SHOWN = 100
ERROR_ROWS_SHOWN = 100
PROBLEMS_SHOWN = 20
COLUMNS_SHOWN = 40
CELL_CHARACTERS = 200


def _cut(value, limit=CELL_CHARACTERS):
    text = "" if value is None else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class PreviewCell:
    text: str
    bad: bool = False


@dataclass
class PreviewRow:
    """One row as the preview shows it: its number, cells, and outcome or problems."""

    number: object
    cells: list
    action: str = ""
    summary: str = ""
    problems: list = field(default_factory=list)
    problems_hidden: int = 0


def _framed(result):
    """Whether the result's rows are [row number, *cells, outcome], as a SheetResource's."""
    headers = result.diff_headers
    return len(headers) >= 2 and headers[0] == "row" and headers[-1] == "what the import does"


def sheet_cells(result, values):
    """The sheet's own cells of a row's values (or headers) in `result`."""
    values = list(values or ())
    return values[1:-1] if _framed(result) else values


def problems_of(result):
    """(row number, column, reason, cells) of every problem of `result`, rows in order."""
    for error in result.base_errors:
        yield "", "", str(error.error), []
    for row in sorted(result.invalid_rows, key=lambda invalid: invalid.number):
        cells = sheet_cells(result, row.values)
        for column, messages in row.error_dict.items():
            for message in messages:
                yield row.number, "" if column == NON_FIELD_ERRORS else column, message, cells
    for number, errors in result.row_errors():
        for error in errors:
            yield number, "", str(error.error), []


def _column_names(headers, columns):
    """For each header, the folded names a problem may call its column by."""
    names = {}
    for column in columns:
        for header in (column.name, *column.aliases):
            names[fold_header(header)] = fold_header(column.name)
    return [{fold_header(h), names.get(fold_header(h), "")} - {""} for h in headers]


@dataclass
class SheetPreview:
    """What the preview page shows of a dry run's `result`, bounded whatever its size."""

    file_name: str = ""
    total_rows: int = 0
    counts: dict = field(default_factory=dict)
    problem_count: int = 0
    headers: list = field(default_factory=list)
    columns_hidden: int = 0
    base_errors: list = field(default_factory=list)
    error_rows: list = field(default_factory=list)
    error_rows_hidden: int = 0
    rows: list = field(default_factory=list)
    rows_hidden: int = 0
    errors_url: str = ""
    # Whether the counts of new, updated and skipped rows mean anything: a resource that
    # stops at the first problem plans no row's outcome.
    planned: bool = True
    # Whether the sheet has a problem: nothing can be confirmed, the problems download.
    has_problems: bool = False

    @classmethod
    def of(cls, result, *, columns=(), file_name="", errors_url=""):
        headers = [str(header) for header in sheet_cells(result, result.diff_headers)]
        preview = cls(file_name=file_name, errors_url=errors_url)
        preview.headers = [_cut(header) for header in headers[:COLUMNS_SHOWN]]
        preview.columns_hidden = max(0, len(headers) - COLUMNS_SHOWN)
        preview.total_rows = result.total_rows or len(result.rows)
        valid = [row for row in result.rows if row.import_type in RowResult.valid_import_types]
        invalid = sorted(result.invalid_rows, key=lambda row: row.number)
        erring = result.row_errors()
        preview.counts = {
            "new": result.totals[RowResult.IMPORT_TYPE_NEW],
            "update": result.totals[RowResult.IMPORT_TYPE_UPDATE],
            "delete": result.totals[RowResult.IMPORT_TYPE_DELETE],
            "skip": result.totals[RowResult.IMPORT_TYPE_SKIP],
            "error": len(invalid) + len(erring),
        }
        preview.planned = bool(valid) or not (invalid or erring or result.base_errors)
        preview.problem_count = sum(row.error_count for row in invalid) + sum(
            len(errors) for _number, errors in erring
        )
        preview.base_errors = [_cut(error.error, 1000) for error in result.base_errors]
        names = _column_names(headers[:COLUMNS_SHOWN], columns)
        for row in islice(invalid, ERROR_ROWS_SHOWN):
            problems = [
                ("" if column == NON_FIELD_ERRORS else column, message)
                for column, messages in row.error_dict.items()
                for message in messages
            ]
            bad = {fold_header(column) for column, _message in problems if column}
            cells = sheet_cells(result, row.values)[:COLUMNS_SHOWN]
            preview.error_rows.append(
                PreviewRow(
                    number=row.number,
                    cells=[
                        PreviewCell(_cut(cell), index < len(names) and bool(bad & names[index]))
                        for index, cell in enumerate(cells)
                    ],
                    problems=[(_cut(c, 100), _cut(m, 1000)) for c, m in problems[:PROBLEMS_SHOWN]],
                    problems_hidden=max(0, len(problems) - PROBLEMS_SHOWN),
                )
            )
        for number, errors in islice(erring, max(0, ERROR_ROWS_SHOWN - len(invalid))):
            messages = [("", _cut(error.error, 1000)) for error in errors]
            preview.error_rows.append(PreviewRow(number=number, cells=[], problems=messages))
        preview.error_rows_hidden = preview.counts["error"] - len(preview.error_rows)
        for row in valid[:ROWS_SHOWN]:
            diff = list(row.diff or ())
            preview.rows.append(
                PreviewRow(
                    number=diff[0] if _framed(result) and diff else "",
                    cells=[PreviewCell(_cut(cell)) for cell in sheet_cells(result, diff)][
                        :COLUMNS_SHOWN
                    ],
                    action=row.import_type,
                    summary=_cut(diff[-1], 1000) if _framed(result) and diff else "",
                )
            )
        preview.rows_hidden = max(0, len(valid) - ROWS_SHOWN)
        preview.has_problems = bool(result.has_errors() or result.has_validation_errors())
        return preview

    def as_json(self):
        """The preview as JSON-serializable data (a task run keeps it), its link aside."""
        data = asdict(self)
        data.pop("errors_url")
        return data

    @classmethod
    def from_json(cls, data, *, errors_url=""):
        """The preview `as_json` gave, with the link to its problems as CSV."""
        data = dict(data)

        def rows(items):
            return [
                PreviewRow(
                    **{
                        **item,
                        "cells": [PreviewCell(**cell) for cell in item.get("cells", ())],
                        "problems": [tuple(problem) for problem in item.get("problems", ())],
                    }
                )
                for item in items
            ]

        data["error_rows"] = rows(data.get("error_rows", ()))
        data["rows"] = rows(data.get("rows", ()))
        known = set(cls.__dataclass_fields__) - {"errors_url"}
        kept = {key: value for key, value in data.items() if key in known}
        return cls(**kept, errors_url=errors_url)


def errors_csv(result):
    """The problems of `result` as CSV bytes: row, column, reason, then the row's cells.

    The file is for a person to read, never read back: its first three headings are in the
    language of the request (as the reasons are), the sheet's own headers as they were."""
    headers = sheet_cells(result, result.diff_headers)
    ours = [
        pgettext("problems CSV heading", "row"),
        pgettext("problems CSV heading", "column"),
        pgettext("problems CSV heading", "reason"),
    ]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([neutralize_cell(str(cell)) for cell in [*ours, *headers]])
    for number, column, reason, cells in problems_of(result):
        row = [number, column, reason, *cells]
        writer.writerow(
            [neutralize_cell(cell if isinstance(cell, int) else str(cell)) for cell in row]
        )
    # A byte-order mark makes Excel read the file as UTF-8, as the exports do.
    return ("\ufeff" + out.getvalue()).encode("utf-8")
