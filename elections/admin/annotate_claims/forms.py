"""The claim panel's form: the selected span, whom it is about, and what it says."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from elections.models import Candidacy, Candidate, Property
from sources.admin.annotate import SelectionForm
from sources.dates import PartialDate, PartialDateError


class ClaimRecordForm(SelectionForm):
    """A span of the article (checked as the annotate view checks it) and the claim it makes.

    The candidate is an existing one (`candidate`, an id) or a new one (`new_candidate` with
    a display name or a Chinese name). `version` is the text version the page showed: a span
    chosen in an older text is refused rather than saved on other words.
    """

    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    new_candidate = forms.BooleanField(required=False, label=_("New candidate"))
    candidate = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    new_display_name = forms.CharField(
        required=False,
        max_length=200,
        label=_("Display name"),
        help_text=_("As readers know it."),
    )
    new_name_zh = forms.CharField(
        required=False,
        max_length=100,
        label=_("Chinese name"),
        help_text=_("In Chinese characters."),
    )
    property = forms.ChoiceField(
        choices=[("", _("Choose what the passage says")), *Property.choices], label=_("Property")
    )
    value = forms.CharField(
        max_length=500, label=_("Value"), help_text=_("As the outlet printed it.")
    )
    as_of = forms.CharField(
        required=False,
        max_length=10,
        label=_("As of"),
        help_text=_("YYYY, YYYY-MM or YYYY-MM-DD; empty for the article's date."),
    )
    candidacy = forms.IntegerField(required=False, min_value=1, label=_("Candidacy"))
    note = forms.CharField(
        required=False,
        label=_("Claim note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For the reviewers (optional)."),
    )

    def __init__(self, *args, article, **kwargs):
        kwargs.setdefault("auto_id", "claim_%s")
        super().__init__(*args, article=article, **kwargs)
        self.fields["candidacy"].widget = forms.Select(choices=[("", "—")])

    def clean_as_of(self):
        text = self.cleaned_data["as_of"].strip()
        if not text:
            return None
        try:
            return PartialDate.parse_iso(text)
        except PartialDateError as error:
            raise ValidationError(
                gettext(
                    "Write the date as YYYY, YYYY-MM or YYYY-MM-DD, or leave it empty for the "
                    "article's date."
                ),
                code="date",
            ) from error

    def clean_version(self):
        version = self.cleaned_data["version"]
        if version != self.article.version:
            raise ValidationError(
                gettext(
                    "The article's text changed since this page was loaded (it is now version "
                    "%(now)s): reload the page and select the words again."
                ),
                code="stale",
                params={"now": self.article.version},
            )
        return version

    def clean(self):
        try:
            cleaned = super().clean()
        except ValidationError as error:
            # A span that does not hold the selected words is reported with the other errors.
            self.add_error(None, error)
            cleaned = self.cleaned_data
        if cleaned.get("new_candidate"):
            cleaned["candidate"] = None
            name = " ".join(cleaned.get("new_display_name", "").split())
            name_zh = "".join(cleaned.get("new_name_zh", "").split())
            if not name and not name_zh:
                self.add_error(
                    "new_display_name",
                    gettext("Give the new candidate a display name or a Chinese name."),
                )
            cleaned["new_display_name"], cleaned["new_name_zh"] = name, name_zh
            cleaned["candidacy"] = None
            return cleaned
        candidate_id = cleaned.get("candidate")
        if candidate_id is None:
            self.add_error("candidate", gettext("Choose the candidate, or add a new one."))
            return cleaned
        candidate = Candidate.objects.filter(pk=candidate_id).first()
        if candidate is None:
            self.add_error("candidate", gettext("That candidate no longer exists."))
            return cleaned
        if candidate.merged_into_id:
            survivor = Candidate.objects.get(pk=candidate.merged_into_id)
            self.add_error(
                "candidate",
                gettext("%(candidate)s was merged into %(survivor)s: choose that record.")
                % {"candidate": candidate.display_name, "survivor": survivor},
            )
            return cleaned
        cleaned["candidate"] = candidate
        candidacy_id = cleaned.get("candidacy")
        if candidacy_id is not None:
            candidacy = Candidacy.objects.filter(pk=candidacy_id, candidate=candidate).first()
            if candidacy is None:
                self.add_error(
                    "candidacy",
                    gettext("Choose one of %(candidate)s's runs.")
                    % {"candidate": candidate.display_name},
                )
            cleaned["candidacy"] = candidacy
        return cleaned
