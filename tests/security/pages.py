"""Every page an attack could show up in, and who opens it.

`PAGES` lists each page once: its label (which test ids and failures show), who opens it
(`anonymous` for the public site, `admin` a superuser, `importer` a member of Importers),
what it answers (HTML, JSON or CSV) and the requests that open it, either one set per
payload (a profile, a claim's page) or one set for all (the home page, the queues).
`fetch_pages(world)` makes every request once and keeps what came back.
"""

import math
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.test import Client
from django.urls import reverse

from elections.models import Candidate, Claim
from sources.models import Article, Outlet

from .payloads import PAYLOADS
from .sheets import candidate_sheet, claim_sheet, export, outlet_sheet, refused_candidate_sheet
from .world import quoted


@dataclass(frozen=True)
class Request:
    url: str
    data: dict | None = None  # a POST when given

    @classmethod
    def of(cls, request):
        """A bare URL is a GET."""
        return cls(request) if isinstance(request, str) else request

    def send(self, client):
        if self.data is None:
            return client.get(self.url)
        return client.post(self.url, self.data)


@dataclass(frozen=True)
class Fetched:
    """A response, as the checks read it."""

    url: str
    status: int
    content_type: str
    headers: dict
    text: str


@dataclass(frozen=True)
class Page:
    label: str
    who: str
    kind: str  # html, json or csv
    requests: object  # (world, subject, payload) -> [Request], or (world) -> [Request]
    per_payload: bool = True
    statuses: frozenset = field(default=frozenset({200}))

    def __str__(self):
        return self.label


def _admin(name, *args, query=None):
    url = reverse(f"admin:{name}", args=args)
    return f"{url}?{urlencode(query)}" if query else url


def _pages(count, size):
    return range(1, max(1, math.ceil(count / size)) + 1)


COUNT = len(PAYLOADS)


def _claims_citing(article):
    return Claim.objects.filter(article=article).count()


def _page_size(name):
    """A page size of the public pages, read when the world is fetched (importing the public
    selectors while tests are collected would read the settings too early)."""
    from elections.public import outlets

    return getattr(outlets, name)


PAGES = [
    # The public site, per payload.
    Page("profile", "anonymous", "html", lambda w, s, p: [f"/candidates/{s.candidate.slug}/"]),
    Page(
        "search",
        "anonymous",
        "html",
        lambda w, s, p: [f"/candidates/?{urlencode({'q': p.text})}"],
    ),
    Page("outlet", "anonymous", "html", lambda w, s, p: [f"/outlets/{s.outlet.slug}/"]),
    Page("article", "anonymous", "html", lambda w, s, p: [f"/articles/{s.article.pk}/"]),
    Page(
        "not-found",
        "anonymous",
        "html",
        lambda w, s, p: [f"/candidates/{quoted(p.text)}/", f"/{quoted(p.text)}"],
        statuses=frozenset({404}),
    ),
    Page(
        "api-detail",
        "anonymous",
        "json",
        lambda w, s, p: [f"/api/candidates/{s.candidate.slug}/"],
    ),
    # The public site, once for all.
    Page("home", "anonymous", "html", lambda w: ["/"], per_payload=False),
    Page(
        "candidate-list",
        "anonymous",
        "html",
        lambda w: [f"/candidates/?page={n}" for n in _pages(COUNT, 25)],
        per_payload=False,
    ),
    Page("outlets", "anonymous", "html", lambda w: ["/outlets/"], per_payload=False),
    Page(
        "outlet-citing-all",
        "anonymous",
        "html",
        # Every page of it (a page past the last shows the last): the outlet's page lists
        # OUTLET_CANDIDATES_PER_PAGE candidates at a time.
        lambda w: [
            f"/outlets/{w.typed_article.outlet.slug}/?page={n}"
            for n in _pages(COUNT + 1, _page_size("OUTLET_CANDIDATES_PER_PAGE"))
        ],
        per_payload=False,
    ),
    Page(
        "article-citing-all",
        "anonymous",
        "html",
        lambda w: [
            f"/articles/{w.typed_article.pk}/?page={n}"
            for n in _pages(_claims_citing(w.typed_article), _page_size("ARTICLE_CLAIMS_PER_PAGE"))
        ],
        per_payload=False,
    ),
    Page(
        "api-list",
        "anonymous",
        "json",
        lambda w: [f"/api/candidates/?page_size=100&page={n}" for n in _pages(COUNT, 100)],
        per_payload=False,
    ),
    Page("popolo", "anonymous", "json", lambda w: ["/export/popolo.json"], per_payload=False),
    Page("claims-csv", "anonymous", "csv", lambda w: ["/export/claims.csv"], per_payload=False),
    Page(
        "admin-export",
        "admin",
        "csv",
        lambda w: [Request(*export(w, model)) for model in (Candidate, Claim, Outlet, Article)],
        per_payload=False,
    ),
    # The admin, per payload.
    Page(
        "annotate",
        "admin",
        "html",
        lambda w, s, p: [_admin("sources_article_annotate", s.article.pk)],
    ),
    Page(
        "annotate-candidate-search",
        "admin",
        "json",
        lambda w, s, p: [_admin("sources_article_annotate_candidates", query={"q": p.text})],
    ),
    Page(
        "annotate-value-suggestion",
        "admin",
        "json",
        lambda w, s, p: [
            _admin(
                "sources_article_annotate_suggest",
                s.article.pk,
                query={"property": "occupation", "exact": p.text},
            ),
            _admin(
                "sources_article_annotate_suggest",
                s.article.pk,
                query={"property": "age", "value": p.text},
            ),
        ],
    ),
    Page(
        "claim",
        "admin",
        "html",
        lambda w, s, p: [_admin("elections_claim_change", s.waiting[0].pk)],
    ),
    Page(
        "contradiction",
        "admin",
        "html",
        lambda w, s, p: [
            _admin("elections_contradiction_change", s.open.pk),
            _admin("elections_contradiction_change", s.resolved.pk),
            _admin("elections_contradiction_change", s.reopened.pk),
        ],
    ),
    Page(
        "passage-change",
        "admin",
        "html",
        lambda w, s, p: [_admin("sources_passage_change", s.passage.pk)],
    ),
    # The admin, once for all.
    Page(
        "annotate-all",
        "admin",
        "html",
        lambda w: [_admin("sources_article_annotate", w.typed_article.pk)],
        per_payload=False,
    ),
    Page(
        "article-change-all",
        "admin",
        "html",
        lambda w: [_admin("sources_article_change", w.typed_article.pk)],
        per_payload=False,
    ),
    Page(
        "candidate-change-all",
        "admin",
        "html",
        lambda w: [_admin("elections_candidate_change", w.hub_candidate.pk)],
        per_payload=False,
    ),
    Page(
        "place-change-all",
        "admin",
        "html",
        lambda w: [_admin("elections_place_change", w.hub_place.pk)],
        per_payload=False,
    ),
    Page(
        "outlet-admin-list",
        "admin",
        "html",
        lambda w: [
            _admin("sources_outlet_changelist", query={"p": n}) for n in _pages(COUNT + 3, 100)
        ],
        per_payload=False,
    ),
    Page(
        "review-queue",
        "admin",
        "html",
        lambda w: [
            _admin("elections_claim_changelist", query={"state__exact": "unverified", "p": n})
            for n in _pages(2 * COUNT, 100)
        ],
        per_payload=False,
    ),
    Page(
        "contradictions-queue",
        "admin",
        "html",
        lambda w: [
            _admin("elections_contradiction_changelist", query={"status": status, "p": n})
            for status in ("open", "resolved")
            for n in _pages(COUNT, 100)
        ],
        per_payload=False,
    ),
    Page(
        "candidate-admin-list",
        "admin",
        "html",
        lambda w: [
            _admin("elections_candidate_changelist", query={"p": n}) for n in _pages(COUNT, 100)
        ],
        per_payload=False,
    ),
    Page(
        "passage-queue",
        "admin",
        "html",
        lambda w: [_admin("sources_passage_queue", query={"page": n}) for n in _pages(COUNT, 50)],
        per_payload=False,
    ),
    Page(
        "passage-list",
        "admin",
        "html",
        lambda w: [
            _admin("sources_passage_changelist", query={"p": n}) for n in _pages(3 * COUNT, 100)
        ],
        per_payload=False,
    ),
    Page(
        "import-preview",
        "importer",
        "html",
        lambda w: [Request(*sheet(w)) for sheet in (candidate_sheet, claim_sheet, outlet_sheet)],
        per_payload=False,
    ),
    Page(
        "import-refused",
        "importer",
        "html",
        lambda w: [Request(*refused_candidate_sheet(w))],
        per_payload=False,
    ),
]
BY_LABEL = {page.label: page for page in PAGES}


def _fetched(url, response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return Fetched(
        url=url,
        status=response.status_code,
        content_type=response.get("Content-Type", ""),
        headers=dict(response.headers),
        text=content.decode("utf-8"),
    )


def fetch_pages(world):
    """{label: {payload name (None for a page of all): [Fetched]}} for every page of PAGES."""
    clients = {"anonymous": Client()}
    for who, user in (("admin", world.admin), ("importer", world.importer)):
        clients[who] = Client()
        clients[who].force_login(user)
    fetched = {}
    for page in PAGES:
        client = clients[page.who]
        if page.per_payload:
            batches = {p.name: page.requests(world, world.subjects[p.name], p) for p in PAYLOADS}
        else:
            batches = {None: page.requests(world)}
        fetched[page.label] = {
            key: [_fetched(Request.of(r).url, Request.of(r).send(client)) for r in requests]
            for key, requests in batches.items()
        }
    return fetched
