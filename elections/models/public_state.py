from django.db import models
from django.utils.translation import gettext_lazy as _


class PublicState(models.Model):
    """One row whose `generation` changes whenever anything the public site shows changes.

    Database triggers (installed by `elections.cache.install_triggers`) give a new generation to
    every transaction that INSERTs, UPDATEs or DELETEs rows of the tables the public pages
    read: admin edits, services, imports, `QuerySet.update()` and raw SQL alike. On
    PostgreSQL the row is set when the transaction commits (a deferred trigger), so a long
    import does not hold it and other writers never wait behind it; on SQLite, which has one
    writer, on each write. Rendered public responses are cached under the generation they
    were read at, so a change is seen at once by the next request. The generation is an
    opaque number, not a count: PostgreSQL takes it from a sequence and SQLite draws it at
    random, so a value is never handed out again after a rolled-back transaction.
    """

    generation = models.BigIntegerField(
        default=0,
        help_text=_("Changes whenever public data does; means nothing by itself."),
        verbose_name=_("generation"),
    )

    class Meta:
        verbose_name = _("public state")
        verbose_name_plural = _("public state")

    def __str__(self):
        return f"generation {self.generation}"
