"""Reading an article file (plain text, Markdown, a saved HTML page, or a Word document, PDF
or scan through `sources.documents`): its text and metadata.

Encodings: UTF-8 (with or without a byte-order mark) and GB18030 (the superset of GB2312 and
GBK that Chinese Windows and Excel save in) are recognised without being named; any other
encoding must be named explicitly. GB18030 decodes many non-Chinese byte strings without
error, so a file is taken for GB18030 only when it also reads as coherent text in it.

Formats: `.html`/`.htm` files (and files of any other name that begin like an HTML document)
are saved pages, whose main text and metadata trafilatura extracts, leaving navigation,
footers and other boilerplate behind; `.md`/`.markdown` files are rendered with the Markdown
library, with an optional front matter block; everything else is plain text. Whatever the
format, the text returned is normalized (`sources.text.normalize_text`) with one blank line
between paragraphs.
"""

import codecs
import logging
import re
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePath

from django.utils.translation import gettext as _

from sources import documents
from sources.dates import PartialDate, PartialDateError
from sources.text import normalize_line, normalize_text

TEXT, MARKDOWN, HTML = "text", "markdown", "html"  # the values of Article.Format
DOCUMENT_FORMATS = (documents.DOCX, documents.PDF, documents.OCR)

HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml", ".shtml"})
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown", ".mdown", ".mkd"})

_UNSUPPORTED_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)
_HTML_START = re.compile(r"\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>])", re.I | re.S)
_SAVED_FROM = re.compile(r"<!--\s*saved from url=\(\d+\)(https?://[^\s>]+?)\s*-->", re.I)
_HTML_LANG = re.compile(
    r"<html\b[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*)", re.I
)
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_FRONT_MATTER_LINE = re.compile(r"^([A-Za-z_][\w-]*)[ \t]*:[ \t]*(.*?)[ \t]*$")
FRONT_MATTER_KEYS = {
    "title": "title",
    "date": "published",
    "published": "published",
    "published_on": "published",
    "byline": "byline",
    "author": "byline",
    "url": "url",
    "outlet": "outlet",
    "language": "language",
    "lang": "language",
}
_DATE_AND_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ]")


class ExtractionError(ValueError):
    """A file that cannot be read as an article; the message names the file."""

    def __init__(self, name, reason):
        super().__init__(f"{name}: {reason}")
        self.name = name
        self.reason = reason


@dataclass(frozen=True)
class Extracted:
    """An article file's normalized text and whatever metadata the file itself carries."""

    text: str
    source_format: str
    encoding: str
    title: str = ""
    byline: str = ""
    published: PartialDate | None = None
    url: str = ""
    outlet: str = ""
    language: str = ""


def decode_bytes(data, *, name, encoding=None):
    """Return (text, encoding used) for `data`; `name` is used in error messages.

    Without `encoding`: a UTF-8 byte-order mark means UTF-8; otherwise UTF-8, then GB18030.
    UTF-16 and UTF-32 files, files holding NUL bytes and files in neither encoding raise
    ExtractionError, which suggests the likely encoding where one can be guessed.
    """
    if encoding:
        return _decode_as(data, name=name, encoding=encoding)
    if data.startswith(codecs.BOM_UTF8):
        return _decode_as(data, name=name, encoding="utf-8-sig")
    for bom, label in _UNSUPPORTED_BOMS:
        if data.startswith(bom):
            raise ExtractionError(
                name,
                _("is %(encoding)s; save it as UTF-8 and import it again") % {"encoding": label},
            )
    if b"\x00" in data:
        raise ExtractionError(name, _("is not a text file (it holds NUL bytes)"))
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # Imported here, like lxml below: the admin imports this module in every process, and
    # these load only when a file is read.
    import charset_normalizer

    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = None
    if text is not None and charset_normalizer.from_bytes(data, cp_isolation=["gb18030"]).best():
        return text, "gb18030"
    guess = charset_normalizer.from_bytes(data).best()
    if guess is not None:
        raise ExtractionError(
            name,
            _(
                "is neither UTF-8 nor GB18030 (it may be %(encoding)s); name its encoding to "
                "import it"
            )
            % {"encoding": guess.encoding},
        )
    raise ExtractionError(name, _("is neither UTF-8 nor GB18030; name its encoding to import it"))


def _decode_as(data, *, name, encoding):
    try:
        codec = codecs.lookup(encoding).name
    except LookupError:
        raise ExtractionError(
            name, _("%(encoding)s is not a known encoding") % {"encoding": repr(encoding)}
        ) from None
    if codec == "utf-8" and data.startswith(codecs.BOM_UTF8):
        codec = "utf-8-sig"
    try:
        return data.decode(codec), codec
    except UnicodeDecodeError as error:
        raise ExtractionError(
            name,
            _("is not valid %(encoding)s (byte %(byte)s cannot be decoded)")
            % {"encoding": encoding, "byte": error.start},
        ) from None


def guess_format(name, text):
    """The file's format: by its suffix, else HTML when it begins like a page, else text."""
    suffix = PurePath(name).suffix.lower()
    if suffix in HTML_SUFFIXES:
        return HTML
    if suffix in MARKDOWN_SUFFIXES:
        return MARKDOWN
    if _HTML_START.match(text[:4096]):
        return HTML
    return TEXT


def extract_text(data, *, name, encoding=None, source_format=None):
    """Decode `data` (the bytes of a file called `name`) and return its Extracted text.

    A Word document, a PDF or an image (recognized by its first bytes, whatever its name) is
    read by `sources.documents`, OCR included, rather than decoded.
    """
    if source_format in (None, *DOCUMENT_FORMATS) and documents.kind_of(data):
        text, kind, title = documents.document_text(data, name=name)
        extracted = Extracted(
            text=normalize_text(text), source_format=kind, encoding="", title=title
        )
        if not extracted.text:
            raise ExtractionError(name, _("holds no text"))
        return extracted
    text, used = decode_bytes(data, name=name, encoding=encoding)
    source_format = source_format or guess_format(name, text)
    if source_format == HTML:
        extracted = _from_html(text, name=name, encoding=used)
    elif source_format == MARKDOWN:
        extracted = _from_markdown(text, name=name, encoding=used)
    else:
        extracted = Extracted(text=normalize_text(text), source_format=TEXT, encoding=used)
    if not extracted.text:
        raise ExtractionError(name, _("holds no text"))
    return extracted


def extract_file(path, *, encoding=None, name=None):
    """Read the file at `path` and return its Extracted text; `name` labels errors."""
    path = Path(path)
    name = name or str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ExtractionError(name, _("no such file")) from None
    except IsADirectoryError:
        raise ExtractionError(name, _("is a folder, not a file")) from None
    except OSError as error:
        raise ExtractionError(
            name, _("cannot be read (%(error)s)") % {"error": error.strerror}
        ) from None
    return extract_text(data, name=name, encoding=encoding)


# Turning a tree of elements into paragraphs. Block elements are bracketed with a paragraph
# mark, line-level ones (list items, table rows, <br>) with a line mark; marks and the blanks
# around them then become "\n\n" or "\n". Inside running text white space flows as a browser
# shows it, and a line break between two CJK characters vanishes instead of becoming a space.
_PARAGRAPH, _LINE = "\x1e", "\x1f"
_MARKS = re.compile(r"[ \t\n]*[\x1e\x1f](?:[ \t\n]*[\x1e\x1f])*[ \t\n]*")
_CJK = (
    "\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3100-\u312f"  # radicals, punctuation, kana
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"  # ideographs, full-width forms
)
_CJK_BREAK = re.compile(rf"(?<=[{_CJK}])[ \t]*\n[ \t\n]*(?=[{_CJK}])")
_FLOWING_SPACE = re.compile(r"[ \t\n\r\f]+")


@dataclass(frozen=True)
class _Layout:
    paragraph: frozenset
    line: frozenset
    cell: frozenset
    preformatted: frozenset
    skipped: frozenset


def _tags(names):
    return frozenset(names.split())


_HTML_LAYOUT = _Layout(
    paragraph=_tags(
        "p div h1 h2 h3 h4 h5 h6 blockquote pre ul ol dl table hr figure figcaption section "
        "article header footer aside address details summary main"
    ),
    line=_tags("li tr dt dd br"),
    cell=_tags("td th"),
    preformatted=_tags("pre"),
    skipped=_tags("script style template head title noscript"),
)
# The element names of trafilatura's XML: <head> is a heading there, <lb/> a line break.
_TRAFILATURA_LAYOUT = _Layout(
    paragraph=_tags("p head list quote table div"),
    line=_tags("item row lb"),
    cell=_tags("cell"),
    preformatted=_tags("code"),
    skipped=_tags("graphic"),
)


def _flow(text):
    return _FLOWING_SPACE.sub(" ", _CJK_BREAK.sub("", text))


def _layout_text(root, layout):
    """The text of the tree under `root`, one paragraph per block, normalized."""
    from lxml import etree

    pieces, preformatted, skipping = [], 0, 0

    def add(text):
        if text and not skipping:
            pieces.append(text.replace("\n", _LINE) if preformatted else _flow(text))

    for event, element in etree.iterwalk(root, events=("start", "end")):
        tag = element.tag.lower() if isinstance(element.tag, str) else None
        if event == "start":
            if tag in layout.skipped:
                skipping += 1
                continue
            if skipping or tag is None:
                continue
            if tag in layout.paragraph:
                pieces.append(_PARAGRAPH)
            elif tag in layout.line:
                pieces.append(_LINE)
            elif tag in layout.cell and element.getprevious() is not None:
                pieces.append(" ")
            if tag in layout.preformatted:
                preformatted += 1
            add(element.text)
            continue
        if tag in layout.skipped:
            skipping -= 1
        elif tag is not None and not skipping:
            if tag in layout.preformatted:
                preformatted -= 1
            if tag in layout.paragraph:
                pieces.append(_PARAGRAPH)
            elif tag in layout.line and tag not in ("br", "lb"):
                pieces.append(_LINE)
        if element is not root:
            add(element.tail)
    text = _MARKS.sub(
        lambda match: "\n\n" if _PARAGRAPH in match.group(0) else "\n", "".join(pieces)
    )
    return normalize_text(text)


@contextmanager
def _trafilatura_quiet():
    """Silence trafilatura's warnings: a page it cannot use raises ExtractionError instead,
    which names the file once, where the importer reports its other problems."""
    logger = logging.getLogger("trafilatura")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _from_html(text, *, name, encoding):
    # Imported here: trafilatura takes longer to load than a plain-text import takes to run.
    import trafilatura

    options = {
        "with_metadata": True,
        "include_comments": False,
        "include_tables": True,
        "include_images": False,
        "include_links": False,
        "deduplicate": False,
        # Dates only from the page's metadata: guessing from the URL or the running text
        # turns "/2011/10/" into 1 October 2011, a day the page never states.
        "date_extraction_params": {"extensive_search": False, "original_date": True},
    }
    with _trafilatura_quiet():
        document = trafilatura.bare_extraction(text, **options)
        if document is None or document.body is None:
            document = trafilatura.bare_extraction(text, favor_recall=True, **options)
    if document is None or document.body is None:
        raise ExtractionError(name, _("no article text was found in this HTML page"))
    body = _layout_text(document.body, _TRAFILATURA_LAYOUT)
    published = None
    if document.date:
        try:
            published = PartialDate.parse_iso(document.date)
        except PartialDateError:
            published = None
    url = document.url or ""
    if not url.startswith(("http://", "https://")):
        saved_from = _SAVED_FROM.search(text[:4096])
        url = saved_from.group(1) if saved_from else ""
    language = _HTML_LANG.search(text[:8192])
    return Extracted(
        text=body,
        source_format=HTML,
        encoding=encoding,
        title=normalize_line(document.title or ""),
        byline=normalize_line(document.author or ""),
        published=published,
        url=url,
        outlet=normalize_line(document.sitename or ""),
        language=language.group(1) if language else "",
    )


def _front_matter(text, *, name):
    """Split a `---` delimited front matter block off `text`: (metadata, the rest)."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    metadata = {}
    for line in match.group(1).split("\n"):
        parsed = _FRONT_MATTER_LINE.match(line)
        # Other tools' keys (layout, tags) are ignored; they say nothing about the article.
        if not parsed or parsed.group(1).lower() not in FRONT_MATTER_KEYS:
            continue
        value = parsed.group(2)
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        metadata[FRONT_MATTER_KEYS[parsed.group(1).lower()]] = value.strip()
    if metadata.get("published"):
        value = metadata["published"]
        with_time = _DATE_AND_TIME.match(value)
        try:
            metadata["published"] = PartialDate.parse_iso(
                with_time.group(1) if with_time else value
            )
        except PartialDateError:
            try:
                metadata["published"] = PartialDate.parse(value)
            except PartialDateError as error:
                raise ExtractionError(
                    name, _("front matter date: %(error)s") % {"error": error}
                ) from None
    else:
        metadata.pop("published", None)
    return metadata, text[match.end() :]


def _from_markdown(text, *, name, encoding):
    import lxml.html
    import markdown

    text = text.replace("\r\n", "\n").replace("\r", "\n")
    metadata, body = _front_matter(text, name=name)
    rendered = markdown.markdown(body, extensions=["extra", "sane_lists"])
    if not rendered.strip():
        return Extracted(text="", source_format=MARKDOWN, encoding=encoding)
    root = lxml.html.fragment_fromstring(rendered, create_parent="div")
    title = metadata.get("title", "")
    if not title:
        heading = next(root.iter("h1", "h2", "h3", "h4", "h5", "h6"), None)
        title = heading.text_content() if heading is not None else ""
    return Extracted(
        text=_layout_text(root, _HTML_LAYOUT),
        source_format=MARKDOWN,
        encoding=encoding,
        title=normalize_line(title),
        byline=normalize_line(metadata.get("byline", "")),
        published=metadata.get("published"),
        url=metadata.get("url", ""),
        outlet=normalize_line(metadata.get("outlet", "")),
        language=metadata.get("language", ""),
    )
