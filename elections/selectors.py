"""Reads shaped for the pages and commands that need them: the heavy query of each named once."""

from django.db.models import QuerySet

from elections.models import Contradiction


def contradictions_for_report(*, status: str = "open") -> QuerySet[Contradiction]:
    """Contradictions with their candidate, both claims, their articles and outlets: one query."""
    queryset = Contradiction.objects.select_related(
        "candidate",
        "claim_a__article__outlet",
        "claim_b__article__outlet",
    ).order_by("candidate__slug", "property", "id")
    if status != "all":
        queryset = queryset.filter(status=status)
    return queryset
