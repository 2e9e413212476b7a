"""The outlets index: the outlets public claims cite, with their kept counts."""

import functools

from django.db.models import OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from elections.models import PublicTally
from sources.models import Outlet

from ..base import OUTLET_UNREAD


def public_outlets() -> QuerySet[Outlet]:
    """Outlets cited by public claims, by name, with how many facts, candidates and articles
    they gave (`fact_count`, `candidate_count`, `article_count`): read from the kept tallies
    (`elections.tallies`), so the cost is that of the outlets listed, not of their claims."""
    from elections import tallies

    tallies.settled()
    return _counted_outlets().all()


@functools.cache
def _counted_outlets() -> QuerySet[Outlet]:
    from elections import tallies

    kept = PublicTally.objects.filter(kind=tallies.OUTLET, subject=OuterRef("pk"))

    def counted(part: str) -> Coalesce:
        return Coalesce(Subquery(kept.filter(part=part).values("value")[:1]), 0)

    cited = PublicTally.objects.filter(kind=tallies.OUTLET, part="facts", value__gt=0)
    return (
        Outlet.objects.filter(pk__in=cited.values("subject"))
        .defer(*OUTLET_UNREAD)
        .annotate(
            fact_count=counted("facts"),
            candidate_count=counted("candidates"),
            article_count=counted("articles"),
        )
        .order_by("name")
    )
