from django.db import models
from django.utils.translation import gettext_lazy as _

from .export import RecordBuild, StoredFile, StoredPart


class DataRelease(RecordBuild):
    """A dated release of the public record as a Frictionless data package, built by a task
    (`elections.tasks.data_release`) and kept in the database, where every app server reads
    it (/data/<version>/).

    A release never changes once made: its files' bytes and checksums are written once, in
    the transaction that creates it. A new release is a new version. `withdrawn_at` takes a
    release off the public site (a takedown) without touching its bytes.
    """

    version = models.CharField(
        max_length=20,
        unique=True,
        help_text=_("Its date: 2026-12-05; a second that day is 2026-12-05.2."),
        verbose_name=_("version"),
    )
    created = models.DateTimeField(verbose_name=_("created"))
    licence = models.CharField(
        max_length=40,
        help_text=_("The licence's identifier: CC-BY-4.0."),
        verbose_name=_("licence"),
    )
    licence_title = models.CharField(max_length=200, verbose_name=_("licence title"))
    licence_path = models.CharField(max_length=300, verbose_name=_("licence address"))
    sha256 = models.CharField(
        max_length=64,
        help_text=_("The SHA-256 of its datapackage.json, which lists its files'."),
        verbose_name=_("sha256"),
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True, verbose_name=_("withdrawn at"))
    withdrawn_reason = models.TextField(blank=True, verbose_name=_("withdrawn reason"))

    class Meta:
        verbose_name = _("data release")
        verbose_name_plural = _("data releases")
        ordering = ["-created", "-id"]

    def __str__(self):
        return self.version


class DataReleaseFile(StoredFile):
    """One file of a release: its datapackage.json or one of its resources."""

    release = models.ForeignKey(
        DataRelease, on_delete=models.CASCADE, related_name="files", verbose_name=_("release")
    )
    path = models.CharField(max_length=60, verbose_name=_("path"))
    rows = models.PositiveIntegerField(default=0, verbose_name=_("rows"))

    class Meta:
        verbose_name = _("data release file")
        verbose_name_plural = _("data release files")
        constraints = [
            models.UniqueConstraint(fields=["release", "path"], name="release_file_unique")
        ]

    def __str__(self):
        return f"{self.release_id}/{self.path}"


class DataReleasePart(StoredPart):
    """One part of a release's file, in order (`number` from 0), of at most 1 MB."""

    file = models.ForeignKey(
        DataReleaseFile, on_delete=models.CASCADE, related_name="parts", verbose_name=_("file")
    )

    class Meta:
        verbose_name = _("data release part")
        verbose_name_plural = _("data release parts")
        constraints = [
            models.UniqueConstraint(fields=["file", "number"], name="release_part_in_order")
        ]
