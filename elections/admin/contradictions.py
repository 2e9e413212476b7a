"""The contradictions queue: two claims whose values cannot both be true, and their verdict.

The list opens on the open contradictions. A contradiction's page puts the two passages side
by side, each in a few sentences of its article, with outlet, date, the claim's date and state
and both values as printed and normalized; a reviewer gives the verdict there, with a note,
through `contradiction_resolve`. Contradictions are detected or flagged from the claims, so
there is no add form.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.timesince import timesince

from elections.models import Contradiction, Property
from elections.services import contradiction_resolve

from .base import REFUSALS, ServiceHistoryAdmin, add_refusal
from .display import article_date, passage_in_context
from .filters import (
    ContradictionOutletFilter,
    ContradictionPropertyFilter,
    ContradictionStatusFilter,
    name_search,
)

RESOLVE_PERMISSION = "elections.resolve_contradiction"
ARTICLE_TEXTS = ("text", "source_text", "boilerplate")
SIDES = ("claim_a", "claim_b")


class VerdictForm(forms.Form):
    """A reviewer's verdict on a contradiction, and the note that says why."""

    verdict = forms.ChoiceField(widget=forms.RadioSelect, label="Verdict")
    note = forms.CharField(
        label="Note",
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text="Why: what settles it (a third source, the official notice, a correction). "
        "It is kept with the verdict, and with every claim the verdict overrules.",
    )

    def __init__(self, *args, contradiction, **kwargs):
        super().__init__(*args, **kwargs)
        first, second = contradiction.claim_a, contradiction.claim_b
        Verdict = Contradiction.Verdict
        self.fields["verdict"].choices = [
            (
                Verdict.A_RIGHT,
                f"The first is right: “{first.value}” ({first.article.outlet.name})",
            ),
            (
                Verdict.B_RIGHT,
                f"The second is right: “{second.value}” ({second.article.outlet.name})",
            ),
            (Verdict.BOTH_WRONG, "Both are wrong"),
            (Verdict.NOT_CONTRADICTION, "Not a contradiction: both can be true"),
            (Verdict.DIFFERENT_TIMES, "Both were true, at different times"),
        ]


class ContradictionChangeList(ChangeList):
    """The queue, without loading the texts of the articles the claims cite."""

    def get_queryset(self, request, exclude_parameters=None):
        return (
            super()
            .get_queryset(request, exclude_parameters)
            .defer(*(f"{side}__article__{name}" for side in SIDES for name in ARTICLE_TEXTS))
        )


def _side(claim, position):
    """What the detail page shows of one claim."""
    return {
        "position": position,
        "claim": claim,
        "article": claim.article,
        "outlet": claim.article.outlet,
        "published": article_date(claim.article),
        "as_of": claim.as_of_date.display() if claim.as_of_date else "unknown",
        "context": passage_in_context(claim.passage, article=claim.article),
        "claim_url": reverse("admin:elections_claim_change", args=[claim.pk]),
        "article_url": reverse("admin:sources_article_change", args=[claim.article_id]),
    }


@admin.register(Contradiction)
class ContradictionAdmin(ServiceHistoryAdmin):
    list_display = [
        "number",
        "candidate",
        "property_shown",
        "value_a",
        "value_b",
        "outlet_a",
        "outlet_b",
        "status",
        "origin",
        "age",
    ]
    list_display_links = ["number", "candidate"]
    list_select_related = ["candidate", "claim_a__article__outlet", "claim_b__article__outlet"]
    list_filter = [
        ContradictionStatusFilter,
        ContradictionPropertyFilter,
        "origin",
        ContradictionOutletFilter,
    ]
    search_fields = ["candidate__display_name", "claim_a__value", "claim_b__value"]
    search_help_text = "A candidate's name in any form, or either value."
    history_list_display = ["status", "verdict"]

    def get_changelist(self, request, **kwargs):
        return ContradictionChangeList

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        condition = Q(claim_a__value__icontains=term) | Q(claim_b__value__icontains=term)
        by_name = name_search(term, prefix="candidate__")
        if by_name is not None:
            condition |= by_name
        return queryset.filter(condition), False

    def has_add_permission(self, request):
        # Contradictions are detected when claims are saved, or flagged from the claim list.
        return False

    def has_resolve_permission(self, request):
        return request.user.has_perm(RESOLVE_PERMISSION)

    def get_detail(self, object_id):
        """The contradiction with everything its page shows, in one query."""
        related = ["candidate", "flagged_by", "resolved_by"]
        for side in SIDES:
            related += [
                f"{side}__article__outlet",
                f"{side}__passage",
                f"{side}__created_by",
                f"{side}__reviewed_by",
            ]
        return (
            Contradiction.objects.select_related(*related)
            .defer(*(f"{side}__article__{name}" for side in SIDES for name in ARTICLE_TEXTS[1:]))
            .filter(pk=object_id)
            .first()
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """Both passages side by side, and the verdict form for a reviewer."""
        object_id = unquote(object_id)
        contradiction = self.get_detail(object_id) if str(object_id).isdigit() else None
        if contradiction is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_or_change_permission(request, contradiction):
            raise PermissionDenied
        can_resolve = (
            self.has_resolve_permission(request)
            and contradiction.status == Contradiction.Status.OPEN
        )
        if request.method == "POST":
            if not self.has_resolve_permission(request):
                raise PermissionDenied
            form = VerdictForm(request.POST, contradiction=contradiction)
            if form.is_valid():
                try:
                    contradiction_resolve(
                        contradiction=contradiction,
                        verdict=form.cleaned_data["verdict"],
                        note=form.cleaned_data["note"],
                        acting_user=request.user,
                    )
                except REFUSALS as error:
                    add_refusal(form, error)
                else:
                    self._report_resolved(request, contradiction, form.cleaned_data["verdict"])
                    return HttpResponseRedirect(reverse("admin:elections_contradiction_changelist"))
        else:
            form = VerdictForm(contradiction=contradiction)
        opts = self.opts
        context = {
            **self.admin_site.each_context(request),
            "opts": opts,
            "app_label": opts.app_label,
            "title": f"Contradiction #{contradiction.pk}: {contradiction.candidate.display_name}",
            "contradiction": contradiction,
            "property_label": Property(contradiction.property).label
            if contradiction.property in Property.values
            else contradiction.property,
            "sides": [
                _side(contradiction.claim_a, "first"),
                _side(contradiction.claim_b, "second"),
            ],
            "form": form,
            "can_resolve": can_resolve,
            "candidate_url": reverse(
                "admin:elections_candidate_change", args=[contradiction.candidate_id]
            ),
            "history_url": reverse(
                "admin:elections_contradiction_history", args=[contradiction.pk]
            ),
            "changelist_url": reverse("admin:elections_contradiction_changelist"),
            **(extra_context or {}),
        }
        status = 400 if form.is_bound and form.errors else 200
        return TemplateResponse(
            request, "admin/elections/contradiction/detail.html", context, status=status
        )

    def _report_resolved(self, request, contradiction, verdict):
        messages.success(
            request,
            format_html(
                'Resolved <a href="{}">contradiction #{}</a> ({}): {}.',
                reverse("admin:elections_contradiction_change", args=[contradiction.pk]),
                contradiction.pk,
                contradiction.candidate.display_name,
                Contradiction.Verdict(verdict).label,
            ),
        )

    @admin.display(description="#", ordering="pk")
    def number(self, contradiction):
        return f"#{contradiction.pk}"

    @admin.display(description="property", ordering="property")
    def property_shown(self, contradiction):
        if contradiction.property in Property.values:
            return Property(contradiction.property).label
        return contradiction.property

    @admin.display(description="first value")
    def value_a(self, contradiction):
        return contradiction.claim_a.value

    @admin.display(description="second value")
    def value_b(self, contradiction):
        return contradiction.claim_b.value

    @admin.display(description="first outlet")
    def outlet_a(self, contradiction):
        return contradiction.claim_a.article.outlet.name

    @admin.display(description="second outlet")
    def outlet_b(self, contradiction):
        return contradiction.claim_b.article.outlet.name

    @admin.display(description="age", ordering="created_at")
    def age(self, contradiction):
        return timesince(contradiction.created_at)
