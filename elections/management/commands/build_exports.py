"""`python manage.py build_exports [--origin https://host] [--as USERNAME]`: build the
open-data exports ahead of time.

Builds /export/claims.csv and /export/popolo.json (the work of the task `exports_build`, see
`elections.tasks`) in this process and in one transaction, recorded as a task run the admin
lists, and keeps them in the database, where every app server serves them while the public
record stays as it was built. Run it from cron after the newsroom's working hours, say. A
progress bar is drawn on standard error when it is a terminal; in a pipe or a log the
command prints only its summary.
"""

from django.core.management.base import CommandError

from elections.tasks import checked_origin
from sources.management.task_command import TaskCommand


class Command(TaskCommand):
    help = (
        "Build the open-data exports (claims CSV, Popolo JSON) and keep them, to be served "
        "while the public record is unchanged. Shows a progress bar on a terminal."
    )
    kind, doing, noun, unit = ("exports_build", "Building", "The build", "rows")

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--origin",
            default="",
            help="The scheme and host the exports' addresses start with, as the public "
            "reaches the site (default: the setting SOURCEBOOK_PUBLIC_ORIGIN).",
        )

    def task_arguments(self, options):
        try:
            return {"origin": checked_origin(options["origin"])}
        except ValueError as error:
            raise CommandError(str(error)) from None

    def summary(self, run):
        files = "; ".join(
            f"{name}: {built['bytes']:,} bytes, sha256 {built['sha256'][:12]}"
            for name, built in sorted(run.result.get("files", {}).items())
        )
        return (
            f"Built the exports for {run.result.get('origin')} at generation "
            f"{run.result.get('generation')}: {files}"
        )
