"""A spreadsheet import as one service: every row written, or none.

The resources (`sources.resources`, `elections.resources`) read and check a sheet, then hand
its rows to `sheet_import`, which checks that the acting user may import sheets and runs the
resource's writes in one transaction. The services those writes call act within that
authority: an importer's sheet of claims creates passages and outlets although importers do
not annotate or edit outlets by hand.
"""

from typing import Any, Protocol

from django.contrib.auth.models import User
from django.db import transaction

from sources.audit import IN_BODY, require_perm, service


class SheetResource(Protocol):
    import_permission: str

    def import_rows(self, rows: Any, *, report: Any, user: User, dry_run: bool) -> None: ...


@service(perm=IN_BODY)
def sheet_import(
    *, resource: SheetResource, rows: Any, report: Any, dry_run: bool, acting_user: User
) -> None:
    """Write `rows` of a checked sheet through `resource`; roll back on any problem the
    writing finds (reported in `report`) and on a dry run."""
    require_perm(acting_user, resource.import_permission, "import spreadsheets")
    resource.import_rows(rows, report=report, user=acting_user, dry_run=dry_run)
    if report.problems or dry_run:
        transaction.set_rollback(True)
