"""What an attacker's text must never become in a response: markup, a handler, a link that runs.

`html_problems(page, forms)` reads an HTML page the way a browser's parser would and lists
every way the text in `forms` (the forms one payload may be stored in, see
`payloads.dangerous_forms`) escaped its place:

- a form holding `<` appears raw anywhere: it starts markup;
- a form holding a quote appears raw inside a tag: it leaves an attribute value (a quote in
  text between tags is inert, and Django's escaping is not the only escaping a page holds:
  django-import-export's preview escapes `<`, `>` and `&` only);
- an element carries an event-handler attribute (`on...`) or `srcdoc`: the project's
  templates have none (its Content-Security-Policy forbids inline script), so any one came
  from data;
- a URL attribute (`href`, `src`, `action`, `formaction`, `xlink:href`, `data` ...) holds a
  `javascript:`, `vbscript:` or `data:` URL, after the parser's decoding of references and
  with the blanks and controls browsers skip removed;
- an element that only an injection would bring (`iframe`, `object`, `embed`, `base`,
  `math`, SVG animation, `meta http-equiv`, `style`) appears;
- a `script` element runs inline code, or holds JSON (JSON-LD included) that does not parse
  or that holds `</script` or `<!--`: data broke out of it.

`problems` is empty for a safe page. The checks are written to fail on a template that
marks data safe (`|safe`, `mark_safe`), which `test_xss.py` proves on deliberately unsafe
renderings.
"""

import json
import re
from html.parser import HTMLParser

from .payloads import FORMULA_STARTS, MARKUP, QUOTES

EVENT_HANDLER = re.compile(r"^on[a-z]+$")
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "data",
    "poster",
    "background",
    "lowsrc",
    "dynsrc",
    "codebase",
    "ping",
    "cite",
    "longdesc",
    "manifest",
}
RUNNING_SCHEMES = ("javascript:", "vbscript:", "data:")
# Browsers drop these from a URL before reading its scheme.
_URL_BLANKS = re.compile(r"[\x00-\x20\x7f]+")
FORBIDDEN_ELEMENTS = {
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "base",
    "math",
    "animate",
    "set",
    "animatemotion",
    "animatetransform",
    "foreignobject",
    "marquee",
    "audio",
    "video",
    "source",
    "style",
    "xss",
    "isindex",
}
JSON_TYPES = {"application/ld+json", "application/json"}


def url_runs(value):
    """Whether a URL attribute's (decoded) value would run code or load a document."""
    squeezed = _URL_BLANKS.sub("", value or "").lower()
    return squeezed.startswith(RUNNING_SCHEMES)


class _PageReader(HTMLParser):
    """Elements, attributes and script contents of a page, as a browser's parser sees them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []
        self.scripts = []  # (attributes, content)
        self._script = None

    def handle_starttag(self, tag, attrs):
        self._element(tag, attrs)
        if tag == "script":
            self._script = (dict(attrs), [])

    def handle_startendtag(self, tag, attrs):
        self._element(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            attributes, parts = self._script
            self.scripts.append((attributes, "".join(parts)))
            self._script = None

    def handle_data(self, data):
        if self._script is not None:
            self._script[1].append(data)

    def _element(self, tag, attrs):
        if tag in FORBIDDEN_ELEMENTS:
            self.problems.append(f"a <{tag}> element: {self.get_starttag_text()!r}")
        if tag == "meta" and any(name == "http-equiv" for name, _ in attrs):
            self.problems.append(f"a <meta http-equiv>: {self.get_starttag_text()!r}")
        for name, value in attrs:
            if EVENT_HANDLER.match(name):
                self.problems.append(f"an event handler {name}= on <{tag}>: {value!r}")
            elif name == "srcdoc":
                self.problems.append(f"a srcdoc on <{tag}>: {value!r}")
            elif name in URL_ATTRIBUTES and url_runs(value):
                self.problems.append(f"a running URL in {name}= on <{tag}>: {value!r}")


def script_problems(scripts):
    """Inline code, or JSON that data broke out of, among the page's script elements."""
    problems = []
    for attributes, content in scripts:
        kind = (attributes.get("type") or "").strip().lower()
        if kind in JSON_TYPES:
            lowered = content.lower()
            if "</script" in lowered or "<!--" in lowered:
                problems.append(f"a {kind} block holding markup: {content[:120]!r}")
            try:
                json.loads(content)
            except ValueError:
                problems.append(f"a {kind} block that is not JSON: {content[:120]!r}")
        elif content.strip():
            problems.append(f"an inline script: {content[:120]!r}")
        elif not (attributes.get("src") or "").startswith("/"):
            problems.append(f"a script from elsewhere: {attributes.get('src')!r}")
    return problems


def json_ld_blocks(page):
    """The parsed JSON of every JSON-LD block of `page`."""
    reader = _PageReader()
    reader.feed(page)
    reader.close()
    return [
        json.loads(content)
        for attributes, content in reader.scripts
        if (attributes.get("type") or "").strip().lower() == "application/ld+json"
    ]


def _inside_tag(page, index):
    """Whether position `index` of `page` lies between a tag's `<` and its `>`.

    Every `<` and `>` of text and attribute values is escaped in a page that is safe, so
    the nearest raw ones tell where a position is.
    """
    opened = max(page.rfind("<", 0, index), -1)
    closed = page.rfind(">", 0, index)
    return opened > closed


def raw_occurrences(page, forms):
    """The forms of a payload that appear raw where they are dangerous."""
    found = []
    for form in forms:
        start = page.find(form)
        while start != -1:
            if any(char in form for char in MARKUP) or (
                any(char in form for char in QUOTES) and _inside_tag(page, start)
            ):
                around = page[max(0, start - 60) : start + len(form) + 20]
                found.append(f"raw text {form!r} at {start}: …{around!r}…")
                break
            start = page.find(form, start + 1)
    return found


def structure_problems(page):
    """Handlers, running URLs, injected elements and broken scripts anywhere in `page`."""
    reader = _PageReader()
    reader.feed(page)
    reader.close()
    return reader.problems + script_problems(reader.scripts)


def html_problems(page, forms):
    """Every way the payload whose stored forms are `forms` escaped its place in `page`."""
    return raw_occurrences(page, forms) + structure_problems(page)


def csv_cell_problems(rows):
    """Cells of a CSV export that a spreadsheet would read as a formula."""
    return [
        f"row {number}, column {column}: {cell!r}"
        for number, row in enumerate(rows, start=1)
        for column, cell in enumerate(row, start=1)
        if cell.startswith(FORMULA_STARTS)
    ]
