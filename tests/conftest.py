"""Fixtures and rules shared by the whole suite.

A test that needs PostgreSQL (`@pytest.mark.postgres`, and every `@pytest.mark.production`
test) or Chromium (`@pytest.mark.browser`) skips with its reason when that is absent; with
SOURCEBOOK_REQUIRE_ALL=1 (set by `.ci/run`) the same absence fails the test instead.

Hypothesis runs under the profile "dev" (random examples, a deadline per example) unless
HYPOTHESIS_PROFILE names another or CI=true selects "ci". "ci" has no deadline, since a shared
machine times an example by its load rather than by the code, and derives each test's
examples from the test itself, so a failure in CI comes back on every run, and on any machine
with `HYPOTHESIS_PROFILE=ci`.
"""

import os
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
CORPUS = SHARED / "corpus"
CHROMIUM = "/usr/bin/chromium"

# Five times Hypothesis's default of 200 ms: the examples here take under 50 ms, so a deadline still
# catches an accidentally quadratic function, without failing a run on a busy 2-core machine.
settings.register_profile("dev", deadline=timedelta(seconds=1))
settings.register_profile(
    "ci",
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
ON_CI = os.environ.get("CI", "").lower() in ("true", "1")
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if ON_CI else "dev"))


def missing(reason):
    """Skip with `reason`, or fail when CI requires every leg to run."""
    if os.environ.get("SOURCEBOOK_REQUIRE_ALL") == "1":
        pytest.fail(f"required but unavailable: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _required_components(request):
    if request.node.get_closest_marker("postgres") or request.node.get_closest_marker("production"):
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
