"""Disputes for many claims at once: the same reconciliation as one claim's save, in bulk.

`contradictions_detect_many` reconciles the questions of the new and changed claims of a
sheet or a batch with `elections.services.contradictions.disputes_reconcile`, which reads
each touched candidate's claims once per chunk of candidates: a single save is a batch of one.
"""

from collections.abc import Iterable

from django.contrib.auth.models import User

from elections.services.contradictions import disputes_reconcile
from sources.audit import service_step


@service_step
def contradictions_detect_many(
    *, created_ids: Iterable[int] = (), changed_ids: Iterable[int] = (), acting_user: User
) -> dict[str, int]:
    """Reconcile the questions of new claims (`created_ids`) and changed ones (`changed_ids`);
    returns the counts of disputes opened, reopened, closed and regrouped."""
    return disputes_reconcile(claim_ids=[*created_ids, *changed_ids], acting_user=acting_user)
