"""Open-data exports built ahead of time (`elections.tasks.exports_build`), kept in parts.

`export_store` writes one built export, replacing the one kept for its name and origin.
What is public of a built export (only while the record is still at its generation) is
decided in `elections.public.fresh_export`; the views serve it from there.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import timedelta

from django.contrib.auth.models import User
from django.utils import timezone

from elections.models import ExportFile, ExportPart
from sources.audit import service
from sources.models import TaskRun

# A built export is kept in parts of this many bytes (one row each), read one at a time
# when served, so neither building nor serving holds a whole export in memory.
PART_BYTES = 1024 * 1024
# A replaced export stays this long, for the downloads reading it.
KEEP_REPLACED = timedelta(minutes=15)
# Parts written to the database together: one, so that a build holds at most two parts
# (the one written and the one filling), whatever the size of the export.
PARTS_PER_INSERT = 1


@service(perm="sources.run_task", action="build the open-data exports")
def export_store(
    *,
    name: str,
    origin: str,
    generation: int,
    content_type: str,
    chunks: Iterable[bytes],
    run: TaskRun | None = None,
    acting_user: User,
) -> ExportFile:
    """Keep the export `name` built for `origin` at the public record's `generation`, from
    its bytes in `chunks` (any sizes, in order), in place of the one kept before (removed
    once KEEP_REPLACED has passed since it was built, with any older ones)."""
    ExportFile.objects.filter(
        name=name, origin=origin, built_at__lt=timezone.now() - KEEP_REPLACED
    ).delete()
    built = ExportFile.objects.create(
        name=name,
        origin=origin,
        generation=generation,
        content_type=content_type,
        built_at=timezone.now(),
        run=run,
        sha256="",
    )
    digest, size, number = hashlib.sha256(), 0, 0
    buffer, pending = bytearray(), []

    def flush(parts: list[ExportPart]) -> None:
        ExportPart.objects.bulk_create(parts)
        parts.clear()

    for chunk in chunks:
        digest.update(chunk)
        size += len(chunk)
        buffer += chunk
        while len(buffer) >= PART_BYTES:
            pending.append(ExportPart(file=built, number=number, data=bytes(buffer[:PART_BYTES])))
            del buffer[:PART_BYTES]
            number += 1
            if len(pending) >= PARTS_PER_INSERT:
                flush(pending)
    if buffer or not number:
        pending.append(ExportPart(file=built, number=number, data=bytes(buffer)))
        number += 1
    flush(pending)
    built.size, built.sha256, built.parts_count = size, digest.hexdigest(), number
    built.save(update_fields=["size", "sha256", "parts_count"])
    return built
