"""Error pages say what went wrong in a reader's words, and nothing about the machine.

With DEBUG off (the test settings), a 404, a 403, a 400 (a Host header the site does not
serve, a suspicious request) and a 500 (a view that raises, with a query, a file path and
the secret key in what it raised), on the public site and in the admin, are the site's own
pages: no traceback, no SQL, no setting, no path on the server, no secret key. The
production settings pass Django's deployment checks without a warning.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import connection
from django.test import Client
from django.urls import include, path, reverse

from config.urls import urlpatterns as site_urlpatterns
from elections.admin.claims import ClaimAdmin

ROOT = Path(__file__).resolve().parent.parent.parent
MARKER = "error-page-marker-5e81"
BROKEN_QUERY = "SELECT error_page_marker_5e81 FROM no_such_table_for_errors"


def raises_with_secrets(request):
    """A view that fails with the secret key, a path and a query in its exception."""
    raise RuntimeError(f"{MARKER} {settings.SECRET_KEY} {ROOT / 'config' / 'settings'}")


def runs_a_broken_query(request):
    with connection.cursor() as cursor:
        cursor.execute(BROKEN_QUERY)


def refuses(request):
    raise PermissionDenied(f"{MARKER} refused by {__file__}")


def is_suspicious(request):
    raise SuspiciousOperation(f"{MARKER} suspicious: {settings.DATABASES['default']['NAME']}")


# A URLconf for these tests only: the site's own URLs and views that fail on purpose.
urlpatterns = [
    path("failing/raises/", raises_with_secrets),
    path("failing/query/", runs_a_broken_query),
    path("failing/refused/", refuses),
    path("failing/suspicious/", is_suspicious),
    path("", include(site_urlpatterns)),
]

# What a page about an error must never show.
LEAKS = [
    MARKER,
    MARKER.replace("-", "_"),
    "Traceback",
    'File "',
    "no_such_table",
    "SELECT",
    "SECRET_KEY",
    "DATABASES",
    "INSTALLED_APPS",
    "Exception Value",
    "Request Method",
    "django.",
    ".py",
    str(ROOT),
    "/usr/",
    "site-packages",
]


def leaks_in(text):
    found = [leak for leak in [*LEAKS, settings.SECRET_KEY] if leak and leak in text]
    return found


def is_the_sites_page(text):
    """The public site's layout: its header link and its stylesheet."""
    return 'class="site-name"' in text and "elections/site.css" in text


@pytest.fixture
def client():
    return Client(raise_request_exception=False)


@pytest.fixture
def failing_urls(settings):
    settings.ROOT_URLCONF = __name__
    settings.DEBUG = False


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "status", "heading"),
    [
        ("/failing/raises/", 500, "Something went wrong"),
        ("/failing/query/", 500, "Something went wrong"),
        ("/failing/refused/", 403, "Not allowed"),
        ("/failing/suspicious/", 400, "Bad request"),
        ("/no/such/page/", 404, "Page not found"),
        ("/candidates/no-such-person/", 404, "Page not found"),
    ],
)
def test_an_error_page_is_the_sites_and_shows_nothing_of_the_machine(
    failing_urls, client, url, status, heading
):
    response = client.get(url)

    text = response.content.decode()
    assert response.status_code == status
    assert is_the_sites_page(text) and f"<h1>{heading}</h1>" in text
    assert leaks_in(text) == []


@pytest.mark.django_db
def test_a_host_the_site_does_not_serve_gets_the_sites_400(client):
    response = client.get("/", HTTP_HOST=f"{MARKER}.evil.example")

    text = response.content.decode()
    assert response.status_code == 400
    assert is_the_sites_page(text) and "<h1>Bad request</h1>" in text
    assert leaks_in(text) == []


@pytest.mark.django_db
def test_a_failing_admin_page_gets_the_sites_500(admin_user, client, monkeypatch):
    def fails(self, request):
        raise RuntimeError(f"{MARKER} {settings.SECRET_KEY} in {__file__}")

    monkeypatch.setattr(ClaimAdmin, "get_queryset", fails)
    client.force_login(admin_user)

    response = client.get(reverse("admin:elections_claim_changelist"))

    text = response.content.decode()
    assert response.status_code == 500
    assert is_the_sites_page(text) and "<h1>Something went wrong</h1>" in text
    assert leaks_in(text) == []


@pytest.mark.django_db
def test_an_admin_page_refused_to_a_role_gets_the_sites_403(django_user_model, client):
    staff = django_user_model.objects.create_user("no-role", password="pw", is_staff=True)
    client.force_login(staff)

    response = client.get(reverse("admin:elections_claim_changelist"))

    text = response.content.decode()
    assert response.status_code == 403
    assert is_the_sites_page(text) and "<h1>Not allowed</h1>" in text
    assert leaks_in(text) == []


@pytest.mark.django_db
def test_an_admin_page_that_does_not_exist_shows_nothing_of_the_machine(admin_user, client):
    client.force_login(admin_user)

    response = client.get(f"/admin/elections/claim/{MARKER}/change/", follow=True)

    assert leaks_in(response.content.decode().replace(MARKER, "")) == []


@pytest.mark.django_db
def test_a_refused_csrf_check_shows_nothing_of_the_machine():
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("admin:login"), {"username": MARKER, "password": "x"})

    assert response.status_code == 403
    assert leaks_in(response.content.decode()) == []
    assert "This form could not be sent" in response.content.decode()


@pytest.mark.django_db
def test_the_apis_not_found_is_json_that_shows_nothing_of_the_machine(client):
    response = client.get(f"/api/candidates/{MARKER}/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert leaks_in(response.content.decode()) == []


# The production settings, checked as `make serve` checks them.


def deploy_check(**environment):
    """`manage.py check --deploy --fail-level WARNING` under the production settings, in a
    process of its own with only the environment a server would have (none of the test
    run's, such as the browser tests' DJANGO_ALLOW_ASYNC_UNSAFE)."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "kR7#vQ2!zL9@wX4$mN6^pB8&cT1*hJ3(fG5)dS0_yU2-eA7+iO9=",
        "ALLOWED_HOSTS": "sourcebook.example",
        "DATABASE_URL": "sqlite:////tmp/sourcebook-deploy-check.sqlite3",
    }
    env.update(environment)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_production_settings_pass_the_deployment_checks():
    result = deploy_check()

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_deployment_checks_fail_on_a_weak_secret_key():
    result = deploy_check(SECRET_KEY="short")

    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


def test_the_production_settings_refuse_to_start_without_their_secrets():
    result = deploy_check(SECRET_KEY="", ALLOWED_HOSTS="")

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr and "ALLOWED_HOSTS" in result.stderr
