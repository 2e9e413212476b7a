"""Anonymous public reads on a read replica, on PostgreSQL outside the test transaction.

The "replica" here is a copy of the test database taken at one moment (pg_dump into a second
database): a replica that lags by everything written after the copy. To see which database a
page was read from, the copy's candidate is renamed there with triggers off (as replication
applies rows: `session_replication_role = replica`), so the copy still has the primary's
public generation but shows another name. Streaming replication itself is the cluster leg's.
"""

import copy
import os
import subprocess

import psycopg
import pytest
from django.db import connection, connections
from django.db.utils import load_backend

from config import replicas
from elections.models import Property
from elections.services import candidate_publish, candidate_withdraw, claim_verify
from tests.factories import make_article, make_candidate, make_claim

pytestmark = [pytest.mark.production, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

REPLICA = "replica1"


def _server(settings):
    return {
        "host": settings["HOST"] or "127.0.0.1",
        "port": str(settings["PORT"] or 5432),
        "user": settings["USER"],
        "password": settings["PASSWORD"] or "",
    }


def _psql_env(server):
    return {**os.environ, "PGPASSWORD": server["password"]}


@pytest.fixture
def lagging_copy(monkeypatch):
    """A copy of the test database as it is now, connected as the alias `replica1`."""
    primary = connection.settings_dict
    server = _server(primary)
    name = f"{primary['NAME']}_replica"
    admin = psycopg.connect(
        dbname="postgres",
        host=server["host"],
        port=server["port"],
        user=server["user"],
        password=server["password"],
        autocommit=True,
    )
    admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.execute(f'CREATE DATABASE "{name}"')
    connection.close()  # everything written so far is committed: the copy has it all
    args = ["-h", server["host"], "-p", server["port"], "-U", server["user"]]
    dump = subprocess.run(
        ["pg_dump", *args, "--no-owner", primary["NAME"]],
        check=True,
        capture_output=True,
        env=_psql_env(server),
    )
    subprocess.run(
        ["psql", *args, "-q", "-v", "ON_ERROR_STOP=1", "-d", name],
        input=dump.stdout,
        check=True,
        capture_output=True,
        env=_psql_env(server),
    )
    # Made here, not from settings: Django's test isolation lets such a connection through.
    settings_dict = copy.deepcopy(primary)
    settings_dict["NAME"] = name
    connections[REPLICA] = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(
        settings_dict, REPLICA
    )
    monkeypatch.setattr(replicas, "replica_aliases", lambda: [REPLICA])
    monkeypatch.setattr("elections.cache.replica_aliases", lambda: [REPLICA])
    try:
        yield name
    finally:
        connections[REPLICA].close()
        del connections[REPLICA]
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()


def _on_copy(sql, params=()):
    """Write `sql` on the copy as replication would: without firing its triggers."""
    with connections[REPLICA].cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        cursor.execute(sql, params)
        cursor.execute("SET session_replication_role = origin")


@pytest.fixture
def published(editor, reviewer):
    candidate = make_candidate("Liu Bo", slug="liu-bo")
    article = make_article("Liu Bo, a lawyer in Shenzhen, will stand.", outlet="Harbour Daily")
    claim = make_claim(candidate, Property.OCCUPATION, "lawyer", article, by=editor)
    claim_verify(claim=claim, acting_user=reviewer)
    candidate_publish(candidate=candidate, acting_user=reviewer)
    return candidate


def test_anonymous_pages_are_read_from_a_replica_that_has_every_public_change(
    published, lagging_copy, client, settings
):
    settings.SOURCEBOOK_PUBLIC_CACHE = False
    _on_copy("UPDATE elections_candidate SET display_name = %s WHERE slug = 'liu-bo'", ["Copy"])

    page = client.get("/candidates/liu-bo/").content.decode()

    assert "Copy" in page  # read on the replica


def test_a_withdrawal_leaves_the_site_at_once_while_the_replica_lags(
    published, lagging_copy, client, reviewer, settings
):
    settings.SOURCEBOOK_PUBLIC_CACHE = True
    _on_copy("UPDATE elections_candidate SET display_name = %s WHERE slug = 'liu-bo'", ["Copy"])
    replicas._failed_until.clear()
    # Rendered on the replica, and cached: warm.
    assert "Copy" in client.get("/candidates/liu-bo/").content.decode()
    assert client.get("/candidates/liu-bo/")["X-Cache"] == "hit"

    candidate_withdraw(candidate=published, acting_user=reviewer)

    # The copy still shows the candidate, and will never replay the withdrawal: it is
    # skipped, and every page is read on the primary.
    for url in ("/candidates/liu-bo/", "/api/candidates/liu-bo/"):
        assert client.get(url).status_code == 404
    listing = client.get("/candidates/").content.decode()
    assert "Liu Bo" not in listing and "Copy" not in listing
    assert REPLICA not in replicas._failed_until  # skipped as behind, not as broken


def test_logged_in_editors_and_writes_stay_on_the_primary(
    published, lagging_copy, client, editor, settings
):
    settings.SOURCEBOOK_PUBLIC_CACHE = False
    _on_copy("UPDATE elections_candidate SET display_name = %s WHERE slug = 'liu-bo'", ["Copy"])
    client.force_login(editor)

    page = client.get("/candidates/liu-bo/").content.decode()

    assert "Copy" not in page and "Liu Bo" in page


def test_a_replica_that_fails_is_skipped(published, lagging_copy, client, settings):
    settings.SOURCEBOOK_PUBLIC_CACHE = False
    connections[REPLICA].close()
    connections[REPLICA].settings_dict["PORT"] = "1"  # nothing listens there
    replicas._failed_until.clear()

    assert client.get("/candidates/liu-bo/").status_code == 200
    assert REPLICA in replicas._failed_until
    replicas._failed_until.clear()
