"""Reviewing claims in the admin: verify and reject, in bulk from the list or on a claim's page,
and flag two claims as disagreeing (a dispute on their question, created or joined).

Each one calls its service; a refusal (the four-eyes rule, a missing reason, a flag between
claims about different things) becomes a message naming the claim, never an error page. A
user without the permission gets no action in the list, and a 403 from the page's buttons.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from elections.models import Contradiction
from elections.services import (
    claim_reject,
    claim_verify,
    claims_reject,
    claims_verify,
    contradiction_flag,
)
from elections.services.contradictions import question_of_claim

from .base import REFUSALS, intermediate_page, refusal_message, report_refused
from .claim_flag import flag_view
from .claim_forms import FlagForm, RejectForm
from .desk import to_next

VERIFY_PERMISSION = "elections.verify_claim"
FLAG_PERMISSION = "elections.flag_contradiction"


class ClaimReviewMixin:
    """The review actions and the verify and reject buttons of a claim's page."""

    def has_verify_permission(self, request):
        return request.user.has_perm(VERIFY_PERMISSION)

    def has_flag_permission(self, request):
        return request.user.has_perm(FLAG_PERMISSION)

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/verify/",
                self.admin_site.admin_view(self.verify_view),
                name="{}_{}_verify".format(*info),
            ),
            path(
                "<path:object_id>/reject/",
                self.admin_site.admin_view(self.reject_view),
                name="{}_{}_reject".format(*info),
            ),
            path(
                "<path:object_id>/flag/",
                self.admin_site.admin_view(self.flag_view),
                name="{}_{}_flag".format(*info),
            ),
            *super().get_urls(),
        ]

    def flag_view(self, request, object_id):
        """Flag a dispute from one claim: a short form, then one post (`claim_flag`)."""
        return flag_view(self, request, object_id)

    # Review: from the list in bulk, and from a claim's page.

    @admin.action(permissions=["verify"], description=_("Verify selected claims"))
    def verify_claims(self, request, queryset):
        verified, refused = claims_verify(claims=list(queryset), acting_user=request.user)
        if verified:
            messages.success(
                request,
                ngettext(
                    "Verified %(count)d claim(s).", "Verified %(count)d claim(s).", len(verified)
                )
                % {"count": len(verified)},
            )
        report_refused(request, refused, verb="verified")

    @admin.action(permissions=["verify"], description=_("Reject selected claims…"))
    def reject_claims(self, request, queryset):
        form = RejectForm(request.POST if "confirm" in request.POST else None)
        if form.is_bound and form.is_valid():
            rejected, refused = claims_reject(
                claims=list(queryset), acting_user=request.user, reason=form.cleaned_data["reason"]
            )
            if rejected:
                messages.success(
                    request,
                    ngettext(
                        "Rejected %(count)d claim(s).",
                        "Rejected %(count)d claim(s).",
                        len(rejected),
                    )
                    % {"count": len(rejected)},
                )
            report_refused(request, refused, verb="rejected")
            return None
        return intermediate_page(
            self,
            request,
            "admin/elections/claim/reject.html",
            title=gettext("Reject claims"),
            queryset=queryset,
            action="reject_claims",
            form=form,
        )

    @admin.action(permissions=["flag"], description=_("Flag two claims as disagreeing…"))
    def flag_contradiction(self, request, queryset):
        claims = list(queryset.select_related("article__outlet", "passage").order_by("pk")[:3])
        if len(claims) != 2:
            messages.warning(request, gettext("Select exactly two claims to flag as disagreeing."))
            return None
        form = FlagForm(request.POST if "confirm" in request.POST else None)
        if form.is_bound and form.is_valid():
            existing = _dispute_of_question(claims[0])
            try:
                dispute = contradiction_flag(
                    claim_a=claims[0],
                    claim_b=claims[1],
                    acting_user=request.user,
                    note=form.cleaned_data["note"],
                )
            except REFUSALS as error:
                messages.error(
                    request, gettext("Not flagged: %(why)s") % {"why": refusal_message(error)}
                )
                return None
            url = reverse("admin:elections_contradiction_change", args=[dispute.pk])
            if existing is None or existing.pk != dispute.pk:
                text = gettext(
                    'Flagged as <a href="{url}">dispute #{number}</a>, for a reviewer to resolve.'
                )
            elif existing.status != Contradiction.Status.OPEN:
                text = gettext(
                    'Added to <a href="{url}">dispute #{number}</a>, which is open again for a '
                    "reviewer."
                )
            else:
                text = gettext(
                    'Added to <a href="{url}">dispute #{number}</a>, already open for a reviewer.'
                )
            messages.success(request, format_html(text, url=url, number=dispute.pk))
            return None
        return intermediate_page(
            self,
            request,
            "admin/elections/claim/flag.html",
            title=gettext("Flag two claims as disagreeing"),
            queryset=claims,
            action="flag_contradiction",
            form=form,
        )

    def _claim_for_review(self, request, object_id):
        if request.method != "POST":
            return None
        if not self.has_verify_permission(request):
            raise PermissionDenied
        claim = self.get_object(request, unquote(object_id))
        if claim is None:
            raise Http404("No such claim.")
        return claim

    def verify_view(self, request, object_id):
        """Verify one claim from its page."""
        claim = self._claim_for_review(request, object_id)
        if claim is None:
            return HttpResponseNotAllowed(["POST"])
        try:
            claim_verify(claim=claim, acting_user=request.user)
        except REFUSALS as error:
            messages.error(
                request, gettext("Not verified: %(why)s") % {"why": refusal_message(error)}
            )
        else:
            messages.success(
                request,
                gettext("Verified claim #%(number)s: %(claim)s.")
                % {"number": claim.pk, "claim": claim},
            )
            return to_next(request, "claims", done=claim)
        return HttpResponseRedirect(reverse("admin:elections_claim_change", args=[claim.pk]))

    def reject_view(self, request, object_id):
        """Reject one claim from its page, with the reason typed there."""
        claim = self._claim_for_review(request, object_id)
        if claim is None:
            return HttpResponseNotAllowed(["POST"])
        form = RejectForm(request.POST)
        if not form.is_valid():
            messages.error(request, gettext("Not rejected: say why the claim is rejected."))
        else:
            try:
                claim_reject(
                    claim=claim, acting_user=request.user, reason=form.cleaned_data["reason"]
                )
            except REFUSALS as error:
                messages.error(
                    request, gettext("Not rejected: %(why)s") % {"why": refusal_message(error)}
                )
            else:
                messages.success(
                    request,
                    gettext("Rejected claim #%(number)s: %(claim)s.")
                    % {"number": claim.pk, "claim": claim},
                )
                return to_next(request, "claims", done=claim)
        return HttpResponseRedirect(reverse("admin:elections_claim_change", args=[claim.pk]))


def _dispute_of_question(claim):
    """The dispute already on the question `claim` answers, if any."""
    question = question_of_claim(claim)
    if question is None:
        return None
    return Contradiction.objects.filter(question=question.key).only("pk", "status").first()
