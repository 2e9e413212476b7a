"""Anchoring passages in an article's text, and finding them again when the text changes.

- `selectors`: W3C Web Annotation's position and quote selectors, in code points; making
  them from a span (`selector_for_span`) or from a quote (`find_quote`).
- `reanchoring`: re-anchoring after a change of text (`TextChange`, `AnchorStatus`).
- `diff`: carrying offsets from an old text into a new one (`TextDiff`).
- `folding`: reading white space and character references the way a reader does.
"""

from .diff import TextDiff
from .folding import FoldedText, fold
from .reanchoring import (
    FUZZY_SIMILARITY,
    SHORT_QUOTE,
    AnchorResult,
    AnchorStatus,
    TextChange,
    reanchor,
)
from .selectors import (
    CONTEXT,
    AmbiguousQuote,
    AnchoringError,
    QuoteNotFound,
    Selector,
    closest_text,
    find_quote,
    selector_for_span,
)

__all__ = [
    "CONTEXT",
    "FUZZY_SIMILARITY",
    "SHORT_QUOTE",
    "AmbiguousQuote",
    "AnchorResult",
    "AnchorStatus",
    "AnchoringError",
    "FoldedText",
    "QuoteNotFound",
    "Selector",
    "TextChange",
    "TextDiff",
    "closest_text",
    "find_quote",
    "fold",
    "reanchor",
    "selector_for_span",
]
