"""The forms of the claim admin: a claim from a quote, a change, a rejection, a flag."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from elections.models import Claim
from sources.admin.widgets import CheckedAutocompleteSelect
from sources.models import Article

from .base import PartialDateField

AS_OF_HELP = _(
    "The date the claim holds for, as YYYY, YYYY-MM or YYYY-MM-DD; empty means the article's date."
)


class ClaimAddForm(forms.ModelForm):
    """A claim recorded from an article and the words in it that say it.

    The quote becomes the claim's passage (`claim_create_from_quote`); when the words occur
    more than once, the words just before or after them choose the occurrence.
    """

    # Not named `article`: the model's field of that name is set by the service, not the form.
    source_article = forms.ModelChoiceField(
        label=_("Article"),
        queryset=Article.objects.defer("source_text", "boilerplate"),
        help_text=_("The press report that says it. Type part of its title or its outlet."),
    )
    quote = forms.CharField(
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text=_("The words as they stand in the article, copied exactly."),
    )
    prefix = forms.CharField(
        required=False,
        strip=False,
        label=_("Words just before"),
        help_text=_("Only when the quote occurs more than once: a few words before it."),
    )
    suffix = forms.CharField(
        required=False,
        strip=False,
        label=_("Words just after"),
        help_text=_("Only when the quote occurs more than once: a few words after it."),
    )
    as_of_date = PartialDateField(label=_("As of"), help_text=AS_OF_HELP)

    class Meta:
        model = Claim
        fields = ["candidate", "property", "value", "candidacy", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3, "cols": 80})}
        help_texts = {
            "value": _("As the outlet printed it: “27”, “Hongzhou”, “more than 10,000”."),
            "candidacy": _(
                "For status and votes: which run for office (needed only when the "
                "candidate stood in more than one election)."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        article = self.fields["source_article"]
        article.widget = CheckedAutocompleteSelect(Claim._meta.get_field("article"), admin.site)
        # A widget given after the field is made learns its choices and requiredness here.
        article.widget.choices, article.widget.is_required = article.choices, article.required

    def clean_quote(self):
        return self.cleaned_data["quote"].replace("\r\n", "\n").strip()


class ClaimChangeForm(forms.ModelForm):
    """What an editor may change in a claim; saved by `claim_update` at the opened revision."""

    as_of_date = PartialDateField(label=_("As of"), help_text=AS_OF_HELP)
    opened_revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Claim
        fields = ["value", "candidacy", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        claim = self.instance
        # A reader's form is read-only: the admin leaves these fields out of it.
        if "opened_revision" in self.fields:
            self.fields["opened_revision"].initial = claim.revision
        if "as_of_date" in self.fields:
            if claim.as_of_explicit:
                self.fields["as_of_date"].initial = claim.as_of_date
            published = claim.article.published
            self.fields["as_of_date"].help_text = gettext(
                "%(help)s (The article's date: %(date)s.)"
            ) % {
                "help": AS_OF_HELP,
                "date": published.display() if published else gettext("unknown"),
            }
        if "candidacy" in self.fields:
            self.fields["candidacy"].queryset = claim.candidate.candidacies.select_related(
                "election", "candidate"
            )


class RejectForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_(
            "What the passage says instead, or why it is no evidence of this; the editor "
            "who recorded the claim reads it."
        ),
    )


class FlagForm(forms.Form):
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("What the two claims disagree on, for the reviewer who resolves it."),
    )
