"""`python manage.py import_articles FILE... [--manifest manifest.csv] [options]`."""

from django.core.management.base import BaseCommand, CommandError

from sources.importing import DEFAULT_FIELDS, ArticleImport, ImportFailed
from sources.management.acting import acting_user_from, add_acting_user_argument

PROGRESS_STEP = 100


class Command(BaseCommand):
    help = (
        "Import articles from plain text, Markdown or saved HTML files, all or nothing. "
        "Files already imported (same URL, or same outlet and title) are not duplicated; "
        "a changed text is kept as a new version, and for each changed article the command "
        "reports its passages still anchored, awaiting an editor and orphaned, and the "
        "verified facts withdrawn pending review."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "files",
            nargs="*",
            metavar="FILE",
            help="Article files. With --manifest, only the manifest's rows for these files.",
        )
        parser.add_argument(
            "--manifest",
            help="A CSV file with the columns file,outlet,title,url,published_on,byline,"
            "language; file names are relative to its folder.",
        )
        parser.add_argument("--outlet", default="", help="The outlet, where none is given.")
        parser.add_argument("--title", default="", help="The title, where none is given.")
        parser.add_argument("--url", default="", help="The original's address.")
        parser.add_argument(
            "--published", default="", help="The publication date: YYYY, YYYY-MM or YYYY-MM-DD."
        )
        parser.add_argument("--byline", default="", help="The byline, where none is given.")
        parser.add_argument(
            "--language", default="", help="A BCP 47 code (en, zh-Hans), where none is given."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check everything and report; write nothing."
        )
        parser.add_argument(
            "--encoding",
            help="The files' encoding, when it is neither UTF-8 nor GB18030 (e.g. big5).",
        )
        add_acting_user_argument(parser)

    def handle(self, *args, **options):
        verbosity = options["verbosity"]
        importer = ArticleImport(
            acting_user=acting_user_from(options),
            encoding=options["encoding"],
            progress=self._progress if verbosity >= 1 else None,
        )
        defaults = importer.defaults(**{name: options[name] for name in DEFAULT_FIELDS})
        if options["manifest"]:
            importer.add_manifest(options["manifest"], defaults=defaults, only=options["files"])
        elif options["files"]:
            importer.add_files(options["files"], defaults=defaults)
        else:
            raise CommandError("name the article files to import, or a --manifest")
        try:
            result = importer.run(dry_run=options["dry_run"])
        except ImportFailed as failed:
            raise CommandError(str(failed)) from None
        changed = iter(result.changed)
        for outcome, label, title in result.outcomes:
            line = f"  {outcome:<9} {label}: {title}"
            if outcome == "changed":
                # A changed text moves passages and can withdraw facts: always said, so that
                # editors know what awaits them.
                reanchoring = result.reanchoring.get(next(changed).pk)
                if reanchoring is not None:
                    line += f" ({reanchoring.describe()})"
                if verbosity >= 1:
                    self.stdout.write(line)
            elif verbosity >= 2:
                self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(result.summary()))

    def _progress(self, done, total):
        if total > PROGRESS_STEP and (done % PROGRESS_STEP == 0 or done == total):
            self.stdout.write(f"read {done} of {total} files")
