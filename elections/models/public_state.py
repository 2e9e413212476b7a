from django.db import models


class PublicState(models.Model):
    """One row whose `generation` changes whenever anything the public site shows changes.

    Database triggers (installed by `elections.cache.install_triggers`) set a new generation
    on every INSERT, UPDATE and DELETE of the tables the public pages read, in the same
    transaction as the change: admin edits, services, imports, `QuerySet.update()` and raw
    SQL alike. Rendered public responses are cached under the generation they were read at,
    so a change is seen at once by the next request. The generation is an opaque number, not
    a count: PostgreSQL takes it from a sequence and SQLite draws it at random, so a value is
    never handed out again after a rolled-back transaction.
    """

    generation = models.BigIntegerField(
        default=0, help_text="Changes whenever public data does; means nothing by itself."
    )

    class Meta:
        verbose_name = "public state"
        verbose_name_plural = "public state"

    def __str__(self):
        return f"generation {self.generation}"
