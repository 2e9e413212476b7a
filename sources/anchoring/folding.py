"""Comparing texts the way a reader does: white space, references and quote marks folded.

Two forms of the same words differ in ways a reader does not notice: a line wrapped
elsewhere, a paragraph break that became a space, `&rsquo;` left in a re-import where the
first import had ’, a straight apostrophe typed in a spreadsheet for the article's curly
one. Folding maps each form to one string: every run of white space becomes one space, or
nothing where it touches a Chinese or Japanese character (those scripts put no spaces
between words, so a line break there is only wrapping); every character reference becomes
the character it names; curly and low quote marks and primes become ' and ". Folded
strings are compared; they are never stored.
"""

import html
import re
from bisect import bisect_left, bisect_right

_CJK = (
    "\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3100-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003ffff"
)
_IS_CJK = re.compile(f"[{_CJK}]")
# What folding may change: a run of white space other than one plain space, one plain space
# beside a Chinese or Japanese character, and a reference ending with a semicolon (the set
# the text normalizer decodes, so "AT&T" is never read as one). A plain space between two
# words folds to itself, so it is left out of the pattern: it is most of the matches there
# would be, and skipping it makes folding a text several times faster.
_FOLDABLE = re.compile(
    rf"\s*[^\S ]\s*| {{2,}}|(?<=[{_CJK}]) | (?=[{_CJK}])"
    r"|&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});"
)


# One character for one, so that folding them moves no offset.
MARKS = str.maketrans(dict.fromkeys("‘’‚‛′", "'") | dict.fromkeys("“”„‟″", '"'))


def _replacement(text, match):
    piece = match.group()
    if piece[0] == "&":
        return html.unescape(piece)
    start, end = match.span()
    if (start and _IS_CJK.match(text, start - 1)) or _IS_CJK.match(text, end):
        return ""
    return " "


def fold(text):
    """`text` with white space and character references folded (see the module docstring)."""
    return _FOLDABLE.sub(lambda match: _replacement(text, match), text).translate(MARKS)


class FoldedText:
    """A text's folded form, with a map from offsets in the folded form back to the text's."""

    def __init__(self, text):
        parts, starts, origins, verbatim = [], [], [], []
        position = folded = 0
        for match in _FOLDABLE.finditer(text):
            if match.start() > position:
                starts.append(folded)
                origins.append((position, match.start()))
                verbatim.append(True)
                parts.append(text[position : match.start()])
                folded += match.start() - position
            replacement = _replacement(text, match)
            starts.append(folded)
            origins.append(match.span())
            verbatim.append(False)
            parts.append(replacement)
            folded += len(replacement)
            position = match.end()
        if position < len(text) or not starts:
            starts.append(folded)
            origins.append((position, len(text)))
            verbatim.append(True)
            parts.append(text[position:])
        self.text = "".join(parts).translate(MARKS)
        self._length = len(text)
        self._starts, self._origins, self._verbatim = starts, origins, verbatim

    def original_start(self, offset):
        """The text offset where a span starting at folded `offset` starts."""
        if offset >= len(self.text):
            return self._length
        index = bisect_right(self._starts, offset) - 1
        origin_start, _ = self._origins[index]
        if self._verbatim[index]:
            return origin_start + offset - self._starts[index]
        return origin_start

    def original_end(self, offset):
        """The text offset where a span ending at folded `offset` (excluded) ends."""
        if offset <= 0:
            return 0
        index = bisect_left(self._starts, offset) - 1
        origin_start, origin_end = self._origins[index]
        if self._verbatim[index]:
            return origin_start + offset - self._starts[index]
        return origin_end

    def find_all(self, quote):
        """Every (start, end) in the text whose folded form is `fold(quote)`, in text offsets."""
        needle = fold(quote).strip(" ")
        spans = []
        if not needle:
            return spans
        position = self.text.find(needle)
        while position != -1:
            spans.append((self.original_start(position), self.original_end(position + len(needle))))
            position = self.text.find(needle, position + 1)
        return spans
