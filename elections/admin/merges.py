"""Merging two candidate records that are one person, the record of each merge, and undoing it.

The merge starts from the candidate list: a reviewer selects two records, chooses on the next
page which one survives and writes why, and `candidate_merge` moves everything. The merges
list shows what each merge moved, and undoes it (`candidate_merge_undo`) from an action or
from the merge's own page.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from elections.models import CandidateMerge, CandidateName, Claim
from elections.services import candidate_merge, candidate_merge_undo

from .base import ADMIN_CSS, REFUSALS, html_list, intermediate_page, refusal_message

MERGE_PERMISSION = "elections.merge_candidate"


class MergeForm(forms.Form):
    """Which of the two records survives, and why they are one person."""

    survivor = forms.TypedChoiceField(
        coerce=int,
        widget=forms.RadioSelect,
        label=_("Record that survives"),
        help_text=_(
            "The other record's names, runs and claims move to it, and the disputes of "
            "both are reconciled; the other record is kept, hidden, and its address redirects here."
        ),
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("Why these records are one person (the evidence), kept with the merge."),
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["survivor"].choices = [
            (candidate.pk, f"{candidate} · {candidate.slug}") for candidate in candidates
        ]


def _summary(candidate):
    return {
        "candidate": candidate,
        "names": list(candidate.names.values_list("name", flat=True)),
        "runs": [str(run.election) for run in candidate.candidacies.select_related("election")],
        "claims": candidate.claims.count(),
    }


@admin.action(permissions=["merge"], description=_("Merge two candidates who are one person…"))
def merge_candidates(model_admin, request, queryset):
    """Ask which record survives, then merge the other into it."""
    candidates = list(queryset.order_by("pk")[:3])
    if len(candidates) != 2:
        messages.warning(request, gettext("Select exactly two candidates to merge."))
        return None
    form = MergeForm(request.POST if "confirm" in request.POST else None, candidates=candidates)
    if form.is_bound and form.is_valid():
        chosen = form.cleaned_data["survivor"]
        survivor = next(c for c in candidates if c.pk == chosen)
        absorbed = next(c for c in candidates if c.pk != chosen)
        try:
            merge = candidate_merge(
                survivor=survivor,
                absorbed=absorbed,
                acting_user=request.user,
                note=form.cleaned_data["note"],
            )
        except REFUSALS as error:
            messages.error(
                request,
                gettext("The records were not merged: %(why)s") % {"why": refusal_message(error)},
            )
            return None
        messages.success(
            request,
            format_html(
                gettext(
                    '{absorbed} was merged into {survivor}. <a href="{url}">See what moved, or '
                    "undo the merge</a>."
                ),
                absorbed=absorbed,
                survivor=survivor,
                url=reverse("admin:elections_candidatemerge_change", args=[merge.pk]),
            ),
        )
        return HttpResponseRedirect(reverse("admin:elections_candidate_change", args=[survivor.pk]))
    return intermediate_page(
        model_admin,
        request,
        "admin/elections/candidate/merge.html",
        title=gettext("Merge two candidate records"),
        queryset=candidates,
        action="merge_candidates",
        form=form,
        summaries=[_summary(candidate) for candidate in candidates],
    )


class UndoneFilter(admin.SimpleListFilter):
    title = _("undone")
    parameter_name = "undone"

    def lookups(self, request, model_admin):
        return [("yes", gettext("yes")), ("no", gettext("no"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(undone_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(undone_at__isnull=True)
        return queryset


@admin.register(CandidateMerge)
class CandidateMergeAdmin(admin.ModelAdmin):
    """Merges are made from the candidate list; here they are read, and undone."""

    class Media:
        css = ADMIN_CSS

    list_display = [
        "absorbed",
        "survivor",
        "moved_summary",
        "performed_by",
        "performed_at",
        "undone",
    ]
    list_select_related = ["absorbed", "survivor", "performed_by", "undone_by"]
    list_filter = [UndoneFilter]
    search_fields = [
        "absorbed__display_name",
        "absorbed__name_zh",
        "survivor__display_name",
        "survivor__name_zh",
        "note",
    ]
    fields = [
        "absorbed",
        "survivor",
        "note",
        "moved_detail",
        "performed_by",
        "performed_at",
        "undone_by",
        "undone_at",
    ]
    readonly_fields = fields
    actions = ["undo_merges"]
    change_form_template = "admin/elections/candidatemerge/change_form.html"

    def has_add_permission(self, request):
        # A merge is made by selecting two candidates in the candidate list.
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_merge_permission(self, request):
        return request.user.has_perm(MERGE_PERMISSION)

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_undo"
        view = self.admin_site.admin_view(self.undo_view)
        return [path("<path:object_id>/undo/", view, name=name), *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {"can_undo": self.has_merge_permission(request), **(extra_context or {})}
        return super().change_view(request, object_id, form_url, extra_context)

    def undo_view(self, request, object_id):
        """Undo one merge from its page: a page first says what undoing puts back, and its
        button (a post with `confirm`) undoes it; a post without it only shows that page."""
        if request.method not in ("GET", "HEAD", "POST"):
            return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
        if not self.has_merge_permission(request):
            raise PermissionDenied
        merge = self.get_object(request, unquote(object_id))
        if merge is None:
            raise Http404("No such merge.")
        if request.method == "POST" and request.POST.get("confirm") == "yes":
            self._undo(request, merge)
            return HttpResponseRedirect(
                reverse("admin:elections_candidatemerge_change", args=[merge.pk])
            )
        return intermediate_page(
            self,
            request,
            "admin/elections/candidatemerge/undo.html",
            title=gettext("Undo this merge"),
            queryset=CandidateMerge.objects.filter(pk=merge.pk).select_related(
                "absorbed", "survivor"
            ),
            action="undo_merges",
        )

    def _undo(self, request, merge):
        try:
            candidate_merge_undo(merge=merge, acting_user=request.user)
        except REFUSALS as error:
            messages.error(
                request,
                gettext("“%(merge)s” was not undone: %(why)s")
                % {"merge": merge, "why": refusal_message(error)},
            )
            return False
        messages.success(
            request,
            gettext(
                "Undone: %(absorbed)s and %(survivor)s are two records again, each with what it "
                "had before."
            )
            % {"absorbed": merge.absorbed.display_name, "survivor": merge.survivor.display_name},
        )
        return True

    @admin.action(permissions=["merge"], description=_("Undo selected merges…"))
    def undo_merges(self, request, queryset):
        if "confirm" in request.POST:
            for merge in queryset:
                self._undo(request, merge)
            return None
        return intermediate_page(
            self,
            request,
            "admin/elections/candidatemerge/undo.html",
            title=gettext("Undo merges"),
            queryset=queryset,
            action="undo_merges",
        )

    @admin.display(description=_("what moved"))
    def moved_summary(self, merge):
        moved = merge.moved
        counts = [
            (
                len(moved.get("claims_moved", [])),
                lambda n: ngettext("%(count)d claim(s)", "%(count)d claim(s)", n),
            ),
            (
                len(moved.get("names_moved", [])) + len(moved.get("names_added", [])),
                lambda n: ngettext("%(count)d name(s)", "%(count)d name(s)", n),
            ),
            (
                len(moved.get("candidacies_moved", [])) + len(moved.get("candidacies_folded", [])),
                lambda n: ngettext("%(count)d candidacy(-ies)", "%(count)d candidacy(-ies)", n),
            ),
            (
                len(moved.get("contradictions_moved", [])),
                lambda n: ngettext("%(count)d contradiction(s)", "%(count)d contradiction(s)", n),
            ),
            (
                len(moved.get("contradictions_created", [])),
                lambda n: ngettext("%(count)d dispute(s) opened", "%(count)d dispute(s) opened", n),
            ),
        ]
        return ", ".join(
            noun(count) % {"count": count} for count, noun in counts if count
        ) or gettext("nothing")

    @admin.display(description=_("undone"))
    def undone(self, merge):
        if merge.undone_at is None:
            return "–"
        return gettext("%(when)s by %(user)s") % {
            "when": f"{merge.undone_at:%Y-%m-%d %H:%M}",
            "user": merge.undone_by or gettext("unknown"),
        }

    @admin.display(description=_("what moved"))
    def moved_detail(self, merge):
        moved = merge.moved
        # The names as the merge recorded them: undoing removes the ones it added, which the
        # record still lists (older merges recorded ids only).
        names = moved.get("name_texts")
        if names is None:
            names = CandidateName.objects.filter(
                pk__in=[*moved.get("names_moved", []), *moved.get("names_added", [])]
            ).values_list("name", flat=True)
        claims = Claim.objects.filter(pk__in=moved.get("claims_moved", [])).order_by("pk")
        claim_links = [
            format_html(
                '<a href="{}">#{}</a> {}: {}',
                reverse("admin:elections_claim_change", args=[claim.pk]),
                claim.pk,
                claim.get_property_display(),
                claim.value,
            )
            for claim in claims
        ]
        runs = len(moved.get("candidacies_moved", []))
        folded = len(moved.get("candidacies_folded", []))
        return format_html(
            gettext(
                "<p><strong>Names:</strong> {names}</p><p><strong>Claims:</strong> {claims}</p>"
                "<p><strong>Candidacies:</strong> {runs} moved, {folded} folded into the "
                "survivor's run in the same election</p><p><strong>Disputes:</strong> "
                "{disputes}</p>"
            ),
            names=", ".join(names) or gettext("none"),
            claims=html_list(claim_links, empty=gettext("none")),
            runs=runs,
            folded=folded,
            disputes=_disputes_detail(moved),
        )


def _dispute_links(ids):
    return format_html_join(
        ", ",
        '<a href="{}">#{}</a>',
        ((reverse("admin:elections_contradiction_change", args=[pk]), pk) for pk in ids),
    )


def _disputes_detail(moved):
    """What the merge did to disputes: those of both records before it (which undoing it puts
    back as they were) and those it opened; a merge recorded before disputes were kept whole
    lists the contradictions it moved."""
    created = moved.get("contradictions_created", [])
    opened = _dispute_links(created) if created else gettext("none")
    if "disputes" not in moved:
        return format_html(
            gettext("{moved} moved, {found} found anew"),
            moved=len(moved.get("contradictions_moved", [])),
            found=len(created),
        )
    before = [row["id"] for row in moved["disputes"].get("disputes", [])]
    return format_html(
        gettext(
            "before the merge: {before} (undoing the merge puts them back as they were); "
            "opened by the merge: {opened}"
        ),
        before=_dispute_links(before) if before else gettext("none"),
        opened=opened,
    )
