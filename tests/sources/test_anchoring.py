"""Selectors, quotes and re-anchoring as pure functions of two texts (no database)."""

from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sources.anchoring import (
    CONTEXT,
    FUZZY_SIMILARITY,
    SHORT_QUOTE,
    AmbiguousQuote,
    AnchoringError,
    AnchorStatus,
    FoldedText,
    QuoteNotFound,
    TextChange,
    TextDiff,
    find_quote,
    fold,
    selector_for_span,
)

REPORT = (
    "Wang Lin, 27, runs a bookshop in Hangzhou and told readers of her microblog in May that "
    "she would stand for the district people's congress.\n\n"
    "Police have called on her three times since then, she said, and her landlord wants the "
    "shop back by autumn.\n\n"
    "Zhao Feng, 27, an engineer, is standing in the same district as an independent."
)


def anchored(text, quote, *, prefix="", suffix="", status=AnchorStatus.EXACT):
    """A stand-in passage anchored at `quote` in `text`, as the services would store it."""
    start, end = find_quote(text, quote, prefix=prefix, suffix=suffix)
    selector = selector_for_span(text, start, end)
    return SimpleNamespace(
        start=start,
        end=end,
        exact=selector.exact,
        prefix=selector.prefix,
        suffix=selector.suffix,
        anchor_status=status,
    )


def test_span_selector_counts_code_points_in_chinese_and_emoji():
    text = "候选人🙂王林，27岁，杭州"
    selector = selector_for_span(text, 3, 6)
    assert selector.exact == "🙂王林"
    assert selector.prefix == "候选人"
    assert selector.suffix == "，27岁，杭州"


def test_span_selector_keeps_exactly_the_code_points_given():
    selector = selector_for_span(REPORT, 0, 9)
    assert (selector.exact, selector.prefix) == ("Wang Lin,", "")
    assert selector.suffix == REPORT[9 : 9 + CONTEXT]


@pytest.mark.parametrize("span", [(5, 5), (-1, 4), (0, len(REPORT) + 1), (7, 3)])
def test_span_outside_the_text_or_empty_is_refused(span):
    with pytest.raises(AnchoringError, match="not inside a text"):
        selector_for_span(REPORT, *span)


def test_span_of_white_space_only_is_refused():
    paragraph_break = REPORT.index("\n\n")
    with pytest.raises(AnchoringError, match="white space"):
        selector_for_span(REPORT, paragraph_break, paragraph_break + 2)


def test_quote_is_found_by_its_code_point_offsets_after_an_emoji():
    text = "🗳️ 选民🙂说：王林会当选。"
    start, end = find_quote(text, "王林会当选")
    # 🗳️ is two code points (the ballot box and a variation selector), 🙂 one; in UTF-16
    # the offset would be 10, in UTF-8 bytes 24.
    assert (start, end) == (8, 13)
    assert len(text[:start].encode("utf-16-le")) // 2 == 10


def test_ambiguous_quote_says_how_many_times_it_occurs():
    with pytest.raises(AmbiguousQuote, match="occurs 2 times") as caught:
        find_quote(REPORT, "27")
    assert caught.value.count == 2


def test_prefix_or_suffix_chooses_between_occurrences():
    zhao = REPORT.index("Zhao Feng, 27") + len("Zhao Feng, ")
    assert find_quote(REPORT, "27", prefix="Zhao Feng,") == (zhao, zhao + 2)
    assert find_quote(REPORT, "27", suffix=", an engineer") == (zhao, zhao + 2)


def test_quote_not_found_quotes_the_closest_text():
    with pytest.raises(QuoteNotFound, match="closest is “landlord wants the shop") as caught:
        find_quote(REPORT, "landlord wants the shopp back")
    assert caught.value.similarity >= 90


def test_quote_with_context_that_fits_no_occurrence_says_so():
    with pytest.raises(QuoteNotFound, match="occurs 2 time"):
        find_quote(REPORT, "27", prefix="Li Ming, ")


def test_quote_typed_with_straight_apostrophes_is_found_at_the_curly_ones():
    text = REPORT.replace("people's", "people’s")
    start, end = find_quote(text, "the district people's congress")
    assert text[start:end] == "the district people’s congress"


def test_context_ending_in_a_blank_before_chinese_still_fits():
    # The 32 characters after the first "27" end with the blank before 王林.
    text = "Ballots: 27 votes went to Wang; and 27 for 王林"
    selector = selector_for_span(text, 9, 11)
    assert selector.suffix == " votes went to Wang; and 27 for "
    assert find_quote(text, "27", suffix=selector.suffix) == (9, 11)


def test_quote_typed_with_other_line_breaks_is_found():
    start, end = find_quote(REPORT, "the shop back\nby autumn")
    assert REPORT[start:end] == "the shop back by autumn"


def test_folding_reads_breaks_and_references_as_a_reader_does():
    assert fold("party&rsquo;s  grip,\n\nsaid") == "party's grip, said"
    assert fold("“No,” she said") == '"No," she said'
    assert fold("中国\n人民 代表") == "中国人民代表"
    assert fold("AT&T and R&D") == "AT&T and R&D"


def test_folded_text_maps_matches_back_to_the_original_offsets():
    text = "the party&rsquo;s\n\ngrip 🙂 中国\n人民"
    folded = FoldedText(text)
    [(start, end)] = folded.find_all("party’s grip")
    assert text[start:end] == "party&rsquo;s\n\ngrip"
    [(start, end)] = folded.find_all("中国人民")
    assert text[start:end] == "中国\n人民"


def test_unchanged_surroundings_give_an_exact_match():
    passage = anchored(REPORT, "three times since then")
    edited = REPORT.replace("an engineer", "a software engineer")
    result = TextChange(REPORT, edited).reanchor(passage)
    assert (result.status, result.start, result.end) == (
        AnchorStatus.EXACT,
        passage.start,
        passage.end,
    )


def test_paragraph_inserted_before_relocates_by_its_length():
    passage = anchored(REPORT, "three times since then")
    inserted = "Candidates registered on Monday.\n\n"
    result = TextChange(REPORT, inserted + REPORT).reanchor(passage)
    assert result.status == AnchorStatus.RELOCATED
    assert result.start == passage.start + len(inserted)
    assert result.exact == passage.exact


def test_typo_fixed_inside_gives_a_fuzzy_proposal_keeping_the_editors_words():
    text = REPORT.replace("landlord wants", "landlrod wants")
    passage = anchored(text, "her landlrod wants the shop back")
    result = TextChange(text, REPORT).reanchor(passage)
    assert result.status == AnchorStatus.FUZZY
    assert REPORT[result.start : result.end] == "her landlord wants the shop back"
    assert result.exact == "her landlrod wants the shop back"
    assert result.prefix == passage.prefix
    assert FUZZY_SIMILARITY <= result.similarity < 100


def test_typo_fixed_just_after_a_new_paragraph_is_still_proposed():
    first, second, third = REPORT.split("\n\n")
    typo = second.replace("landlord", "landlrod")
    old = "\n\n".join([first, typo, third])
    passage = anchored(old, "her landlrod wants the shop back")
    # With the last paragraph deleted, a diff of lines pairs the corrected paragraph's old
    # form with the new paragraph: both sit between the same blank lines.
    new = "\n\n".join([first, "Registration closes on Friday.", second])
    result = TextChange(old, new).reanchor(passage)
    assert result.status == AnchorStatus.FUZZY
    assert new[result.start : result.end] == "her landlord wants the shop back"


def test_repeated_quote_changed_in_one_place_does_not_move_to_the_other():
    pull_quote = "Police have called on her three times since then"
    text = REPORT + "\n\n" + pull_quote + "."
    passage = anchored(text, pull_quote, suffix=", she said")
    edited = text.replace("called on her three", "called on her four", 1)
    assert edited.count(pull_quote) == 1
    result = TextChange(text, edited).reanchor(passage)
    assert result.status == AnchorStatus.FUZZY
    assert result.start == passage.start


def test_rewritten_passage_is_orphaned_rather_than_proposed():
    passage = anchored(REPORT, "her landlord wants the shop back by autumn")
    edited = REPORT.replace(
        "her landlord wants the shop back by autumn", "the owner of the building has been kind"
    )
    assert TextChange(REPORT, edited).reanchor(passage).status == AnchorStatus.ORPHANED


def test_paragraph_deleted_orphans_its_passages_and_keeps_their_words():
    passage = anchored(REPORT, "Police have called on her three times")
    second = REPORT.split("\n\n")[1]
    edited = REPORT.replace(second + "\n\n", "")
    result = TextChange(REPORT, edited).reanchor(passage)
    assert result.status == AnchorStatus.ORPHANED
    assert (result.start, result.end, result.exact) == (passage.start, passage.end, passage.exact)


def test_short_quote_never_moves_to_its_other_occurrence():
    wang = anchored(REPORT, "27", prefix="Wang Lin, ")
    edited = REPORT.replace("Wang Lin, 27, runs", "Wang Lin runs")
    result = TextChange(REPORT, edited).reanchor(wang)
    assert result.status == AnchorStatus.ORPHANED


def test_short_quote_never_jumps_to_a_new_occurrence_elsewhere():
    text = REPORT.replace("Zhao Feng, 27,", "Zhao Feng")
    wang = anchored(text, "27")
    edited = REPORT.replace("Wang Lin, 27, runs", "Wang Lin runs")
    assert (text.count("27"), edited.count("27")) == (1, 1)
    assert TextChange(text, edited).reanchor(wang).status == AnchorStatus.ORPHANED


def test_short_quote_relocates_only_with_its_own_context():
    wang = anchored(REPORT, "27", prefix="Wang Lin, ")
    inserted = "Zhao Feng, 27, registered first.\n\n"
    result = TextChange(REPORT, inserted + REPORT).reanchor(wang)
    assert result.status == AnchorStatus.RELOCATED
    assert result.start == wang.start + len(inserted)


def test_short_quote_is_orphaned_when_its_context_changes_even_in_place():
    wang = anchored(REPORT, "27", prefix="Wang Lin, ")
    edited = REPORT.replace("runs a bookshop", "owns a bookshop")
    assert TextChange(REPORT, edited).reanchor(wang).status == AnchorStatus.ORPHANED


def test_short_quote_is_never_matched_fuzzily():
    text = REPORT.replace("Hangzhou", "Hongzhou")
    passage = anchored(text, "Hongzhou")
    assert len(passage.exact) < SHORT_QUOTE
    assert TextChange(text, REPORT).reanchor(passage).status == AnchorStatus.ORPHANED


def test_white_space_changes_around_a_short_quote_keep_it():
    wang = anchored(REPORT, "27", prefix="Wang Lin, ")
    rewrapped = REPORT.replace("Wang Lin, 27, runs", "Wang Lin,\n\n27,\nruns")
    result = TextChange(REPORT, rewrapped).reanchor(wang)
    assert result.status == AnchorStatus.RELOCATED
    assert (result.start, result.end) == (wang.start + 1, wang.end + 1)


def test_line_break_inside_a_passage_relocates_it_with_the_new_form():
    passage = anchored(REPORT, "her landlord wants the shop back")
    rewrapped = REPORT.replace("wants the shop", "wants\nthe shop")
    result = TextChange(REPORT, rewrapped).reanchor(passage)
    assert result.status == AnchorStatus.RELOCATED
    assert result.exact == "her landlord wants\nthe shop back"


def test_unescaped_references_relocate_the_passage():
    escaped = REPORT.replace("people's", "people&rsquo;s")
    decoded = REPORT.replace("people's", "people’s")
    passage = anchored(escaped, "the district people&rsquo;s congress")
    result = TextChange(escaped, decoded).reanchor(passage)
    assert result.status == AnchorStatus.RELOCATED
    assert result.exact == "the district people’s congress"


def test_orphan_is_found_again_when_its_words_come_back():
    passage = anchored(REPORT, "three times since then", status=AnchorStatus.ORPHANED)
    passage.start, passage.end = 5000, 5022
    result = TextChange("an older text", REPORT).reanchor(passage)
    assert result.status == AnchorStatus.RELOCATED
    assert REPORT[result.start : result.end] == "three times since then"


def test_fuzzy_match_stays_fuzzy_through_another_edit_elsewhere():
    text = REPORT.replace("landlord wants", "landlrod wants")
    passage = anchored(text, "her landlrod wants the shop back")
    first = TextChange(text, REPORT).reanchor(passage)
    passage.start, passage.end, passage.anchor_status = first.start, first.end, first.status
    inserted = "Candidates registered on Monday.\n\n"
    second = TextChange(REPORT, inserted + REPORT).reanchor(passage)
    assert second.status == AnchorStatus.FUZZY
    assert second.start == first.start + len(inserted)


def test_text_inserted_at_a_passage_edge_stays_outside_it():
    diff = TextDiff("Wang Lin said so.", "Wang Lin, 27, said so.")
    assert diff.carry(0, 8) == (0, 8)
    assert diff.carry(9, 13) == (14, 18)


def test_diff_is_computed_once_for_all_passages_of_a_change():
    text = REPORT.replace("landlord", "landlrod").replace("engineer", "engineeer")
    change = TextChange(text, REPORT)
    first = anchored(text, "her landlrod wants the shop back")
    second = anchored(text, "an engineeer, is standing")
    assert change.reanchor(first).status == AnchorStatus.FUZZY
    blocks = change._diff.blocks
    assert change.reanchor(second).status == AnchorStatus.FUZZY
    assert change._diff.blocks is blocks


def test_passages_whose_words_are_found_verbatim_need_no_diff():
    change = TextChange(REPORT, "Candidates registered on Monday.\n\n" + REPORT)
    change.reanchor(anchored(REPORT, "three times since then"))
    assert "_diff" not in vars(change)


WORDS = st.sampled_from(
    ["wang", "lin", "police", "shop", "vote", "district", "27", "said", "the", "of", "她", "的"]
)
SENTENCE = st.lists(WORDS, min_size=3, max_size=12).map(" ".join)
TEXT = st.lists(SENTENCE, min_size=2, max_size=6).map("\n\n".join)
# Inserted text is drawn from letters the texts never hold, so where it went is never in doubt.
INSERTION = st.text(alphabet="QXZ \n", min_size=1, max_size=40).filter(str.strip)


@settings(max_examples=150, deadline=None)
@given(text=TEXT, data=st.data(), insertion=INSERTION)
def test_insertion_outside_a_passage_never_moves_it_elsewhere(text, data, insertion):
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, min(len(text), start + 40)))
    if not text[start:end].strip():
        return
    selector = selector_for_span(text, start, end)
    passage = SimpleNamespace(**vars(selector), anchor_status=AnchorStatus.EXACT)
    at = data.draw(st.sampled_from([i for i in range(len(text) + 1) if not start < i < end]))
    new = text[:at] + insertion + text[at:]
    result = TextChange(text, new).reanchor(passage)
    shift = len(insertion) if at <= start else 0
    if result.status == AnchorStatus.ORPHANED:
        # Only a short quote whose surroundings the insertion touched may be given up.
        assert len(passage.exact) < SHORT_QUOTE
        assert start - CONTEXT <= at <= end + CONTEXT
    else:
        assert result.status in (AnchorStatus.EXACT, AnchorStatus.RELOCATED)
        assert (result.start, result.end) == (start + shift, end + shift)
