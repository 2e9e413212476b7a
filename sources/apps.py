from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SourcesConfig(AppConfig):
    """What was published: outlets, articles with their text versions, and passages."""

    name = "sources"
    verbose_name = _("Sources")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_migrate

        from sources.search import ensure_sqlite_index

        # SQLite's full-text index over articles: made, and re-made after a migration that
        # rebuilt the articles table dropped its triggers.
        post_migrate.connect(ensure_sqlite_index, sender=self, dispatch_uid="sources.search")
