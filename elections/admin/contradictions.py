"""The disputes queue: questions on which outlets disagree, and the one verdict for each.

The list opens on the open disputes, one row per question: the candidate, what is asked, how
many versions (value groups) the outlets printed and what they are. A dispute's page shows
every version on one page: its values as printed and normalized, and each claim in it with
its outlet, article and passage in a few sentences of its article. A reviewer gives one
verdict for the whole question there (one version right, every version wrong, all true at
different times, or not a contradiction), with a note, through `contradiction_resolve`; the
page sends back the revision of the versions it showed, so that a verdict on versions that
changed since is refused. Disputes are detected or flagged from the claims, so there is no
add form.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.timesince import timesince
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from elections.models import Contradiction, DisputeClaim
from elections.services import contradiction_resolve
from elections.services.contradictions import dispute_groups

from .base import REFUSALS, ServiceHistoryAdmin, add_refusal, as_validation_error
from .desk import to_next
from .display import article_date, marker, passage_in_context, read_keys, readable_key
from .filters import (
    ContradictionOutletFilter,
    ContradictionPropertyFilter,
    ContradictionStatusFilter,
    name_search,
    question_label,
)

RESOLVE_PERMISSION = "elections.resolve_contradiction"
ONE_RIGHT = Contradiction.Verdict.ONE_RIGHT
# The verdict choice "version N is right" is posted as "one_right:N".
GROUP_CHOICE = f"{ONE_RIGHT}:{{}}"
# What the service names a refusal by, and the field of the form that shows it.
SERVICE_FIELDS = {"right_group": "verdict", "verdict_note": "note"}
REOPENED = _("reopened: new version since the verdict")


def distinct(values):
    """`values` without repeats, in their order."""
    return list(dict.fromkeys(value for value in values if value != ""))


def quoted(values):
    return ", ".join(f"“{value}”" for value in values)


class Version:
    """What the page shows of one value group: its values, and each claim with its passage."""

    def __init__(self, number, members):
        self.number = number
        claims = [member.claim for member in members]
        self.values = distinct(claim.value for claim in claims)
        # In words (a place by its name, never "place:118"), read for the page in one query.
        self.normalized = distinct(readable_key(claim) for claim in claims)
        self.outlets = distinct(claim.article.outlet.name for claim in claims)
        self.new = any(member.new for member in members)
        judged = {member.judged for member in members}
        self.judged = judged.pop() if len(judged) == 1 else ""
        self.claims = [_claim_shown(member.claim) for member in members]

    @property
    def label(self):
        return gettext("Version %(number)s is right: %(values)s (%(outlets)s)") % {
            "number": self.number,
            "values": quoted(self.values),
            "outlets": ", ".join(self.outlets),
        }


def _claim_shown(claim):
    article = claim.article
    return {
        "claim": claim,
        "article": article,
        "outlet": article.outlet,
        "published": article_date(article),
        "as_of": claim.as_of_date.display() if claim.as_of_date else gettext("unknown"),
        "context": passage_in_context(claim.passage, article=article),
        "claim_url": reverse("admin:elections_claim_change", args=[claim.pk]),
        "article_url": reverse("admin:sources_article_change", args=[article.pk]),
    }


class VerdictForm(forms.Form):
    """A reviewer's verdict on a whole question, the note that says why, and the revision of
    the versions the page showed."""

    verdict = forms.ChoiceField(widget=forms.RadioSelect, label=_("Verdict"))
    note = forms.CharField(
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_(
            "Why: what settles it (a third source, the official notice, a correction). "
            "It is kept with the verdict, and with every claim the verdict overrules."
        ),
    )
    revision = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages={
            "required": _("The page did not say which versions you saw: open the dispute again."),
        },
    )

    def __init__(self, *args, versions, **kwargs):
        super().__init__(*args, **kwargs)
        Verdict = Contradiction.Verdict
        self.fields["verdict"].choices = [
            *((GROUP_CHOICE.format(version.number), version.label) for version in versions),
            (Verdict.ALL_WRONG, gettext("Every version is wrong")),
            (Verdict.DIFFERENT_TIMES, gettext("All true, at different times")),
            (Verdict.NOT_CONTRADICTION, gettext("Not a contradiction: they can all be true")),
        ]

    def clean(self):
        data = super().clean()
        verdict = data.get("verdict", "")
        data["right_group"] = None
        if verdict.startswith(f"{ONE_RIGHT}:"):
            data["verdict"], number = verdict.split(":", 1)
            data["right_group"] = int(number)
        return data


@admin.register(Contradiction)
class ContradictionAdmin(ServiceHistoryAdmin):
    list_display = [
        "number",
        "candidate",
        "question_shown",
        "version_count",
        "versions",
        "status_shown",
        "origin",
        "created",
    ]
    list_display_links = ["number", "candidate"]
    list_select_related = ["candidate", "candidacy__election"]
    list_filter = [
        ContradictionStatusFilter,
        ContradictionPropertyFilter,
        "origin",
        ContradictionOutletFilter,
    ]
    search_fields = ["candidate__display_name", "members__claim__value"]
    search_help_text = _("A candidate's name in any form, or a value one of the outlets printed.")
    history_list_display = ["status", "verdict", "group_count", "revision"]

    def get_queryset(self, request):
        listed = (
            DisputeClaim.objects.select_related("claim")
            .only("contradiction_id", "group", "claim_id", "claim__value")
            .order_by("group", "claim_id")
        )
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("members", queryset=listed, to_attr="listed_members"))
        )

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        condition = Q(
            Exists(
                DisputeClaim.objects.filter(
                    contradiction=OuterRef("pk"), claim__value__icontains=term
                )
            )
        )
        by_name = name_search(term, prefix="candidate__")
        if by_name is not None:
            condition |= by_name
        return queryset.filter(condition), False

    def has_add_permission(self, request):
        # Disputes are detected when claims are saved, or flagged from the claim list.
        return False

    def has_resolve_permission(self, request):
        return request.user.has_perm(RESOLVE_PERMISSION)

    def get_detail(self, object_id):
        """The dispute with the people and the run its page names, in one query."""
        return (
            Contradiction.objects.select_related(
                "candidate", "candidacy__election", "flagged_by", "resolved_by"
            )
            .filter(pk=object_id)
            .first()
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """Every version of the question on one page, and the verdict form for a reviewer."""
        object_id = unquote(object_id)
        dispute = self.get_detail(object_id) if str(object_id).isdigit() else None
        if dispute is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_or_change_permission(request, dispute):
            raise PermissionDenied
        if request.method == "POST" and not self.has_resolve_permission(request):
            raise PermissionDenied
        versions = self._versions(dispute)
        if request.method == "POST":
            form = VerdictForm(request.POST, versions=versions)
            if form.is_valid():
                try:
                    contradiction_resolve(
                        contradiction=dispute,
                        verdict=form.cleaned_data["verdict"],
                        right_group=form.cleaned_data["right_group"],
                        note=form.cleaned_data["note"],
                        revision=form.cleaned_data["revision"],
                        acting_user=request.user,
                    )
                except REFUSALS as error:
                    add_refusal(form, _on_form(error))
                    # The page shows the versions as they are now, and carries their revision.
                    dispute = self.get_detail(dispute.pk)
                    versions = self._versions(dispute)
                    form.data = form.data.copy()
                    form.data["revision"] = str(dispute.revision)
                else:
                    self._report_resolved(request, dispute, form.cleaned_data, versions)
                    return to_next(request, "disputes", done=dispute)
        else:
            form = VerdictForm(initial={"revision": dispute.revision}, versions=versions)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "app_label": self.opts.app_label,
            "title": gettext("Dispute #%(number)s: %(candidate)s")
            % {"number": dispute.pk, "candidate": dispute.candidate.display_name},
            "contradiction": dispute,
            "question_label": self.question_shown(dispute),
            "versions": versions,
            "claim_count": sum(len(version.claims) for version in versions),
            "form": form,
            "can_resolve": self.has_resolve_permission(request)
            and dispute.status == Contradiction.Status.OPEN,
            "candidate_url": reverse(
                "admin:elections_candidate_change", args=[dispute.candidate_id]
            ),
            "history_url": reverse("admin:elections_contradiction_history", args=[dispute.pk]),
            "changelist_url": reverse("admin:elections_contradiction_changelist"),
            **(extra_context or {}),
        }
        status = 400 if form.is_bound and form.errors else 200
        return TemplateResponse(
            request, "admin/elections/contradiction/detail.html", context, status=status
        )

    def _versions(self, dispute):
        groups = dispute_groups(dispute)
        read_keys(member.claim for members in groups for member in members)
        return [Version(members[0].group, members) for members in groups]

    def _report_resolved(self, request, dispute, data, versions):
        outcome = Contradiction.Verdict(data["verdict"]).label
        right = next((v for v in versions if v.number == data["right_group"]), None)
        if right is not None:
            outcome = gettext("version %(number)s (%(values)s) is right") % {
                "number": right.number,
                "values": quoted(right.values),
            }
        messages.success(
            request,
            format_html(
                gettext(
                    'Resolved <a href="{url}">dispute #{number}</a> ({candidate}, {question}): '
                    "{outcome}."
                ),
                url=reverse("admin:elections_contradiction_change", args=[dispute.pk]),
                number=dispute.pk,
                candidate=dispute.candidate.display_name,
                question=self.question_shown(dispute),
                outcome=outcome,
            ),
        )

    # The list's columns.

    @admin.display(description=_("#"), ordering="pk")
    def number(self, dispute):
        return f"#{dispute.pk}"

    @admin.display(description=_("question"), ordering="property")
    def question_shown(self, dispute):
        label = question_label(dispute.property, dispute.on_date)
        if dispute.candidacy_id and dispute.candidacy is not None:
            return f"{label} ({dispute.candidacy.election.name})"
        return label

    @admin.display(description=_("versions"), ordering="group_count")
    def version_count(self, dispute):
        return dispute.group_count

    @admin.display(description=_("values printed"))
    def versions(self, dispute):
        groups = {}
        for member in getattr(dispute, "listed_members", []):
            groups.setdefault(member.group, []).append(member.claim.value)
        return format_html_join(
            " · ",
            '<span class="sb-version-values">{}</span>',
            ((f"{number}: {quoted(distinct(values))}",) for number, values in groups.items()),
        )

    @admin.display(description=_("status"), ordering="status")
    def status_shown(self, dispute):
        badge = marker(dispute.get_status_display(), dispute.status)
        if dispute.is_reopened:
            # Plain text that wraps: the list's columns are narrow beside the filters.
            return format_html('{}<br><span class="sb-reopened">{}</span>', badge, REOPENED)
        return badge

    @admin.display(description=_("created"), ordering="created_at")
    def created(self, dispute):
        return format_html(
            '<span title="{}">{}</span>',
            gettext("%(time)s ago") % {"time": timesince(dispute.created_at)},
            f"{dispute.created_at:%Y-%m-%d}",
        )


def dispute_rows(disputes):
    """What a list of disputes shows of each (the candidate's page): its number and address,
    question, status and versions with their values. Reads the members in one query."""
    disputes = list(disputes)
    members = (
        DisputeClaim.objects.filter(contradiction__in=disputes)
        .select_related("claim")
        .only("contradiction_id", "group", "claim_id", "claim__value")
        .order_by("group", "claim_id")
    )
    values = {}
    for member in members:
        values.setdefault(member.contradiction_id, {}).setdefault(member.group, []).append(
            member.claim.value
        )
    return [
        {
            "dispute": dispute,
            "url": reverse("admin:elections_contradiction_change", args=[dispute.pk]),
            "question": question_label(dispute.property, dispute.on_date),
            "versions": [
                {"number": number, "values": distinct(printed)}
                for number, printed in values.get(dispute.pk, {}).items()
            ],
        }
        for dispute in disputes
    ]


def _on_form(error):
    """A refusal of `contradiction_resolve`, on the fields of the verdict form."""
    error = as_validation_error(error)
    if not hasattr(error, "error_dict"):
        return error
    return type(error)(
        {SERVICE_FIELDS.get(field, field): errors for field, errors in error.error_dict.items()}
    )
