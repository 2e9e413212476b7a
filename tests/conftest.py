"""Fixtures and rules shared by the whole suite.

A test that needs PostgreSQL (`@pytest.mark.postgres`) or Chromium (`@pytest.mark.browser`)
skips with its reason when that is absent; with SOURCEBOOK_REQUIRE_ALL=1 (set by `.ci/run`)
the same absence fails the test instead.
"""

import os
import shutil
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
CORPUS = SHARED / "corpus"
CHROMIUM = "/usr/bin/chromium"


def missing(reason):
    """Skip with `reason`, or fail when CI requires every leg to run."""
    if os.environ.get("SOURCEBOOK_REQUIRE_ALL") == "1":
        pytest.fail(f"required but unavailable: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _required_components(request):
    if request.node.get_closest_marker("postgres"):
        from django.db import connection

        if connection.vendor != "postgresql":
            missing("needs PostgreSQL: run with DATABASE_URL=postgres://...")
    if request.node.get_closest_marker("browser") and not shutil.which(CHROMIUM):
        missing(f"needs Debian's Chromium at {CHROMIUM} (apt-get install chromium)")


@pytest.fixture
def corpus():
    """The folder of real press reports beside the project; skips when it is absent."""
    if not (CORPUS / "manifest.csv").exists():
        pytest.skip(f"the shared corpus is not at {CORPUS}")
    return CORPUS
