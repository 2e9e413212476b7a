from django.db import models
from django.utils.translation import gettext_lazy as _


class RecordBuild(models.Model):
    """What a task built from the public record: for which origin (its addresses are
    absolute), at which generation of the record, and by which run."""

    origin = models.CharField(
        max_length=300,
        help_text=_("The scheme and host its addresses start with."),
        verbose_name=_("origin"),
    )
    generation = models.BigIntegerField(
        help_text=_("The public record's generation it shows."), verbose_name=_("generation")
    )
    run = models.ForeignKey(
        "sources.TaskRun",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("run"),
    )

    class Meta:
        abstract = True


class StoredFile(models.Model):
    """A file kept in the database in parts (`StoredPart`), where every app server reads it:
    its type, size and checksum, and how many parts hold it."""

    content_type = models.CharField(max_length=100, verbose_name=_("content type"))
    size = models.PositiveBigIntegerField(default=0, verbose_name=_("size"))
    sha256 = models.CharField(max_length=64, verbose_name=_("sha256"))
    parts_count = models.PositiveIntegerField(default=0, verbose_name=_("parts count"))

    class Meta:
        abstract = True


class StoredPart(models.Model):
    """One part of a stored file, in order (`number` from 0), of at most 1 MB; the model
    that inherits it names its file (a `file` foreign key, `related_name="parts"`)."""

    number = models.PositiveIntegerField(verbose_name=_("number"))
    data = models.BinaryField(verbose_name=_("data"))

    class Meta:
        abstract = True

    def __str__(self):
        return f"part {self.number} of {self.file_id}"


class ExportFile(RecordBuild, StoredFile):
    """An open-data export built ahead of time by a task (`elections.tasks.exports_build`),
    kept in parts in the database, where every app server reads it.

    It is what /export/<name> answers while the public record is still at `generation` (the
    public-cache generation it was built at, unchanged from its first query to its last) and
    the request's origin is `origin` (its addresses are absolute). Once the record changes it
    is no longer served: the export is streamed from the database again until the next build.
    A new build replaces the one kept for its name and origin; the one replaced is removed
    after a grace period (`elections.services.exports.KEEP_REPLACED`), so that a download
    already under way when it was replaced still reads to its end.
    """

    class Name(models.TextChoices):
        POPOLO = "popolo.json", _("Popolo JSON")
        CLAIMS = "claims.csv", _("claims CSV")

    name = models.CharField(max_length=40, choices=Name.choices, verbose_name=_("name"))
    built_at = models.DateTimeField(verbose_name=_("built at"))

    class Meta:
        verbose_name = _("export file")
        verbose_name_plural = _("export files")
        indexes = [models.Index(fields=["name", "origin", "generation"])]

    def __str__(self):
        return f"{self.name} for {self.origin} (generation {self.generation})"


class ExportPart(StoredPart):
    """One part of a built export, in order (`number` from 0), of at most 1 MB."""

    file = models.ForeignKey(
        ExportFile, on_delete=models.CASCADE, related_name="parts", verbose_name=_("file")
    )

    class Meta:
        verbose_name = _("export part")
        verbose_name_plural = _("export parts")
        constraints = [
            models.UniqueConstraint(fields=["file", "number"], name="export_part_in_order")
        ]
