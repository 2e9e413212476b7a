"""`python manage.py redetect [--as USERNAME] [--chunk-size N]`: the full re-detection.

Reconciles every question of every candidate with the rules (the work of the task
`contradictions_redetect_all`, see `elections.tasks`), in this process and in one
transaction, recorded as a task run the admin lists. A progress bar is drawn on standard
error when it is a terminal; in a pipe or a log the command prints only its summary.
"""

from elections.services.contradictions import CHUNK
from sources.management.task_command import TaskCommand


class Command(TaskCommand):
    help = (
        "Re-run contradiction detection on every candidate's claims, all or nothing: disputes "
        "are opened, regrouped, reopened and closed to match the rules. Shows a progress bar "
        "on a terminal."
    )
    kind, doing, noun, unit = (
        "contradictions_redetect_all",
        "Re-detecting",
        "Re-detection",
        "candidates",
    )
    chunk, chunk_help = CHUNK, "Candidates reconciled"

    def summary(self, run):
        # In this order whatever the database did to the keys (PostgreSQL's jsonb sorts them).
        names = ["opened", "reopened", "closed", "regrouped"]
        names += sorted(set(run.result) - set(names))
        counts = ", ".join(f"{run.result.get(name, 0)} {name}" for name in names)
        return f"Re-detected the disputes of {run.total} candidate(s): {counts}"
