"""Long tasks in the admin: each run with its progress bar, outcome and errors; start, cancel.

The list and each run's page show a progress bar that `sources/taskrun.js` keeps up to date
from the run's JSON progress (`<id>/progress/`) while it is queued or running. Whoever holds
`sources.run_task` (Reviewers, superusers) starts re-detection or re-anchoring with the
buttons above the list (`start/<kind>/`); a run's owner, or a superuser, cancels it from its
page (`<id>/cancel/`). Looking at the runs ends those whose worker was lost
(`task_runs_end_lost`), so a killed worker's run says so. Runs are never typed in, edited or
deleted here: they are written by the services of `sources.services.tasks` alone.
"""

import django_tasks_db.admin  # noqa: F401 (registers the queue's rows: taken back below)
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_tasks_db.models import DBTaskResult

from sources.models import TaskRun
from sources.services.tasks import task_cancel_request, task_runs_end_lost, task_runs_lost_exist
from sources.tasks import kinds, start

# The admin shows runs (TaskRun), with their progress, outcome and errors, not the rows of
# django-tasks-db's queue: those are the backend's bookkeeping, and their UUID ids fall
# outside the site's rule that a list names its rows by integer ids (config.admin).
if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)

ACTIVE = (TaskRun.State.QUEUED, TaskRun.State.RUNNING)
# How often a page asks for a running task's progress, in milliseconds.
POLL_MS = 1000


def can_cancel(user, run):
    return run.state in ACTIVE and (user.is_superuser or run.owner_id == user.pk)


def startable(user):
    """The kinds of long work the list offers `user` to start, as (name, label) pairs."""
    return [
        (kind.name, kind.label)
        for kind in kinds().values()
        if kind.offered and user.has_perm(kind.permission)
    ]


def end_lost(user):
    """End the runs whose workers were lost, looking first (one query) before writing."""
    if task_runs_lost_exist():
        task_runs_end_lost(acting_user=user)


def progress_of(run):
    """What the progress bar of `run` shows, as the JSON endpoint answers it."""
    return {
        "id": run.pk,
        "state": run.state,
        "state_label": run.get_state_display(),
        "done": run.done,
        "total": run.total,
        "percent": run.percent,
        "cancel_requested": run.cancel_requested,
        "active": run.state in ACTIVE,
    }


@admin.register(TaskRun)
class TaskRunAdmin(admin.ModelAdmin):
    list_display = ["title", "owner", "state", "progress", "created_at", "finished_at"]
    list_select_related = ["owner"]
    list_filter = ["state", "kind"]
    search_fields = ["label", "kind", "owner__username"]
    fields = [
        "title",
        "kind",
        "owner",
        "state",
        "progress",
        "cancel_requested",
        "outcome",
        "error_text",
        "arguments",
        "task_id",
        "worker",
        "heartbeat_at",
        "created_at",
        "started_at",
        "finished_at",
    ]
    readonly_fields = fields

    class Media:
        js = ["sources/taskrun.js"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        info = f"{self.opts.app_label}_{self.opts.model_name}"
        wrap = self.admin_site.admin_view
        return [
            path("start/<str:kind>/", wrap(self.start_view), name=f"{info}_start"),
            path("<int:run_id>/progress/", wrap(self.progress_view), name=f"{info}_progress"),
            path("<int:run_id>/cancel/", wrap(self.cancel_view), name=f"{info}_cancel"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        end_lost(request.user)
        extra_context = {"startable": startable(request.user), **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        end_lost(request.user)
        run = self.get_object(request, object_id)
        extra_context = {
            "run": run,
            "can_cancel": run is not None and can_cancel(request.user, run),
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def progress_view(self, request, run_id):
        """The run's progress as JSON, read by the progress bars (the admin's views are never
        cached)."""
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        if not self.has_view_permission(request):
            raise PermissionDenied
        end_lost(request.user)
        run = get_object_or_404(TaskRun, pk=run_id)
        return JsonResponse(progress_of(run))

    def cancel_view(self, request, run_id):
        """Ask a run to stop (its owner or a superuser), then show it."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_view_permission(request):
            raise PermissionDenied
        run = get_object_or_404(TaskRun, pk=run_id)
        try:
            run = task_cancel_request(run=run, acting_user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if run.state == TaskRun.State.CANCELLED:
                messages.success(
                    request,
                    gettext("“%(label)s” was cancelled before it started.") % {"label": run.label},
                )
            else:
                messages.success(
                    request,
                    gettext("“%(label)s” stops after its current step; nothing it did is kept.")
                    % {"label": run.label},
                )
        return HttpResponseRedirect(reverse("admin:sources_taskrun_change", args=[run.pk]))

    def start_view(self, request, kind):
        """Start a run of `kind` for the user, then show it (under the embedded default it
        has already ended)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        found = kinds().get(kind)
        if found is None or not found.offered:
            raise Http404("No such task.")
        arguments = found.request_arguments(request) if found.request_arguments else {}
        run = start(kind, owner=request.user, arguments=arguments)
        said = {
            TaskRun.State.QUEUED: gettext("“%(label)s” is queued: a worker runs it shortly."),
            TaskRun.State.RUNNING: gettext("“%(label)s” is running."),
            TaskRun.State.SUCCEEDED: gettext("“%(label)s” succeeded."),
            TaskRun.State.FAILED: gettext("“%(label)s” failed, and nothing of it was kept."),
            TaskRun.State.CANCELLED: gettext("“%(label)s” was cancelled."),
        }[TaskRun.State(run.state)]
        level = messages.ERROR if run.state == TaskRun.State.FAILED else messages.INFO
        messages.add_message(request, level, said % {"label": run.label})
        return HttpResponseRedirect(reverse("admin:sources_taskrun_change", args=[run.pk]))

    @admin.display(description=_("task"), ordering="label")
    def title(self, run):
        return run.label or run.kind

    @admin.display(description=_("progress"))
    def progress(self, run):
        url = reverse("admin:sources_taskrun_progress", args=[run.pk])
        if run.total:
            bar = format_html(
                '<progress max="{}" value="{}">{}%</progress>', run.total, run.done, run.percent
            )
        elif run.state == TaskRun.State.SUCCEEDED:
            # Constant markup, nothing to escape.
            bar = mark_safe('<progress max="1" value="1">100%</progress>')
        else:
            # No total known yet: the bar says work is pending without saying how much
            # (constant markup, nothing to escape).
            bar = mark_safe('<progress max="1"></progress>')
        return format_html(
            '<span class="sb-task-progress" data-progress-url="{}" data-poll="{}" '
            'data-interval="{}">{} <span class="sb-task-count">{} / {}</span> '
            '<span class="sb-task-state">{}</span></span>',
            url,
            "true" if run.state in ACTIVE else "false",
            POLL_MS,
            bar,
            run.done,
            run.total,
            run.get_state_display(),
        )

    @admin.display(description=_("outcome"))
    def outcome(self, run):
        return outcome_list(run.result) if run.result else "—"

    @admin.display(description=_("error"))
    def error_text(self, run):
        if not run.error:
            return "—"
        headline, _sep, rest = run.error.partition("\n")
        if not rest.strip():
            return format_html('<strong class="sb-task-error">{}</strong>', headline)
        return format_html(
            '<strong class="sb-task-error">{}</strong><details><summary>{}</summary>'
            "<pre>{}</pre></details>",
            headline,
            gettext("Details"),
            rest.strip(),
        )


# Keys of a task's result kept for the pages that read them, not listed as its outcome (a
# sheet preview's rows are shown by the preview page).
UNLISTED = frozenset({"preview", "preview_page"})


def outcome_list(result):
    """A task's result (a JSON object) as a list of "name: value" lines, escaped."""

    def lines(value, prefix=""):
        for key, item in value.items():
            if not prefix and key in UNLISTED:
                continue
            if isinstance(item, dict):
                yield from lines(item, f"{prefix}{key} ")
            else:
                yield (f"{prefix}{key}", item)

    if not isinstance(result, dict):
        return format_html("{}", result)
    return format_html(
        '<ul class="sb-task-outcome">{}</ul>',
        format_html_join("", "<li>{}: {}</li>", lines(result)),
    )
