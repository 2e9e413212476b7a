"""The production leg: writes run on PostgreSQL as production runs them, then the database is read.

Every test here is `transaction=True`: no test transaction wraps the request, the command or
the service, so a row lock taken outside a transaction, a durable block nested in another, or
a write that commits only half fails here as it would in production. Each test then reads the
database: the rows, the history records naming who acted, and where public data changed, the
public-cache generation. Each module says so with
`pytestmark = [production, postgres, django_db(transaction=True)]`; the guard below keeps it so.
"""

import pytest

from tests.factories import make_user


@pytest.fixture(autouse=True)
def _outside_the_test_transaction(request):
    database = request.node.get_closest_marker("django_db")
    if not request.node.get_closest_marker("production"):
        pytest.fail("a test of the production leg is marked `production`", pytrace=False)
    if database is None or not database.kwargs.get("transaction"):
        pytest.fail("a test of the production leg runs with django_db(transaction=True)")


@pytest.fixture
def editor():
    return make_user("Editors")


@pytest.fixture
def reviewer():
    return make_user("Reviewers")


@pytest.fixture
def importer():
    return make_user("Importers")


@pytest.fixture
def superuser():
    return make_user(superuser=True)
