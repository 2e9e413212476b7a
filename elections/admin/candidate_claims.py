"""A candidate's claims on the candidate's page: a read-only table, each row with its citation.

The claims are edited on each claim's own page, so the candidate's page shows them as text,
not as an inline formset: a formset would render two hidden inputs and walk Django's
fieldset machinery for each claim, which cost more than the rest of the page. The table keeps
the look of a tabular inline (the same markup and classes) and shows the first
`CLAIMS_SHOWN` claims (by property, date and id) in a fixed number of queries, however many
the candidate has; the page links to all of them in the claims list.
"""

from dataclasses import dataclass

from django.contrib.admin.utils import quote
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.html import format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from elections.models import Claim, Property

from .display import (
    choice_label,
    citation_html,
    claim_label,
    marker,
    read_keys,
    readable_key,
    state_badge,
)
from .filters import open_contradictions_of_claim

ARTICLE_TEXTS = ("article__text", "article__source_text", "article__boilerplate")

# How many of a candidate's claims its page shows (the claims list shows them all).
CLAIMS_SHOWN = 25


@dataclass(frozen=True)
class Column:
    name: str
    label: object
    help_text: object = ""


def columns():
    """The table's columns: the claim's own fields with their help, then what is read off it."""
    fields = [Claim._meta.get_field(name) for name in ("property", "value")]
    return [
        *(Column(field.name, capfirst(field.verbose_name), field.help_text) for field in fields),
        Column("normalized_key", capfirst(_("normalized"))),
        Column("as_of_shown", capfirst(_("as of"))),
        Column("citation", capfirst(_("citation"))),
        Column("review", capfirst(_("review"))),
    ]


@dataclass(frozen=True)
class ClaimRow:
    """A claim as its row shows it: a label, the link to its page, and its cells' HTML."""

    label: str
    url: str
    cells: list


def claim_rows(candidate_id):
    """The first `CLAIMS_SHOWN` claims of the candidate, as rows, in one query (two when a
    value names a place, `read_keys`)."""
    claims = read_keys(
        Claim.objects.filter(candidate_id=candidate_id)
        .select_related("candidate", "article__outlet", "passage")
        .defer(*ARTICLE_TEXTS)
        .annotate(disputed=open_contradictions_of_claim())
        .order_by("property", "as_of", "pk")[:CLAIMS_SHOWN]
    )
    return [
        ClaimRow(
            label=claim_label(claim),
            url=reverse("admin:elections_claim_change", args=[quote(claim.pk)]),
            cells=[
                ("property", choice_label(Property, claim.property)),
                ("value", claim.value),
                ("normalized_key", readable_key(claim)),
                ("as_of_shown", as_of_shown(claim)),
                ("citation", citation_html(claim)),
                ("review", claim_markers(claim)),
            ],
        )
        for claim in claims
    ]


@dataclass(frozen=True)
class CandidateClaims:
    """What the candidate's page shows of its claims: the rows (read when the page renders
    them), how many it shows at most, and the candidate's total when more than that."""

    rows: object
    shown: int
    total: int | None


def candidate_claims(candidate_id):
    """The candidate's claims for its page: the total counted now, the rows read lazily (a
    save that redirects never reads them)."""
    total = Claim.objects.filter(candidate_id=candidate_id).count()
    return CandidateClaims(
        rows=SimpleLazyObject(lambda: claim_rows(candidate_id)),
        shown=CLAIMS_SHOWN,
        total=total if total > CLAIMS_SHOWN else None,
    )


def as_of_shown(claim):
    date = claim.as_of_date
    return date.display() if date else "–"


def claim_markers(claim):
    """The claim's state, and whether it is disputed or overruled (needs `disputed` annotated)."""
    badges = [state_badge(claim)]
    if getattr(claim, "disputed", False):
        badges.append(
            marker(gettext("disputed"), "disputed", gettext("In a version of an open dispute"))
        )
    if claim.overruled:
        badges.append(marker(gettext("overruled"), "overruled", claim.overruled_reason))
    return format_html_join(" ", "{}", ((badge,) for badge in badges))
