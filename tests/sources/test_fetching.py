"""Reports fetched from their addresses: kept as fetched, within limits, never from the
server's own network unless a setting allows it; refused with nothing written."""

import hashlib
import http.server
import socket
import threading

import pytest
from django.urls import reverse

from sources import fetching
from sources.fetching import FetchRefused, fetch
from sources.models import ArchivedCopy, Article
from tests.factories import make_user
from tests.sources.test_intake_admin import PAGE

pytestmark = pytest.mark.django_db

INTAKE = reverse("admin:sources_article_intake")


class Handler(http.server.BaseHTTPRequestHandler):
    pages = {}

    def do_GET(self):
        status, headers, body = self.pages.get(self.path, (404, {}, b"not here"))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def site():
    """A web server on loopback, serving `Handler.pages`."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Handler.pages = {
        "/report.html": (200, {"Content-Type": "text/html; charset=utf-8"}, PAGE.encode()),
        "/moved": (302, {"Location": "/report.html"}, b""),
        "/big": (200, {"Content-Type": "text/html"}, b"x" * 5000),
        "/loop": (302, {"Location": "/loop"}, b""),
    }
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture
def allowed(settings):
    settings.SOURCEBOOK_FETCH_ALLOW_PRIVATE = True
    return settings


def test_a_page_is_fetched_as_it_is_with_its_digest_and_time(site, allowed):
    fetched = fetch(f"{site}/moved")

    assert fetched.final_url == f"{site}/report.html" and fetched.url == f"{site}/moved"
    assert fetched.data == PAGE.encode()
    assert fetched.sha256 == hashlib.sha256(PAGE.encode()).hexdigest()
    assert fetched.content_type.startswith("text/html") and fetched.fetched_at is not None


def test_the_server_s_own_network_is_refused(site, settings):
    settings.SOURCEBOOK_FETCH_ALLOW_PRIVATE = False

    with pytest.raises(FetchRefused, match="private or local address"):
        fetch(f"{site}/report.html")


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("10.0.0.5", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),  # a cloud's metadata service
        ("::1", False),
        ("fd00::1", False),
        ("93.184.216.34", True),
    ],
)
def test_which_addresses_are_public(monkeypatch, settings, address, public):
    settings.SOURCEBOOK_FETCH_ALLOW_PRIVATE = False
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    monkeypatch.setattr(
        fetching.socket,
        "getaddrinfo",
        lambda host, port, **kw: [(family, socket.SOCK_STREAM, 6, "", (address, port))],
    )
    if public:
        assert fetching._public_address("news.example", 80)[1] == address
    else:
        with pytest.raises(FetchRefused):
            fetching._public_address("news.example", 80)


def test_limits_schemes_and_redirect_loops(site, allowed):
    allowed.SOURCEBOOK_FETCH_MAX_BYTES = 1000
    with pytest.raises(FetchRefused, match="more than the 1,000"):
        fetch(f"{site}/big")
    with pytest.raises(FetchRefused, match="redirects"):
        fetch(f"{site}/loop")
    with pytest.raises(FetchRefused, match="answered 404"):
        fetch(f"{site}/nothing")
    for address in ("ftp://example.org/a", "file:///etc/passwd", "http://user:pw@example.org/"):
        with pytest.raises(FetchRefused):
            fetch(address)


@pytest.fixture
def editor(client):
    client.force_login(make_user("Editors"))
    return client


def test_an_editor_fetches_a_report_and_its_archived_copy_is_kept(site, allowed, editor):
    address = f"{site}/moved"

    response = editor.post(INTAKE, {"address": address, "outlet": "Harbour Daily"})

    article = Article.objects.get()
    assert response["Location"] == reverse("admin:sources_article_annotate", args=[article.pk])
    assert article.url == address and article.title == "Engineer stands"
    assert "Chen Bo, an engineer in Hangzhou" in article.text
    copy = ArchivedCopy.objects.get()
    assert (copy.article, copy.url, copy.final_url) == (article, address, f"{site}/report.html")
    assert bytes(copy.data) == PAGE.encode()
    assert copy.sha256 == hashlib.sha256(copy.data).hexdigest()

    # Fetched again: the same article, the same copy, nothing duplicated.
    editor.post(INTAKE, {"address": address, "outlet": "Harbour Daily"})
    assert Article.objects.count() == 1 and ArchivedCopy.objects.count() == 1


def test_a_private_address_is_refused_and_nothing_is_written(site, settings, editor):
    settings.SOURCEBOOK_FETCH_ALLOW_PRIVATE = False

    response = editor.post(INTAKE, {"address": f"{site}/report.html", "outlet": "Harbour Daily"})

    assert "private or local address" in response.content.decode()
    assert not Article.objects.exists() and not ArchivedCopy.objects.exists()


def test_a_page_over_the_limit_is_refused_and_nothing_is_written(site, allowed, editor):
    allowed.SOURCEBOOK_FETCH_MAX_BYTES = 1000

    response = editor.post(INTAKE, {"address": f"{site}/big", "outlet": "Harbour Daily"})

    assert "SOURCEBOOK_FETCH_MAX_BYTES" in response.content.decode()
    assert not Article.objects.exists() and not ArchivedCopy.objects.exists()


# The archived copy on the public site.


def _public_fact_with_copy(content, content_type="text/html; charset=utf-8"):
    """A published candidate with a verified claim quoting an article that has a copy."""
    from datetime import UTC, datetime

    from elections.models import Property
    from elections.services import candidate_publish, claim_verify
    from sources.audit import system_user
    from sources.fetching import Fetched
    from sources.services.archives import archived_copy_keep
    from tests.factories import make_article, make_candidate, make_claim

    article = make_article(
        "Chen Bo, an engineer in Hangzhou, will stand.",
        outlet="Harbour Daily",
        url="https://news.example/chen-bo",
    )
    candidate = make_candidate("Chen Bo")
    claim = make_claim(candidate, Property.OCCUPATION, "engineer", article, by=make_user("Editors"))
    fetched = Fetched(
        url=article.url,
        final_url=article.url,
        data=content,
        content_type=content_type,
        fetched_at=datetime(2011, 11, 2, 8, 0, tzinfo=UTC),
        sha256=hashlib.sha256(content).hexdigest(),
    )
    archived_copy_keep(article=article, fetched=fetched, acting_user=system_user())
    return article, candidate, claim, claim_verify, candidate_publish


def test_a_public_citation_links_its_archived_copy_served_sandboxed(client):
    hostile = b"<html><body><script>alert(1)</script><p>Chen Bo will stand.</p></body></html>"
    article, candidate, claim, claim_verify, candidate_publish = _public_fact_with_copy(hostile)
    archived = reverse("elections:article-archived", args=[article.pk])

    # Not public yet: no copy, no link.
    assert client.get(archived).status_code == 404
    reviewer = make_user("Reviewers")
    claim_verify(claim=claim, acting_user=reviewer)
    candidate_publish(candidate=candidate, acting_user=reviewer)

    profile = client.get(reverse("elections:candidate-detail", args=[candidate.slug]))
    assert f'href="{archived}"' in profile.content.decode()
    page = client.get(reverse("elections:article-detail", args=[article.pk])).content.decode()
    assert f'href="{archived}"' in page and "as fetched on" in page
    response = client.get(archived)
    assert response.status_code == 200 and response.content == hostile
    assert response["Content-Security-Policy"].startswith("sandbox;")
    assert "script-src" not in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Archived-SHA256"] == hashlib.sha256(hostile).hexdigest()


def test_an_archived_copy_of_an_unknown_kind_is_a_download(client):
    article, candidate, claim, claim_verify, candidate_publish = _public_fact_with_copy(
        b"\x00\x01binary", content_type="application/x-something"
    )
    reviewer = make_user("Reviewers")
    claim_verify(claim=claim, acting_user=reviewer)
    candidate_publish(candidate=candidate, acting_user=reviewer)

    response = client.get(reverse("elections:article-archived", args=[article.pk]))

    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")


def test_an_id_past_the_database_s_integers_is_missing(client):
    for pk in (0, 2**63, 10**20):
        assert client.get(f"/articles/{pk}/archived/").status_code == 404
