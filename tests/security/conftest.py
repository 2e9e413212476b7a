"""A small newsroom with one of everything the admin has a page for, and a user of every kind.

The world is built once per module and rolled back at its end; each test that asks for
`records` runs in its own transaction inside it, so a write one test makes is gone before
the next. Where deleting the main record of a model is refused because other rows protect
it, a `spare` record that nothing points at is there to be deleted. `Writes` tells whether
a request changed any row.

The generated matrices, every case whose parameters include a payload (payloads.py), a page
(pages.py) or an admin URL (admin_urls.py), carry the `security_matrix` marker: they are
nine in ten of the suite's cases, so `make test` leaves them to their own CI leg
(`make test PYTEST_MARKERS=security_matrix` runs them). The hand-written tests beside them,
which each guard one known hole, stay in `make test`.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib.auth.models import Group, User
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from elections.models import (
    Candidacy,
    Candidate,
    CandidateMerge,
    CandidateProposal,
    Claim,
    Contradiction,
    Election,
    Place,
    Property,
)
from elections.services import candidate_update
from elections.tallies import settle
from sources.audit import unit_of_work
from sources.models import AnchorStatus, Article, ArticleVersion, Outlet, Passage, TaskRun
from sources.services import article_set_text, passage_create_from_quote
from tests.factories import make_user
from tests.newsroom import Newsroom
from tests.security.admin_urls import AdminRoute
from tests.security.pages import Page
from tests.security.payloads import Payload

# The kinds of user every admin URL is tried with.
KINDS = ["anonymous", "staff", "Editors", "Reviewers", "Importers", "superuser"]
TEXT = "Liu Ping, 47, runs as an independent in Xinyu. She works as a lawyer in Hangzhou."
SECOND_TEXT = "Liu Ping, 52, was nominated by voters in Xinyu."
QUEUE_TEXT = "Zhang Kai told reporters he would stand again in the spring."
QUEUE_CHANGED = "Zhang Kai told a reporter he would stand again in spring."

HERE = Path(__file__).resolve().parent
# What a case of a generated matrix is parametrized over.
MATRIX_AXES = (Payload, Page, AdminRoute)


def in_the_matrix(item):
    """Whether a collected test case is one case of a generated matrix of this folder."""
    if not item.path.is_relative_to(HERE):
        return False
    callspec = getattr(item, "callspec", None)
    return callspec is not None and any(
        isinstance(value, MATRIX_AXES) for value in callspec.params.values()
    )


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(items):
    for item in items:
        if in_the_matrix(item):
            item.add_marker(pytest.mark.security_matrix)


@dataclass
class AdminWorld:
    """The users, and for each model label its main record and a deletable spare."""

    users: dict
    main: dict = field(default_factory=dict)
    spare: dict = field(default_factory=dict)
    history: dict = field(default_factory=dict)  # model label -> history id of the main record
    fuzzy_passage: object = None
    clients: dict = field(default_factory=dict)  # kind -> a Client logged in as that user
    client_options: dict = field(default_factory=dict)
    reader: object = None  # a superuser's client that reads forms and makes previews

    def user(self, kind):
        return self.users.get(kind)

    def client(self, kind, *, fresh=False):
        """A client logged in as the user of `kind`; `fresh` for one whose session the
        request may end (logging out, changing the password)."""
        if not fresh:
            return self.clients[kind]
        client = Client(**self.client_options)
        if self.user(kind) is not None:
            client.force_login(self.user(kind))
        return client


def _axes_rows(model, number, **fields):
    return model.objects.create(
        user_agent="test agent",
        ip_address=f"192.0.2.{number}",
        username=f"someone{number}",
        http_accept="text/html",
        path_info="/admin/login/",
        **fields,
    )


def build_admin_world():
    """The users of every kind, and a main (and where needed a spare) record per model."""
    users = {
        "anonymous": None,
        "staff": make_user(username="staff-no-group"),
        "Editors": make_user("Editors", username="editor"),
        "Reviewers": make_user("Reviewers", username="reviewer"),
        "Importers": make_user("Importers", username="importer"),
        "superuser": make_user(username="root", superuser=True),
    }
    world = AdminWorld(users=users)
    editor = users["Editors"]

    def record(model, main, spare=None):
        world.main[model._meta.label_lower] = main
        world.spare[model._meta.label_lower] = spare or main

    record(Group, Group.objects.get(name="Editors"), Group.objects.create(name="Spare group"))
    record(User, users["staff"], make_user(username="spare-user"))
    record(
        AccessAttempt,
        _axes_rows(AccessAttempt, 1, get_data="", post_data="", failures_since_start=1),
    )
    record(AccessLog, _axes_rows(AccessLog, 2))
    record(AccessFailureLog, _axes_rows(AccessFailureLog, 3, locked_out=False))

    room = Newsroom(editor=editor, reviewer=users["Reviewers"])
    hangzhou = room.add_place("Hangzhou")
    xihu = room.add_place("Xihu", "西湖区", level=Place.Level.COUNTY, parent=hangzhou)
    record(Place, hangzhou, xihu)
    election = room.election_in(hangzhou)
    record(Election, election, room.election_in(room.add_place("Unused", "无用市", code="990200")))

    article = room.add_article(TEXT, outlet="Example Daily", url="https://example.org/liu")
    second = room.add_article(SECOND_TEXT, outlet="Second Wire", url="https://example.org/liu-2")
    spare_article = room.add_article("A report nobody cited.", outlet="Example Daily")
    record(Outlet, article.outlet, Outlet.objects.create(name="Spare Outlet", slug="spare"))
    record(Article, article, spare_article)
    record(ArticleVersion, article.versions.get())

    liu = room.add_candidate("Liu Ping", name_zh="刘萍")
    candidacy = room.stand(liu, hangzhou)
    claim = room.add_claim(liu, Property.AGE, "47", article, "47")
    room.add_claim(liu, Property.AGE, "52", second, "52")
    spare_claim = room.add_claim(liu, Property.OCCUPATION, "lawyer", article)
    record(Candidacy, candidacy)
    record(Candidate, liu, room.add_candidate("Spare Person"))
    record(Claim, claim, spare_claim)
    record(Contradiction, Contradiction.objects.get(candidate=liu))
    spare_passage = passage_create_from_quote(
        article=article, exact="runs as an independent", acting_user=editor
    )
    record(Passage, claim.passage, spare_passage)

    survivor, absorbed = room.add_candidate("Ma Survivor"), room.add_candidate("Ma Absorbed")
    record(CandidateMerge, room.merge(survivor, absorbed))
    shown = room.add_candidate("Proposal Person")
    room.publish(shown)
    proposed = candidate_update(candidate=shown, birth_year=1970, acting_user=editor).proposal
    spare = candidate_update(candidate=shown, gender="female", acting_user=editor).proposal
    record(CandidateProposal, proposed, spare)
    room.add_candidate("Xu Yan")  # merged with the spare person by the CSRF tests
    # A long task running for its owner, the reviewer (who may cancel it).
    record(
        TaskRun,
        TaskRun.objects.create(
            kind="passages_reanchor_all",
            label="Re-anchor every passage",
            owner=users["Reviewers"],
            state=TaskRun.State.RUNNING,
        ),
    )

    queue_article = room.add_article(QUEUE_TEXT, outlet="Third Wire")
    passage_create_from_quote(article=queue_article, exact="told reporters he", acting_user=editor)
    article_set_text(article=queue_article, text=QUEUE_CHANGED, acting_user=editor)
    world.fuzzy_passage = queue_article.passages.get()
    assert world.fuzzy_passage.anchor_status == AnchorStatus.FUZZY

    for label, main in world.main.items():
        model = apps.get_model(label)
        if hasattr(model, "history"):
            world.history[label] = model.history.filter(id=main.pk).latest().history_id
    return world


@pytest.fixture(scope="module")
def _admin_world(request, django_db_setup, django_db_blocker):
    """The world, with a client per kind of user made with the test module's
    `CLIENT_OPTIONS` (`{"enforce_csrf_checks": True}` for the CSRF tests)."""
    with django_db_blocker.unblock(), unit_of_work():
        world = build_admin_world()
        settle()  # what the unit would do before committing: no tally left for a request
        world.client_options = getattr(request.module, "CLIENT_OPTIONS", {})
        # Logged in once for the module: the sessions are rows of its transaction, which
        # each test's rollback leaves as they were.
        world.reader = Client()
        world.reader.force_login(world.user("superuser"))
        for kind in KINDS:
            world.clients[kind] = Client(**world.client_options)
            if world.user(kind) is not None:
                world.clients[kind].force_login(world.user(kind))
        yield world
        transaction.set_rollback(True)


@pytest.fixture
def records(_admin_world, db):
    """The module's admin world, inside this test's own transaction."""
    return _admin_world


WRITES = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
# Where a request may write without changing the newsroom's records: its own session.
BOOKKEEPING = ("django_session",)


class Writes(CaptureQueriesContext):
    """The statements that changed rows while it was open (sessions aside)."""

    def __init__(self):
        super().__init__(connection)

    @property
    def statements(self):
        return [
            query["sql"]
            for query in self.captured_queries
            if WRITES.match(query["sql"]) and not any(t in query["sql"] for t in BOOKKEEPING)
        ]

    def __bool__(self):
        return bool(self.statements)
