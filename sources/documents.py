"""Reports that are not text files: Word documents, PDFs, and scans read by OCR.

`sources.extract` recognizes them by their first bytes, whatever their names, and hands them
here; each returns the text as a plain-text file would give it (lines of a paragraph joined,
one blank line between paragraphs), which then goes through the same normalization.

- **Word** (`.docx`, a ZIP of XML parts): the paragraphs of `word/document.xml` in order,
  with their tabs and line breaks, table cells as lines. The ZIP is checked before anything
  is decompressed, as sheets are: members' declared sizes and expansion, no encryption.
- **PDF with a text layer**: each page's text (pypdf), the pages' lines joined into
  paragraphs; a line break between two Chinese characters disappears, between words it is a
  space. A PDF whose pages hold (almost) no text is a scan: it is read by OCR.
- **Scans** (PNG, JPEG, TIFF, or a PDF of page images): Tesseract, with its Chinese and
  English models (`chi_sim+eng`), from Debian's packages (`tesseract-ocr`,
  `tesseract-ocr-chi-sim`; a PDF's pages are first rendered by poppler's `pdftoppm`). Where
  they are missing the file is refused saying which package to install.

A Word document's or PDF's own title (its properties) is the article's title where none is
given. Every refusal is an `ExtractionError` naming the file, as for text files.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

from django.utils.translation import gettext

DOCX, PDF, OCR = "docx", "pdf", "ocr"  # values of Article.Format

# A document's parts, uncompressed, and how much one may expand (real ones: 3-20 times).
MAX_UNCOMPRESSED = 64 * 1024 * 1024
MAX_RATIO = 200
RATIO_FLOOR = 1024 * 1024
MAX_PAGES = 500
# A page with fewer characters than this is taken for an image of a page.
SCANNED_PAGE_CHARACTERS = 20
OCR_LANGUAGES = "chi_sim+eng"
OCR_SECONDS_PER_PAGE = 120
OCR_DPI = "300"

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_IMAGE_MAGIC = (
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff",
    b"II*\x00",
    b"MM\x00*",
)
_CJK = "\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_CJK_LINE_BREAK = re.compile(rf"(?<=[{_CJK}])[ \t]*\n[ \t]*(?=[{_CJK}])")
_LINE_BREAK = re.compile(r"[ \t]*\n[ \t]*")


def kind_of(data: bytes) -> str | None:
    """DOCX, PDF or OCR (an image) when `data` begins as one, else None (a text file)."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(_IMAGE_MAGIC):
        return OCR
    if data.startswith(b"PK\x03\x04") and b"word/" in data[:65536]:
        return DOCX
    return None


def document_text(data: bytes, *, name: str) -> tuple[str, str, str]:
    """(text, format, title) of the document `data` called `name` (see the module's
    docstring); the title is the one the document's properties give, else ""."""
    kind = kind_of(data)
    if kind == DOCX:
        return docx_text(data, name=name), DOCX, docx_title(data)
    if kind == PDF:
        text, kind = pdf_text(data, name=name)
        return text, kind, pdf_title(data)
    if kind == OCR:
        return ocr_images([data], name=name), OCR, ""
    raise _error(name, gettext("is not a document this project reads"))


def _title(value) -> str:
    return " ".join(str(value or "").split())[:500]


def docx_title(data: bytes) -> str:
    """The title in a Word document's properties (docProps/core.xml), else ""."""
    # Imported here, as in `docx_text`: lxml loads when a document is read, not with the admin.
    from lxml import etree

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            info = archive.getinfo("docProps/core.xml")
            if info.file_size > RATIO_FLOOR:
                return ""
            core = archive.read(info)
        parser = etree.XMLParser(resolve_entities=False, no_network=True)
        root = etree.fromstring(core, parser)
    except (KeyError, zipfile.BadZipFile, etree.XMLSyntaxError, OSError, ValueError):
        return ""
    found = root.find("{http://purl.org/dc/elements/1.1/}title")
    return _title(found.text if found is not None else "")


def pdf_title(data: bytes) -> str:
    """The title in a PDF's document information, else ""."""
    from pypdf import PdfReader

    try:
        metadata = PdfReader(io.BytesIO(data), strict=False).metadata
        return _title(metadata.title if metadata is not None else "")
    except Exception:  # the text was read; a title that cannot be is no title
        return ""


def _error(name, reason):
    from sources.extract import ExtractionError

    return ExtractionError(name, reason)


def paragraphs(text: str) -> str:
    """Lines of a paragraph joined (no space between Chinese characters), paragraphs
    separated by one blank line."""
    blocks = re.split(r"\n[ \t]*\n+", text.replace("\r\n", "\n").replace("\r", "\n"))
    joined = []
    for block in blocks:
        block = _CJK_LINE_BREAK.sub("", block.strip())
        block = _LINE_BREAK.sub(" ", block)
        if block:
            joined.append(block)
    return "\n\n".join(joined)


# Word.


def _checked_zip(data, *, name):
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _error(name, gettext("is not a Word document (its ZIP cannot be read)")) from None
    total = 0
    for info in archive.infolist():
        if info.flag_bits & 0x1:
            raise _error(name, gettext("is encrypted; save it without a password"))
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _error(
                name,
                gettext("its part %(part)s is compressed in an unusual way")
                % {"part": info.filename},
            )
        total += info.file_size
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * info.compress_size:
            raise _error(
                name,
                gettext("its part %(part)s expands too much to be a document (a ZIP bomb?)")
                % {"part": info.filename},
            )
    if total > MAX_UNCOMPRESSED:
        raise _error(
            name,
            gettext("is %(size)s bytes uncompressed, more than a document may be")
            % {"size": f"{total:,}"},
        )
    return archive


def docx_text(data: bytes, *, name: str) -> str:
    """The paragraphs of a Word document's body."""
    from lxml import etree

    archive = _checked_zip(data, name=name)
    try:
        body = archive.read("word/document.xml")
    except KeyError:
        raise _error(
            name, gettext("is a ZIP file but not a Word document (no word/document.xml)")
        ) from None
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError as error:
        raise _error(
            name, gettext("is a damaged Word document (%(error)s)") % {"error": error}
        ) from None
    lines = []
    for paragraph in root.iter(f"{_W}p"):
        parts = []
        for node in paragraph.iter(f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr"):
            if node.tag == f"{_W}t":
                parts.append(node.text or "")
            elif node.tag == f"{_W}tab":
                parts.append("\t")
            else:
                parts.append("\n")
        lines.append("".join(parts))
    # Each Word paragraph is a paragraph of the article.
    return "\n\n".join(line.strip() for line in lines if line.strip())


# PDF.


def pdf_text(data: bytes, *, name: str) -> tuple[str, str]:
    """The text layer of a PDF, or, for a scan, what OCR reads; with its format."""
    from pypdf import PdfReader

    from sources.extract import ExtractionError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise _error(name, gettext("is encrypted; save it without a password"))
        pages = reader.pages
        if len(pages) > MAX_PAGES:
            raise _error(
                name,
                gettext("has %(pages)s pages, more than the %(most)s read")
                % {"pages": len(pages), "most": MAX_PAGES},
            )
        texts = [page.extract_text() or "" for page in pages]
    except ExtractionError:
        raise
    except Exception as error:  # whatever a damaged or hostile file makes pypdf raise
        raise _error(
            name,
            gettext("is not a readable PDF (%(error)s)") % {"error": type(error).__name__},
        ) from None
    characters = sum(len("".join(text.split())) for text in texts)
    if texts and characters >= SCANNED_PAGE_CHARACTERS * len(texts):
        return "\n\n".join(paragraphs(text) for text in texts if text.strip()), PDF
    return ocr_pdf(data, name=name, pages=len(texts)), OCR


# OCR.


def _ocr_ready(name):
    tesseract = shutil.which("tesseract")
    if tesseract is None:
        raise _error(
            name,
            gettext(
                "is a scan, read only by OCR, and Tesseract is not installed here (apt-get "
                "install tesseract-ocr tesseract-ocr-chi-sim)"
            ),
        )
    listed = subprocess.run(  # noqa: S603 (a program found on PATH, fixed arguments)
        [tesseract, "--list-langs"], capture_output=True, text=True, timeout=30, check=False
    )
    have = set(listed.stdout.split())
    missing = [lang for lang in OCR_LANGUAGES.split("+") if lang not in have]
    if missing:
        packages = " ".join(f"tesseract-ocr-{lang.replace('_', '-')}" for lang in missing)
        raise _error(
            name,
            gettext(
                "is a scan, and Tesseract lacks the models %(models)s "
                "(apt-get install %(packages)s)"
            )
            % {"models": ", ".join(missing), "packages": packages},
        )
    return tesseract


def ocr_images(images: list[bytes], *, name: str) -> str:
    """The text Tesseract reads on each image, in order, as paragraphs."""
    tesseract = _ocr_ready(name)
    texts = []
    for number, image in enumerate(images, start=1):
        try:
            done = subprocess.run(  # noqa: S603 (the image goes in on standard input)
                [tesseract, "-", "stdout", "-l", OCR_LANGUAGES],
                input=image,
                capture_output=True,
                timeout=OCR_SECONDS_PER_PAGE,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise _error(
                name, gettext("page %(page)s: OCR took too long") % {"page": number}
            ) from None
        if done.returncode != 0:
            reason = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
            raise _error(
                name,
                gettext("page %(page)s could not be read by OCR (%(reason)s)")
                % {"page": number, "reason": reason[0]},
            )
        texts.append(paragraphs(done.stdout.decode("utf-8", "replace")))
    return "\n\n".join(text for text in texts if text)


def ocr_pdf(data: bytes, *, name: str, pages: int) -> str:
    """OCR of a PDF's pages, each rendered to an image by poppler's pdftoppm."""
    _ocr_ready(name)
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        raise _error(
            name,
            gettext(
                "is a scanned PDF; its pages are rendered for OCR by pdftoppm, which is not "
                "installed here (apt-get install poppler-utils)"
            ),
        )
    with tempfile.TemporaryDirectory(prefix="sourcebook-ocr-") as folder:
        source = Path(folder) / "scan.pdf"
        source.write_bytes(data)
        try:
            subprocess.run(  # noqa: S603 (paths of this function's own temporary folder)
                [pdftoppm, "-r", OCR_DPI, "-gray", "-png", str(source), str(Path(folder) / "page")],
                capture_output=True,
                timeout=OCR_SECONDS_PER_PAGE * max(1, pages),
                check=True,
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
            raise _error(name, gettext("its pages could not be rendered for OCR")) from None
        images = [path.read_bytes() for path in sorted(Path(folder).glob("page*.png"))]
    if not images:
        raise _error(name, gettext("has no page to read"))
    return ocr_images(images, name=name)
