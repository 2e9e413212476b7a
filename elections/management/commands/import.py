"""`python manage.py import RESOURCE FILE [--dry-run] [--encoding E] [--format csv|xlsx]`.

This replaces django-import-export's own `import` command (same name, same arguments) for
what the newsroom's sheets need and the library's command cannot do:

- a file over `SOURCEBOOK_IMPORT_MAX_BYTES` is refused before it is read, and so is standard
  input once it passes that size; the other caps of `sources.sheets` (rows, cells, a cell's
  length, an XLSX's uncompressed size) refuse a sheet as soon as they are passed;
- CSV in GB18030, as Excel saves it in China, is recognised (the library's command reads
  text in the locale's encoding and stops at the first Chinese character), and so are Big5,
  Shift-JIS and Windows-1252 when the sheet reads as ordinary text in one of them only;
  otherwise it is refused with a sample of each reading, and `--encoding` names the one;
- every problem is printed with its row number as the spreadsheet shows it, its column and
  the reason (the library prints an exception's repr with a data-row index);
- it never stops to ask "are you sure": an import writes all rows or none, and `--dry-run`
  shows what it would do. `--noinput` is accepted, and changes nothing.

It exits with status 1 when anything is wrong, having written nothing.
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from import_export.command_utils import get_resource_class

from sources.management.acting import acting_user_from, add_acting_user_argument
from sources.sheets import CSV, XLSX, SheetError, read_sheet, read_sheet_file, read_stream

FORMATS = {"csv": CSV, "xlsx": XLSX, "sheetcsv": CSV, "sheetxlsx": XLSX}


class Command(BaseCommand):
    help = (
        "Import a sheet (CSV in UTF-8, GB18030, Big5, Shift-JIS or Windows-1252, or XLSX) "
        "through a resource such as elections.resources.CandidateResource: every row or none."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "resource", help="The resource's dotted path: elections.resources.ClaimResource."
        )
        parser.add_argument("import_file_name", help="The sheet to import (- for stdin).")
        parser.add_argument(
            "-n", "--dry-run", action="store_true", help="Check every row; write nothing."
        )
        parser.add_argument(
            "--encoding",
            help="The CSV file's encoding (gb18030, cp950 for Big5, cp932 for Shift-JIS, "
            "cp1252, ...), used as given: for a sheet refused as ambiguous, or to insist.",
        )
        parser.add_argument("--format", help="csv or xlsx (by default, from the file).")
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Accepted for compatibility: this command never asks.",
        )
        parser.add_argument(
            "--raise-errors", action="store_true", help="Raise the first problem as an error."
        )
        add_acting_user_argument(parser)

    def handle(self, *args, **options):
        resource = get_resource_class(options["resource"])()
        dataset, name = self._read(options)
        result = resource.import_data(
            dataset,
            dry_run=options["dry_run"],
            raise_errors=options["raise_errors"],
            file_name=name,
            user=acting_user_from(options),
        )
        problems = self._problems(result)
        if problems:
            for line in problems:
                self.stderr.write(line)
            count = len(problems)
            raise CommandError(
                f"nothing was imported: {count} problem{'s' if count != 1 else ''} in {name}"
            )
        if options["verbosity"] >= 2:
            for row in result.rows:
                number, *_cells, summary = row.diff or [""]
                self.stdout.write(f"  row {number}: {row.import_type}: {summary}")
        for notice in getattr(result, "notices", []):
            self.stdout.write(self.style.WARNING(notice))
        self.stdout.write(self.style.SUCCESS(self._summary(resource, result, options)))

    def _read(self, options):
        name = options["import_file_name"]
        format_name = options["format"]
        if format_name is not None:
            format_name = FORMATS.get(format_name.lower().rsplit(".", 1)[-1])
            if format_name is None:
                raise CommandError("--format is csv or xlsx")
        try:
            if name == "-":
                data = read_stream(sys.stdin.buffer, name="the input")
                return read_sheet(
                    data, name="stdin", format_name=format_name, encoding=options["encoding"]
                ), "stdin"
            return read_sheet_file(
                name, format_name=format_name, encoding=options["encoding"]
            ), Path(name).name
        except SheetError as error:
            raise CommandError(f"nothing was imported: {error}") from None

    def _problems(self, result):
        lines = [f"error: {error.error}" for error in result.base_errors]
        if hasattr(result, "problems"):
            lines += [
                f"row {number}, column {column}: {message}"
                if column != "row"
                else f"row {number}: {message}"
                for number, column, message in result.problems()
            ]
        else:
            for invalid in result.invalid_rows:
                for column, messages in invalid.error_dict.items():
                    lines += [f"row {invalid.number}, column {column}: {m}" for m in messages]
            for number, errors in result.row_errors():
                lines += [f"row {number}: {error.error}" for error in errors]
        return lines

    def _summary(self, resource, result, options):
        totals = result.totals
        plural = resource._meta.model._meta.verbose_name_plural
        counts = f"{totals['new']} new, {totals['update']} updated, {totals['skip']} skipped"
        if options["dry_run"]:
            return f"Dry run, nothing written: {plural}: {counts}."
        return f"Imported {plural}: {counts}."
