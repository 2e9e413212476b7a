"""A reviewer merges two candidates and undoes it over HTTP, through gunicorn under the
production settings, on a PostgreSQL database made and migrated for this test alone.

The server, the database helpers and the HTTP client are the load run's (`tests.load`): the
client speaks as a browser behind the TLS-terminating proxy (X-Forwarded-Proto: https), so
secure cookies, HSTS and the strict CSRF checks all apply. The database is read directly
afterwards: the merge row, the absorbed record, and the history naming the reviewer.
"""

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import psycopg
import pytest

from tests.load.__main__ import ROOT, Server, create_database, drop_database, free_port
from tests.load.client import Client

pytestmark = [pytest.mark.production, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

# The newsroom the server starts with, written by the factories under the production settings
# (so passwords are hashed as the server checks them). Prints what the test needs to know.
SETUP = """
import json, secrets
from tests.factories import make_candidate, make_user
reviewer = make_user("Reviewers", username="reviewer-on-gunicorn")
password = secrets.token_urlsafe(16)
reviewer.set_password(password)
reviewer.save()
xu = make_candidate("Xu Yan", name_zh="徐琰")
ruiyan = make_candidate("Xu Ruiyan", name_zh="徐瑞琰")
print(json.dumps({"reviewer": [reviewer.pk, reviewer.username, password],
                  "survivor": xu.pk, "absorbed": ruiyan.pk}))
"""


def server_url():
    """The PostgreSQL server of this test run's database, without a database name."""
    url = urlsplit(os.environ.get("DATABASE_URL", ""))
    if url.hostname not in ("127.0.0.1", "localhost", "::1"):
        pytest.skip("makes a database of its own only on a PostgreSQL server on this machine")
    return f"{url.scheme}://{url.netloc}"


@pytest.fixture
def served():
    """gunicorn under production settings on a fresh, migrated database: (server, url, data)."""
    base = server_url()
    name = create_database(base)
    database_url = f"{base}/{name}"
    server = Server(database_url, free_port(), workers=2)
    try:
        manage(server, "migrate", "--noinput", "-v0")
        data = json.loads(manage(server, "shell", "-c", SETUP).strip().splitlines()[-1])
        server.collect_static()
        server.start()
        yield server, database_url, data
    finally:
        server.stop()
        drop_database(base, name)


def manage(server, *arguments):
    """`manage.py` with the server's environment (the production settings), as a release runs."""
    done = subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=server.environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def post(client, path, pairs, *, page):
    """POST `pairs` as a form, with the CSRF token the form on `page` carries."""
    token = Client.csrf_in(page)
    assert token, f"no CSRF token in the page before POST {path}"
    body = urlencode([("csrfmiddlewaretoken", token), *pairs]).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    return client.request("POST", path, body=body, headers=headers)


def log_tail(server):
    return Path(server.log.name).read_text(encoding="utf-8", errors="replace")[-4000:]


def login(client, username, password):
    status, _, page, _ = client.get("/admin/login/")
    assert status == 200
    status, headers, _, _ = post(
        client,
        "/admin/login/?next=/admin/",
        [("username", username), ("password", password), ("next", "/admin/")],
        page=page,
    )
    assert status == 302 and headers["Location"] == "/admin/", "the reviewer could not log in"


def test_a_reviewer_merges_and_undoes_over_http_behind_gunicorn(served):
    server, database_url, data = served
    reviewer_id, username, password = data["reviewer"]
    survivor, absorbed = data["survivor"], data["absorbed"]
    client = Client("127.0.0.1", server.port, timeout=60)
    candidates = "/admin/elections/candidate/"
    selection = [("_selected_action", survivor), ("_selected_action", absorbed)]

    login(client, username, password)
    status, _, page, _ = client.get(candidates)
    assert status == 200
    status, _, page, _ = post(
        client, candidates, [("action", "merge_candidates"), *selection], page=page
    )
    assert status == 200 and b"Record that survives" in page
    status, headers, _, _ = post(
        client,
        candidates,
        [
            ("action", "merge_candidates"),
            *selection,
            ("confirm", "yes"),
            ("survivor", survivor),
            ("note", "One person: the same phone number in both reports."),
        ],
        page=page,
    )
    assert status == 302, f"the merge answered {status}:\n{log_tail(server)}"
    assert headers["Location"] == f"{candidates}{survivor}/change/"

    with psycopg.connect(database_url, autocommit=True) as database:
        merge, performed_by = database.execute(
            "select id, performed_by_id from elections_candidatemerge"
        ).fetchone()
        merged_into = database.execute(
            "select merged_into_id from elections_candidate where id = %s", [absorbed]
        ).fetchone()[0]
    assert (performed_by, merged_into) == (reviewer_id, survivor)

    merge_page = f"/admin/elections/candidatemerge/{merge}/change/"
    undo = f"/admin/elections/candidatemerge/{merge}/undo/"
    status, _, page, _ = client.get(merge_page)
    assert status == 200 and undo.encode() in page
    # The undo asks first; its page's button confirms.
    status, _, confirmation, _ = client.get(undo)
    assert status == 200
    status, headers, _, _ = post(client, undo, [("confirm", "yes")], page=confirmation)
    assert status == 302, f"the undo answered {status}:\n{log_tail(server)}"

    with psycopg.connect(database_url, autocommit=True) as database:
        undone_by, undone_at = database.execute(
            "select undone_by_id, undone_at from elections_candidatemerge where id = %s", [merge]
        ).fetchone()
        merged_into = database.execute(
            "select merged_into_id from elections_candidate where id = %s", [absorbed]
        ).fetchone()[0]
        history = database.execute(
            "select history_user_id, history_change_reason from elections_historicalcandidate "
            "where id = %s and history_type = '~' order by history_date",
            [absorbed],
        ).fetchall()
    assert (undone_by, merged_into) == (reviewer_id, None) and undone_at is not None
    assert len(history) >= 2, "the absorbed record's merge and undo left no history"
    assert {user for user, _reason in history} == {reviewer_id}
