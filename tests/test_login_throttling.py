"""Failed logins are throttled (django-axes): a username and address pair is locked out."""

import pytest
from django.test import override_settings

from tests.factories import make_user

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/?next=/admin/"


def attempt(client, username, password, address="203.0.113.7"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_five_failures_lock_the_pair_out_even_with_the_right_password(client):
    make_user("Editors", username="editor")
    for _ in range(4):
        assert attempt(client, "editor", "wrong").status_code == 200
    assert attempt(client, "editor", "wrong").status_code == 429
    locked = attempt(client, "editor", "pw")
    assert locked.status_code == 429
    assert b"Too many failed sign-ins" in locked.content
    assert "_auth_user_id" not in client.session


def test_the_lockout_touches_neither_other_users_nor_other_addresses(client):
    make_user("Editors", username="editor")
    make_user("Reviewers", username="reviewer")
    for _ in range(5):
        attempt(client, "editor", "wrong")
    assert attempt(client, "reviewer", "pw").status_code == 302
    client.logout()
    assert attempt(client, "editor", "pw", address="198.51.100.2").status_code == 302


def test_a_success_resets_the_count(client):
    make_user("Editors", username="editor")
    for _ in range(4):
        attempt(client, "editor", "wrong")
    assert attempt(client, "editor", "pw").status_code == 302
    client.logout()
    for _ in range(4):
        attempt(client, "editor", "wrong")
    assert attempt(client, "editor", "pw").status_code == 302


@override_settings(AXES_FAILURE_LIMIT=2)
def test_the_limit_is_a_setting(client):
    make_user("Editors", username="editor")
    attempt(client, "editor", "wrong")
    attempt(client, "editor", "wrong")
    assert attempt(client, "editor", "pw").status_code == 429
