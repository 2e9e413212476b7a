"""Properties of text normalization, anchoring and re-anchoring over arbitrary Unicode."""

import re
import unicodedata
from types import SimpleNamespace

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from sources.anchoring import AmbiguousQuote, AnchorStatus, find_quote, reanchor, selector_for_span
from sources.text import normalize_text
from tests.properties.strategies import article_text, paragraph, plain_text, raw_text

HAN_OR_ASTRAL = re.compile(r"[\u4e00-\u9fff\U00010000-\U0010ffff]")


@given(raw_text)
def test_normalizing_is_idempotent(text):
    once = normalize_text(text)
    assert normalize_text(once) == once


@given(raw_text)
def test_normalized_text_is_nfc_with_folded_white_space(text):
    result = normalize_text(text)
    assert unicodedata.is_normalized("NFC", result)
    assert "\r" not in result and "\t" not in result
    assert "  " not in result and "\n\n\n" not in result
    # Only an ideographic space may open the text: a Chinese paragraph's indent.
    assert result == result.strip(" \n") and not result.endswith("\u3000")


@given(plain_text)
def test_chinese_and_astral_characters_pass_through_in_order(text):
    assume("&" not in text)
    expected = HAN_OR_ASTRAL.findall(unicodedata.normalize("NFC", text))
    kept = HAN_OR_ASTRAL.findall(normalize_text(text))
    # Only invisible characters (the byte-order mark among them) may be dropped.
    assert [c for c in expected if c != "\ufeff"] == kept


def _span(text, data):
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, min(len(text), start + 60)))
    # A selection of white space alone is refused by design; it quotes nothing.
    assume(text[start:end].strip())
    return start, end


@given(article_text, st.data())
def test_a_selection_is_found_again_by_its_quote_and_context(text, data):
    text = normalize_text(text)
    assume(len(text) > 1)
    start, end = _span(text, data)
    selector = selector_for_span(text, start, end)
    assert selector.exact == text[start:end]
    assert len(selector.prefix) <= 32 and len(selector.suffix) <= 32
    try:
        found = find_quote(text, selector.exact, prefix=selector.prefix, suffix=selector.suffix)
    except AmbiguousQuote:
        return
    # Quotes are looked for without blanks at their edges (an importer's stray spaces).
    assert text[found[0] : found[1]] == selector.exact.strip()


def _passage(text, start, end):
    selector = selector_for_span(text, start, end)
    return SimpleNamespace(
        start=start,
        end=end,
        exact=selector.exact,
        prefix=selector.prefix,
        suffix=selector.suffix,
        anchor_status=AnchorStatus.EXACT,
    )


@settings(max_examples=80)
@given(article_text, paragraph, st.data())
def test_a_paragraph_inserted_before_moves_the_passage_and_keeps_its_words(text, inserted, data):
    text = normalize_text(text)
    assume(len(text) > 1)
    start, end = _span(text, data)
    passage = _passage(text, start, end)
    new_text = normalize_text(inserted) + "\n\n" + text
    result = reanchor(text, new_text, passage)
    if result.status in (AnchorStatus.EXACT, AnchorStatus.RELOCATED):
        assert new_text[result.start : result.end] == passage.exact
    else:
        # Only a short quote whose context changed may fail to relocate; never silently.
        assert result.status in (AnchorStatus.ORPHANED, AnchorStatus.FUZZY)


@settings(max_examples=80)
@given(article_text, article_text, st.data())
def test_whatever_the_edit_a_found_passage_reads_as_its_quote(old, new, data):
    old = normalize_text(old)
    new = normalize_text(new)
    assume(len(old) > 1)
    start, end = _span(old, data)
    passage = _passage(old, start, end)
    result = reanchor(old, new, passage)
    assert 0 <= result.start <= result.end
    if result.status == AnchorStatus.EXACT:
        assert new[result.start : result.end] == passage.exact
    if result.status == AnchorStatus.FUZZY:
        assert len(passage.exact) >= 12 and result.exact == passage.exact
