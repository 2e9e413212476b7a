"""One outlet's page: its counts, a page of what it reported, and its disputes."""

from dataclasses import dataclass
from typing import cast

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from elections.models import Contradiction, Property, PublicTally
from sources.models import Outlet

from ..base import OUTLET_UNREAD
from .disputes import outlet_disputes
from .reports import Report, reports_of
from .rows import prepared


@dataclass
class OutletProfile:
    """What one outlet reported (one page of it), and the disputes its claims took part in."""

    outlet: Outlet
    page: Page  # of the candidates it reported on, by name
    reports: list[Report]  # the page's candidates, by name
    # The first public disputes with a version of its own, each with `versions` (Version),
    # `own` (the group numbers of its versions) and `own_found_wrong`.
    disputes: list[Contradiction]
    by_property: list[tuple[str, int, int]]  # (property, disputes taken part in, found wrong)
    found_wrong: int = 0  # disputes in which a verdict found its version wrong
    dispute_count: int = 0  # disputes taken part in, of which `disputes` are the first
    fact_count: int = 0
    candidate_count: int = 0
    article_count: int = 0


def _outlet_by_slug(slug: str) -> QuerySet[Outlet]:
    outlets = Outlet.objects.filter(slug=slug).defer(*OUTLET_UNREAD)
    return (outlets if outlets.ordered else outlets.order_by("pk"))[:1]


def _kept_counts(outlet_id: int) -> QuerySet[PublicTally, tuple[str, int]]:
    from elections import tallies

    return PublicTally.objects.filter(kind=tallies.OUTLET, subject=outlet_id).values_list(
        "part", "value"
    )


def outlet_profile(
    slug: str,
    page: int | str | None = 1,
    *,
    reports: bool = True,
) -> OutletProfile | None:
    """The outlet `slug` with page `page` of its public claims by candidate (a number that
    is not a page gives the first, one past the end the last), its first disputes and its
    tally of them, or None.

    Five queries: whether tallies wait to be settled; the outlet; its kept counts (facts,
    candidates, articles, and disputes by property); the page's candidates with their
    claims from it; the members of its first disputes (found by the kept disputes of its
    candidates, `disputes.outlet_disputes`) and of the disputes of the page's facts. Each
    reads the rows of the page shown, or counts kept, not the outlet's claims. Four when it
    took part in no public dispute (its facts are then no version of one either); without
    `reports` (a search is shown instead), only the first three.
    """
    from elections import tallies
    from elections.public import outlets as sizes  # read now: tests set them

    tallies.settled()
    # Each query compiled once per process (`prepared`).
    outlet = next(iter(prepared(("outlet",), _outlet_by_slug, (slug,))), None)
    if outlet is None:
        return None
    # Every kept count of the outlet: a few rows, read by their key (rather than a subquery
    # for each count in the outlet's query, which cost more to plan than to run).
    kept = dict(prepared(("outlet counts",), _kept_counts, (outlet.pk,)))
    if kept.get("facts", 0) <= 0:
        return None  # no public claim cites it
    # Its candidates by name (`reports.reported_candidates`), counted as kept: the page is
    # a slice of them, a subquery of the query of their claims (`reports_of`).
    paginator = Paginator(range(kept.get("candidates", 0)), sizes.OUTLET_CANDIDATES_PER_PAGE)
    profile = OutletProfile(
        outlet=outlet,
        page=paginator.get_page(page),
        reports=[],
        disputes=[],
        by_property=[],
        fact_count=kept["facts"],
        candidate_count=kept.get("candidates", 0),
        article_count=kept.get("articles", 0),
    )
    if not reports:
        return profile
    tally: dict[str, list[int]] = {}
    for part, value in kept.items():
        for position, prefix in enumerate((tallies.DISPUTES_PART, tallies.WRONG_PART)):
            if part.startswith(prefix):
                tally.setdefault(part.removeprefix(prefix), [0, 0])[position] = value
    order = {prop: position for position, prop in enumerate(Property.values)}
    profile.by_property = sorted(
        ((prop, times, wrong) for prop, (times, wrong) in tally.items() if times),
        key=lambda row: (order.get(row[0], len(order)), row[0]),
    )
    profile.dispute_count = sum(times for _prop, times, _wrong in profile.by_property)
    profile.found_wrong = sum(wrong for _prop, _times, wrong in profile.by_property)
    shown_range = cast(range, profile.page.object_list)
    bounds = (shown_range.start, shown_range.stop)
    profile.reports = reports_of(outlet, bounds, sizes.OUTLET_CLAIMS_PER_CANDIDATE)
    # The page lists the candidates read, not the ids of the subquery.
    profile.page.object_list = [report.candidate for report in profile.reports]
    shown = sizes.OUTLET_DISPUTES_SHOWN if profile.dispute_count else 0
    profile.disputes = outlet_disputes(outlet, shown, profile.reports)
    return profile
