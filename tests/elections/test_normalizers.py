"""How claim values are read, and when two of them cannot both be true."""

import datetime
import re
import sys
import types

import pytest
from hypothesis import given
from hypothesis import strategies as st

from elections.models import Property, Status
from elections.normalizers import (
    KIND,
    Kind,
    NormalizationError,
    Normalized,
    conflicts,
    is_compared,
    normalize,
)
from elections.normalizers.numbers import chinese_numeral, read_count
from elections.normalizers.text import split_date
from sources.dates import PartialDate


def day(text):
    return PartialDate.parse_iso(text)


def differ(property, first, second, *, first_as_of=None, second_as_of=None):
    """Whether two printed values of `property` are flagged, each read on its own date."""
    a = normalize(property, first, as_of=first_as_of)
    b = normalize(property, second, as_of=second_as_of)
    return conflicts(property, a, b, a_as_of=first_as_of, b_as_of=second_as_of)


# The registry


def test_every_property_has_a_kind():
    assert set(KIND) == set(Property)
    assert {KIND[p] for p in (Property.PROVINCE, Property.CITY, Property.DISTRICT)} == {Kind.PLACE}
    assert KIND[Property.FOLLOWERS] is Kind.SERIES


@pytest.mark.parametrize(
    ("property", "compared"),
    [
        (Property.NAME_ZH, True),
        (Property.GENDER, True),
        (Property.BIRTH_YEAR, True),
        (Property.AGE, True),
        (Property.PROVINCE, True),
        (Property.CITY, True),
        (Property.DISTRICT, True),
        (Property.OCCUPATION, False),
        (Property.EMPLOYER, False),
        (Property.PLATFORM, False),
        (Property.PRESSURE, False),
        (Property.FOLLOWERS, False),
        (Property.STATUS, True),
        (Property.VOTES, True),
    ],
)
def test_only_many_valued_and_dated_series_are_never_compared(property, compared):
    assert is_compared(property) is compared


def test_property_given_as_plain_text_is_understood():
    assert normalize("gender", "女") == normalize(Property.GENDER, "female")


def test_unknown_property_is_an_error_the_editor_can_read():
    with pytest.raises(NormalizationError, match="'height' is not a property"):
        normalize("height", "1.80 m")


@pytest.mark.parametrize("value", ["", "   ", None])
def test_empty_value_is_refused(value):
    with pytest.raises(NormalizationError, match="No value"):
        normalize(Property.OCCUPATION, value)


# Gender


@pytest.mark.parametrize(
    "value", ["male", "Male", "MAN", "m", "M.", "he", "He", "男", "男性", " male "]
)
def test_male_in_english_and_chinese(value):
    assert normalize(Property.GENDER, value).key == "male"


@pytest.mark.parametrize("value", ["female", "FEMALE", "Woman", "f", "she", "女", "女性", "Ms."])
def test_female_in_english_and_chinese(value):
    assert normalize(Property.GENDER, value).key == "female"


def test_unreadable_gender_says_what_to_write():
    with pytest.raises(NormalizationError, match="male or female"):
        normalize(Property.GENDER, "unknown")


def test_genders_compare_by_equality():
    assert differ(Property.GENDER, "male", "女")
    assert not differ(Property.GENDER, "female", "女性")


# Name in Chinese characters


def test_chinese_name_loses_its_spaces():
    assert normalize(Property.NAME_ZH, " 刘　萍 ").key == "刘萍"


def test_chinese_name_is_nfkc_normalized():
    # U+F9B4 is a compatibility ideograph that NFKC maps to 零.
    assert normalize(Property.NAME_ZH, "刘\uf9b2").key == normalize(Property.NAME_ZH, "刘零").key


def test_traditional_and_simplified_forms_are_one_name():
    traditional = normalize(Property.NAME_ZH, "劉曉波")
    assert traditional.key == "刘晓波"
    assert traditional.data["text"] == "劉曉波"
    assert not differ(Property.NAME_ZH, "劉曉波", "刘晓波")


def test_different_chinese_names_conflict():
    assert differ(Property.NAME_ZH, "刘萍", "刘平")


def test_transliterated_name_keeps_one_middle_dot():
    assert normalize(Property.NAME_ZH, "阿依古丽•买买提").key == "阿依古丽·买买提"


@pytest.mark.parametrize("value", ["Liu Ping", "刘萍 (Liu Ping)", "刘萍1"])
def test_romanized_name_is_not_a_chinese_name(value):
    with pytest.raises(NormalizationError, match="not a name in Chinese characters"):
        normalize(Property.NAME_ZH, value)


# Age


@pytest.mark.parametrize(
    "value",
    [
        "27",
        "27-year-old",
        "a 27-year-old lawyer",
        "the now 27-year-old student",
        "aged 27",
        "age 27",
        "27 years old",
        "27岁",
        "现年27岁",
        "二十七岁",
        "(27)",
        "２７",
    ],
)
def test_written_forms_of_an_age(value):
    normalized = normalize(Property.AGE, value, as_of=day("2011-06-02"))
    assert (normalized.data["age_min"], normalized.data["age_max"]) == (27, 27)


def test_age_in_parentheses_after_a_name():
    assert normalize(Property.AGE, "(28)", as_of=day("2011")).data["age_min"] == 28


def test_age_on_a_day_gives_one_year_of_birth_dates():
    data = normalize(Property.AGE, "27", as_of=day("2011-06-02")).data
    assert (data["born_from"], data["born_to"]) == ("1983-06-03", "1984-06-02")


def test_age_on_a_date_known_to_the_year_gives_a_wider_range():
    data = normalize(Property.AGE, "27", as_of=day("2011")).data
    assert (data["born_from"], data["born_to"]) == ("1983-01-02", "1984-12-31")


def test_age_on_29_february():
    data = normalize(Property.AGE, "27", as_of=day("2012-02-29")).data
    assert (data["born_from"], data["born_to"]) == ("1984-03-01", "1985-02-28")


def test_either_of_two_ages():
    data = normalize(Property.AGE, "27 or 28", as_of=day("2011-06-02")).data
    assert (data["born_from"], data["born_to"]) == ("1982-06-03", "1984-06-02")


def test_nominal_age_counts_one_or_two_years_more():
    data = normalize(Property.AGE, "虚岁27", as_of=day("2011-06-02")).data
    assert (data["age_min"], data["age_max"], data["nominal"]) == (25, 26, True)


@pytest.mark.parametrize("value", ["twenty", "27 cm", "-3", "150"])
def test_unreadable_or_impossible_age_is_refused(value):
    with pytest.raises(NormalizationError, match="age"):
        normalize(Property.AGE, value, as_of=day("2011"))


def test_age_reported_in_2011_and_in_2018_conflict():
    assert differ(Property.AGE, "27", "27", first_as_of=day("2011"), second_as_of=day("2018-09-25"))


def test_same_age_in_the_same_year_does_not_conflict():
    assert not differ(Property.AGE, "27", "27", first_as_of=day("2011"), second_as_of=day("2011"))


def test_same_age_a_week_apart_does_not_conflict():
    assert not differ(
        Property.AGE, "27", "27", first_as_of=day("2011-06-02"), second_as_of=day("2011-06-09")
    )


def test_ages_a_year_apart_conflict_on_one_day_but_not_within_one_year():
    assert differ(
        Property.AGE, "27", "28", first_as_of=day("2011-06-02"), second_as_of=day("2011-06-02")
    )
    assert not differ(Property.AGE, "27", "28", first_as_of=day("2011"), second_as_of=day("2011"))


def test_age_without_a_date_is_kept_but_compares_with_nothing():
    undated = normalize(Property.AGE, "27")
    assert "born_from" not in undated.data
    dated = normalize(Property.AGE, "60", as_of=day("2011"))
    assert not conflicts(Property.AGE, undated, dated)


def test_the_claims_date_at_comparison_wins_over_the_one_it_was_read_with():
    a = normalize(Property.AGE, "27", as_of=day("2011"))
    b = normalize(Property.AGE, "27", as_of=day("2011"))
    assert not conflicts(Property.AGE, a, b)
    assert conflicts(Property.AGE, a, b, b_as_of=day("2018-09-25"))


def test_a_date_printed_with_an_age_wins_over_the_claims_date():
    printed = normalize(Property.AGE, "27 (in 2011)", as_of=day("2018-09-25"))
    assert (printed.data["born_from"], printed.data["born_to"]) == ("1983-01-02", "1984-12-31")
    assert normalize(Property.AGE, "aged 27 as of June 2011").data["on"] == "2011-06"
    in_2018 = normalize(Property.AGE, "27", as_of=day("2018-09-25"))
    assert conflicts(
        Property.AGE, printed, in_2018, a_as_of=day("2018-09-25"), b_as_of=day("2018-09-25")
    )


true_birth = st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2000, 12, 31))
years_later = st.integers(min_value=18, max_value=90)
days_later = st.integers(min_value=0, max_value=364)


def age_on(born, on):
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def report(born, years, days, precision):
    on = born.replace(year=born.year + years, day=min(born.day, 28)) + datetime.timedelta(days)
    as_of = {
        "day": PartialDate.from_date(on),
        "month": PartialDate(on.year, on.month),
        "year": PartialDate(on.year),
    }[precision]
    return str(age_on(born, on)), as_of


@given(true_birth, years_later, days_later, st.sampled_from(["day", "month", "year"]))
def test_age_range_always_contains_the_true_birth_date(born, years, days, precision):
    age, as_of = report(born, years, days, precision)
    data = normalize(Property.AGE, age, as_of=as_of).data
    assert data["born_from"] <= born.isoformat() <= data["born_to"]


@given(
    true_birth,
    years_later,
    days_later,
    years_later,
    days_later,
    st.sampled_from(["day", "month", "year"]),
)
def test_true_ages_of_one_person_never_conflict(born, years_a, days_a, years_b, days_b, precision):
    age_a, as_of_a = report(born, years_a, days_a, precision)
    age_b, as_of_b = report(born, years_b, days_b, "day")
    assert not differ(Property.AGE, age_a, age_b, first_as_of=as_of_a, second_as_of=as_of_b)
    assert not conflicts(
        Property.AGE,
        normalize(Property.AGE, age_a, as_of=as_of_a),
        normalize(Property.BIRTH_YEAR, str(born.year)),
    )


# Year of birth


@pytest.mark.parametrize(
    "value",
    [
        "1984",
        "born 1984",
        "Born in 1984",
        "b. 1984",
        "1984年",
        "1984年生",
        "1984年出生",
        "born 3 March 1984",
        "生于1984年",
        1984,
        1984.0,
    ],
)
def test_written_forms_of_a_year_of_birth(value):
    normalized = normalize(Property.BIRTH_YEAR, value)
    assert normalized.key == "1984"
    assert (normalized.data["born_from"], normalized.data["born_to"]) == (
        "1984-01-01",
        "1984-12-31",
    )


@pytest.mark.parametrize("value", ["80后", "the 1980s", "1980s"])
def test_a_decade_of_birth(value):
    normalized = normalize(Property.BIRTH_YEAR, value)
    assert normalized.key == "1980s"
    assert (normalized.data["born_from"], normalized.data["born_to"]) == (
        "1980-01-01",
        "1989-12-31",
    )


@pytest.mark.parametrize("value", ["nineteen eighty-four", "1084", "3000"])
def test_unreadable_or_impossible_year_of_birth_is_refused(value):
    with pytest.raises(NormalizationError, match="year"):
        normalize(Property.BIRTH_YEAR, value)


def test_years_of_birth_compare_by_equality():
    assert differ(Property.BIRTH_YEAR, "1984", "1985")
    assert not differ(Property.BIRTH_YEAR, "born 1984", "1984年")
    assert not differ(Property.BIRTH_YEAR, "1984", "80后")


def test_year_of_birth_compares_with_an_age_by_the_same_ranges():
    age = normalize(Property.AGE, "27", as_of=day("2011-06-02"))
    assert not conflicts(Property.AGE, age, normalize(Property.BIRTH_YEAR, "1984"))
    assert not conflicts(Property.BIRTH_YEAR, normalize(Property.BIRTH_YEAR, "1983"), age)
    assert conflicts(Property.AGE, age, normalize(Property.BIRTH_YEAR, "1985"))
    assert conflicts(Property.BIRTH_YEAR, normalize(Property.BIRTH_YEAR, "1982"), age)


# Places, read by elections.normalizers.place


@pytest.fixture
def place_module(monkeypatch):
    """A stand-in place normalizer that records how the registry calls it."""
    calls = []

    def normalize_place(value, *, level):
        calls.append((value, level))
        return Normalized(key=value.casefold(), data={"text": value.casefold()})

    def place_conflicts(a, b):
        calls.append(("conflicts", a.key, b.key))
        return a.key != b.key

    module = types.ModuleType("elections.normalizers.place")
    module.normalize_place = normalize_place
    module.place_conflicts = place_conflicts
    monkeypatch.setitem(sys.modules, "elections.normalizers.place", module)
    return calls


@pytest.mark.parametrize(
    ("property", "level"),
    [(Property.PROVINCE, "province"), (Property.CITY, "city"), (Property.DISTRICT, "county")],
)
def test_places_are_read_at_their_level(place_module, property, level):
    normalize(property, "  Hangzhou ")
    assert place_module == [("Hangzhou", level)]


def test_places_compare_by_the_place_normalizer(place_module):
    assert differ(Property.CITY, "Hongzhou", "Hangzhou")
    assert not differ(Property.CITY, "Hangzhou", "hangzhou")
    assert ("conflicts", "hongzhou", "hangzhou") in place_module


# Many values


def test_free_text_is_case_and_space_folded():
    assert normalize(Property.OCCUPATION, "  Property   LAWYER ").key == "property lawyer"


@pytest.mark.parametrize(
    "property", [Property.OCCUPATION, Property.EMPLOYER, Property.PLATFORM, Property.PRESSURE]
)
def test_different_values_of_a_many_valued_property_never_conflict(property):
    assert not differ(property, "lawyer", "shop owner")


# Counts: votes and followers


@pytest.mark.parametrize(
    ("value", "count", "qualifier"),
    [
        ("3.74 million", 3_740_000, "exact"),
        ("3,740,000", 3_740_000, "exact"),
        ("374万", 3_740_000, "exact"),
        ("1.2亿", 120_000_000, "exact"),
        ("10k", 10_000, "exact"),
        ("10K followers", 10_000, "exact"),
        ("12,345 votes", 12_345, "exact"),
        ("１２,３４５票", 12_345, "exact"),
        ("三万五千", 35_000, "exact"),
        ("some 10,000", 10_000, "approximate"),
        ("about 2.5 thousand", 2_500, "approximate"),
        ("约374万人", 3_740_000, "approximate"),
        ("10,000左右", 10_000, "approximate"),
        ("more than 10,000", 10_000, "at_least"),
        ("over 10,000 votes", 10_000, "at_least"),
        ("10,000+", 10_000, "at_least"),
        ("1万多", 10_000, "at_least"),
        ("10多万", 100_000, "at_least"),
        ("超过3000票", 3_000, "at_least"),
        ("fewer than 500", 500, "at_most"),
        ("不到500票", 500, "at_most"),
    ],
)
def test_written_forms_of_a_count(value, count, qualifier):
    data = normalize(Property.VOTES, value).data
    assert (data["value"], data["qualifier"]) == (count, qualifier)


def test_count_key_shows_the_hedge():
    assert normalize(Property.VOTES, "some 10,000").key == "about 10,000"
    assert normalize(Property.VOTES, "more than 10,000").key == "at least 10,000"
    assert normalize(Property.VOTES, "3.74 million").key == "3,740,000"


def test_a_rounded_figure_allows_half_its_last_digit():
    data = normalize(Property.VOTES, "3.74 million").data
    assert (data["low"], data["high"]) == (3_735_000, 3_745_000)
    data = normalize(Property.VOTES, "3,740,000").data
    assert (data["low"], data["high"]) == (3_740_000, 3_740_000)


@pytest.mark.parametrize("value", ["many", "1.5", "3 dozen", "lots of votes"])
def test_unreadable_count_is_refused(value):
    with pytest.raises(NormalizationError):
        normalize(Property.VOTES, value)


def test_votes_compare_by_equality_of_exact_figures():
    assert differ(Property.VOTES, "10,213", "10,214")
    assert not differ(Property.VOTES, "10,213", "10213 votes")


def test_votes_compare_hedged_figures_by_what_they_allow():
    assert not differ(Property.VOTES, "3.74 million", "374万")
    assert not differ(Property.VOTES, "about 10,000", "10,213")
    assert not differ(Property.VOTES, "more than 10,000", "10,213")
    assert differ(Property.VOTES, "more than 10,000", "9,000")
    assert differ(Property.VOTES, "fewer than 500", "612")
    assert differ(Property.VOTES, "10k", "12,000")


def test_follower_counts_months_apart_never_conflict():
    assert not differ(
        Property.FOLLOWERS,
        "3,000",
        "3.74 million",
        first_as_of=day("2011-06-02"),
        second_as_of=day("2011-11-08"),
    )


def test_follower_count_keeps_its_number_and_date():
    data = normalize(Property.FOLLOWERS, "3.74 million followers as of June 2011").data
    assert (data["value"], data["on"]) == (3_740_000, "2011-06")
    data = normalize(Property.FOLLOWERS, "粉丝374万", as_of=day("2011-06-02")).data
    assert (data["value"], data["on"]) == (3_740_000, "2011-06-02")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("二十七", 27),
        ("十五", 15),
        ("一百零五", 105),
        ("两千五", 2500),
        ("三万五", 35000),
        ("一亿二千万", 120_000_000),
        ("万", 10_000),
    ],
)
def test_chinese_numerals(text, value):
    assert chinese_numeral(text)[0] == value


@given(st.integers(min_value=0, max_value=10**12))
def test_counts_written_in_full_read_back_exactly(count):
    for written in (str(count), f"{count:,}", f"{count:,} votes"):
        assert read_count(written)[:2] == (count, "exact")


@given(st.integers(min_value=1, max_value=10**8), st.sampled_from(["k", "万", "million", "亿"]))
def test_counts_written_with_a_multiplier_read_back_within_their_rounding(count, word):
    multiplier = {"k": 10**3, "万": 10**4, "million": 10**6, "亿": 10**8}[word]
    written = f"{count / multiplier:.2f}".rstrip("0").rstrip(".")
    spaced = " " if word.isascii() and len(word) > 1 else ""
    value, qualifier, low, high = read_count(f"{written}{spaced}{word}")
    assert qualifier == "exact"
    assert low <= count <= high
    assert low <= value <= high


@given(st.integers(min_value=1, max_value=10**9), st.sampled_from(["some", "about", "约"]))
def test_hedged_counts_allow_at_least_a_tenth_either_way(count, hedge):
    separator = "" if hedge == "约" else " "
    _, qualifier, low, high = read_count(f"{hedge}{separator}{count:,}")
    assert qualifier == "approximate"
    assert low <= count * 0.9 + 1 and high >= count * 1.1 - 1


# Statuses


@pytest.mark.parametrize(
    ("value", "status"),
    [
        ("declared", Status.DECLARED),
        ("seeking nomination", Status.SEEKING_NOMINATION),
        ("seeking_nomination", Status.SEEKING_NOMINATION),
        ("preliminary candidate", Status.PRELIMINARY),
        ("official candidate", Status.OFFICIAL),
        ("elected", Status.ELECTED),
        ("defeated", Status.DEFEATED),
        ("withdrew", Status.WITHDREW),
        ("barred", Status.BARRED),
        ("宣布参选", Status.DECLARED),
        ("寻求提名", Status.SEEKING_NOMINATION),
        ("初步候选人", Status.PRELIMINARY),
        ("正式候选人", Status.OFFICIAL),
        ("当选", Status.ELECTED),
        ("落选", Status.DEFEATED),
        ("退选", Status.WITHDREW),
        ("被取消资格", Status.BARRED),
        ("Won", Status.ELECTED),
        ("was elected", Status.ELECTED),
        ("lost", Status.DEFEATED),
        ("Dropped out", Status.WITHDREW),
        ("dropped out of the race", Status.WITHDREW),
        ("has withdrawn", Status.WITHDREW),
        ("Disqualified", Status.BARRED),
        ("became an official candidate", Status.OFFICIAL),
        ("已退选", Status.WITHDREW),
        ("未当选", Status.DEFEATED),
    ],
)
def test_status_words_in_english_and_chinese(value, status):
    assert normalize(Property.STATUS, value).data["status"] == status.value


def test_unreadable_status_lists_the_statuses():
    with pytest.raises(NormalizationError, match=r"preliminary candidate \(初步候选人\)"):
        normalize(Property.STATUS, "thinking about it")


@pytest.mark.parametrize(
    ("value", "on"),
    [
        ("withdrew on 2 November 2011", "2011-11-02"),
        ("elected (8 November 2011)", "2011-11-08"),
        ("2011年11月8日当选", "2011-11-08"),
        ("当选于2011年11月8日", "2011-11-08"),
        ("declared mid-October 2011", "2011-10"),
        ("barred, 2011/11/8", "2011-11-08"),
        ("elected 2011", "2011"),
    ],
)
def test_a_date_printed_with_a_status_wins_over_the_claims_date(value, on):
    data = normalize(Property.STATUS, value, as_of=day("2012-01-01")).data
    assert data["on"] == on


def test_status_moving_from_declared_to_withdrew_on_different_dates_does_not_conflict():
    assert not differ(
        Property.STATUS,
        "declared",
        "withdrew",
        first_as_of=day("2011-06-02"),
        second_as_of=day("2011-10-20"),
    )


def test_different_statuses_on_the_same_day_conflict():
    assert differ(
        Property.STATUS,
        "official candidate",
        "被取消资格",
        first_as_of=day("2011-11-01"),
        second_as_of=day("2011-11-01"),
    )


def test_same_status_on_the_same_day_does_not_conflict():
    assert not differ(
        Property.STATUS,
        "elected",
        "当选",
        first_as_of=day("2011-11-08"),
        second_as_of=day("2011-11-08"),
    )


@pytest.mark.parametrize(("first", "second"), [("2011-11", "2011-11"), ("2011", "2011-11-08")])
def test_statuses_known_only_to_the_month_or_year_never_conflict(first, second):
    assert not differ(
        Property.STATUS, "declared", "barred", first_as_of=day(first), second_as_of=day(second)
    )


def test_status_dates_printed_in_values_decide_sameness():
    assert differ(
        Property.STATUS,
        "barred on 1 November 2011",
        "official candidate (1 November 2011)",
        first_as_of=day("2011-11-05"),
        second_as_of=day("2011-11-20"),
    )


# Dates inside values


def test_bare_year_in_a_count_stays_part_of_the_count():
    assert split_date("some 2011 votes") == ("some 2011 votes", None)


def test_bare_year_after_a_status_is_its_date():
    assert split_date("elected 2011", bare_year=True) == ("elected", PartialDate(2011))


def test_connecting_word_introduces_a_date():
    assert split_date("10,000 in 2011") == ("10,000", PartialDate(2011))


# The corpus


def test_ages_as_the_corpus_prints_them(corpus):
    text = (corpus / "tanis-running-for-office.txt").read_text(encoding="utf-8")
    printed = re.findall(r"\(\d{2}\)|(?:a |now )?\d{2}-year-old", text)
    assert len(printed) >= 5
    for value in printed:
        age = normalize(Property.AGE, value, as_of=day("2018-09-25")).data["age_min"]
        assert str(age) in value


def test_follower_counts_as_the_corpus_prints_them(corpus):
    text = (corpus / "washingtonpost-2011-xu-yan-candidates.txt").read_text(encoding="utf-8")
    printed = re.findall(r"(?:some|more than) [\d,]+ followers", text)
    assert {normalize(Property.FOLLOWERS, value).key for value in printed} == {
        "about 10,000",
        "at least 10,000",
    }
