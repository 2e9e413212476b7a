"""How an article's text is normalized on the way in, and how boilerplate lines leave it."""

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from sources.text import boilerplate_lines, normalize_line, normalize_text, remove_boilerplate

# Pieces that exercise every rule at once: references (whole, broken, double-escaped),
# every kind of blank and line break, combining marks, Chinese, astral characters and the
# joiners emoji sequences are made of.
TRICKY = st.sampled_from(
    [
        "&amp;",
        "&rsquo;",
        "&amp;mdash;",
        "&#13;",
        "&#12;",
        "&#x2029;",
        "&nbsp;",
        "&",
        "amp;",
        "#",
        ";",
        " ",
        "\t",
        "\n",
        "\r",
        "\r\n",
        "\u3000",
        "\xa0",
        "\u2028",
        "\u2029",
        "\x0c",
        "\x85",
        "\x00",
        "\ufeff",
        "\u200b",
        "\u200d",
        "\u0301",
        "e",
        "AT&T",
        "中",
        "😀",
        "𠀀",
    ]
)
TEXTS = st.lists(TRICKY | st.characters(), max_size=60).map("".join)


def test_named_and_numeric_references_are_unescaped():
    assert normalize_text("People&rsquo;s &ldquo;Congress&rdquo; &mdash; &#8220;&#x201D;") == (
        "People’s “Congress” — “”"
    )


def test_double_escaped_references_are_unescaped_to_the_character():
    assert normalize_text("the party&amp;rsquo;s grip") == "the party’s grip"


def test_ampersands_that_are_not_references_stay():
    text = "AT&T, R&D and Q&A; &copy 2011 without a semicolon; Hangzhou & Changzhou"
    assert normalize_text(text) == text


def test_no_break_spaces_become_ordinary_spaces():
    assert normalize_text("Haidian&nbsp;district\xa0\xa0court") == "Haidian district court"


def test_text_is_put_in_unicode_nfc():
    decomposed = "Cafe\u0301 Zu\u0308rich"
    assert normalize_text(decomposed) == unicodedata.normalize("NFC", decomposed)
    assert normalize_text(decomposed) == "Café Zürich"


def test_runs_of_spaces_and_tabs_fold_to_one_space():
    assert normalize_text("two  spaces,\ttab,  \t mixed") == "two spaces, tab, mixed"


def test_trailing_and_leading_blanks_of_each_line_are_dropped():
    assert normalize_text("  indented line   \nnext line\t\n") == "indented line\nnext line"


def test_paragraphs_are_separated_by_exactly_one_blank_line():
    text = "first paragraph\n\n\n\n   \n\t\nsecond paragraph\n \nthird"
    assert normalize_text(text) == "first paragraph\n\nsecond paragraph\n\nthird"


def test_a_single_newline_is_kept_as_a_line_break():
    assert normalize_text("quoted paragraph\nA. Reporter contributed") == (
        "quoted paragraph\nA. Reporter contributed"
    )


def test_windows_and_old_mac_line_endings_become_newlines():
    assert normalize_text("one\r\ntwo\rthree\r\n\r\nfour") == "one\ntwo\nthree\n\nfour"


def test_unicode_line_and_paragraph_separators_are_line_breaks():
    assert normalize_text("one\u2028two\u2029three") == "one\ntwo\n\nthree"


def test_control_characters_byte_order_marks_and_soft_hyphens_are_removed():
    assert normalize_text("\ufeffelec\u00adtion\x00 day\x1b[31m") == "election day[31m"


def test_chinese_text_and_its_ideographic_indent_are_untouched():
    text = "\u3000\u3000许艳，二十七岁，在杭州参选。\n\n\u3000\u3000第二段：“独立候选人”。"
    assert normalize_text(text) == text


def test_ideographic_spaces_at_the_end_of_a_line_are_dropped():
    assert normalize_text("杭州\u3000\u3000\n下一行") == "杭州\n下一行"


def test_emoji_and_other_astral_characters_are_untouched():
    text = "Followers 🎉 👩\u200d💻 🇨🇳 and a rare character 𠀀 in a name"
    assert normalize_text(text) == text
    assert len(normalize_text("😀")) == 1


def test_normalizing_twice_changes_nothing_on_corpus_like_text():
    text = "BEIJING &mdash; a&nbsp;report  \n\n\n&ldquo;quoted,&rdquo; he said.   \nBy A. N. Other"
    once = normalize_text(text)
    assert normalize_text(once) == once


@given(TEXTS)
def test_normalizing_is_idempotent(text):
    once = normalize_text(text)
    assert normalize_text(once) == once


@given(TEXTS)
def test_normalized_text_keeps_the_promised_shape(text):
    normalized = normalize_text(text)
    assert "\n\n\n" not in normalized
    assert "  " not in normalized
    assert "\r" not in normalized
    assert not any(line != line.rstrip() for line in normalized.split("\n"))
    assert normalized == unicodedata.normalize("NFC", normalized)


def test_normalize_line_puts_a_title_on_one_line():
    assert normalize_line("  China&rsquo;s\n local   polls ") == "China’s local polls"


def test_boilerplate_lines_are_normalized_and_blank_ones_ignored():
    assert boilerplate_lines("  Advertisement \n\n&copy; The Example Post\nAdvertisement") == [
        "Advertisement",
        "© The Example Post",
    ]


def test_a_boilerplate_line_is_removed_whole_without_leaving_a_gap():
    text = "First paragraph.\nAdvertisement\nSecond line.\n\nAdvertisement\n\nThird."
    assert remove_boilerplate(text, "Advertisement") == "First paragraph.\nSecond line.\n\nThird."


def test_a_photo_credit_is_cut_from_the_end_of_a_caption():
    text = "A candidate at a rally. (Photo: A. Photographer/The Example Post)\n\nBody text."
    assert remove_boilerplate(text, "(Photo: A. Photographer/The Example Post)") == (
        "A candidate at a rally.\n\nBody text."
    )


def test_boilerplate_never_cuts_into_a_word():
    text = "AP\n\nAPEC leaders met; the AP reported it."
    assert remove_boilerplate(text, "AP") == "APEC leaders met; the reported it."


def test_boilerplate_removal_that_exposes_another_occurrence_removes_it_too():
    assert remove_boilerplate("keep\n\nad ad ad ad\n\nkeep too", "ad") == "keep\n\nkeep too"


def test_chinese_boilerplate_line_is_removed():
    text = "正文第一段。\n\n（责任编辑：某编辑）\n\n正文第二段。"
    assert remove_boilerplate(text, "（责任编辑：某编辑）") == "正文第一段。\n\n正文第二段。"


def test_without_boilerplate_the_text_is_only_normalized():
    assert remove_boilerplate("a&nbsp;b  \n\n\n c", "") == "a b\n\nc"


@given(TEXTS, st.lists(TRICKY, min_size=1, max_size=3).map("".join))
def test_removing_boilerplate_is_idempotent(text, line):
    once = remove_boilerplate(text, line)
    assert remove_boilerplate(once, line) == once
