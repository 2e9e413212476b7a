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
from django.utils.translation import gettext_lazy as _

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


# Dated data releases (/data/).


def _release_once(
    progress: Progress, *, origin: str, licence: tuple[str, str, str], acting_user: Any
) -> Any:
    """Make one release at the generation read first; RecordChanged if a public change was
    committed before its last query."""
    from django.utils import timezone

    from elections import datapackage
    from elections.services.releases import data_release_store, next_version

    generation = public_generation()
    if generation is None:
        raise ValueError("The public record's generation cannot be read on this database.")
    created = timezone.now()
    version = next_version(timezone.localdate(created))
    files = datapackage.writers(origin, version)
    progress.done = 0
    progress.set_total(len(files))

    def counted(writers: list[Any]) -> Iterator[Any]:
        for writer in writers:
            yield writer
            progress.advance()

    release = data_release_store(
        version=version,
        created=created,
        licence=licence,
        origin=origin,
        generation=generation,
        files=counted(files),
        describe=lambda kept: datapackage.descriptor(
            version=version, created=created, licence_id=licence[0], origin=origin, files=kept
        ),
        run=progress.run,
        acting_user=acting_user,
    )
    if public_generation() != generation:
        raise RecordChanged
    return release


def _unchanged_since(latest: Any, release: Any) -> bool:
    """Whether `release` holds the same data files, byte for byte, as `latest`."""
    from elections.models import DataReleaseFile

    def hashes(of: Any) -> dict[str, str]:
        return dict(
            DataReleaseFile.objects.filter(release=of)
            .exclude(path="datapackage.json")
            .values_list("path", "sha256")
        )

    return latest is not None and hashes(latest) == hashes(release)


@task_kind("data_release", label=_("Make a data release"), request_arguments=_origin)
def data_release(
    progress: Progress, *, acting_user: Any, origin: str = "", if_changed: bool = False
) -> dict[str, Any]:
    """Make a dated release of the public record (/data/<version>/): a Frictionless data
    package of its tables and annotations (`elections.datapackage`), kept in the database
    (`data_release_store`), its addresses starting with `origin` (as `exports_build`).

    With `if_changed` (the daily schedule's), nothing is made when the public record is as
    the latest release shows it: the same public-cache generation, or, when the generation
    moved without changing what a release holds, the same bytes in every data file (the
    release made to compare is undone). As the exports, a release shows one state of the
    record: an attempt during which a public change committed is undone and tried again
    (BUILD_ATTEMPTS in all). Progress counts the files written.
    """
    from elections import datapackage
    from elections.public.releases import latest_release

    origin = checked_origin(origin)
    licence = datapackage.licence()
    latest = latest_release()
    if if_changed and latest is not None and latest.generation == public_generation():
        return {"made": False, "latest": latest.version, "why": "the public record is unchanged"}
    for attempt in range(1, BUILD_ATTEMPTS + 1):
        try:
            with transaction.atomic():  # a savepoint: an attempt undone leaves nothing
                release = _release_once(
                    progress, origin=origin, licence=licence, acting_user=acting_user
                )
                if if_changed and _unchanged_since(latest, release):
                    raise _Unchanged
        except RecordChanged:
            continue
        except _Unchanged:
            progress.done = progress.total
            version = latest.version if latest is not None else ""
            return {"made": False, "latest": version, "why": "the same data as before"}
        progress.done = progress.total
        files = release.files.order_by("path").values_list("path", "size", "sha256")
        return {
            "made": True,
            "version": release.version,
            "origin": origin,
            "licence": release.licence,
            "generation": release.generation,
            "attempts": attempt,
            "files": {path: {"bytes": size, "sha256": sha} for path, size, sha in files},
        }
    raise RecordChanged(
        f"The public record changed during each of {BUILD_ATTEMPTS} attempts to make the "
        "release; nothing was kept. Start it again when editors are quieter."
    )


class _Unchanged(Exception):
    """The release just made holds what the latest one does: it is undone."""
