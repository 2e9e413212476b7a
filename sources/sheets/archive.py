"""An XLSX's ZIP, checked before anything in it is decompressed.

An XLSX is a ZIP of XML parts, and compression lets a file of a megabyte expand to
gigabytes. Before anything is decompressed (`open_archive`):

- the ZIP's table of contents is at most `DIRECTORY_MAX` bytes, so listing it is cheap;
- every member's declared uncompressed size, and the total of them, are at most
  `SOURCEBOOK_IMPORT_MAX_UNCOMPRESSED` (Python's zipfile stops a member at its declared size
  and then checks its checksum, so no member expands past what it declares);
- no member of more than a megabyte expands more than `MAX_RATIO` times (real sheets expand
  five to fifty times; a ZIP bomb, up to a thousand);
- members are stored or deflated, and not encrypted.

The archive then refuses to open any part larger than `PART_MAX` for openpyxl, which reads
the parts it opens whole; the parts that grow with the data are streamed by `xlsx`.
"""

import io
import zipfile
import zlib
from xml.etree.ElementTree import ParseError

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .limits import SheetError, size_text

DIRECTORY_MAX = 1024 * 1024
MAX_RATIO = 200
RATIO_FLOOR = 1024 * 1024
PART_MAX = 4 * 1024 * 1024
# What a malformed workbook raises from zipfile, the XML parser or openpyxl's reading.
UNREADABLE = (
    zipfile.BadZipFile,
    zlib.error,
    NotImplementedError,
    zipfile.LargeZipFile,
    KeyError,
    OSError,
    EOFError,
    ValueError,
    TypeError,
    AttributeError,
    IndexError,
    ParseError,
    SyntaxError,
)


class Archive(zipfile.ZipFile):
    """A workbook's ZIP whose parts openpyxl opens are at most `PART_MAX` each."""

    sheet_name = _("the workbook")

    def open(self, name, mode="r", pwd=None, *, force_zip64=False):
        info = name if isinstance(name, zipfile.ZipInfo) else self.getinfo(name)
        if mode == "r" and info.file_size > PART_MAX:
            raise SheetError(
                gettext(
                    "%(name)s: its part %(part)s is %(size)s uncompressed, more than the "
                    "%(most)s such a part takes in a spreadsheet; save the sheet again as CSV "
                    "or as a new workbook"
                )
                % {
                    "name": self.sheet_name,
                    "part": info.filename,
                    "size": size_text(info.file_size),
                    "most": size_text(PART_MAX),
                }
            )
        return super().open(name, mode, pwd, force_zip64=force_zip64)

    def stream(self, name):
        """Open a part this module streams itself, whatever its size (checked before)."""
        return super().open(name)


def open_archive(data, *, name, limits):
    """The workbook's ZIP, once its table of contents and members pass the checks above."""
    try:
        end = zipfile._EndRecData(io.BytesIO(data))  # what ZipFile reads first, and trusts
    except (OSError, ValueError):
        end = None
    if end is None:
        raise SheetError(
            gettext("%(name)s: not an XLSX workbook (not a ZIP file)") % {"name": name}
        )
    if end[zipfile._ECD_SIZE] > DIRECTORY_MAX:
        raise SheetError(
            gettext("%(name)s: not a spreadsheet (its ZIP lists %(size)s of members)")
            % {"name": name, "size": size_text(end[zipfile._ECD_SIZE])}
        )
    try:
        archive = Archive(io.BytesIO(data))
    except UNREADABLE as error:
        raise SheetError(
            gettext("%(name)s: not an XLSX workbook (%(error)s)") % {"name": name, "error": error}
        ) from None
    archive.sheet_name = name
    cap, total = limits.max_uncompressed, 0
    for info in archive.infolist():
        member = {"name": name, "part": info.filename}
        if info.flag_bits & 0x1:
            raise SheetError(
                gettext("%(name)s: the workbook is encrypted; save it without a password")
                % {"name": name}
            )
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise SheetError(
                gettext(
                    "%(name)s: its part %(part)s is compressed in a way spreadsheet programs do "
                    "not use"
                )
                % member
            )
        if info.file_size > cap:
            raise SheetError(
                gettext(
                    "%(name)s: its part %(part)s is %(size)s uncompressed, more than the "
                    "%(most)s an import reads (SOURCEBOOK_IMPORT_MAX_UNCOMPRESSED)"
                )
                % {**member, "size": size_text(info.file_size), "most": size_text(cap)}
            )
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * info.compress_size:
            ratio = info.file_size // max(info.compress_size, 1)
            raise SheetError(
                gettext(
                    "%(name)s: its part %(part)s expands %(ratio)s times when uncompressed "
                    "(%(size)s), more than the %(most)s times of any real spreadsheet"
                )
                % {
                    **member,
                    "ratio": f"{ratio:,}",
                    "size": size_text(info.file_size),
                    "most": MAX_RATIO,
                }
            )
        total += info.file_size
        if total > cap:
            raise SheetError(
                gettext(
                    "%(name)s: is more than %(most)s uncompressed, more than an import reads "
                    "(SOURCEBOOK_IMPORT_MAX_UNCOMPRESSED); split it into smaller sheets"
                )
                % {"name": name, "most": size_text(cap)}
            )
    return archive
