"""A command that runs one kind of long work here, as a recorded task run, with a progress bar.

`redetect`, `reanchor` and `build_exports` are such commands: each names its task kind, what
its chunks are, and how its outcome reads (`summary`). The work runs in this process and in one
transaction (`sources.tasks.run_here`), recorded as a task run the admin lists. A progress bar
is drawn on standard error when it is a terminal; in a pipe or a log the command prints only
its summary. A failed or cancelled run changes nothing and exits with its reason.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from sources.management.acting import acting_user_from, add_acting_user_argument
from sources.models import TaskRun
from sources.tasks import progress_bar, run_here


class TaskCommand(BaseCommand):
    kind = ""  # the task kind run (sources.tasks.task_kind)
    doing = ""  # "Re-detecting": the progress bar's description
    noun = ""  # "Re-detection": what failed, in the error
    unit = ""  # what progress counts ("candidates")
    chunk = 1  # the default --chunk-size
    chunk_help = ""  # what one chunk holds (no --chunk-size option without it)

    def add_arguments(self, parser):
        if self.chunk_help:
            parser.add_argument(
                "--chunk-size",
                type=int,
                default=self.chunk,
                help=f"{self.chunk_help} between two progress reports (default {self.chunk}).",
            )
        parser.add_argument(
            "--no-progress", action="store_true", help="Draw no progress bar, even on a terminal."
        )
        add_acting_user_argument(parser)

    def task_arguments(self, options: dict[str, Any]) -> dict[str, Any]:
        """The arguments of the work, from the command's options: the chunk size here."""
        if options["chunk_size"] < 1:
            raise CommandError("--chunk-size must be at least 1.")
        return {"chunk_size": options["chunk_size"]}

    def handle(self, *args, **options):
        arguments = self.task_arguments(options)
        show = False if options["no_progress"] or options["verbosity"] < 1 else None
        with progress_bar(
            description=self.doing, unit=self.unit, enabled=show, stream=self.stderr._out
        ) as observe:
            run = run_here(
                self.kind,
                owner=acting_user_from(options),
                arguments=arguments,
                observer=observe,
            )
        if run.state != TaskRun.State.SUCCEEDED:
            reason = run.error.splitlines()[0] if run.error else ""
            raise CommandError(
                f"{self.noun} {run.get_state_display()}, nothing changed. {reason}".strip()
            )
        if options["verbosity"] >= 1:
            self.stdout.write(f"{self.summary(run)} (task run {run.pk}).")

    def summary(self, run: TaskRun) -> Any:
        """What the run did, in a line; by default its result's counts as they are stored."""
        counts = ", ".join(f"{value} {name}" for name, value in sorted(run.result.items()))
        return f"{self.noun} done: {counts or 'nothing to do'}"
