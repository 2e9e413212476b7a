"""The elections' long work, run as tasks (see `sources.tasks`): the full re-detection.

Re-anchoring every passage is sources' work (`sources.tasks.passages_reanchor_all`); the
claims citing passages it leaves fuzzy or orphaned go back to review, and their questions are
reconciled, through `passages_moved` as on every re-anchoring.

Building the open-data exports ahead of time (`exports_build`): a download of a built export
costs the server reading its parts, where a live one renders every claim and candidate.
"""

from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

from django.conf import settings
from django.db import transaction

from elections import public
from elections.cache import public_generation
from elections.models import Candidate, Claim, Contradiction, ExportFile
from elections.services.contradictions import CHUNK, disputes_reconcile
from elections.services.exports import export_store
from sources.tasks import Progress, task_kind


def candidates_to_reconcile() -> list[int]:
    """Every candidate with a claim, and every candidate with a dispute still standing (its
    claims merged away: the dispute closes)."""
    with_claims = Claim.objects.order_by().values_list("candidate_id", flat=True).distinct()
    standing = (
        Contradiction.objects.exclude(status=Contradiction.Status.CLOSED)
        .order_by()
        .values_list("candidate_id", flat=True)
        .distinct()
    )
    return sorted({*with_claims, *standing} - {None})


@task_kind("contradictions_redetect_all", label="Re-detect every contradiction")
def contradictions_redetect_all(
    progress: Progress, *, acting_user: Any, chunk_size: int = CHUNK
) -> dict[str, int]:
    """Reconcile every question of every candidate with the rules, as the service
    `contradictions_redetect_all` does, a chunk of candidates at a time with progress after
    each: disputes are opened, regrouped, reopened and closed. Returns those counts."""
    candidate_ids = candidates_to_reconcile()
    progress.set_total(len(candidate_ids))
    counts: Counter[str] = Counter({"opened": 0, "reopened": 0, "closed": 0, "regrouped": 0})
    for first in range(0, len(candidate_ids), chunk_size):
        batch = candidate_ids[first : first + chunk_size]
        counts.update(disputes_reconcile(candidate_ids=batch, acting_user=acting_user))
        progress.advance(len(batch))
    return dict(counts)


class RecordChanged(Exception):
    """The public record changed while the exports were built: they would mix two states."""


# Attempts at a build during which the public record stays unchanged.
BUILD_ATTEMPTS = 3


def _origin(request: Any) -> dict[str, str]:
    return {"origin": f"{request.scheme}://{request.get_host()}"}


def checked_origin(origin: str) -> str:
    """`origin` as https://host[:port], or ValueError saying what is expected."""
    origin = (origin or getattr(settings, "SOURCEBOOK_PUBLIC_ORIGIN", "")).rstrip("/")
    scheme, _, host = origin.partition("://")
    if scheme not in ("https", "http") or not host or "/" in host:
        raise ValueError(
            f"The exports need the site's origin, as https://host (not {origin!r}): set "
            "SOURCEBOOK_PUBLIC_ORIGIN, or pass --origin to the command."
        )
    return origin


def _build_once(progress: Progress, *, origin: str, acting_user: Any) -> list[Any]:
    """Build and keep both exports at the generation read first; RecordChanged if a public
    change was committed before the last query."""
    from elections.views.exports import (
        CLAIMS_CSV_TYPE,
        CSV_BATCH,
        POPOLO_TYPE,
        claims_csv_bytes,
        popolo_bytes,
    )

    generation = public_generation()
    if generation is None:
        raise ValueError("The public record's generation cannot be read on this database.")
    candidates = Candidate.objects.published().count()
    progress.done = 0
    progress.set_total(public.public_claims().count() + candidates)

    def build_url(path: str) -> str:
        return origin + path

    def counted(chunks: Iterable[bytes], per_chunk: int) -> Iterator[bytes]:
        for chunk in chunks:
            yield chunk
            progress.advance(per_chunk)

    exports = (
        (ExportFile.Name.CLAIMS, CLAIMS_CSV_TYPE, counted(claims_csv_bytes(build_url), CSV_BATCH)),
        (ExportFile.Name.POPOLO, POPOLO_TYPE, popolo_bytes(build_url, on_page=progress.advance)),
    )
    built = [
        export_store(
            name=name,
            origin=origin,
            generation=generation,
            content_type=content_type,
            chunks=chunks,
            run=progress.run,
            acting_user=acting_user,
        )
        for name, content_type, chunks in exports
    ]
    if public_generation() != generation:
        raise RecordChanged
    return built


@task_kind("exports_build", label="Build the open-data exports", request_arguments=_origin)
def exports_build(progress: Progress, *, acting_user: Any, origin: str = "") -> dict[str, Any]:
    """Build /export/claims.csv and /export/popolo.json for `origin` (the scheme and host
    their addresses start with: the admin passes its own, the command `--origin` or the
    setting SOURCEBOOK_PUBLIC_ORIGIN) and keep them (`export_store`), to be served while the
    public record stays as it was (`elections.public.fresh_export`).

    The build must show one state of the record: it reads the public-cache generation before
    its first query and after its last, and keeps the files only if no public change was
    committed in between; otherwise it undoes that attempt and tries again (BUILD_ATTEMPTS in
    all), then fails, keeping nothing. Progress counts the claims and candidates written.
    """
    origin = checked_origin(origin)
    for attempt in range(1, BUILD_ATTEMPTS + 1):
        try:
            with transaction.atomic():  # a savepoint: an attempt that failed is undone
                built = _build_once(progress, origin=origin, acting_user=acting_user)
        except RecordChanged:
            continue
        progress.done = progress.total
        return {
            "origin": origin,
            "generation": built[0].generation,
            "attempts": attempt,
            "files": {file.name: {"bytes": file.size, "sha256": file.sha256} for file in built},
        }
    raise RecordChanged(
        f"The public record changed during each of {BUILD_ATTEMPTS} attempts to build the "
        "exports; nothing was kept. Start it again when editors are quieter."
    )
