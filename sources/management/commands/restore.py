"""`python manage.py restore FILE [--force]`: replace the whole database with a backup.

Refused while the database holds live sign-in sessions (servers are probably still running)
unless `--force`. Afterwards every app listening to `sources.backups.database_restored`
renews what it keeps outside the database (the public cache's generation), and the command
says so; it warns when nothing listened.
"""

from django.core.management.base import BaseCommand, CommandError

from sources.backups import BackupError, restore_database


class Command(BaseCommand):
    help = "Replace the whole database with the backup in FILE (stop the servers first)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--database", default="default")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
        parser.add_argument(
            "--force",
            action="store_true",
            help="restore even though people are signed in (their sessions are replaced)",
        )

    def handle(self, *args, file, database, yes, force, **options):
        if not yes and options.get("interactive", True):
            answer = input("This replaces every record in the database. Type 'yes' to go on: ")
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled.")
        try:
            renewed = restore_database(file, using=database, force=force)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Restored the database from {file}.")
        for _receiver, outcome in renewed:
            if outcome:
                self.stdout.write(str(outcome))
        if not any(outcome for _receiver, outcome in renewed):
            self.stderr.write(
                "Nothing renewed the public cache's generation: restart the servers and clear "
                "their public cache before serving."
            )
