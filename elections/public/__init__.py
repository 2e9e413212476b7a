"""What the public may read, shaped once for each public page (and the API and exports).

The public sees published candidates (`Candidate.objects.published()`) and their public
claims: verified, standing, and citing a passage found word for word in its article's
current text, exact or relocated (`public_claims()`, `public_claim_filter()`: the one rule
every public page, the API, the exports, the charts and the counts read). Outlets and
articles exist publicly only as far as a public claim cites them. A claim a verdict
overruled is shown in one place only: beside the claim it disagreed with, in
`public_contradictions()`, which are the open and resolved contradictions between two such
claims of a published candidate. A verdict of "not a contradiction" says the outlets did not
disagree, so those are left out.

Each selector runs a fixed number of queries however many candidates, claims and outlets
there are: the related rows come with `select_related`, `prefetch_related` and subqueries,
and groupings are made in Python from one fetch.
"""

from .base import (
    ARTICLE_UNREAD,
    CANDIDATE_UNREAD,
    OUTLET_UNREAD,
    SHOWN_CONTRADICTION_STATUSES,
    STATUS_ORDER,
    disputed_candidates,
    disputed_condition,
    has_public_status,
    latest_public_status,
    latest_status_is,
    public_claim_filter,
    public_claims,
    public_contradictions,
    reporting_outlets,
    status_rank,
    text_lang,
)
from .candidates import (
    Figures,
    PlaceChoices,
    Profile,
    candidate_profile,
    candidate_rows,
    home_figures,
    last_verified,
    latest_facts,
    merged_survivor,
    page_of_ids,
    province_name,
    public_candidates,
    public_cities,
    public_place_choices,
    public_provinces,
)
from .outlets import ArticlePage, OutletProfile, article_page, outlet_profile, public_outlets

__all__ = [
    "ARTICLE_UNREAD",
    "CANDIDATE_UNREAD",
    "OUTLET_UNREAD",
    "SHOWN_CONTRADICTION_STATUSES",
    "STATUS_ORDER",
    "ArticlePage",
    "Figures",
    "OutletProfile",
    "PlaceChoices",
    "Profile",
    "article_page",
    "candidate_profile",
    "candidate_rows",
    "disputed_candidates",
    "disputed_condition",
    "has_public_status",
    "home_figures",
    "last_verified",
    "latest_facts",
    "latest_public_status",
    "latest_status_is",
    "merged_survivor",
    "outlet_profile",
    "page_of_ids",
    "province_name",
    "public_candidates",
    "public_cities",
    "public_claim_filter",
    "public_claims",
    "public_contradictions",
    "public_outlets",
    "public_place_choices",
    "public_provinces",
    "reporting_outlets",
    "status_rank",
    "text_lang",
]
