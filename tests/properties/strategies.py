"""Hypothesis strategies for the Unicode a newsroom's texts really contain.

Latin with diacritics, CJK (including astral Extension B), emoji with joiners and variation
selectors, combining marks, right-to-left scripts, zero-width characters, odd white space and
character references.
"""

from hypothesis import strategies as st

LATIN = st.characters(min_codepoint=0x20, max_codepoint=0x7E)
ACCENTED = st.sampled_from("áéíóúüñçøåłżčěÁÉ")
CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
CJK_ASTRAL = st.characters(min_codepoint=0x20000, max_codepoint=0x2A6DF)
EMOJI = st.sampled_from(["😀", "🗳️", "👩‍⚖️", "🇨🇳", "✊🏽", "📣"])
COMBINING = st.characters(min_codepoint=0x0300, max_codepoint=0x036F)
RTL = st.one_of(
    st.characters(min_codepoint=0x05D0, max_codepoint=0x05EA),
    st.characters(min_codepoint=0x0627, max_codepoint=0x064A),
)
ZERO_WIDTH = st.sampled_from(["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u200e", "\u200f"])
SPACES = st.sampled_from([" ", "  ", "\t", "\n", "\n\n", "\r\n", "\u00a0", "\u3000", "\u2009"])
REFERENCES = st.sampled_from(
    ["&rsquo;", "&mdash;", "&amp;", "&nbsp;", "&#8220;", "&#x4e00;", "&lt;"]
)
PUNCTUATION = st.sampled_from(list("，。、“”‘’—…！？,.;:'\"()"))

PIECE = st.one_of(
    LATIN, ACCENTED, CJK, CJK_ASTRAL, EMOJI, COMBINING, RTL, ZERO_WIDTH, SPACES, PUNCTUATION
)

# Any text at all: what a file or a spreadsheet cell may hold.
raw_text = st.lists(st.one_of(PIECE, REFERENCES), max_size=80).map("".join)
# Text without references, for properties about the characters themselves.
plain_text = st.lists(PIECE, max_size=80).map("".join)
# Words of an article: mostly letters, so that quotes are findable and contexts vary.
WORD = st.lists(
    st.one_of(LATIN, ACCENTED, CJK, CJK_ASTRAL, EMOJI, RTL, COMBINING), min_size=1, max_size=8
).map("".join)
paragraph = st.lists(WORD, min_size=3, max_size=12).map(" ".join)
article_text = st.lists(paragraph, min_size=2, max_size=4).map("\n\n".join)
