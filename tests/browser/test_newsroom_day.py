"""A newsroom's day in Chromium: reports in from anywhere, the desk worked with "next", and the
whole admin and the public site in 简体中文 and 繁體中文, every page checked for sideways
scrolling (at 1366 px for the admin, 390 px for the public site) and kept as a screenshot.

The texts are written for these tests; the facts follow the press, the words do not.
"""

import http.server
import importlib
import re
import threading

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse
from django.utils import translation

from elections.models import Claim, Property
from elections.services import candidate_publish, claim_verify
from sources.models import ArchivedCopy, Article
from tests.browser.conftest import ARTIFACTS, log_in
from tests.browser.test_annotate import drag_across
from tests.factories import make_article, make_candidate, make_claim
from tests.sources.test_documents import pdf

pytestmark = pytest.mark.browser

PASSWORD = "newsroom-day-password-41c"
ADMIN_WIDTH, PHONE_WIDTH = 1366, 390

SAVED_PAGE = (
    "<!DOCTYPE html><html><head><title>Engineer stands | Harbour Daily</title>"
    "<meta property='og:site_name' content='Harbour Daily'></head><body>"
    "<nav><a href='/'>Home</a></nav><article><h1>Engineer stands</h1>"
    "<p>Chen Bo, an engineer, told neighbours in Hangzhou that he would stand for the district "
    "congress this autumn.</p><p>He has the signatures the rules ask for.</p></article>"
    "<footer>Copyright Harbour Daily</footer></body></html>"
)
PDF_LINES = ["Chen Bo, 38, gathered signatures on Sunday.", "He is a candidate."]
FETCHED_PAGE = (
    "<!DOCTYPE html><html><head><title>Signatures counted | River Post</title>"
    "<meta property='og:site_name' content='River Post'></head><body><article>"
    "<h1>Signatures counted</h1><p>Officials counted the signatures Chen Bo, a bridge "
    "engineer, handed in, a clerk said on Tuesday.</p><p>The count took two days.</p></article>"
    "</body></html>"
)


def role_user(username, role):
    """A member of `role` with the role's permissions given directly (the live server's
    database is emptied between tests, and the role groups with it)."""
    roles = importlib.import_module("elections.migrations.0003_roles").ROLES
    user = User.objects.create_user(username, password=PASSWORD, is_staff=True)
    codes = [code.split(".") for code in roles[role]]
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label__in={app for app, _ in codes},
            codename__in={codename for _, codename in codes},
        )
    )
    return user


def no_sideways_scroll(page, name):
    """Keep a screenshot of `page` and fail when it scrolls sideways."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    wide, shown = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert wide <= shown, f"{name}: {wide} px wide in a {shown} px window ({page.url})"


@pytest.fixture
def report_server():
    """A local web server with one report on it (fetching is allowed to loopback here)."""

    class Report(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = FETCHED_PAGE.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Report)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/signatures-counted"
    server.shutdown()


def record_claim(page, article, words, *, prop, value):
    page.goto(reverse("admin:sources_article_annotate", args=[article.pk]))
    no_sideways_scroll(page, f"annotate-{article.pk}")
    drag_across(page, words)
    page.get_by_role("combobox", name="Find by any name").press_sequentially("Chen Bo")
    page.get_by_role("option", name=re.compile(r"^Chen Bo")).click()
    page.get_by_label("Property").select_option(label=prop)
    page.wait_for_function(
        "(words) => document.getElementById('claim_value').value === words", arg=value
    )
    page.keyboard.press("Alt+KeyR")
    page.get_by_text("(highlighted in the text)").wait_for()


def test_reports_from_a_file_a_pdf_and_an_address_are_annotated_and_cite_their_archived_copies(
    page, live_server, settings, report_server, console_errors
):
    settings.SOURCEBOOK_FETCH_ALLOW_PRIVATE = True
    editor = role_user("day-editor", "Editors")
    reviewer = role_user("day-reviewer", "Reviewers")
    chen = make_candidate("Chen Bo", name_zh="陈波")
    page.set_viewport_size({"width": ADMIN_WIDTH, "height": 900})
    log_in(page, editor, PASSWORD)

    page.goto(reverse("admin:sources_article_intake"))
    no_sideways_scroll(page, "intake")
    page.get_by_label("Files").set_input_files(
        [
            {"name": "engineer.html", "mimeType": "text/html", "buffer": SAVED_PAGE.encode()},
            {
                "name": "signatures.pdf",
                "mimeType": "application/pdf",
                "buffer": pdf(PDF_LINES, title="Signatures on Sunday"),
            },
        ]
    )
    page.get_by_label("Outlet").fill("Harbour Daily")
    page.get_by_role("button", name="Import").click()
    page.wait_for_url(re.compile(r"/admin/sources/article/$"))
    page.goto(reverse("admin:sources_article_intake"))
    page.get_by_label("Or fetch a report from its address").fill(report_server)
    page.get_by_role("button", name="Import").click()
    page.wait_for_url(re.compile(r"/annotate/$"))

    articles = {article.title: article for article in Article.objects.all()}
    assert set(articles) == {"Engineer stands", "Signatures on Sunday", "Signatures counted"}
    fetched = articles["Signatures counted"]
    assert fetched.url == report_server
    assert ArchivedCopy.objects.count() == 3
    assert bytes(ArchivedCopy.objects.get(article=fetched).data) == FETCHED_PAGE.encode()

    record_claim(page, articles["Engineer stands"], "Hangzhou", prop="city", value="Hangzhou")
    record_claim(page, articles["Signatures on Sunday"], "38", prop="age", value="38")
    record_claim(
        page,
        articles["Signatures counted"],
        "bridge engineer",
        prop="occupation",
        value="bridge engineer",
    )
    claims = list(Claim.objects.filter(candidate=chen))
    assert len(claims) == 3
    for claim in claims:
        claim_verify(claim=claim, acting_user=reviewer)
    candidate_publish(candidate=chen, acting_user=reviewer)

    page.set_viewport_size({"width": PHONE_WIDTH, "height": 844})
    page.goto(chen.get_absolute_url())
    no_sideways_scroll(page, "profile-with-archived-copies")
    archived = page.locator("a", has_text="archived copy")
    hrefs = {archived.nth(index).get_attribute("href") for index in range(archived.count())}
    assert hrefs == {
        reverse("elections:article-archived", args=[article.pk]) for article in articles.values()
    }
    for href in hrefs:
        answer = page.request.get(href)
        assert answer.status == 200
        assert "sandbox" in answer.headers["content-security-policy"]
    assert console_errors == []


def test_a_reviewer_works_the_desk_from_top_to_bottom_with_next(page, live_server, console_errors):
    editor = role_user("desk-editor", "Editors")
    reviewer = role_user("desk-reviewer", "Reviewers")
    liu = make_candidate("Liu Ping", name_zh="刘萍")
    article = make_article(
        "Liu Ping, 47, stood in Xinyu. She is a steelworker. She was barred.", outlet="Ledger"
    )
    for prop, value, quote in (
        (Property.AGE, "47", "47"),
        (Property.CITY, "Xinyu", "Xinyu"),
        (Property.OCCUPATION, "steelworker", "steelworker"),
    ):
        make_claim(liu, prop, value, article, quote, by=editor)
    page.set_viewport_size({"width": ADMIN_WIDTH, "height": 900})
    log_in(page, reviewer, PASSWORD)

    queue = page.locator("#desk-claims")
    assert queue.locator(".sb-desk-count").inner_text() == "3"
    no_sideways_scroll(page, "desk-full")
    queue.locator(".sb-desk-items a").first.click()
    for step in range(3):
        page.wait_for_url(re.compile(r"/admin/elections/claim/\d+/change/"))
        no_sideways_scroll(page, f"desk-claim-{step}")
        verify = page.get_by_role("button", name="Verify")
        reject = page.get_by_role("button", name="Reject")
        # Equal actions weigh the same.
        assert verify.bounding_box()["height"] == reject.bounding_box()["height"]
        verify.click()
        page.wait_for_load_state()
    page.wait_for_url(re.compile(r"/admin/$"))
    assert page.locator("#desk-claims .sb-desk-count").inner_text() == "0"
    assert Claim.objects.filter(state=Claim.State.VERIFIED).count() == 3
    assert console_errors == []


@pytest.fixture
def newsroom_in_use(transactional_db):
    """A published candidate with verified, cited facts, and a superuser."""
    editor = role_user("lang-editor", "Editors")
    reviewer = role_user("lang-reviewer", "Reviewers")
    admin = User.objects.create_superuser("lang-admin", "admin@example.org", PASSWORD)
    liu = make_candidate("Liu Ping", name_zh="刘萍")
    article = make_article(
        "刘萍今年四十七岁，是新余市的独立参选人。", outlet="示例日报", title="新余参选人"
    )
    claim = make_claim(liu, Property.AGE, "47", article, "四十七岁", by=editor)
    claim_verify(claim=claim, acting_user=reviewer)
    candidate_publish(candidate=liu, acting_user=reviewer)
    return {"admin": admin, "candidate": liu, "article": article, "claim": claim}


ADMIN_PAGES = [
    ("index", lambda world: reverse("admin:index"), "Your desk"),
    ("claims", lambda world: reverse("admin:elections_claim_changelist"), "Claims"),
    (
        "claim",
        lambda world: reverse("admin:elections_claim_change", args=[world["claim"].pk]),
        "Review",
    ),
    (
        "candidate",
        lambda world: reverse("admin:elections_candidate_change", args=[world["candidate"].pk]),
        "Candidates",
    ),
    ("articles", lambda world: reverse("admin:sources_article_changelist"), "Import reports"),
    (
        "annotate",
        lambda world: reverse("admin:sources_article_annotate", args=[world["article"].pk]),
        "New passage",
    ),
    ("intake", lambda world: reverse("admin:sources_article_intake"), "Or paste a report"),
    ("tasks", lambda world: reverse("admin:sources_taskrun_changelist"), "task runs"),
    (
        "disputes",
        lambda world: reverse("admin:elections_contradiction_changelist"),
        "contradictions",
    ),
]
PUBLIC_PAGES = [
    ("home", lambda world: "/", "Candidates"),
    ("candidates", lambda world: "/candidates/", "Filter and sort"),
    ("profile", lambda world: world["candidate"].get_absolute_url(), "Sources"),
    ("outlets", lambda world: "/outlets/?q=刘萍", "Search the articles"),
    ("article", lambda world: f"/articles/{world['article'].pk}/", "Outlets"),
]


@pytest.mark.parametrize("language", ["zh-hans", "zh-hant"])
def test_the_whole_admin_and_the_public_site_read_in_chinese(
    page, live_server, newsroom_in_use, console_errors, language
):
    world = newsroom_in_use
    page.set_viewport_size({"width": ADMIN_WIDTH, "height": 900})
    page.goto(reverse("choose_language", args=[language]))
    page.goto("/admin/login/")
    assert page.locator("html").get_attribute("lang") == language
    page.locator("#id_username").fill("lang-admin")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("input[type=submit]").click()
    page.wait_for_url(re.compile(r"/admin/$"))
    for name, url, english in ADMIN_PAGES:
        page.goto(url(world))
        assert page.locator("html").get_attribute("lang") == language
        with translation.override(language):
            expected = translation.gettext(english)
        assert expected != english, f"{english!r} has no {language} translation"
        assert expected.lower() in page.inner_text("body").lower(), f"{name}: {expected}"
        no_sideways_scroll(page, f"{language}-admin-{name}")

    page.set_viewport_size({"width": PHONE_WIDTH, "height": 844})
    for name, url, english in PUBLIC_PAGES:
        page.goto(url(world))
        assert page.locator("html").get_attribute("lang") == language
        with translation.override(language):
            expected = translation.gettext(english)
        assert expected != english
        assert expected in page.inner_text("body"), f"{name}: {expected}"
        # Names keep their script whatever the language.
        if name == "profile":
            assert "刘萍" in page.inner_text("body")
        no_sideways_scroll(page, f"{language}-public-{name}")
    assert console_errors == []
