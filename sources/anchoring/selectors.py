"""W3C Web Annotation's position and quote selectors, counted in code points.

Python strings index by code point, so `text[start:end]` is the span the W3C selectors
describe, for Chinese text and for characters outside the Basic Multilingual Plane (emoji)
alike: an emoji before a passage moves it by one, never by two.
"""

from dataclasses import dataclass

from rapidfuzz import fuzz

from .folding import FoldedText, fold

# Characters of context kept on each side of a quote (`prefix`, `suffix`).
CONTEXT = 32
# (start, end) of a span of a text, in code points.
Span = tuple[int, int]
# How much of a long quote or of the closest text an error message shows.
SHOWN = 80


class AnchoringError(ValueError):
    """A span or quote that cannot be anchored in the text."""


class QuoteNotFound(AnchoringError):
    """The quote is not in the text; `closest` holds the most similar text there is."""

    def __init__(self, message: str, *, closest: str = "", similarity: int = 0) -> None:
        super().__init__(message)
        self.closest = closest
        self.similarity = similarity


class AmbiguousQuote(AnchoringError):
    """The quote occurs more than once and its context does not choose; `count` says how often."""

    def __init__(self, message: str, *, count: int) -> None:
        super().__init__(message)
        self.count = count


@dataclass(frozen=True)
class Selector:
    """A span of a text as W3C's selectors describe it: position, and quote with context."""

    start: int
    end: int
    exact: str
    prefix: str
    suffix: str


def shorten(text: str, limit: int = SHOWN) -> str:
    """`text` on one line, cut to `limit` characters with an ellipsis, for messages."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def selector_for_span(text: str, start: int, end: int) -> Selector:
    """The position and quote selectors of exactly `text[start:end]`."""
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
        raise AnchoringError(
            f"the span {start}–{end} is not inside a text of {len(text)} characters"
        )
    exact = text[start:end]
    if not exact.strip():
        raise AnchoringError(f"the span {start}–{end} holds only white space")
    return Selector(
        start, end, exact, text[max(0, start - CONTEXT) : start], text[end : end + CONTEXT]
    )


def _occurrences(text: str, exact: str) -> list[Span]:
    spans: list[Span] = []
    position = text.find(exact)
    while position != -1:
        spans.append((position, position + len(exact)))
        position = text.find(exact, position + 1)
    return spans


def _fits(text: str, span: Span, prefix: str, suffix: str) -> bool:
    """Whether the text around `span` reads like `prefix` and `suffix`, folded.

    Blanks at either edge of the context do not count. Where it meets the quote: an
    importer's "Xu Yan," chooses the occurrence that follows "Xu Yan, ". At its far end:
    whether a blank there folds to a space or to nothing depends on a character beyond it.
    """
    start, end = span
    window = 2 * (CONTEXT + len(prefix) + len(suffix))
    before = fold(text[max(0, start - window) : start]).rstrip(" ")
    after = fold(text[end : end + window]).lstrip(" ")
    return before.endswith(fold(prefix).strip(" ")) and after.startswith(fold(suffix).strip(" "))


def closest_text(text: str, quote: str) -> tuple[str, int]:
    """(the text's span most similar to `quote`, its similarity 0–100), for error messages."""
    if not text:
        return "", 0
    if len(quote) >= len(text):
        return text, round(fuzz.ratio(quote, text))
    alignment = fuzz.partial_ratio_alignment(quote, text)
    # Only a score_cutoff makes rapidfuzz answer None, and none is given.
    assert alignment is not None
    return text[alignment.dest_start : alignment.dest_end], round(alignment.score)


def find_quote(text: str, exact: str, *, prefix: str = "", suffix: str = "") -> Span:
    """Return (start, end) of the one occurrence of `exact` whose context fits.

    `exact` is looked for as given, then folded (white space and character references read
    the way `sources.anchoring.folding` does), so a quote typed with another line break
    still anchors. `prefix` and `suffix` (text just before and after the quote, any length)
    choose between occurrences. More than one fitting occurrence raises `AmbiguousQuote`
    with the count: the choice is never guessed. None raises `QuoteNotFound`, quoting the
    closest text there is so that an importer can show what the article says instead.
    """
    exact = exact.strip() if exact else ""
    if not exact:
        raise QuoteNotFound("the quote is empty")
    occurrences = _occurrences(text, exact) or FoldedText(text).find_all(exact)
    fitting = [span for span in occurrences if _fits(text, span, prefix, suffix)]
    if len(fitting) == 1:
        return fitting[0]
    if len(fitting) > 1:
        raise AmbiguousQuote(
            f"“{shorten(exact)}” occurs {len(fitting)} times in the text; "
            "give a prefix or a suffix (the words just before or after it) to choose one",
            count=len(fitting),
        )
    if occurrences:
        context = " and ".join(
            f"{side} “{shorten(words, 40)}”"
            for side, words in (("after", prefix), ("before", suffix))
            if words
        )
        raise QuoteNotFound(
            f"“{shorten(exact)}” occurs {len(occurrences)} time(s) in the text, but never {context}"
        )
    closest, similarity = closest_text(text, exact)
    raise QuoteNotFound(
        f"“{shorten(exact)}” is not in the text; the closest is “{shorten(closest)}” "
        f"({similarity}% similar)",
        closest=closest,
        similarity=similarity,
    )
