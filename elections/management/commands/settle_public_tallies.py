"""`python manage.py settle_public_tallies [--rebuild]`: bring the kept public counts up to
date (`elections.tallies`).

Without options it settles the candidates that writes from outside every service marked
(services settle their own before they commit). With `--rebuild` it recomputes every digest
and count from the record, in one transaction: after rows were loaded around the triggers
(COPY) or counts are in doubt. Either gives the public cache a new generation.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from elections import tallies
from elections.cache import renew_generation_row


class Command(BaseCommand):
    help = (
        "Settle the public tallies that writes outside the services left pending; with "
        "--rebuild, recompute every count and digest from the record."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--rebuild",
            action="store_true",
            help="Recompute every count and digest from the record, in one transaction.",
        )

    def handle(self, *args, rebuild=False, **options):
        with transaction.atomic():
            if rebuild:
                number = tallies.rebuild()
                done = f"Rebuilt the public tallies of {number} candidate(s)."
            else:
                number = tallies.settle()
                done = f"Settled the public tallies of {number} candidate(s)."
            renew_generation_row()
        self.stdout.write(done)
