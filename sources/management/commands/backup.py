"""`python manage.py backup FILE`: a consistent backup of the whole database."""

from django.core.management.base import BaseCommand, CommandError

from sources.backups import BackupError, backup_database


class Command(BaseCommand):
    help = "Back up the whole database to FILE (SQLite online backup, or pg_dump's custom format)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--database", default="default")

    def handle(self, *args, file, database, **options):
        try:
            path = backup_database(file, using=database)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Backed up the database to {path}.")
