"""Which built export the public may download: one built at the public record's generation.

An export built by a task (`elections.tasks.exports_build`) shows the record as it was when
built. It is served only while the public-cache generation is still the one it was built at
(no public change committed since), and only to the origin its absolute addresses name;
otherwise the views stream the export from the database as it is now (and ask for a new
build: `elections.exportfiles.rebuild_soon`).
"""

from collections.abc import Iterator

from elections.cache import public_generation
from elections.models import ExportFile, ExportPart


def fresh_export(name: str, origin: str) -> ExportFile | None:
    """The newest export `name` built for `origin` at the current generation, or None."""
    return kept_export(name, origin)[0]


def kept_export(name: str, origin: str) -> tuple[ExportFile | None, bool]:
    """(the export `name` built for `origin` the public may have, or None; whether one built
    at an older generation is kept instead, which a download then has rebuilt).

    The newest build kept is the one to compare: a build keeps its files only if the
    generation it read first is still the one after its last query, so a build at an older
    generation always began (and took its `built_at`) before one at a newer generation.
    """
    generation = public_generation()
    if generation is None:
        return None, False
    newest = (
        ExportFile.objects.filter(name=name, origin=origin)
        .exclude(sha256="")
        .order_by("-built_at", "-id")
        .first()
    )
    if newest is None:
        return None, False
    if newest.generation != generation:
        return None, True
    return newest, False


def export_bytes(built: ExportFile) -> Iterator[bytes]:
    """The bytes of `built`, a part at a time (one query each: never the whole in memory)."""
    numbers = range(built.parts_count)
    for number in numbers:
        data = (
            ExportPart.objects.filter(file_id=built.pk, number=number)
            .values_list("data", flat=True)
            .first()
        )
        if data is None:  # removed under the download: stop rather than send a gap
            return
        yield bytes(data)
