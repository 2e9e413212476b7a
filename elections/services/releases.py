"""Dated data releases (`elections.tasks.data_release`), kept in parts in the database.

`data_release_store` writes one release whole: its data files, then the datapackage.json
that names their sizes and hashes. Nothing changes a release afterwards;
`data_release_withdraw` takes one off the public site, its bytes kept.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable, Iterable
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils import timezone

from elections.models import DataRelease, DataReleaseFile, DataReleasePart
from sources.audit import read_only, service, service_step
from sources.models import TaskRun

# A file is kept in parts of this many bytes, one row each, written as they fill: a release
# of any size holds at most one part in memory.
PART_BYTES = 1024 * 1024


@read_only
def next_version(day: datetime.date) -> str:
    """The version the next release made on `day` takes: 2026-12-05, then 2026-12-05.2..."""
    stem = day.isoformat()
    taken = set(
        DataRelease.objects.filter(version__startswith=stem).values_list("version", flat=True)
    )
    if stem not in taken:
        return stem
    number = 2
    while f"{stem}.{number}" in taken:
        number += 1
    return f"{stem}.{number}"


@service_step
def release_file_store(
    *, release: DataRelease, path: str, content_type: str, chunks: Iterable[bytes], rows: int = 0
) -> DataReleaseFile:
    """Keep the file `path` of `release` from its bytes in `chunks` (any sizes, in order)."""
    kept = DataReleaseFile.objects.create(
        release=release, path=path, content_type=content_type, sha256=""
    )
    digest, size, number, buffer = hashlib.sha256(), 0, 0, bytearray()
    for chunk in chunks:
        digest.update(chunk)
        size += len(chunk)
        buffer += chunk
        while len(buffer) >= PART_BYTES:
            DataReleasePart.objects.create(
                file=kept, number=number, data=bytes(buffer[:PART_BYTES])
            )
            del buffer[:PART_BYTES]
            number += 1
    if buffer or not number:
        DataReleasePart.objects.create(file=kept, number=number, data=bytes(buffer))
        number += 1
    kept.size, kept.sha256, kept.parts_count, kept.rows = size, digest.hexdigest(), number, rows
    kept.save(update_fields=["size", "sha256", "parts_count", "rows"])
    return kept


@service(perm="sources.run_task", action="make a data release")
def data_release_store(
    *,
    version: str,
    created: datetime.datetime,
    licence: tuple[str, str, str],
    origin: str,
    generation: int,
    files: Iterable[Any],
    describe: Callable[[list[DataReleaseFile]], bytes],
    run: TaskRun | None = None,
    acting_user: User,
) -> DataRelease:
    """Make the release `version` of the public record at `generation`: each of `files`
    (`elections.datapackage.Writer`s: a path, a content type, its chunks and, once written,
    its rows), then datapackage.json as `describe` writes it from the files kept."""
    if DataRelease.objects.filter(version=version).exists():
        raise ValidationError(f"A release {version} exists already; releases never change.")
    identifier, title, path = licence
    release = DataRelease.objects.create(
        version=version,
        created=created,
        licence=identifier,
        licence_title=title,
        licence_path=path,
        origin=origin,
        generation=generation,
        sha256="",
        run=run,
    )
    kept = []
    for writer in files:
        stored = release_file_store(
            release=release,
            path=writer.path,
            content_type=writer.content_type,
            chunks=writer.chunks(),
        )
        stored.rows = writer.rows
        stored.save(update_fields=["rows"])
        kept.append(stored)
    package = release_file_store(
        release=release,
        path="datapackage.json",
        content_type="application/json",
        chunks=[describe(kept)],
    )
    release.sha256 = package.sha256
    release.save(update_fields=["sha256"])
    return release


@service(perm="sources.run_task", action="withdraw a data release")
def data_release_withdraw(*, release: DataRelease, reason: str, acting_user: User) -> DataRelease:
    """Take `release` off the public site (a takedown), saying why; its bytes stay as made."""
    if not (reason or "").strip():
        raise ValidationError("Say why the release is withdrawn.")
    if release.withdrawn_at is None:
        release.withdrawn_at = timezone.now()
        release.withdrawn_reason = reason.strip()
        release.save(update_fields=["withdrawn_at", "withdrawn_reason"])
    return release
