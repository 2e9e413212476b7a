"""Reports in from anywhere, the same way from the admin's intake page and from its task.

`intake_import` reads uploaded files, a pasted report and an address to fetch through the
pipeline of `import_articles` (`sources.importing.ArticleImport`): all or nothing, with the
same normalization and duplicate detection. A fetched page and an uploaded file alike are
kept as the article's archived original (bytes, SHA-256, when), which citations link.

A batch too big for a request (more than SOURCEBOOK_INTAKE_INLINE_FILES files, default 5, or
more than SOURCEBOOK_INTAKE_INLINE_BYTES in all, default 5 MB: OCR of a scan takes seconds a
page) is packed as one stored upload
(`pack`) and imported by the task `articles_intake` (sources.tasks), whose page shows its
progress file by file.
"""

import hashlib
import io
import mimetypes
import zipfile
from collections.abc import Callable, Iterable
from pathlib import PurePath

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sources.fetching import Fetched, FetchRefused, fetch
from sources.importing import ArticleEntry, ArticleImport, ImportFailed, ImportResult
from sources.models import Article

PASTED = _("the pasted text")
FIELDS = ("outlet", "title", "url", "published", "byline", "language")


def runs_as_task(files: list[tuple[str, bytes]]) -> bool:
    """Whether a batch of uploaded files is imported by a task rather than in the request."""
    inline_files = getattr(settings, "SOURCEBOOK_INTAKE_INLINE_FILES", 5)
    inline_bytes = getattr(settings, "SOURCEBOOK_INTAKE_INLINE_BYTES", 5 * 1024 * 1024)
    return len(files) > inline_files or sum(len(data) for _name, data in files) > inline_bytes


def pack(files: Iterable[tuple[str, bytes]]) -> bytes:
    """The files as one zip (numbered folders keep two files of one name apart)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for number, (name, data) in enumerate(files, start=1):
            archive.writestr(f"{number:05d}/{PurePath(name).name or 'report'}", data)
    return buffer.getvalue()


def unpack(data: bytes) -> list[tuple[str, bytes]]:
    """The files `pack` packed, in their order."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [
            (PurePath(info.filename).name, archive.read(info))
            for info in sorted(archive.infolist(), key=lambda info: info.filename)
            if not info.is_dir()
        ]


def _as_received(name: str, data: bytes, url: str, when) -> Fetched:
    """An uploaded file kept as its article's archived original, like a fetched page: the
    report as the editor saved it may be the only copy left once the web forgets it."""
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return Fetched(
        url=url,
        final_url="",
        data=data,
        content_type=content_type,
        fetched_at=when,
        sha256=hashlib.sha256(data).hexdigest(),
    )


def intake_import(
    *,
    acting_user,
    fields: dict[str, str],
    files: Iterable[tuple[str, bytes]] = (),
    address: str = "",
    pasted: str = "",
    pasted_format: str = "",
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Import the files, the address and the pasted report as articles, all or nothing;
    `fields` (FIELDS) are the metadata each takes where its file gives none. Raises
    ImportFailed with every problem (an address refused included) and writes nothing then."""
    importer = ArticleImport(acting_user=acting_user, progress=progress)
    defaults = importer.defaults(**{name: fields.get(name, "") for name in FIELDS})
    received = timezone.now()
    for name, data in files:
        name = PurePath(name or "report").name
        importer.add_entry(
            ArticleEntry(
                path=PurePath(name),
                label=name,
                data=data,
                archive=_as_received(name, data, defaults.get("url", ""), received),
                **defaults,
            )
        )
    if address:
        try:
            fetched = fetch(address)
        except FetchRefused as refused:
            raise ImportFailed(
                [
                    gettext("%(address)s: not fetched: %(reason)s")
                    % {"address": address, "reason": refused}
                ]
            ) from refused
        html = "html" in fetched.content_type.lower()
        importer.add_entry(
            ArticleEntry(
                path=PurePath("fetched"),
                label=address,
                data=fetched.data,
                source_format=Article.Format.HTML if html else None,
                archive=fetched,
                **{**defaults, "url": defaults.get("url") or address},
            )
        )
    pasted = (pasted or "").strip()
    if pasted:
        importer.add_entry(
            ArticleEntry(
                path=PurePath("pasted"),
                label=str(PASTED),
                data=pasted.encode("utf-8"),
                source_format=pasted_format or Article.Format.HTML,
                **defaults,
            )
        )
    return importer.run()
