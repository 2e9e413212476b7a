"""What runs when nobody chose: the safe thing.

`config.wsgi` (what gunicorn serves) defaults to the production settings, which refuse to
start without their secrets; `manage.py` defaults to the local ones. The demo's logins get
known passwords only where SOURCEBOOK_DEMO_LOGINS is on (the local settings, and nothing
else: not DEBUG, not the environment).
"""

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENVIRONMENT = {
    "SECRET_KEY": "kR7#vQ2!zL9@wX4$mN6^pB8&cT1*hJ3(fG5)dS0_yU2-eA7+iO9=",
    "ALLOWED_HOSTS": "sourcebook.example",
    "DATABASE_URL": "sqlite:////tmp/sourcebook-safe-defaults.sqlite3",
}
SHOW_SETTINGS = (
    "from django.conf import settings; "
    "print(settings.SETTINGS_MODULE, settings.DEBUG, settings.SOURCEBOOK_DEMO_LOGINS)"
)


def run(arguments, **environment):
    """`python ARGUMENTS` in a process with only a server's environment plus `environment`
    (no DJANGO_SETTINGS_MODULE unless given)."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", **environment}
    return subprocess.run(
        [sys.executable, *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_wsgi_application_defaults_to_the_production_settings():
    result = run(["-c", f"import config.wsgi; {SHOW_SETTINGS}"], **PRODUCTION_ENVIRONMENT)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["config.settings.production", "False", "False"]


def test_the_wsgi_application_refuses_to_start_without_the_production_secrets():
    # What `gunicorn config.wsgi` does on a server where nothing was exported: no debug
    # pages and no published key, but a refusal naming what is missing.
    result = run(["-c", "import config.wsgi"])

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr and "DATABASE_URL" in result.stderr


def test_the_wsgi_application_keeps_a_settings_module_that_was_chosen():
    result = run(
        ["-c", f"import config.wsgi; {SHOW_SETTINGS}"],
        DJANGO_SETTINGS_MODULE="config.settings.test",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "config.settings.test"


def test_manage_py_defaults_to_the_local_settings():
    result = run(["manage.py", "shell", "--no-imports", "-c", SHOW_SETTINGS])

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["config.settings.local", "True", "True"]


@pytest.mark.parametrize("module", ["production", "test", "bench"])
def test_no_settings_but_the_local_ones_turn_the_demo_logins_on(module):
    # Not even from the environment, where a copied .env could bring it to a server.
    result = run(
        ["-c", f"import django; django.setup(); {SHOW_SETTINGS}"],
        DJANGO_SETTINGS_MODULE=f"config.settings.{module}",
        SOURCEBOOK_DEMO_LOGINS="1",
        **PRODUCTION_ENVIRONMENT,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[2] == "False"


@pytest.fixture(scope="module")
def places(django_db_setup, django_db_blocker):
    """China's divisions, loaded once for the module's runs of `load_demo --no-places`."""
    with django_db_blocker.unblock():
        call_command("load_places", verbosity=0)
        yield
        call_command("flush", interactive=False, verbosity=0)


def printed_logins(output):
    return re.findall(r"^\s+(\w+)\s+password (\S+)", output, flags=re.M)


@pytest.mark.django_db
def test_debug_alone_gives_the_demo_people_no_password(places, settings, client):
    settings.DEBUG = True
    settings.SOURCEBOOK_DEMO_LOGINS = False
    out = io.StringIO()

    call_command("load_demo", "--no-places", stdout=out)

    assert printed_logins(out.getvalue()) == []
    assert not client.login(username="admin", password="admin-local-2011")
    assert User.objects.filter(username="admin", is_superuser=True).exists()
    assert not User.objects.get(username="admin").has_usable_password()


@pytest.mark.django_db
def test_the_demo_logins_setting_gives_each_demo_person_the_printed_password(
    places, settings, client
):
    settings.DEBUG = False
    settings.SOURCEBOOK_DEMO_LOGINS = True
    out = io.StringIO()

    call_command("load_demo", "--no-places", stdout=out)

    printed = printed_logins(out.getvalue())
    assert [name for name, _ in printed] == ["editor", "reviewer", "importer", "admin"]
    for username, password in printed:
        assert client.login(username=username, password=password), username


@pytest.mark.django_db
def test_no_logins_keeps_the_demo_people_without_passwords_even_where_allowed(
    places, settings, client
):
    # How `make load` loads the demo newsroom into its PostgreSQL database.
    settings.SOURCEBOOK_DEMO_LOGINS = True

    call_command("load_demo", "--no-places", "--no-logins", stdout=io.StringIO())

    assert not client.login(username="editor", password="editor-local-2011")
