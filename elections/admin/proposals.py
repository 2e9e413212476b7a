"""Proposed changes to published candidates, for reviewers to accept or reject.

An editor's or an importer's change to a published candidate's own fields is recorded as a
`CandidateProposal` (see `elections.services.proposals`). The list shows what waits, each as
old -> new; a proposal's page accepts it, making the change, or rejects it with a note. The
author of a proposal may read it but not accept it (the four-eyes rule).
"""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from elections.models import CandidateProposal
from elections.services.proposals import field_label, proposal_accept, proposal_reject

from .base import ADMIN_CSS, REFUSALS, refusal_message
from .desk import to_next
from .filters import desk_filter

REVIEW_PERMISSION = "elections.publish_candidate"


class PendingFirst(admin.SimpleListFilter):
    """Proposals awaiting review unless another state is asked for."""

    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [*CandidateProposal.State.choices, ("all", gettext("all"))]

    def choices(self, changelist):
        for value, label in self.lookup_choices:
            selected = self.value() == value or (
                self.value() is None and value == CandidateProposal.State.PENDING
            )
            yield {
                "selected": selected,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        value = self.value() or CandidateProposal.State.PENDING
        if value == "all":
            return queryset
        return queryset.filter(state=value)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", _("accept")), ("reject", _("reject"))])
    note = forms.CharField(required=False, max_length=2000)


def _field(change):
    """The changed field's name in the language active (older changes: as stored)."""
    return field_label(change["name"]) if "name" in change else change.get("field", "")


def changes_table(proposal):
    """The proposal's changes as rows of field, old and new (escaped)."""
    return format_html(
        '<table class="sb-changes"><thead><tr><th>{}</th><th>{}</th><th>{}</th>'
        "</tr></thead><tbody>{}</tbody></table>",
        gettext("field"),
        gettext("now"),
        gettext("proposed"),
        format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (_field(change), change.get("old") or "—", change.get("new") or "—")
                for change in proposal.changes
            ),
        ),
    )


@admin.register(CandidateProposal)
class CandidateProposalAdmin(admin.ModelAdmin):
    class Media:
        css = ADMIN_CSS

    list_display = ["__str__", "candidate", "changes_shown", "state", "proposed_by", "proposed_at"]
    list_display_links = ["__str__"]
    list_select_related = ["candidate", "proposed_by"]
    list_filter = [PendingFirst, desk_filter("proposals")]
    search_fields = ["candidate__display_name", "candidate__name_zh", "candidate__slug"]
    fields = [
        "candidate",
        "changes_shown",
        "state",
        "proposed_by",
        "proposed_at",
        "reviewed_by",
        "reviewed_at",
        "review_note",
    ]
    readonly_fields = fields
    change_form_template = "admin/elections/candidateproposal/change_form.html"

    def has_add_permission(self, request):
        return False  # a proposal is made by changing a published candidate

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_review_permission(self, request):
        return request.user.has_perm(REVIEW_PERMISSION)

    @admin.display(description=_("changes (now → proposed)"))
    def changes_shown(self, proposal):
        return changes_table(proposal)

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_review"
        view = self.admin_site.admin_view(self.review_view)
        return [path("<path:object_id>/review/", view, name=name), *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        proposal = self.get_object(request, unquote(object_id))
        own = (
            proposal is not None
            and settings.SOURCEBOOK_FOUR_EYES
            and proposal.proposed_by_id == request.user.pk
        )
        extra_context = {
            "can_review": self.has_review_permission(request)
            and proposal is not None
            and proposal.state == CandidateProposal.State.PENDING
            and not own,
            "own_proposal": own,
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def review_view(self, request, object_id):
        """Accept or reject one proposal from its page."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_review_permission(request):
            raise PermissionDenied
        proposal = self.get_object(request, unquote(object_id))
        if proposal is None:
            raise Http404("No such proposal.")
        form = ReviewForm(request.POST)
        page = reverse("admin:elections_candidateproposal_change", args=[proposal.pk])
        if not form.is_valid():
            messages.error(request, gettext("Choose to accept or reject the proposal."))
            return HttpResponseRedirect(page)
        decision, note = form.cleaned_data["decision"], form.cleaned_data["note"]
        try:
            if decision == "accept":
                proposal_accept(proposal=proposal, note=note, acting_user=request.user)
            else:
                proposal_reject(proposal=proposal, note=note, acting_user=request.user)
        except REFUSALS as error:
            messages.error(
                request,
                gettext("Proposal #%(number)s: %(why)s")
                % {"number": proposal.pk, "why": refusal_message(error)},
            )
            return HttpResponseRedirect(page)
        if decision == "accept":
            done = gettext(
                "Proposal #%(number)s for %(candidate)s accepted: the published record now "
                "shows it."
            )
        else:
            done = gettext("Proposal #%(number)s for %(candidate)s rejected.")
        messages.success(request, done % {"number": proposal.pk, "candidate": proposal.candidate})
        return to_next(request, "proposals", done=proposal)
