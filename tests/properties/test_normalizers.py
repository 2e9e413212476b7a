"""Properties of the value normalizers and name folding over arbitrary Unicode."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from elections import normalizers
from elections.models import Property
from elections.names import name_keys, query_keys, search_text
from elections.normalizers.base import NormalizationError, Normalized
from sources.dates import PartialDate
from tests.properties.strategies import raw_text

PURE = [prop for prop in Property if normalizers.KIND[prop] != "place"]
as_of = st.one_of(st.none(), st.builds(PartialDate, st.integers(1950, 2030)))


@settings(max_examples=40)
@pytest.mark.parametrize("prop", PURE)
@given(value=raw_text, date=as_of)
def test_a_value_is_read_or_refused_with_a_reason_never_crashes(prop, value, date):
    try:
        result = normalizers.normalize(prop, value, as_of=date)
    except NormalizationError as error:
        assert str(error)
        return
    assert isinstance(result, Normalized) and isinstance(result.key, str)
    # Whatever was read can be compared with itself without error, and never conflicts.
    assert normalizers.conflicts(prop, result, result, a_as_of=date, b_as_of=date) is False


@given(raw_text)
def test_name_folding_never_crashes_and_keys_have_no_blanks(name):
    keys = name_keys(name)
    assert all(key and not any(ch.isspace() for ch in key) for key in keys)
    assert all(key and not any(ch.isspace() for ch in key) for key in query_keys(name))
    assert isinstance(search_text([name]), str)


@given(
    st.lists(
        st.sampled_from(["Liu Ping", "刘萍", "劉萍", "Liú Píng", "LIU-PING", "liuping"]), min_size=1
    )
)
def test_every_written_form_of_one_name_shares_a_key(forms):
    shared = set.intersection(*(name_keys(form) for form in forms))
    assert "liuping" in shared
