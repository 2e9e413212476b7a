"""What the public may read, shaped once for each public page (and the API and exports).

The public sees published candidates (`Candidate.objects.published()`) and their public
claims: verified, standing, and citing a passage found word for word in its article's
current text, exact or relocated (`public_claims()`, `public_claim_filter()`: the one rule
every public page, the API, the exports, the charts and the counts read). Outlets and
articles exist publicly only as far as a public claim cites them.

Where outlets disagree, the public sees the dispute on the question once, with each of its
versions (value groups): `public_disputes()` are the open and resolved disputes of published
candidates of which at least two groups hold a verified, anchored claim (a verdict of "not a
contradiction" says the outlets did not disagree, so those are left out). A fact that is a
version of such a dispute is "disputed" wherever it appears (`disputed_claims()`,
`disputed_fact()`). A claim a verdict overruled is no fact: it is shown in one place only,
inside its dispute, as a version found wrong.

Each selector runs a fixed number of queries however many candidates, claims and outlets
there are: the related rows come with `select_related`, `prefetch_related` and subqueries,
and groupings are made in Python from one fetch.
"""

from .annotations import annotation_page, public_annotations
from .base import (
    ARTICLE_UNREAD,
    CANDIDATE_UNREAD,
    OUTLET_UNREAD,
    SHOWN_DISPUTE_STATUSES,
    STATUS_ORDER,
    Version,
    dispute_is_shown,
    disputed_candidates,
    disputed_claims,
    disputed_condition,
    disputed_fact,
    has_public_status,
    latest_public_status,
    latest_status_is,
    public_claim_filter,
    public_claims,
    public_disputes,
    reporting_outlets,
    status_rank,
    text_lang,
    versions_of,
)
from .candidates import (
    PROFILE_FACTS_PER_PAGE,
    PROFILE_FACTS_PER_PROPERTY,
    FactsShown,
    Figures,
    PlaceChoices,
    Profile,
    candidate_profile,
    candidate_rows,
    home_figures,
    last_verified,
    latest_facts,
    merged_survivor,
    newest_public_claims,
    page_of_ids,
    province_name,
    public_candidates,
    public_cities,
    public_place_choices,
    public_places,
    public_provinces,
)
from .changes import EventPage, event_page, public_events
from .exports import export_bytes, fresh_export, kept_export
from .outlets import (
    ArticleHit,
    ArticlePage,
    OutletProfile,
    archived_copy_of,
    article_page,
    article_search,
    outlet_profile,
    public_articles,
    public_outlets,
    search_hits,
)

__all__ = [
    "ARTICLE_UNREAD",
    "CANDIDATE_UNREAD",
    "OUTLET_UNREAD",
    "PROFILE_FACTS_PER_PAGE",
    "PROFILE_FACTS_PER_PROPERTY",
    "SHOWN_DISPUTE_STATUSES",
    "STATUS_ORDER",
    "ArticleHit",
    "ArticlePage",
    "EventPage",
    "FactsShown",
    "Figures",
    "OutletProfile",
    "PlaceChoices",
    "Profile",
    "Version",
    "annotation_page",
    "archived_copy_of",
    "article_page",
    "article_search",
    "candidate_profile",
    "candidate_rows",
    "dispute_is_shown",
    "disputed_candidates",
    "disputed_claims",
    "disputed_condition",
    "disputed_fact",
    "event_page",
    "export_bytes",
    "fresh_export",
    "has_public_status",
    "home_figures",
    "kept_export",
    "last_verified",
    "latest_facts",
    "latest_public_status",
    "latest_status_is",
    "merged_survivor",
    "newest_public_claims",
    "outlet_profile",
    "page_of_ids",
    "province_name",
    "public_annotations",
    "public_articles",
    "public_candidates",
    "public_cities",
    "public_claim_filter",
    "public_claims",
    "public_disputes",
    "public_events",
    "public_outlets",
    "public_place_choices",
    "public_places",
    "public_provinces",
    "reporting_outlets",
    "search_hits",
    "status_rank",
    "text_lang",
    "versions_of",
]
