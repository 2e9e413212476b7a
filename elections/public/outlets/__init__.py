"""Outlets and articles, as far as public claims cite them.

- `index`: the outlets index (`public_outlets`), read from the kept counts;
- `profile`: one outlet's page (`outlet_profile`), made of
  - `reports`: the page's candidates and the outlet's facts about them,
  - `disputes`: the public disputes it took part in (kept by `elections.tallies`) and the
    disputes of the page's facts;
- `articles`: an article's page, its archived copy, and the search over public articles;
- `rows`: instances made from rows of columns, shared by the others.

How much one page shows is set here (`OUTLET_CANDIDATES_PER_PAGE`...): the modules read
these from this package when a page is asked for, so that setting one here (as tests do)
sets it for every page.
"""

# How much of an outlet's record one page shows: candidates per page, claims per candidate
# (the profile shows the rest) and disputes (the first, by candidate; each one's candidate's
# profile shows it, and every disputed claim links to it).
OUTLET_CANDIDATES_PER_PAGE = 20
OUTLET_CLAIMS_PER_CANDIDATE = 10
OUTLET_DISPUTES_SHOWN = 20
# The public claims an article's page shows at a time.
ARTICLE_CLAIMS_PER_PAGE = 50

from .articles import (  # noqa: E402 (the sizes above are read from this package)
    ArticleHit,
    ArticlePage,
    QuotedPassage,
    Quoting,
    archived_copy_of,
    article_page,
    article_search,
    public_articles,
    search_hits,
)
from .index import public_outlets  # noqa: E402
from .profile import OutletProfile, outlet_profile  # noqa: E402
from .reports import CitedArticle, Fact, Quote, Report  # noqa: E402

__all__ = [
    "ARTICLE_CLAIMS_PER_PAGE",
    "OUTLET_CANDIDATES_PER_PAGE",
    "OUTLET_CLAIMS_PER_CANDIDATE",
    "OUTLET_DISPUTES_SHOWN",
    "ArticleHit",
    "ArticlePage",
    "CitedArticle",
    "Fact",
    "OutletProfile",
    "Quote",
    "QuotedPassage",
    "Quoting",
    "Report",
    "archived_copy_of",
    "article_page",
    "article_search",
    "outlet_profile",
    "public_articles",
    "public_outlets",
    "search_hits",
]
