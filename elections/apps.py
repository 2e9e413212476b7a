from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate
from django.utils.translation import gettext_lazy as _


class ElectionsConfig(AppConfig):
    """What the press says: places, elections, candidates, claims and contradictions."""

    name = "elections"
    verbose_name = _("Elections")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from elections.cache import drop_column_triggers, ensure_public_state, renew_generation
        from elections.roles import sync_roles
        from elections.services.record import on_passages_moved
        from elections.tallies import after_migrate, settle
        from sources.audit import before_commit
        from sources.backups import database_restored
        from sources.signals import passages_moved

        # Once this app's permissions exist: post_migrate runs per app, in INSTALLED_APPS order.
        post_migrate.connect(sync_roles, sender=self, dispatch_uid="elections.sync_roles")
        # A migration that rebuilds a table drops its trigger on SQLite, and flush empties the
        # public state table: both are put back after every migrate and flush.
        post_migrate.connect(
            ensure_public_state, sender=self, dispatch_uid="elections.ensure_public_state"
        )
        post_migrate.connect(
            after_migrate, sender=self, dispatch_uid="elections.tallies.after_migrate"
        )
        # Triggers that name columns are dropped while migrations run, then put back.
        pre_migrate.connect(
            drop_column_triggers, sender=self, dispatch_uid="elections.drop_column_triggers"
        )
        # Every write transaction ends by settling the public tallies it changed.
        before_commit(settle)
        # A restore brings back the generation of its day: pages cached since must not match.
        database_restored.connect(renew_generation, dispatch_uid="elections.renew_generation")
        # Claims cite passages; when a passage stops quoting what they were checked against,
        # its verified claims go back to review (sources never imports elections).
        passages_moved.connect(on_passages_moved, dispatch_uid="elections.passages_moved")
        # A write committed queues a build of the open-data exports, when they are no longer
        # of the public record's generation (on a backend that runs tasks later).
        from elections import exportfiles

        before_commit(exportfiles.on_service_commit)
