"""`python manage.py release_data [--if-changed] [--origin https://host] [--as USERNAME]`:
make a dated data release of the public record (/data/<version>/).

Runs the task `data_release` (see `elections.tasks`) in this process and in one transaction,
recorded as a task run the admin lists. On a schedule, run it with `--if-changed` (cron, once
a day: `15 3 * * * cd /srv/sourcebook && .venv/bin/python manage.py release_data
--if-changed`), which makes a release only when the public record changed since the latest.
"""

from django.core.management.base import CommandError

from elections.tasks import checked_origin
from sources.management.task_command import TaskCommand


class Command(TaskCommand):
    help = (
        "Make a dated data release (a Frictionless data package of the public record) at "
        "/data/<version>/. With --if-changed, only when the public record changed since the "
        "latest release."
    )
    kind, doing, noun, unit = ("data_release", "Releasing", "The release", "files")

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--origin",
            default="",
            help="The scheme and host the release's addresses start with, as the public "
            "reaches the site (default: the setting SOURCEBOOK_PUBLIC_ORIGIN).",
        )
        parser.add_argument(
            "--if-changed",
            action="store_true",
            help="Make a release only if the public record changed since the latest one.",
        )

    def task_arguments(self, options):
        try:
            origin = checked_origin(options["origin"])
        except ValueError as error:
            raise CommandError(str(error)) from None
        return {"origin": origin, "if_changed": options["if_changed"]}

    def summary(self, run):
        result = run.result
        if not result.get("made"):
            return f"No release made: {result.get('why')} (latest: {result.get('latest')})"
        files = sum(1 for path in result.get("files", {}) if path != "datapackage.json")
        size = sum(file["bytes"] for file in result.get("files", {}).values())
        package = result.get("files", {}).get("datapackage.json", {}).get("sha256", "")
        return (
            f"Released {result.get('version')} ({result.get('licence')}): {files} files, "
            f"{size:,} bytes, datapackage.json sha256 {package}"
        )
