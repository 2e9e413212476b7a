"""In Chromium, with every XSS payload in the data, no payload runs on any page that shows it.

The world of `tests/security/world.py` (ninety payloads in every field, loaded through the
importers, the admin and the services) is opened in Chromium: the public site's pages (the
home page, every page of the list, a search for every payload, every profile, the outlets
and the article and outlet that cite them all), and in the admin the annotate view with its
claim panel (and a candidate search typed into it), both review queues, the passage queue,
the candidate list and the import preview of a sheet uploaded through the form.

Each payload calls alert, prompt or confirm, or sets `window.__xss`. On every page: no
dialog opened, `window.__xss` stayed unset, the document (after its scripts ran) holds no
event-handler attribute and no link or frame to a `javascript:` or `data:` URL, and the
Content-Security-Policy reported no violation (so nothing was even attempted).
"""

import csv
import io
import re
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from elections.roles import sync_roles
from tests.security.payloads import PAYLOADS
from tests.security.sheets import CANDIDATE_SHEET
from tests.security.world import build_world

pytestmark = pytest.mark.browser

PASSWORD = "pw"  # what tests.factories.make_user gives every user
LIST_PAGES = -(-len(PAYLOADS) // 25)

# Recorded in the page before any of its own scripts run.
WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const where = `${event.sourceFile}:${event.lineNumber}`;
  window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} at ${where}`
  );
});
"""
# The document as the browser built it, after its scripts: what an injection would leave.
INJECTED = """
() => {
  const found = [];
  const running = /^\\s*(javascript|vbscript|data):/i;
  const urls = ["href", "src", "action", "formaction", "xlink:href", "data", "srcdoc"];
  const injected = ["iframe", "object", "embed", "base", "math", "foreignObject", "animate", "set"];
  for (const element of document.querySelectorAll("*")) {
    for (const attribute of element.attributes) {
      const name = attribute.name.toLowerCase();
      if (name.startsWith("on")) {
        found.push(`${element.tagName} ${name}=${attribute.value}`);
      } else if (urls.includes(name) && (name === "srcdoc" || running.test(attribute.value))) {
        found.push(`${element.tagName} ${name}=${attribute.value}`);
      }
    }
  }
  for (const tag of injected) {
    for (const element of document.getElementsByTagName(tag)) {
      found.push(`<${tag}> ${element.outerHTML.slice(0, 120)}`);
    }
  }
  return found;
}
"""


class Watch:
    """What a page did that a payload could have made it do."""

    def __init__(self, page):
        self.page = page
        self.dialogs = []
        self.csp_console = []
        page.context.add_init_script(WATCH)
        page.on("dialog", self._dialog)
        page.on("console", self._console)

    def _dialog(self, dialog):
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def _console(self, message):
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.csp_console.append(message.text)

    def problems(self, url):
        """Everything wrong on the page now open; clears the record for the next page."""
        page = self.page
        page.wait_for_load_state("load")
        found = [f"dialog {text}" for text in self.dialogs]
        ran = page.evaluate("window.__xss")
        if ran is not None:
            found.append(f"window.__xss set to {ran!r}")
        found += page.evaluate(INJECTED)
        found += [f"CSP: {text}" for text in page.evaluate("window.__cspViolations || []")]
        found += [f"CSP (console): {text}" for text in self.csp_console]
        self.dialogs.clear()
        self.csp_console.clear()
        return [f"{url}: {problem}" for problem in found]

    def visit(self, url):
        self.page.goto(url)
        return self.problems(url)


@pytest.fixture
def world(transactional_db, tmp_path):
    # The live server's database is emptied between tests; the roles come back with it.
    sync_roles()
    return build_world(tmp_path)


def log_in(page, user):
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/admin/$"))


def public_urls(world):
    subjects = world.subjects.values()
    return [
        "/",
        *(f"/candidates/?page={number}" for number in range(1, LIST_PAGES + 1)),
        *(f"/candidates/?{urlencode({'q': payload.text})}" for payload in PAYLOADS),
        *(f"/candidates/{subject.candidate.slug}/" for subject in subjects),
        "/outlets/",
        f"/outlets/{world.typed_article.outlet.slug}/",
        f"/articles/{world.typed_article.pk}/",
        "/no-such-page/",
    ]


def test_no_payload_runs_on_the_public_site(world, page):
    watch = Watch(page)

    problems = [problem for url in public_urls(world) for problem in watch.visit(url)]

    assert problems == []


def admin_urls(world):
    def admin(name, *args, **query):
        url = reverse(f"admin:{name}", args=args)
        return f"{url}?{urlencode(query)}" if query else url

    return [
        admin("sources_article_annotate", world.typed_article.pk),
        admin("elections_claim_changelist", state__exact="unverified"),
        admin("elections_claim_changelist", state__exact="unverified", p=2),
        admin("elections_contradiction_changelist"),
        admin("elections_contradiction_changelist", status="resolved"),
        admin("elections_contradiction_change", world.subjects[PAYLOADS[0].name].open.pk),
        admin("elections_contradiction_change", world.subjects[PAYLOADS[0].name].reopened.pk),
        admin("sources_passage_queue"),
        admin("sources_passage_queue", page=2),
        admin("elections_candidate_changelist"),
        admin("elections_candidate_change", world.hub_candidate.pk),
        admin("elections_place_change", world.hub_place.pk),
    ]


def sheet():
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CANDIDATE_SHEET)
    for number, payload in enumerate(PAYLOADS, start=1):
        name, alias = f"{payload.text} (sheet)", f"{payload.text} sheet alias"
        writer.writerow([f"sheet-{number}", name, "", alias, payload.text, "", ""])
    return out.getvalue().encode("utf-8")


def upload_sheet(page):
    """Upload a candidate sheet of payloads through the import form, to its preview."""
    page.goto(reverse("admin:elections_candidate_import"))
    page.set_input_files(
        "input[name=import_file]",
        files=[{"name": "candidates.csv", "mimeType": "text/csv", "buffer": sheet()}],
    )
    page.locator("input[type=submit]").first.click()
    page.wait_for_selector("table.import-preview")
    return page.locator("table.import-preview tr").count()


def test_no_payload_runs_in_the_admin(world, page):
    log_in(page, world.admin)
    watch = Watch(page)

    problems = [problem for url in admin_urls(world) for problem in watch.visit(url)]
    page.goto(admin_urls(world)[0])
    page.locator("#claim-candidate-search").fill("script")
    page.wait_for_selector(".claim-option")
    problems += watch.problems("the annotate view, with candidates found by the claim panel")
    previewed = upload_sheet(page)
    problems += watch.problems("the preview of an uploaded candidate sheet")

    assert page.locator(".claim-option").count() == 0  # the preview is another page
    assert previewed > len(PAYLOADS)
    assert problems == []


# The watch itself sees a payload that runs, and one the Content-Security-Policy stops.

UNSAFE_PAGE = (
    "<!doctype html><title>unsafe</title><p>"
    + "".join(p.text for p in PAYLOADS if p.name in ("script-tag", "img-onerror"))
    + "</p>"
)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, "window.__xss set to 1"),
        ({"Content-Security-Policy": "script-src 'self'"}, "CSP: script-src"),
    ],
    ids=["without-csp", "with-the-sites-csp"],
)
def test_the_watch_sees_a_payload_run_or_be_blocked(page, live_server, headers, expected):
    page.route(
        "**/unsafe-page/",
        lambda route: route.fulfill(
            status=200, content_type="text/html", headers=headers, body=UNSAFE_PAGE
        ),
    )
    watch = Watch(page)

    problems = watch.visit("/unsafe-page/")

    assert any(expected in problem for problem in problems), problems
