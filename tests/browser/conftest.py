"""Fixtures that drive Debian's Chromium through Playwright's sync API against `live_server`.

The browser is the one apt installs at /usr/bin/chromium; Playwright never downloads its
own. A failing test leaves a screenshot in test-artifacts/, and every page collects the
console errors and uncaught exceptions it saw, for the test to assert on.
"""

import re
import shutil
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission, User

from tests.conftest import CHROMIUM, missing

ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
EDITOR_PASSWORD = "browser-test-password-5d1"
TIMEOUT_MS = 15_000


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the whole run, with Django's async-safety check relaxed meanwhile.

    Playwright's sync API keeps an event loop running in the test's thread, which Django
    would otherwise take for async code and refuse the ORM in.
    """
    if not shutil.which(CHROMIUM):
        missing(f"needs Debian's Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
            )
            yield chromium
            chromium.close()


def _located(message):
    url = message.location.get("url", "")
    return f"{message.text} ({url})" if url else message.text


@pytest.fixture
def console_errors():
    """Console errors and uncaught exceptions of the test's pages, in order."""
    return []


@pytest.fixture
def page(request, browser, live_server, console_errors):
    """A fresh browser page on the live server; a screenshot is kept when the test fails."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    # The site has no favicon; the browser's own request for one is not the page's error.
    context.route("**/favicon.ico", lambda route: route.fulfill(status=204, body=""))
    tab = context.new_page()
    tab.on("console", lambda m: m.type == "error" and console_errors.append(_located(m)))
    tab.on("pageerror", lambda error: console_errors.append(str(error)))
    yield tab
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
        tab.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    context.close()


def staff_with(username, password, codenames, apps=("elections", "sources")):
    """A staff member holding `codenames` of `apps` directly: the live server's database is
    emptied between tests, and with it the groups the roles migration creates."""
    user = User.objects.create_user(username, password=password, is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label__in=apps, codename__in=codenames)
    )
    return user


def log_in(page, user, password):
    """Sign `user` in through the admin's own login form (signing out whoever was in)."""
    page.context.clear_cookies()
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/admin/$"))
    return page


@pytest.fixture
def editor(transactional_db):
    """A staff member who may read articles and select passages in them, and nothing more."""
    user = User.objects.create_user("browser-editor", password=EDITOR_PASSWORD, is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="sources",
            codename__in=["annotate_article", "view_article", "view_passage"],
        )
    )
    return user


@pytest.fixture
def logged_in_page(page, editor):
    """`page`, logged in as `editor` through the admin's own login form."""
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(editor.username)
    page.get_by_label("Password").fill(EDITOR_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/admin/$"))
    return page
