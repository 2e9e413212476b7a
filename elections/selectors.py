"""Reads shaped for the pages and commands that need them: the heavy query of each named once."""

from django.db.models import Prefetch, QuerySet

from elections.models import Contradiction, DisputeClaim

REPORT_STATUSES = ("open", "resolved", "closed", "all")


def contradictions_for_report(*, status: str = "open") -> QuerySet[Contradiction]:
    """Disputes with their candidate and their members in group order, each member with its
    claim, article and outlet: two queries however many disputes and claims there are."""
    if status not in REPORT_STATUSES:
        raise ValueError(f"{status!r} is not one of {', '.join(REPORT_STATUSES)}")
    members = DisputeClaim.objects.select_related("claim__article__outlet").order_by(
        "group", "claim_id"
    )
    queryset = (
        Contradiction.objects.select_related("candidate")
        .prefetch_related(Prefetch("members", queryset=members))
        .order_by("candidate__slug", "property", "on_date", "id")
    )
    if status != "all":
        queryset = queryset.filter(status=status)
    return queryset
