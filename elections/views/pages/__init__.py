"""The public site's pages: home, candidates, profiles, outlets and cited articles.

`views` holds the views, `display` what they turn the selectors' rows into for templates.
"""

from .display import safe_url
from .views import (
    article_detail,
    candidate_detail,
    candidate_list,
    home,
    outlet_detail,
    outlet_list,
)

__all__ = [
    "article_detail",
    "candidate_detail",
    "candidate_list",
    "home",
    "outlet_detail",
    "outlet_list",
    "safe_url",
]
