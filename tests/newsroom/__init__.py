"""One builder of the newsrooms the tests read, and the named scenarios they set up with.

A `Newsroom` grows by steps, each one call to the factories (tests/factories.py) or to a
service, acting as the newsroom's editor (who records claims) or reviewer (who verifies,
rejects, resolves, publishes, withdraws and merges): places from a catalogue of real ones,
outlets and their articles, candidates standing in a place, claims recorded, verified or
rejected, a verdict on a contradiction, publication, withdrawal and merges. The steps are
verbs (`add_article`, `add_verified`); what a scenario names for its tests is an attribute
(`room.liu`, `room.daily`), and so is every place, by its name in lower case (`room.xinyu`).

A scenario builds one newsroom for the tests of a module or two:

- "public site": the public pages, the API, the exports and the cache. Two published
  candidates with verified, unverified, rejected and disputed claims, one dispute resolved
  and one open; a draft with a claim of its own, a withdrawn candidate and a record merged
  away, each in a province of its own.
- "candidate list": the list's filters, search and pages. Namesakes in two scripts, a
  status history per candidate, an open dispute, a draft, and `fillers` more in Beijing.
- "performance": the faster shapes of the public pages. Two runs of one candidate, a
  resolved dispute, a draft with the newest claim, and `size` fillers in Ningbo.
- "leaks": a public record and, beside it, everything the public must never see, marked.
- "roles": an editor's claims about Liu Ping from two outlets, disagreeing on her age.
- "sheets": the candidates, places and articles the claim sheets name.

`build(scenario, **options)` makes one; `fixtures(scenario)` gives a test module its
records built once per module (or class) and rolled back after. The steps are in
`builder.py`, the scenarios in `scenarios.py` (and the longest, "leaks", in `leaks.py`).
"""

import pytest
from django.db import transaction

from elections.tallies import settle
from sources.audit import unit_of_work
from tests.newsroom.builder import PLACES, Newsroom
from tests.newsroom.scenarios import SCENARIOS

__all__ = ["PLACES", "SCENARIOS", "Newsroom", "build", "fixtures"]


def build(scenario, **options):
    """The newsroom of the scenario called `scenario` (see the package's docstring)."""
    return SCENARIOS[scenario](**options)


def fixtures(scenario, *, name="newsroom", scope="module", **options):
    """The fixtures of a test module that reads `scenario`: assign both to module names.

    The records are built once per `scope` in a transaction (a `unit_of_work`, so that the
    services nest in it) rolled back after the scope's last test; the fixture called `name`
    hands them to a test in its own transaction inside it, so what one test adds is gone
    before the next.
    """

    @pytest.fixture(scope=scope, name="_newsroom_built")
    def built(django_db_setup, django_db_blocker):
        with django_db_blocker.unblock(), unit_of_work():
            room = build(scenario, **options)
            # What the unit would do before committing: the tallies of what was built are
            # kept, so that no test's first page pays for settling them.
            settle()
            yield room
            transaction.set_rollback(True)

    @pytest.fixture(name=name)
    def records(_newsroom_built, db):
        return _newsroom_built

    return built, records
