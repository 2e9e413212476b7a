"""Folding names for search and identity, in every script and romanization."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from elections.names import (
    name_keys,
    pinyin_of,
    query_keys,
    search_text,
    wade_giles_of,
    wade_giles_syllable,
)


def finds(query, names):
    """Whether a substring search of `query` over the candidate's names finds them."""
    text = search_text(names)
    return any(key in text for key in query_keys(query))


@pytest.mark.parametrize("name", ["Liu Ping", "liuping", "Liú Píng", "LIU-PING", "Liu·Ping"])
def test_latin_forms_fold_to_one_key(name):
    assert name_keys(name) == {"liuping"}


def test_apostrophes_and_full_width_letters_fold_away():
    assert name_keys("Xi'an") == {"xian"}
    assert name_keys("Ｌｉｕ　Ｐｉｎｇ") == {"liuping"}


def test_chinese_name_gives_its_characters_and_toneless_pinyin():
    assert name_keys("刘萍") == {"刘萍", "liuping"}


def test_traditional_characters_fold_to_simplified():
    assert name_keys("劉萍") == {"刘萍", "liuping"}


def test_pinyin_with_u_umlaut_folds_like_the_press_prints_it():
    assert name_keys("吕布") == {"吕布", "lubu", "lupu"}  # Wade–Giles: Lü Pu
    assert name_keys("Lü Bu") == {"lubu"}


@pytest.mark.parametrize(
    ("name", "pinyin"),
    [
        ("单萍", "shanping"),
        ("曾志", "zengzhi"),
        ("解放", "xiefang"),
        ("乐平", "yueping"),
        ("仇飞", "qiufei"),
        ("区明", "ouming"),
        ("翟明", "zhaiming"),
        ("朴正", "piaozheng"),
        ("乐正明", "yuezhengming"),
        ("欧阳修", "ouyangxiu"),
    ],
)
def test_surnames_read_as_surnames(name, pinyin):
    assert pinyin_of(name) == pinyin


def test_surname_reading_applies_to_the_first_character_only():
    assert pinyin_of("张乐") == "zhangle"


def test_transliterated_name_with_a_middle_dot_has_no_surname_reading():
    assert pinyin_of("阿依古丽·买买提") == "ayigulimaimaiti"
    assert pinyin_of("单·明") == "danming"


def test_chinese_query_looks_for_characters_only():
    assert query_keys("刘萍") == {"刘萍"}
    assert query_keys("劉萍") == {"刘萍"}


def test_chinese_query_does_not_find_a_homophone():
    assert not finds("刘萍", ["Liu Ping", "刘平"])
    assert finds("刘萍", ["Liu Ping", "刘萍"])


def test_latin_query_finds_romanized_and_chinese_names():
    assert finds("liu ping", ["刘萍"])
    assert finds("Liú-Píng", ["Liu Ping"])
    assert finds("ping", ["刘萍"])
    assert not finds("li ping", ["刘萍"])


def test_traditional_query_finds_a_simplified_name():
    assert finds("劉萍", ["刘萍"])


def test_mixed_query_looks_for_each_part():
    assert query_keys("Xu Yan 徐琰") == {"xuyan", "徐琰"}


def test_empty_query_has_no_keys():
    assert query_keys("  ") == set()


def test_search_text_holds_every_key_of_every_name():
    text = search_text(["Xu Yan", "徐琰", "Xu Ruiyan"])
    assert text == "|hsuyen|xuruiyan|xuyan|徐琰|"


def test_search_never_matches_across_two_names():
    text = search_text(["Liu Ping", "Xu Yan"])
    assert "liuping" in text and "xuyan" in text
    assert "pingxu" not in text and "yanliu" not in text


def test_search_text_of_no_names_is_empty():
    assert search_text([]) == ""
    assert search_text(["", None, " - "]) == ""


syllables = st.lists(
    st.sampled_from(["liu", "ping", "xu", "yan", "zhang", "lü", "qiáng", "ān", "shuxin"]),
    min_size=1,
    max_size=4,
)


@given(syllables, st.sampled_from([" ", "-", "'", "", "·", "  "]), st.booleans())
def test_separators_case_and_tone_marks_never_change_the_key(parts, separator, upper):
    written = separator.join(parts)
    if upper:
        written = written.upper()
    bare = "".join(parts).replace("ü", "u").replace("á", "a").replace("ā", "a")
    assert name_keys(written) == {bare}
    assert finds(written, [bare])


@given(st.text(max_size=30))
def test_keys_never_hold_the_separator_or_a_space(text):
    for key in name_keys(text) | query_keys(text):
        assert key
        assert "|" not in key
        assert not any(char.isspace() for char in key)


@pytest.mark.parametrize(
    ("name", "wade_giles"),
    [
        ("许志永", "Hsü Chih-yung"),
        ("邓小平", "Teng Hsiao-p'ing"),
        ("毛泽东", "Mao Tse-tung"),
        ("蒋介石", "Chiang Chieh-shih"),
        ("周恩来", "Chou En-lai"),
        ("刘晓波", "Liu Hsiao-po"),
        ("徐琰", "Hsü Yen"),
        ("欧阳修", "Ouyang Hsiu"),
        ("曾志", "Tseng Chih"),
    ],
)
def test_chinese_names_get_a_wade_giles_key(name, wade_giles):
    assert wade_giles_of(name) == name_keys(wade_giles).pop()
    assert wade_giles_of(name) in name_keys(name)


@pytest.mark.parametrize(
    ("pinyin", "wade_giles"),
    [
        ("zhi", "chih"),
        ("chi", "ch'ih"),
        ("zi", "tzu"),
        ("si", "ssu"),
        ("ri", "jih"),
        ("er", "erh"),
        ("xiong", "hsiung"),
        ("qu", "ch'ü"),
        ("jun", "chün"),
        ("xue", "hsüeh"),
        ("yuan", "yüan"),
        ("lüe", "lüeh"),
        ("lun", "lun"),
        ("guo", "kuo"),
        ("luo", "lo"),
        ("gui", "kuei"),
        ("ge", "ko"),
        ("cong", "ts'ung"),
        ("rong", "jung"),
        ("bian", "pien"),
        ("ye", "yeh"),
        ("yi", "i"),
    ],
)
def test_pinyin_syllables_convert_to_wade_giles(pinyin, wade_giles):
    assert wade_giles_syllable(pinyin) == wade_giles


def test_an_old_romanization_finds_the_chinese_name():
    assert finds("Hsu Chih-yung", ["Xu Zhiyong", "许志永"])
    assert finds("Hsü Chih-yung", ["许志永"])
    assert not finds("Hsu Chih-yung", ["Xu Zhiyong"])  # no characters: nothing to convert


def test_a_search_looks_for_a_short_key_at_a_names_beginning():
    from elections.names import search_patterns

    assert search_patterns("Liu Ping") == {"liuping"}
    assert search_patterns("ping") == {"ping"}
    assert search_patterns("Xu") == {"|xu"}
    assert search_patterns("刘萍") == {"|刘萍"}
    assert search_patterns("許志永") == {"许志永"}
    assert search_patterns("!!") == set()
