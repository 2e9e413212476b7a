"""`python manage.py purge_uploads`: remove the sheets uploaded for a preview and never confirmed.

An upload expires `SOURCEBOOK_UPLOAD_EXPIRY_HOURS` after its preview (24 by default); every
new upload removes a few expired ones, and this command removes all of them (run it daily,
from cron or a scheduler). The deletion goes through `sources.services.uploads_purge_expired`,
as the user named with `--as USERNAME` (by default the `system` account).
"""

from django.core.management.base import BaseCommand

from sources.management.acting import acting_user_from, add_acting_user_argument
from sources.services.uploads import uploads_purge_expired


class Command(BaseCommand):
    help = "Remove the sheet uploads whose preview was never confirmed and that have expired."

    def add_arguments(self, parser):
        add_acting_user_argument(parser)

    def handle(self, *args, **options):
        removed = uploads_purge_expired(acting_user=acting_user_from(options))
        self.stdout.write(f"Removed {removed} expired upload{'' if removed == 1 else 's'}.")
