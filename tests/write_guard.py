"""The write guard: a test fails when project code outside the services writes a record.

Every SQL statement the suite runs passes through `guard` (a database execute wrapper). An
INSERT, UPDATE or DELETE on a table of the project's apps is allowed when a service is
running (`sources.audit.in_service`), or when the code that asked for it is a test (tests
set their worlds up directly), a migration, or one of the few infrastructure modules named
in ALLOWED. Anything else, such as an admin class or a command saving a model itself, raises
`DirectWrite` naming the module and line, so the rule "every write is a service" cannot
silently break. Loaded for the whole suite as a pytest plugin (`-p tests.write_guard`).
"""

import re
import sys

import pytest
from django.db import connections
from django.db.backends.signals import connection_created

from sources.audit import in_service

# Tables of the project's own apps; the history tables of django-simple-history included.
PROJECT_TABLES = re.compile(
    r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?((?:sources|elections)_\w+)"?', re.I
)

# Modules that write without a service, and why.
ALLOWED = {
    # The public-cache generation row is infrastructure, bumped by triggers and created once.
    "elections.cache": "the public-cache generation row",
    # Kept public tallies are derived from the record, in the transaction that changed it.
    "elections.tallies": "the public tallies settled from the record",
    # The log of public changes is written as the tallies are settled, from the same diff.
    "elections.changes": "the log of the public record's changes, settled with the tallies",
    # SQLite's full-text index is infrastructure, filled from the articles table itself.
    "sources.search": "the full-text index rebuilt from the articles",
    # A restore replaces the whole database from a backup file.
    "sources.backups": "restoring a backup",
    # The guard's own tests write on purpose from modules named like project code.
    "tests.guarded_code": "the guard's own tests",
}


class DirectWrite(AssertionError):
    """A record was written by project code outside every service."""


def writer_outside_services():
    """The "module:line" of the project code that asked for the current write, or None.

    Walks outward from the database call. Django and other libraries are passed over, and so
    are model modules (a model's `save` runs for whoever called it); the first other frame
    decides: tests, migrations and ALLOWED modules may write, any other project module may
    not.
    """
    frame = sys._getframe(2)
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        root = module.split(".", 1)[0]
        if root == "tests" and module not in ALLOWED:
            return None
        if root in ("sources", "elections", "config"):
            if ".migrations." in module or module in ALLOWED:
                return None
            if not (module.endswith(".models") or ".models." in module):
                return f"{module}:{frame.f_lineno} ({frame.f_code.co_name})"
        frame = frame.f_back
    return None


def guard(execute, sql, params, many, context):
    if not in_service():
        match = PROJECT_TABLES.match(sql)
        if match and match.group(1) != "elections_publicstate":
            writer = writer_outside_services()
            if writer is not None:
                raise DirectWrite(
                    f"{writer} writes {match.group(1)} outside a service: every write goes "
                    "through a function of sources.services or elections.services."
                )
    return execute(sql, params, many, context)


def _install(connection, **_signal):
    if guard not in connection.execute_wrappers:
        connection.execute_wrappers.append(guard)


@pytest.fixture(autouse=True, scope="session")
def _write_guard():
    """Watch every connection of the session, those opened later (servers' threads) too."""
    connection_created.connect(_install, dispatch_uid="sourcebook-write-guard")
    for connection in connections.all(initialized_only=True):
        _install(connection)
    yield
    connection_created.disconnect(dispatch_uid="sourcebook-write-guard")


@pytest.fixture(autouse=True)
def _write_guard_on_this_thread():
    """Connections are per thread; make sure the test's own ones are watched."""
    for connection in connections.all(initialized_only=True):
        _install(connection)
