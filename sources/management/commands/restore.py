"""`python manage.py restore FILE`: replace the whole database with a backup."""

from django.core.management.base import BaseCommand, CommandError

from sources.backups import BackupError, restore_database


class Command(BaseCommand):
    help = "Replace the whole database with the backup in FILE (stop the servers first)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--database", default="default")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args, file, database, yes, **options):
        if not yes and options.get("interactive", True):
            answer = input("This replaces every record in the database. Type 'yes' to go on: ")
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled.")
        try:
            restore_database(file, using=database)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Restored the database from {file}.")
