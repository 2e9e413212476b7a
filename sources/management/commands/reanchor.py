"""`python manage.py reanchor [--as USERNAME] [--chunk-size N]`: re-anchor every passage.

Anchors every passage again in its article's current text under today's rules (the work of
the task `passages_reanchor_all`, see `sources.tasks`), in this process and in one
transaction, recorded as a task run the admin lists. A progress bar is drawn on standard
error when it is a terminal; in a pipe or a log the command prints only its summary.
"""

from sources.management.task_command import TaskCommand
from sources.tasks import REANCHOR_CHUNK


class Command(TaskCommand):
    help = (
        "Re-anchor every passage in its article's current text (after a change of the "
        "anchoring rules), all or nothing. Shows a progress bar on a terminal."
    )
    kind, doing, noun, unit = "passages_reanchor_all", "Re-anchoring", "Re-anchoring", "passages"
    chunk, chunk_help = REANCHOR_CHUNK, "Articles re-anchored"

    def summary(self, run):
        statuses = ", ".join(
            f"{count} {status}" for status, count in sorted(run.result["statuses"].items())
        )
        return (
            f"Re-anchored {run.total} passage(s): {statuses or 'none'}; "
            f"{run.result['articles_written']} article(s) changed"
        )
