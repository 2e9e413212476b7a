"""Flagging a dispute by hand from one claim: its page's (and the annotate view's) button.

`<claim id>/flag/` shows a short form prefilled with the claim: the other claims answering
the same question (the same candidate and property, ages with years of birth; for a status,
the same candidacy and date) that say something else, and a note. One post flags the claim
against each one chosen through `contradiction_flag`, in the admin's one unit of work, so
the question's dispute is opened (or joined) once, and the editor lands on it.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from elections import disputes
from elections.models import Claim, Property
from elections.services import contradiction_flag
from elections.services.contradictions import question_of_claim
from sources.admin.widgets import DATABASE_INTEGERS

from .base import REFUSALS, refusal_message

FLAG_PERMISSION = "elections.flag_contradiction"
ARTICLE_TEXTS = ("article__text", "article__source_text", "article__boilerplate")


class ClaimFlagForm(forms.Form):
    """The claims that disagree with the one flagged, and why."""

    others = forms.MultipleChoiceField(
        label=_("Claims that disagree"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one claim that disagrees.")},
    )
    note = forms.CharField(
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("What the claims disagree on, for the reviewer who resolves it."),
        error_messages={"required": _("Say what the claims disagree on.")},
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["others"].choices = choices


def claim_id_or_404(object_id):
    """A claim's id from the URL: anything that cannot be one (letters, a number beyond the
    database's integers) is not found, before any query."""
    text = str(object_id)
    if not (text.isascii() and text.isdigit() and int(text) in DATABASE_INTEGERS):
        raise Http404(gettext("No such claim."))
    return int(text)


def disagreeing(claim):
    """The other claims of `claim`'s question that say something else, oldest first: what
    `contradiction_flag` accepts beside it (not rejected, not the same value on the same
    date)."""
    asked = disputes.question_property(claim.property)
    properties = [p for p in Property.values if disputes.question_property(p) == asked]
    question = question_of_claim(claim)
    others = (
        Claim.objects.filter(candidate_id=claim.candidate_id, property__in=properties)
        .exclude(pk=claim.pk)
        .exclude(state=Claim.State.REJECTED)
        .select_related("article__outlet", "passage")
        .defer(*ARTICLE_TEXTS)
        .order_by("created_at", "pk")
    )
    found = []
    for other in others:
        if other.value_key == claim.value_key and other.as_of == claim.as_of:
            continue
        theirs = question_of_claim(other)
        if question is None or theirs is None or theirs.key != question.key:
            continue
        found.append(other)
    return found


def _choice_label(claim):
    quote = Truncator(" ".join(claim.passage.exact.split())).chars(80)
    return gettext("#%(number)s “%(value)s” (%(outlet)s, “%(quote)s”)") % {
        "number": claim.pk,
        "value": claim.value,
        "outlet": claim.article.outlet,
        "quote": quote,
    }


def flag_view(model_admin, request, object_id):
    """The flag form of one claim (GET), and the dispute it flags (POST)."""
    pk = claim_id_or_404(object_id)
    if not request.user.has_perm(FLAG_PERMISSION):
        raise PermissionDenied
    claim = (
        model_admin.get_queryset(request)
        .select_related("candidate", "article__outlet", "passage")
        .filter(pk=pk)
        .first()
    )
    if claim is None:
        raise Http404(gettext("No such claim."))
    claim_url = reverse("admin:elections_claim_change", args=[claim.pk])
    others = disagreeing(claim) if claim.state != Claim.State.REJECTED else []
    choices = [(str(other.pk), _choice_label(other)) for other in others]
    if request.method == "POST":
        form = ClaimFlagForm(request.POST, choices=choices)
        if form.is_valid():
            chosen = {int(value) for value in form.cleaned_data["others"]}
            try:
                for other in others:
                    if other.pk in chosen:
                        dispute = contradiction_flag(
                            claim_a=claim,
                            claim_b=other,
                            note=form.cleaned_data["note"],
                            acting_user=request.user,
                        )
            except REFUSALS as error:
                form.add_error(None, refusal_message(error))
            else:
                messages.success(
                    request,
                    ngettext(
                        "Flagged claim #%(number)s against %(count)d claim as dispute "
                        "#%(dispute)s, for a reviewer to resolve.",
                        "Flagged claim #%(number)s against %(count)d claims as dispute "
                        "#%(dispute)s, for a reviewer to resolve.",
                        len(chosen),
                    )
                    % {"number": claim.pk, "count": len(chosen), "dispute": dispute.pk},
                )
                return HttpResponseRedirect(
                    reverse("admin:elections_contradiction_change", args=[dispute.pk])
                )
    else:
        initial = {"others": [choices[0][0]]} if len(choices) == 1 else {}
        form = ClaimFlagForm(initial=initial, choices=choices)
    opts = model_admin.opts
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": opts,
        "app_label": opts.app_label,
        "title": gettext("Flag a dispute on claim #%(number)s") % {"number": claim.pk},
        "claim": claim,
        "claim_url": claim_url,
        "form": form,
        "has_others": bool(choices),
    }
    status = 400 if form.is_bound and form.errors else 200
    return TemplateResponse(request, "admin/elections/claim/flag_one.html", context, status=status)
