"""Finding passages again after their article's text changed.

This follows Hypothesis' anchoring (try the position, then the quote, then a fuzzy match
near where the passage was) but runs once, on the server, with the old text at hand: the
old position is carried through a diff of the two texts instead of being guessed from a
proportion of the length. The outcomes, in the order they are tried:

1. exact: the same words at the same offsets, with the same 32 characters around them.
2. relocated: the same words found again, chosen by one of
   - uniqueness: the quote occurs once in the old text and once in the new one;
   - the edit: the old span, carried through the diff, lands on an occurrence of the quote,
     or on the same words with other white space or character references (`folding`);
     those differences are not word changes, so the quote takes the text's current form;
   - context, for an orphan (whose offsets belong to an older text and say nothing): one
     occurrence alone has the passage's prefix and suffix around it.
3. fuzzy: a long quote whose words changed a little (a typo fixed, a word added). The old
   span carried through the diff is proposed when its folded words are at least
   FUZZY_SIMILARITY alike to the quote's; `exact`, `prefix` and `suffix` keep the editor's
   words until an editor confirms.
4. orphaned: none of the above, e.g. the paragraph holding the passage was deleted. The
   passage keeps its offsets and words; they refer to the text it was last anchored in.

Short quotes (under SHORT_QUOTE code points: an age, a vote count, a surname) are where a
wrong match is both likely and unnoticeable, so they never match fuzzily, and they are only
found again (even at the same offsets) when the 32 characters on each side read exactly as
before, folded. A short quote that occurs twice never moves to its other occurrence: when
it occurs more than once, only the old span carried through the diff can choose.

`TextChange` holds one (old text, new text) pair and re-anchors every passage of the
article; the diff (`diff.TextDiff`) and the folded texts are computed the first time a
passage needs them, and once.
"""

from dataclasses import dataclass
from functools import cached_property

from django.db import models
from django.utils.translation import gettext_lazy as _
from rapidfuzz import fuzz

from .diff import TextDiff
from .folding import MARKS, FoldedText, fold
from .selectors import CONTEXT

# Quotes shorter than this (in code points) must match exactly, with their context.
SHORT_QUOTE = 12
# The least similarity (rapidfuzz's ratio, 0–100, of the folded words) a fuzzy proposal
# needs. Ratio is 100 × (1 − Indel distance / combined length): one character changed in
# the shortest quote matched fuzzily (12 code points) scores 91.7, two 83.3, three 75; in
# any longer quote it takes more than a fifth of the characters changing to fall below 80.
# Unrelated spans of English press text of equal length score 33–39 at the median and under
# 70 at the 99.9th percentile (measured on the shared corpus with 12 to 100 code points), so
# 80 separates a corrected quote from a stray one with room on both sides.
FUZZY_SIMILARITY = 80
# How much text around a span is folded to compare it with CONTEXT characters of the old
# text, folded: a re-wrapped or re-escaped text can be longer than the old one was.
_WINDOW = 3 * CONTEXT


class AnchorStatus(models.TextChoices):
    """How a passage was found in its article's current text."""

    EXACT = "exact", _("exact")
    RELOCATED = "relocated", _("relocated")
    FUZZY = "fuzzy", _("fuzzy match awaiting confirmation")
    ORPHANED = "orphaned", _("orphaned")


@dataclass(frozen=True)
class AnchorResult:
    """Where and how a passage was found; the selectors to store for it.

    For a fuzzy match `start`/`end` are the proposed span while `exact`, `prefix` and
    `suffix` are the passage's own (the editor's words), and `similarity` says how alike
    the two are (0–100). For an orphan everything is the passage's own.
    """

    status: str
    start: int
    end: int
    exact: str
    prefix: str
    suffix: str
    similarity: int | None = None


class TextChange:
    """One change of an article's text, re-anchoring any number of its passages.

    A passage is anything with `start`, `end`, `exact`, `prefix`, `suffix` and
    `anchor_status` (a `Passage`, or a stand-in in tests), anchored in `old_text`.
    """

    def __init__(self, old_text, new_text):
        self.old_text = old_text
        self.new_text = new_text

    def reanchor(self, passage):
        """Find `passage` in the new text; see the module docstring for the outcomes."""
        old, new, quote = self.old_text, self.new_text, passage.exact
        start, end = passage.start, passage.end
        short = len(quote) < SHORT_QUOTE
        held = self._offsets_hold(passage)
        if held and new[start:end] == quote and self._surroundings_kept(start, end):
            return self._found(passage, start, end, held)

        if _occurrences(new, quote, limit=2) == 1 and (
            not held or _occurrences(old, quote, limit=2) <= 1
        ):
            position = new.find(quote)
            span = (position, position + len(quote))
            if not short or self._context_kept(passage, span, held):
                return self._found(passage, *span, held)

        if held:
            span = self._carried_occurrence(passage)
            if span and (not short or self._context_kept(passage, span, held)):
                return self._found(passage, *span, held)
            if not short:
                proposal = self._fuzzy(passage)
                if proposal is not None:
                    return proposal
            span = self._unique_folded(passage)
            if span and (not short or self._context_kept(passage, span, held)):
                return self._found(passage, *span, held)
        else:
            span = self._by_context(passage)
            if span:
                return self._found(passage, *span, held)
        return AnchorResult(
            AnchorStatus.ORPHANED,
            passage.start,
            passage.end,
            passage.exact,
            passage.prefix,
            passage.suffix,
        )

    # The outcomes.

    def _found(self, passage, start, end, held):
        """The passage at new[start:end], which holds its words (perhaps folded otherwise)."""
        new = self.new_text
        exact = new[start:end]
        same_place = held and (start, end) == (passage.start, passage.end)
        status = (
            AnchorStatus.EXACT if same_place and exact == passage.exact else AnchorStatus.RELOCATED
        )
        return AnchorResult(
            status,
            start,
            end,
            exact,
            new[max(0, start - CONTEXT) : start],
            new[end : end + CONTEXT],
        )

    def _fuzzy(self, passage):
        """The old span carried through the diff, proposed when its words are alike enough."""
        new = self.new_text
        start, end = self._diff.carry(passage.start, passage.end)
        while start < end and new[start].isspace():
            start += 1
        while end > start and new[end - 1].isspace():
            end -= 1
        if start >= end:
            return None
        similarity = int(fuzz.ratio(fold(passage.exact), fold(new[start:end])))
        if similarity < FUZZY_SIMILARITY:
            return None
        return AnchorResult(
            AnchorStatus.FUZZY,
            start,
            end,
            passage.exact,
            passage.prefix,
            passage.suffix,
            similarity,
        )

    # Finding the words.

    def _offsets_hold(self, passage):
        """Whether the passage's offsets point into the old text.

        An orphan's offsets belong to an older text. A fuzzy match's point at its proposed
        span, whose words differ from `exact` by design. Any other passage's offsets hold
        when the old text has its words there (they would not if the caller passed another
        old text than the one the passage was anchored in).
        """
        if passage.anchor_status == AnchorStatus.ORPHANED:
            return False
        if not 0 <= passage.start < passage.end <= len(self.old_text):
            return False
        if passage.anchor_status == AnchorStatus.FUZZY:
            return True
        return self.old_text[passage.start : passage.end] == passage.exact

    def _surroundings_kept(self, start, end):
        old, new = self.old_text, self.new_text
        before = max(0, start - CONTEXT)
        return new[before:start] == old[before:start] and (
            new[end : end + CONTEXT] == old[end : end + CONTEXT]
        )

    def _context_kept(self, passage, span, held):
        """Whether the text on each side of `span` reads as the passage's context, folded.

        The context is the CONTEXT characters around the passage in the old text when its
        offsets hold (the stored `prefix` and `suffix` otherwise). Blanks at its outer edges
        do not count: whether a blank folds to a space or to nothing depends on a character
        the cut left out.
        """
        new = self.new_text
        if held:
            old = self.old_text
            prefix = old[max(0, passage.start - CONTEXT) : passage.start]
            suffix = old[passage.end : passage.end + CONTEXT]
        else:
            prefix, suffix = passage.prefix, passage.suffix
        start, end = span
        before = fold(new[max(0, start - _WINDOW) : start])
        after = fold(new[end : end + _WINDOW])
        return before.endswith(fold(prefix).lstrip(" ")) and after.startswith(
            fold(suffix).rstrip(" ")
        )

    def _carried_occurrence(self, passage):
        """The quote where the diff carries the old span: verbatim, or with other blanks."""
        new, quote = self.new_text, passage.exact
        start, end = self._diff.carry(passage.start, passage.end)
        if start >= end:
            return None
        if new.startswith(quote, start):
            return start, start + len(quote)
        overlapping = []
        position = new.find(quote, max(0, start - len(quote) + 1), end + len(quote) - 1)
        while position != -1:
            overlapping.append((position, position + len(quote)))
            position = new.find(quote, position + 1, end + len(quote) - 1)
        if len(overlapping) == 1:
            return overlapping[0]
        while start < end and new[start].isspace():
            start += 1
        while end > start and new[end - 1].isspace():
            end -= 1
        if not overlapping and start < end and fold(new[start:end]) == fold(quote).strip(" "):
            return start, end
        return None

    def _unique_folded(self, passage):
        """The quote's one occurrence, folded, when the old text also had it once (folded).

        This finds a passage that both moved and was re-wrapped, which the diff cannot
        carry; the folded texts are built only when a passage gets this far.
        """
        if not _may_occur_folded(passage.exact, self.new_text):
            return None
        spans = self._folded_new.find_all(passage.exact)
        if len(spans) != 1 or len(self._folded_old.find_all(passage.exact)) > 1:
            return None
        return spans[0]

    def _by_context(self, passage):
        """The one occurrence, verbatim or folded, with the passage's prefix and suffix."""
        new, quote = self.new_text, passage.exact
        spans, position = [], new.find(quote)
        while position != -1:
            spans.append((position, position + len(quote)))
            position = new.find(quote, position + 1)
        if not spans and _may_occur_folded(quote, new):
            spans = self._folded_new.find_all(quote)
        fitting = [span for span in spans if self._context_kept(passage, span, held=False)]
        return fitting[0] if len(fitting) == 1 else None

    @cached_property
    def _folded_new(self):
        return FoldedText(self.new_text)

    @cached_property
    def _folded_old(self):
        return FoldedText(self.old_text)

    @cached_property
    def _diff(self):
        return TextDiff(self.old_text, self.new_text)


def _occurrences(text, quote, *, limit):
    """How many times `quote` occurs in `text`, overlapping ones included, counting to `limit`.

    `str.count` counts only occurrences that do not overlap, and a quote of repeated words
    ("wang wang wang ") can overlap itself: counted that way it looks unique when it is not.
    """
    found, position = 0, text.find(quote)
    while position != -1 and found < limit:
        found += 1
        position = text.find(quote, position + 1)
    return found


def _may_occur_folded(quote, text):
    """False when `quote` certainly does not occur in `text` folded, decided without folding.

    Folding only changes white space, references and quote marks: without a reference on
    either side, every word of the quote without a quote mark is in the text verbatim
    wherever the quote is there folded.
    """
    if "&" in quote or "&" in text:
        return True
    words = quote.translate(MARKS).split()
    return all(word in text for word in words if "'" not in word and '"' not in word)


def reanchor(old_text, new_text, passage):
    """Find one `passage` anchored in `old_text` in `new_text` (see `TextChange`)."""
    return TextChange(old_text, new_text).reanchor(passage)
