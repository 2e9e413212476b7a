"""People of the newsroom, for the elections tests: one of each role."""

import pytest

from tests.factories import make_user


@pytest.fixture
def editor(db):
    return make_user("Editors")


@pytest.fixture
def reviewer(db):
    return make_user("Reviewers")
