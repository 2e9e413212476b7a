"""Normalizing an article's text once, on the way in.

The normalized text is what passages count code points in, so every step here is
deterministic and idempotent: normalizing a normalized text changes nothing.

How lines are treated:

- A blank line separates paragraphs. Any run of blank lines (or lines holding only white
  space) becomes exactly one blank line, so a paragraph break is always `\\n\\n`.
- A single newline is kept as a line break inside a paragraph. Datelines, sign-offs, lists,
  addresses and verse depend on it, and joining lines would put a space between two Chinese
  characters where the original had none. Hard-wrapped prose that should flow is better
  imported as Markdown, whose rendering joins the lines of a paragraph.
- Spaces and tabs (and no-break spaces) fold to one space; lines lose leading and trailing
  blanks. The ideographic space U+3000 is kept inside and at the start of a line, where
  Chinese typesetting uses it on purpose (a paragraph's indent), and dropped at the end.
"""

import html
import re
import unicodedata

# A character reference with its closing semicolon. Legacy references without one (`&copy`)
# are left alone: in plain text "AT&T" or "R&D" must not change.
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# Each pattern is a plain character set or starts with a literal, which `re` scans for
# quickly; classes such as [^\S\n] cost ten times more on a 5 KB text.
_LINE_BREAK = re.compile(r"[\x0b\x85\u2028]")
_PARAGRAPH_BREAK = re.compile(r"[\x0c\u2029]")
# C0/C1 controls other than newline and tab, the byte-order mark, the soft hyphen and the
# zero-width space: invisible, and an editor's typed quote never contains them. Zero-width
# (non-)joiners stay, since emoji sequences and some scripts depend on them.
_INVISIBLE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u00ad\u200b\ufeff]")
# Every white-space character but the space, newline and ideographic space, once line
# breaks are mapped and controls removed.
_OTHER_SPACE = re.compile(r"[\t\xa0\u1680\u2000-\u200a\u202f\u205f]")
_SPACE_RUN = re.compile(r"  +")
_TRAILING = re.compile(r"[ \u3000]+$", re.MULTILINE)
_BLANK_LINES = re.compile(r"\n\n\n+")
_WORD = re.compile(r"\w")


def _unescape(match):
    return html.unescape(match.group(0))


def unescape_entities(text):
    """Return `text` with every `&name;`, `&#n;` and `&#xh;` reference replaced, repeatedly.

    Repeating until nothing changes undoes double escaping (`&amp;rsquo;` becomes ’), which
    saved pages and feeds often carry, and makes the result stable under a second call.
    Invisible characters (see _INVISIBLE) are removed too, since removing one can join the
    pieces of a reference.
    """
    while True:
        while "&" in text:
            unescaped = _ENTITY.sub(_unescape, text)
            if unescaped == text:
                break
            text = unescaped
        visible = _INVISIBLE.sub("", text)
        if visible == text:
            return text
        text = visible


def normalize_text(text):
    """Return `text` unescaped, in Unicode NFC, with white space folded and paragraphs kept.

    See the module's docstring for how lines and blanks are treated. Chinese text and
    characters outside the Basic Multilingual Plane (emoji) pass through unchanged.
    """
    # Line breaks are mapped after unescaping, since references can decode to them (`&#13;`).
    text = unescape_entities(text or "")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _LINE_BREAK.sub("\n", _PARAGRAPH_BREAK.sub("\n\n", text))
    text = unicodedata.normalize("NFC", text)
    text = _OTHER_SPACE.sub(" ", text)
    if "  " in text:
        text = _SPACE_RUN.sub(" ", text)
    if "\u3000" in text:
        text = _TRAILING.sub("", text)
    # Blanks are single spaces by now, so plain replacing trims every line.
    text = text.replace(" \n", "\n").replace("\n ", "\n").strip(" ")
    if "\n\n\n" in text:
        text = _BLANK_LINES.sub("\n\n", text)
    return text.strip("\n")


def normalize_line(text):
    """Return `text` normalized and folded onto one line: titles, bylines, outlet names."""
    return " ".join(normalize_text(text).split())


def boilerplate_lines(boilerplate):
    """The non-empty lines of an article's boilerplate field, normalized like the text."""
    lines = (normalize_text(raw) for raw in (boilerplate or "").splitlines())
    return list(dict.fromkeys(line for line in lines if line))


def _occurrence(line):
    """A pattern for `line` that never cuts into a word: "AP" does not match inside "APEC"."""
    before = r"(?<!\w)" if _WORD.match(line[0]) else ""
    after = r"(?!\w)" if _WORD.match(line[-1]) else ""
    return re.compile(before + re.escape(line) + after)


def remove_boilerplate(text, boilerplate):
    """Return `text` normalized, without the editor's boilerplate lines.

    A text line equal to a boilerplate line is dropped whole (with its line break); any other
    occurrence (a photo credit at the end of a caption) is cut out where it does not start or
    end inside a word. Removal repeats until nothing changes, so the result is stable.
    """
    text = normalize_text(text)
    lines = boilerplate_lines(boilerplate)
    if not lines:
        return text
    whole = set(lines)
    patterns = [_occurrence(line) for line in lines]
    while True:
        kept = "\n".join(line for line in text.split("\n") if line not in whole)
        for pattern in patterns:
            kept = pattern.sub("", kept)
        kept = normalize_text(kept)
        if kept == text:
            return text
        text = kept
