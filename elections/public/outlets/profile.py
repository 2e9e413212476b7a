"""One outlet's page: its counts, a page of what it reported, and its disputes."""

from dataclasses import dataclass
from typing import Any, cast

from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, QuerySet

from elections.models import CandidateDigest, Contradiction, Property, PublicTally
from sources.models import Outlet

from .disputes import disputes_taken_part, disputes_with
from .index import public_outlets
from .reports import Report, candidates_by_name, reports_of


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


def outlet_profile(
    slug: str,
    page: int | str | None = 1,
    *,
    reports: bool = True,
) -> OutletProfile | None:
    """The outlet `slug` with page `page` of its public claims by candidate (a number that
    is not a page gives the first, one past the end the last), its first disputes and its
    tally of them, or None.

    Five queries: whether tallies wait to be settled; the outlet with its kept counts
    (`public_outlets`); the page's candidates with their claims from it; the disputes it
    took part in, a row each, for their tally by property and to choose the first; the
    members of those and of the disputes of the page's facts. Each reads the rows of the
    page shown, or counts kept, except the disputes: few (one in about 30 candidates has
    one), their rows are read rather than scanned twice, once to count them by property and
    once more to find the first. Without `reports` (a search is shown instead), only the
    first two.
    """
    from elections import tallies
    from elections.public import outlets as sizes  # read now: tests set them

    outlet = public_outlets().filter(slug=slug).first()
    if outlet is None:
        return None

    # Its candidates by name: the listed ones walked in name order, each looked up in the
    # kept facts of the outlet about it, until the page is full (the outlet's other claims
    # are not read). The page is a subquery of the query of their claims.
    reported = PublicTally.objects.filter(
        kind=tallies.REPORTED, subject=OuterRef("pk"), part=str(outlet.pk), value__gt=0
    )
    paginator = Paginator(
        candidates_by_name().filter(Exists(reported)), sizes.OUTLET_CANDIDATES_PER_PAGE
    )
    # Kept, so not counted again here.
    paginator.count = outlet.candidate_count  # type: ignore[attr-defined]
    profile = OutletProfile(
        outlet=outlet,
        page=paginator.get_page(page),
        reports=[],
        disputes=[],
        by_property=[],
        fact_count=outlet.fact_count,  # type: ignore[attr-defined]
        candidate_count=outlet.candidate_count,  # type: ignore[attr-defined]
        article_count=outlet.article_count,  # type: ignore[attr-defined]
    )
    if not reports:
        return profile
    ids = cast(QuerySet[CandidateDigest, Any], profile.page.object_list)  # a slice
    profile.reports = reports_of(outlet, ids, sizes.OUTLET_CLAIMS_PER_CANDIDATE)
    # The page lists the candidates read, not the ids of the subquery.
    profile.page.object_list = [report.candidate for report in profile.reports]
    order = {prop: position for position, prop in enumerate(Property.values)}
    taken_part = sorted(
        disputes_taken_part().filter(claim__article__outlet_id=outlet.pk),
        key=lambda row: (row[2], row[3], order.get(row[1], len(order)), row[4], row[0]),
    )
    # The first, by candidate name, then property in `Property`'s order.
    first = [dispute_id for dispute_id, *_row in taken_part[: sizes.OUTLET_DISPUTES_SHOWN]]
    disputes = disputes_with(first, profile.reports)
    for dispute in disputes:
        own = [
            version
            for version in dispute.versions  # type: ignore[attr-defined]
            if any(claim.article.outlet_id == outlet.pk for claim in version.claims)
        ]
        # Attributes the page reads, set on the instance for the template.
        dispute.own = {version.group for version in own}  # type: ignore[attr-defined]
        dispute.own_found_wrong = any(  # type: ignore[attr-defined]
            version.found_wrong for version in own
        )
    profile.disputes = disputes
    tally: dict[str, list[int]] = {}
    for _dispute_id, prop, _name, _candidate_id, _question, wrong in taken_part:
        counts = tally.setdefault(prop, [0, 0])
        counts[0] += 1
        counts[1] += wrong > 0
    profile.by_property = sorted(
        ((prop, times, wrong) for prop, (times, wrong) in tally.items()),
        key=lambda row: order.get(row[0], len(order)),
    )
    profile.found_wrong = sum(wrong for _times, wrong in tally.values())
    profile.dispute_count = len(taken_part)
    return profile
