"""What every import sheet shares: columns in two languages, row numbers, all or nothing.

A `SheetResource` is a django-import-export resource whose `import_data` does not go row by
row through the library's pipeline (a handful of statements per row) but hands the whole
sheet to `import_rows`, which each resource implements in two steps:

1. plan: read every row, look up what the rows name in a few queries per batch of rows,
   check everything in Python, and note each row's outcome (new, update, skip) or its
   problems (row number, column, reason);
2. write, only when no row has a problem and this is not a dry run: through the bulk
   services (`sources.services.bulk`, `elections.services.bulk`), in batches.

All of it runs in one transaction that is rolled back on a dry run and on any problem, so a
sheet with one bad row writes nothing. The result is the library's `Result`, so the admin's
preview and confirm pages and the `import` command show it: rows with problems as invalid
rows numbered as the spreadsheet shows them (the header is row 1), the others with what
they will do.
"""

import re
from dataclasses import dataclass, field

import tablib
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError
from django.utils import timezone
from django.utils.translation import gettext
from import_export import exceptions, resources
from import_export.fields import Field
from import_export.results import Error, InvalidRow, Result, RowResult
from rapidfuzz import fuzz, process

from sources import progress
from sources.audit import require_user
from sources.services.sheets import sheet_import
from sources.sheets import SheetDataset, cell_text
from sources.spreadsheets import neutralize_cell

# The permission the elections app defines for importers (see its roles migration); held by
# the Importers group and by superusers.
IMPORT_PERMISSION = "elections.import_sheets"
NEW, UPDATE, SKIP = RowResult.IMPORT_TYPE_NEW, RowResult.IMPORT_TYPE_UPDATE, "skip"
_HEADER_SEPARATORS = re.compile(r"[\s\-]+")
# How much of a value a row's outcome quotes; the rest is an ellipsis.
SHOWN_CHARACTERS = 60
NOTES_HEADING = "— from a sheet imported by {user}, {date}:"


def fold_header(text):
    """A header as columns are matched: case-folded, spaces and hyphens read as `_`."""
    return _HEADER_SEPARATORS.sub("_", (text or "").strip().casefold()).strip("_")


def closest(text, choices, *, limit=3, cutoff=60):
    """Up to `limit` of `choices` most like `text` (rapidfuzz), best first."""
    if not text or not choices:
        return []
    found = process.extract(text, choices, scorer=fuzz.WRatio, limit=limit, score_cutoff=cutoff)
    return [choice for choice, _score, _index in found]


def did_you_mean(text, choices, **options):
    """`; closest: “A”, “B”` for a message, or nothing when no choice is close."""
    found = closest(text, list(dict.fromkeys(choices)), **options)
    if not found:
        return ""
    listed = ", ".join(f"“{choice}”" for choice in found)
    return gettext("; closest: %(choices)s") % {"choices": listed}


def shown(value, *, limit=SHOWN_CHARACTERS):
    """`value` quoted for an outcome: blank as (blank), whitespace folded, long text cut.

    The text is plain: the admin's preview escapes it, as it escapes every cell.
    """
    if value is None or value == "":
        return gettext("(blank)")
    text = " ".join(str(value).split())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return f"“{text}”"


def change(name, old, new):
    """`name: “old” → “new”`, what an outcome says of one field it changes."""
    return f"{name}: {shown(old)} → {shown(new)}"


def changes(pairs):
    """`changes a: “x” → “y”, b: …` for {field name: (old, new)}, or nothing."""
    if not pairs:
        return ""
    said = [
        notes_change(*pairs[name]) if name == "notes" else change(name, *pairs[name])
        for name in sorted(pairs)
    ]
    return gettext("changes %(changes)s") % {"changes": "; ".join(said)}


def appended_notes(existing, given, *, user):
    """The notes a sheet leaves: `existing` with `given` added under a dated attribution.

    A sheet never replaces what editors wrote. `given` already inside `existing` (the same
    sheet imported again, or notes exported and read back) adds nothing: the result is
    `existing` itself, so re-importing a sheet changes nothing.
    """
    given = (given or "").strip()
    existing = existing or ""
    if not given or given in existing:
        return existing
    heading = NOTES_HEADING.format(user=user.get_username(), date=timezone.localdate().isoformat())
    added = f"{heading}\n{given}"
    return f"{existing.rstrip()}\n\n{added}" if existing.strip() else added


def notes_change(old, new):
    """`notes: “old” → adds “given”`: notes a sheet appends to are shown with what it adds."""
    added = new[len(old.rstrip()) :].strip() if new.startswith(old.rstrip()) else new
    if added.startswith(NOTES_HEADING[:8]):
        added = added.partition("\n")[2]
    return gettext("notes: %(old)s → adds %(added)s") % {"old": shown(old), "added": shown(added)}


@dataclass(frozen=True)
class Column:
    """One column of a sheet: its English name, the other headers it goes by, and help."""

    name: str
    aliases: tuple = ()
    help: str = ""

    def label(self):
        return "/".join((self.name, *self.aliases))


@dataclass
class SheetRow:
    """One row of a sheet: its number as the spreadsheet shows it, and its cells by column."""

    number: int
    values: dict
    cells: tuple = ()

    def __getitem__(self, column):
        return self.values.get(column, "")


@dataclass
class Outcome:
    """What the import does with one row: `action` is new, update or skip."""

    number: int
    action: str
    summary: str = ""
    instance: object = None


@dataclass
class ImportReport:
    """What a plan found: each row's outcome, each problem, and notices for the importer."""

    outcomes: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)
    notices: list = field(default_factory=list)

    def problem(self, row, column, message):
        """Note that `row` (a SheetRow or a row number) cannot be imported, and why."""
        number = row if isinstance(row, int) else row.number
        self.problems.append((number, column, message))

    def outcome(self, row, action, summary="", instance=None):
        self.outcomes[row.number] = Outcome(row.number, action, summary, instance)

    def failed_rows(self):
        return {number for number, _column, _message in self.problems}


class SheetResult(Result):
    """The library's import result, with notices (things imported but worth a look)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.notices = []

    def problems(self):
        """(row number, column, reason) of every problem, in row order."""
        return [
            (row.number, column, message)
            for row in sorted(self.invalid_rows, key=lambda invalid: invalid.number)
            for column, messages in row.error_dict.items()
            for message in messages
        ]


def batches(items, size):
    """`items` in consecutive lists of at most `size`, each reported checked once planned
    (`sources.progress`: a task's progress bar)."""
    for start in range(0, len(items), size):
        batch = items[start : start + size]
        yield batch
        progress.report("checked", len(batch))


class SheetResource(resources.ModelResource):
    """Base of the sheet resources: header matching, row numbers, all-or-nothing imports.

    Subclasses set `columns` (a list of Column), `required` (tuples of columns of which at
    least one must be present), and implement `import_rows(rows, report=, user=, dry_run=)`
    and `export_records(queryset)`.
    """

    columns = ()
    required = ()
    batch_size = 1000
    import_permission = IMPORT_PERMISSION

    class Meta:
        fields = ()

    # Import.

    def import_data(
        self,
        dataset,
        dry_run=False,
        raise_errors=False,
        use_transactions=None,
        collect_failed_rows=False,
        rollback_on_validation_errors=False,
        **kwargs,
    ):
        """Check every row, then write them all or nothing (nothing on a dry run)."""
        user = kwargs.get("user")
        self.options = kwargs
        # Every import acts as someone: the admin passes the request's user, the `import`
        # command the `--as` user or the system account.
        require_user(user)
        if not user.has_perm(self.import_permission):
            raise PermissionDenied("You may not import spreadsheets.")
        report = ImportReport()
        mapping = self._map_header(dataset, report)
        rows = self._rows(dataset, mapping, report)
        errors = []
        if not report.problems:
            try:
                sheet_import(
                    resource=self, rows=rows, report=report, dry_run=dry_run, acting_user=user
                )
            except (DatabaseError, ValidationError) as error:
                errors.append(error)
        result = self._result(dataset, rows, report, errors, kwargs)
        if raise_errors and (result.has_errors() or result.has_validation_errors()):
            number, column, message = (result.problems() or [(None, "", str(errors[0]))])[0]
            raise exceptions.ImportError(f"{column}: {message}", number=number)
        return result

    def import_rows(self, rows, *, report, user, dry_run):
        raise NotImplementedError

    def _columns_by_header(self):
        by_header = {}
        for column in self.columns:
            for header in (column.name, *column.aliases):
                by_header[fold_header(header)] = column.name
        return by_header

    def _map_header(self, dataset, report):
        """{cell index: column name}; unknown, repeated and missing columns are problems."""
        header_row = getattr(dataset, "header_row", 1)
        headers = [cell_text(header) for header in (dataset.headers or [])]
        if not any(headers):
            report.problem(header_row, "", gettext("the sheet has no header row (or is empty)"))
            return {}
        by_header = self._columns_by_header()
        mapping, seen = {}, {}
        for index, header in enumerate(headers):
            if not header:
                continue
            name = by_header.get(fold_header(header))
            if name is None:
                labels = [column.label() for column in self.columns]
                hint = did_you_mean(header, list(by_header))
                report.problem(
                    header_row,
                    header,
                    gettext("unknown column (the columns are %(columns)s)%(hint)s")
                    % {"columns": ", ".join(labels), "hint": hint},
                )
            elif name in seen:
                report.problem(
                    header_row,
                    header,
                    gettext("the same column as “%(header)s”, given twice")
                    % {"header": seen[name]},
                )
            else:
                seen[name] = header
                mapping[index] = name
        for alternatives in self.required:
            if not any(name in seen for name in alternatives):
                names = gettext(" or ").join(f"“{name}”" for name in alternatives)
                report.problem(
                    header_row, "", gettext("the sheet needs a column %(names)s") % {"names": names}
                )
        return mapping

    def _rows(self, dataset, mapping, report):
        numbers = getattr(dataset, "row_numbers", None)
        header_row = getattr(dataset, "header_row", 1)
        for number, column in getattr(dataset, "stray", ()):
            report.problem(
                number, column_letter(column), gettext("a value in a column without header")
            )
        rows = []
        # A SheetDataset holds cell_text already; other datasets are read the same way here.
        read = tuple if isinstance(dataset, SheetDataset) else _cells
        for index, raw in enumerate(dataset):
            cells = read(raw)
            if not any(cells):
                continue
            number = numbers[index] if numbers else header_row + 1 + index
            values = {name: cells[position] for position, name in mapping.items()}
            rows.append(SheetRow(number, values, cells))
        return rows

    def _result(self, dataset, rows, report, errors, options):
        result = SheetResult()
        headers = [cell_text(header) for header in (dataset.headers or [])]
        result.diff_headers = ["row", *headers, "what the import does"]
        result.total_rows = len(rows)
        result.notices = list(report.notices)
        for error in errors:
            # The message is for the importer; the traceback would only show file paths.
            result.append_base_error(Error(error.with_traceback(None)))
        by_row = {}
        for number, column, message in report.problems:
            by_row.setdefault(number, {}).setdefault(column or "row", []).append(message)
        cells = {row.number: row.cells for row in rows}
        header_row = getattr(dataset, "header_row", 1)
        cells[header_row] = tuple(headers)
        for number in sorted(by_row):
            values = (number, *cells.get(number, ()), "")
            invalid = InvalidRow(number, ValidationError(by_row[number]), values)
            result.invalid_rows.append(invalid)
            result.totals[RowResult.IMPORT_TYPE_INVALID] += 1
        if by_row or errors:
            return result
        retain = options.get("retain_instance_in_row_result", False)
        # A task importing a big sheet needs only the counts: a row result per row would be
        # its largest object once the rows are written (about 60 MB for 200,000 rows).
        counts_only = options.get("counts_only", False)
        for row in rows:
            outcome = report.outcomes.get(row.number)
            if outcome is None:
                continue
            if counts_only:
                result.totals[outcome.action] += 1
                continue
            row_result = RowResult()
            row_result.import_type = outcome.action
            row_result.diff = [row.number, *row.cells, outcome.summary]
            if retain and outcome.instance is not None:
                row_result.instance = outcome.instance
                row_result.add_instance_info(outcome.instance)
            result.append_row_result(row_result)
            result.increment_row_result_total(row_result)
        return result

    # Export.

    def get_export_order(self):
        return tuple(column.name for column in self.columns)

    def get_export_headers(self, selected_fields=None):
        order = self.get_export_order()
        return [name for name in order if not selected_fields or name in selected_fields]

    def get_user_visible_fields(self):
        return [Field(column_name=column.label()) for column in self.columns]

    def get_diff_headers(self):
        return ["row", *(column.name for column in self.columns), "what the import does"]

    def export(self, queryset=None, **kwargs):
        """The rows of `queryset` (default: every row) as a Dataset the import reads back.

        Every cell is passed through `neutralize_cell`, so that no exported text runs as a
        formula in a spreadsheet program.
        """
        if queryset is None:
            queryset = self.get_queryset()
        headers = self.get_export_headers(kwargs.get("export_fields"))
        dataset = tablib.Dataset(headers=headers)
        for record in self.export_records(queryset):
            dataset.append([neutralize_cell(_exported(record.get(name))) for name in headers])
        return dataset

    def export_records(self, queryset):
        """Each object of `queryset` as {column name: value}, in few queries."""
        raise NotImplementedError


def _cells(raw):
    return tuple(cell_text(cell) for cell in raw)


def _exported(value):
    return "" if value is None else value


__all__ = [
    "IMPORT_PERMISSION",
    "NEW",
    "SKIP",
    "UPDATE",
    "Column",
    "ImportReport",
    "Outcome",
    "SheetDataset",
    "SheetResource",
    "SheetResult",
    "SheetRow",
    "appended_notes",
    "batches",
    "change",
    "changes",
    "closest",
    "did_you_mean",
    "fold_header",
    "notes_change",
    "shown",
]


def column_letter(number):
    """A spreadsheet's name for the column `number` (1 is A, 27 is AA), as openpyxl names
    it; written here so that openpyxl (and numpy with it) loads only when a sheet is read."""
    letters = ""
    while number > 0:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters
