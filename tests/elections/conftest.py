"""People of the newsroom, for the elections tests: one of each role, and a candidate."""

import pytest

from tests.factories import make_candidate, make_user


@pytest.fixture
def editor(db):
    return make_user("Editors")


@pytest.fixture
def reviewer(db):
    return make_user("Reviewers")


@pytest.fixture
def liu(db):
    """A candidate known by her English and Chinese names."""
    return make_candidate("Liu Ping", name_zh="刘萍")
