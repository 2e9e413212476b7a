from django.apps import AppConfig


class SourcesConfig(AppConfig):
    """What was published: outlets, articles with their text versions, and passages."""

    name = "sources"
    verbose_name = "Sources"
    default_auto_field = "django.db.models.BigAutoField"
