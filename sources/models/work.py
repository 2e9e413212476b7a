"""Work that outlives one request: sheets waiting between preview and confirm, and tasks.

Both live in the database, the one store every app server shares (DESIGN.md, "How it runs"):
an upload is addressed by a token the server issued to the user who uploaded it, never by a
name the client sends, and a task's progress is read by whichever server the browser asks.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class SheetUpload(models.Model):
    """A sheet uploaded for a preview, kept until it is confirmed or expires.

    `token` is the only name a client ever sees of it (random, issued by the server); it is
    read back only for the user who uploaded it (`owner`) and before `expires_at`.
    """

    token = models.CharField(max_length=64, unique=True, editable=False, verbose_name=_("token"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        editable=False,
        verbose_name=_("owner"),
    )
    file_name = models.CharField(max_length=255, blank=True, verbose_name=_("file name"))
    size = models.PositiveBigIntegerField(default=0, verbose_name=_("size"))
    data = models.BinaryField(editable=False, verbose_name=_("data"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    expires_at = models.DateTimeField(db_index=True, verbose_name=_("expires at"))

    class Meta:
        verbose_name = _("sheet upload")
        verbose_name_plural = _("sheet uploads")
        ordering = ["-created_at"]

    def __str__(self):
        return gettext("%(name)s (%(size)s bytes, %(owner)s)") % {
            "name": self.file_name or gettext("sheet"),
            "size": self.size,
            "owner": self.owner,
        }


class TaskRun(models.Model):
    """One run of long work (a big sheet, re-anchoring, re-detection, an export), with its
    progress for the admin, its outcome, and whether its owner asked to cancel it."""

    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("cancelled")

    kind = models.CharField(max_length=40, db_index=True, verbose_name=_("kind"))
    label = models.CharField(max_length=300, blank=True, verbose_name=_("label"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("owner"),
    )
    state = models.CharField(
        max_length=10,
        choices=State.choices,
        default=State.QUEUED,
        db_index=True,
        verbose_name=_("state"),
    )
    done = models.PositiveBigIntegerField(default=0, verbose_name=_("done"))
    total = models.PositiveBigIntegerField(default=0, verbose_name=_("total"))
    arguments = models.JSONField(default=dict, blank=True, verbose_name=_("arguments"))
    result = models.JSONField(default=dict, blank=True, verbose_name=_("result"))
    error = models.TextField(blank=True, verbose_name=_("error"))
    cancel_requested = models.BooleanField(default=False, verbose_name=_("cancel requested"))
    task_id = models.CharField(
        max_length=100,
        blank=True,
        help_text=_("The tasks backend's id."),
        verbose_name=_("task id"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    started_at = models.DateTimeField(null=True, blank=True, verbose_name=_("started at"))
    finished_at = models.DateTimeField(null=True, blank=True, verbose_name=_("finished at"))
    heartbeat_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("When the worker last said it was alive (only where others can see it)."),
        verbose_name=_("heartbeat at"),
    )
    worker = models.CharField(
        max_length=200,
        blank=True,
        help_text=_("The host and process running it."),
        verbose_name=_("worker"),
    )

    class Meta:
        verbose_name = _("task run")
        verbose_name_plural = _("task runs")
        ordering = ["-created_at", "-id"]
        permissions = [("run_task", "Can start long tasks (re-detection, re-anchoring, exports)")]

    def __str__(self):
        return f"{self.label or self.kind} ({self.get_state_display()})"

    @property
    def percent(self) -> int:
        if not self.total:
            return 100 if self.state == self.State.SUCCEEDED else 0
        return min(100, int(100 * self.done / self.total))
