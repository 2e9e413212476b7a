"""Nothing unpublished or unverified leaves through any public URL, cached or not.

The records mix a public record with everything the public must never see, each carrying a
marker: Latin text holds "Quxv", Chinese text holds "曌". Drafts, candidates in review,
withdrawn ones and one merged into a draft; unverified, rejected and overruled claims; the
outlets, articles, places and elections only they use; internal notes everywhere. Every
public URL pattern is then fetched in every form (each filter with each choice, searches for
the markers, pages, sorts, the API, both exports, the answers for unpublished addresses) and
no body or header may hold a marker. What a request itself sends (a search for a marker, an
unpublished address) may come back as typed, and is taken out before looking.
"""

import html
import json
import re
from urllib.parse import quote, quote_plus, unquote_plus, urlencode, urlsplit

import pytest
from django.core.cache import caches
from django.test import Client, override_settings
from django.urls import URLResolver, get_resolver

from elections.filters import CandidateFilter
from elections.models import Claim, DataRelease, PublicEvent
from elections.public import changes as change_selectors
from elections.public import outlets as outlet_selectors
from elections.services import candidate_withdraw, claim_reject
from elections.views import releases as release_views
from sources.audit import system_user
from sources.models import TaskRun
from sources.tasks import run_here
from tests.newsroom import fixtures

pytestmark = pytest.mark.django_db

HIDDEN = re.compile("quxv|曌", re.IGNORECASE)
# Visible until the cache test withdraws or rejects what carries it.
SOON_GONE = re.compile("wexq|鍪", re.IGNORECASE)
PUBLISHED_FILLERS = 27
MISSING_SLUG = "no-such-person"
MISSING_PK = 987654


@pytest.fixture(autouse=True)
def small_pages(monkeypatch):
    """Pages of one candidate (one fact, one dispute shown) on an outlet's page and of
    two facts on an article's, so that the records fill second and third pages."""
    monkeypatch.setattr(outlet_selectors, "OUTLET_CANDIDATES_PER_PAGE", 1)
    monkeypatch.setattr(outlet_selectors, "OUTLET_CLAIMS_PER_CANDIDATE", 1)
    monkeypatch.setattr(outlet_selectors, "OUTLET_DISPUTES_SHOWN", 1)
    monkeypatch.setattr(outlet_selectors, "ARTICLE_CLAIMS_PER_PAGE", 2)
    monkeypatch.setattr(change_selectors, "CHANGES_PER_PAGE", 5)


@pytest.fixture(autouse=True)
def public_cache(settings):
    """The cache on, as in production, and empty: what leaks through it counts too."""
    settings.SOURCEBOOK_PUBLIC_CACHE = True
    for cache in caches.all():
        cache.clear()


_records, records = fixtures("leaks", name="records", fillers=PUBLISHED_FILLERS)


# The sweep: every public URL pattern, in every form.


def list_queries(records):
    """Query strings for /candidates/ and /api/candidates/: every filter with every choice,
    choices only unpublished records have, searches (for the markers too), sorts, pages."""
    form = CandidateFilter({}).form
    queries = [{}]
    for name, field in form.fields.items():
        for value, _label in getattr(field, "choices", []):
            if value:
                queries.append({name: value})
    hidden = records.hidden_article.outlet.slug
    queries += [
        {"province": records.quxv_province.slug},
        {"city": records.quxv_town.slug},
        {"outlet": hidden},
        {"province": records.zhejiang.slug, "q": "Quxvdraft"},
        {"status": "declared", "sort": "status"},
        {"page": "2"},
        {"page": "3"},
        {"page": "2", "sort": "verified"},
    ]
    for query in (
        "Quxvdraft",
        "Quxvreview",
        "Quxvwithdrawn",
        "Quxvmerged",
        "Quxvsurvivor",
        "quxvdraftperson",
        "曌草",
        "曌萍",
        "Quxvsinger",
        "Quxvtown",
        "Wexqwithdrawn",
        "鍪退",
        "Liu Ping",
        "刘萍",
        "Zhang K.",
    ):
        queries.append({"q": query})
    return queries


def hidden_slugs(records):
    return [
        candidate.slug
        for candidate in (
            records.draft,
            records.in_review,
            records.withdrawn,
            records.draft_survivor,
            records.merged,
        )
    ]


def shown_slugs(records):
    """Addresses that answer: published profiles and a record merged into one."""
    return ["liu-ping", "zhang-kai", records.soon_withdrawn.slug, records.absorbed.slug]


def reconcile_urls(records):
    """The manifest, and batches as OpenRefine sends them: each word alone, then of each type
    with the properties a hidden record has."""
    words = (*SEARCH_WORDS, "Quxvburg", "Quxvpress", "曌城市", "Quxvland", "Zhang K.")
    batches = [{"q0": {"query": word}} for word in words]
    for kind in ("candidate", "place", "outlet"):
        properties = [
            {"pid": "province", "v": ["Quxvland", "曌省"]},
            {"pid": "birth_year", "v": 1978},
            {"pid": "wikidata", "v": "Q991"},
        ]
        batches.append(
            {
                f"q{number}": {"query": word, "type": kind, "limit": 25, "properties": properties}
                for number, word in enumerate(words)
            }
        )
    return [
        "/reconcile",
        "/reconcile?callback=answer",
        *(
            _with_query("/reconcile", {"queries": json.dumps(batch, ensure_ascii=False)})
            for batch in batches
        ),
    ]


def entity_ids(records):
    """Reconciliation ids of published and hidden candidates, places and outlets."""
    places = [records.quxv_town.slug, records.quxv_province.slug, "xinyu-360500", "no-such"]
    outlets = [records.public_article.outlet.slug, records.hidden_article.outlet.slug]
    return [
        *(f"candidate/{slug}" for slug in [*shown_slugs(records), *hidden_slugs(records)]),
        *(f"place/{slug}" for slug in places),
        *(f"outlet/{slug}" for slug in outlets),
    ]


def _with_query(path, query):
    return f"{path}?{urlencode(query)}" if query else path


# Each public URL pattern and the URLs that exercise it; a pattern missing here fails
# `test_every_public_url_pattern_is_swept`.
# Searches over the articles: the markers of hidden records, and words of every article.
SEARCH_WORDS = (
    "Quxv exclusive",
    "Quxvdraft",
    "Quxvtown",
    "曌草",
    "Wexq",
    "Liu Ping",
    "刘萍",
    "age",
)

# Pages of the outlets' and articles' pages: the second and third, and one past the end.
PAGES = ("2", "3", "99")

SWEEP = {
    "choose_language": lambda r: [
        "/language/zh-hans/?next=/outlets/",
        "/language/zh-hant/?next=/candidates/",
        "/language/xx/",
        "/language/en/?next=https://quxvpress.example/",
    ],
    "elections:home": lambda r: ["/"],
    "elections:candidate-list": lambda r: [
        _with_query("/candidates/", query) for query in list_queries(r)
    ],
    "elections:candidate-detail": lambda r: [
        f"/candidates/{slug}/" for slug in [*shown_slugs(r), MISSING_SLUG, *hidden_slugs(r)]
    ],
    "elections:outlet-list": lambda r: [
        "/outlets/",
        *(_with_query("/outlets/", {"q": word}) for word in SEARCH_WORDS),
    ],
    "elections:outlet-detail": lambda r: [
        path
        for slug in (
            r.public_article.outlet.slug,
            r.second_article.outlet.slug,
            r.soon_article.outlet.slug,
            r.hidden_article.outlet.slug,
            "no-such-outlet",
        )
        for path in (
            f"/outlets/{slug}/",
            *(f"/outlets/{slug}/?page={page}" for page in PAGES),
            *(_with_query(f"/outlets/{slug}/", {"q": word}) for word in SEARCH_WORDS),
            _with_query(f"/outlets/{slug}/", {"q": "Liu", "page": "2"}),
        )
    ],
    "elections:article-detail": lambda r: [
        path
        for pk in (
            r.public_article.pk,
            r.second_article.pk,
            r.soon_article.pk,
            r.hidden_article.pk,
            MISSING_PK,
        )
        for path in (f"/articles/{pk}/", *(f"/articles/{pk}/?page={page}" for page in PAGES))
    ],
    "elections:article-archived": lambda r: [
        f"/articles/{pk}/archived/"
        for pk in (
            r.public_article.pk,
            r.second_article.pk,
            r.soon_article.pk,
            r.hidden_article.pk,
            MISSING_PK,
        )
    ],
    "elections:api-candidate-list": lambda r: [
        _with_query("/api/candidates/", query)
        for query in [*list_queries(r), *({"page_size": 1, "page": n} for n in range(1, 33))]
    ],
    "elections:api-candidate-detail": lambda r: [
        f"/api/candidates/{slug}/" for slug in [*shown_slugs(r), MISSING_SLUG, *hidden_slugs(r)]
    ],
    # Pages of changes starting after every event, those of unpublished records too.
    "elections:changes": lambda r: [
        "/changes/",
        *(f"/changes/?before={pk + 1}" for pk in PublicEvent.objects.values_list("pk", flat=True)),
    ],
    "elections:changes-atom": lambda r: ["/changes.atom"],
    # Every file of every release, the latest's redirects, and files of no release.
    "elections:data-releases": lambda r: ["/data/", "/data/?before=1"],
    "elections:data-latest": lambda r: [f"/data/latest/{path}" for path in RELEASE_FILES],
    "elections:data-file": lambda r: [
        f"/data/{version}/{path}"
        for version in [*DataRelease.objects.values_list("version", flat=True), "2011-11-08"]
        for path in RELEASE_FILES
    ],
    "elections:api-annotations": lambda r: [
        "/api/annotations/",
        *(f"/api/annotations/?after={pk}" for pk in Claim.objects.values_list("pk", flat=True)),
        *(
            f"/api/annotations/?article={pk}"
            for pk in (
                r.public_article.pk,
                r.second_article.pk,
                r.soon_article.pk,
                r.hidden_article.pk,
                MISSING_PK,
            )
        ),
    ],
    "elections:candidate-changes": lambda r: [
        f"/candidates/{slug}/changes/" for slug in [*shown_slugs(r), MISSING_SLUG, *hidden_slugs(r)]
    ],
    "elections:export-popolo": lambda r: ["/export/popolo.json"],
    "elections:export-claims": lambda r: ["/export/claims.csv"],
    "elections:healthz": lambda r: ["/healthz"],
    "elections:export-quickstatements": lambda r: ["/export/quickstatements.txt"],
    "elections:reconcile": lambda r: reconcile_urls(r),
    "elections:reconcile-preview": lambda r: [
        _with_query("/reconcile/preview", {"id": entity}) for entity in entity_ids(r)
    ],
    "elections:reconcile-view": lambda r: [
        _with_query("/reconcile/view", {"id": entity}) for entity in entity_ids(r)
    ],
    "elections:reconcile-suggest": lambda r: [
        _with_query(f"/reconcile/suggest/{kind}", {"prefix": word, **extra})
        for kind in ("entity", "type", "property")
        for word in [*SEARCH_WORDS, "Quxvburg", "Quxvpress", "曌城市"]
        for extra in ({}, {"type": "place"}, {"type": "outlet"})
    ],
}


RELEASE_FILES = sorted(release_views.FILE_NAMES)


@pytest.fixture
def released(records):
    """A data release of the records, made as the daily schedule makes it."""
    run = run_here("data_release", owner=system_user(), arguments={"origin": "http://testserver"})
    assert run.state == TaskRun.State.SUCCEEDED, run.error


def public_url_patterns():
    """The name of every URL pattern outside the admin, from the project's resolver."""
    names = set()

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue
                inner = ":".join(part for part in (namespace, pattern.namespace) if part)
                walk(pattern.url_patterns, inner)
            else:
                name = pattern.name or str(pattern.pattern)
                names.add(f"{namespace}:{name}" if namespace else name)

    walk(get_resolver().url_patterns, "")
    return names


def sweep_urls(records):
    return [url for pattern in sorted(SWEEP) for url in SWEEP[pattern](records)]


def sent_by(url):
    """What a request carries that its answer may echo: path parts and query values."""
    parts = urlsplit(url)
    sent = [part for part in parts.path.split("/") if re.search("[a-z]", part)]
    sent += [value for _, value in re.findall(r"([^&=]+)=([^&]*)", parts.query)]
    echoes = set()
    # Digits alone are left in: taking out "2" for ?page=2 would blind the check to nothing
    # but would mangle the text around it.
    for value in (value for value in sent if re.search(r"[^\W\d_]", unquote_plus(value))):
        for form in (value, unquote_plus(value)):
            echoes |= {form, html.escape(form), quote(form), quote_plus(form)}
            echoes |= {json.dumps(form)[1:-1], json.dumps(form, ensure_ascii=False)[1:-1]}
    return sorted((echo for echo in echoes if echo), key=len, reverse=True)


def text_of(response):
    body = b"".join(response.streaming_content) if response.streaming else response.content
    headers = "\n".join(f"{name}: {value}" for name, value in response.items())
    return headers + "\n\n" + body.decode("utf-8-sig")


def fetch_all(client, urls):
    """Each URL's answer: (status, X-Cache, text with what the request sent taken out)."""
    answers = {}
    for url in urls:
        response = client.get(url)
        text = text_of(response)
        for echo in sent_by(url):
            text = re.sub(re.escape(echo), "", text, flags=re.IGNORECASE)
        answers[url] = (response.status_code, response.get("X-Cache"), text)
    return answers


def body_now(url):
    """`url`'s body as a render now gives it, past the cache."""
    with override_settings(SOURCEBOOK_PUBLIC_CACHE=False):
        response = Client().get(url)
    return b"".join(response.streaming_content) if response.streaming else response.content


def leaks(answers, marker):
    return {
        url: marker.findall(text)
        for url, (_status, _cache, text) in answers.items()
        if marker.search(text)
    }


# The tests.


def test_every_public_url_pattern_is_swept():
    assert public_url_patterns() == set(SWEEP)


def test_no_public_url_shows_anything_unpublished_or_unverified(client, records, released):
    urls = sweep_urls(records)

    cold = fetch_all(client, urls)
    warm = fetch_all(client, urls)

    assert leaks(cold, HIDDEN) == {}
    assert leaks(warm, HIDDEN) == {}
    # The sweep sees what it should: the public record, through the cache the second time.
    assert "刘萍" in cold["/candidates/liu-ping/"][2]
    assert "Filler Person 26" in cold["/candidates/?page=2"][2]
    assert "Profile published: " in cold["/changes.atom"][2]
    assert "Profile published" in cold["/candidates/liu-ping/changes/"][2]
    assert "TextQuoteSelector" in cold["/api/annotations/"][2]
    version = DataRelease.objects.get().version
    assert "zhang-kai" in cold[f"/data/{version}/claims.csv"][2]
    assert "TextQuoteSelector" in cold[f"/data/{version}/annotations.jsonld"][2]
    outlet, article = records.public_article.outlet.slug, records.public_article.pk
    assert "Candidates 2 to 2 of 2, by name." in cold[f"/outlets/{outlet}/?page=2"][2]
    assert "Facts 3 to 4 of 6," in cold[f"/articles/{article}/?page=2"][2]
    zhang = cold["/candidates/zhang-kai/"][2]
    assert "Year of birth: 2 versions" in zhang  # its unverified third version is not shown
    assert sum(cache == "hit" for _status, cache, _text in warm.values()) > len(urls) / 2


def test_search_for_a_hidden_name_finds_nothing(client, records):
    for query in ("Quxvdraft", "曌草", "quxvmergedperson", "Quxvdraft Person Other"):
        data = client.get("/api/candidates/", {"q": query}).json()

        assert data["count"] == 0, query


def test_counts_count_only_what_is_public(client, records):
    published = 3 + PUBLISHED_FILLERS

    assert client.get("/api/candidates/").json()["count"] == published
    persons = client.get("/export/popolo.json").json()["persons"]
    assert len(persons) == published
    rows = b"".join(client.get("/export/claims.csv").streaming_content).decode("utf-8-sig")
    assert len(rows.strip().splitlines()) == 1 + 8


@pytest.mark.parametrize("prefix", ["/candidates/", "/api/candidates/"])
def test_an_unpublished_profile_answers_exactly_like_one_that_does_not_exist(
    client, records, prefix
):
    missing = client.get(f"{prefix}{MISSING_SLUG}/")

    assert missing.status_code == 404
    for slug in hidden_slugs(records):
        response = client.get(f"{prefix}{slug}/")

        assert response.status_code == 404, slug
        assert response.content.replace(slug.encode(), MISSING_SLUG.encode()) == missing.content
        assert response["Content-Type"] == missing["Content-Type"]


def test_an_outlet_or_article_only_hidden_claims_cite_answers_like_a_missing_one(client, records):
    outlet = records.hidden_article.outlet.slug
    missing_outlet = client.get("/outlets/no-such-outlet/")
    hidden_outlet = client.get(f"/outlets/{outlet}/")
    missing_article = client.get(f"/articles/{MISSING_PK}/")
    hidden_article = client.get(f"/articles/{records.hidden_article.pk}/")

    assert hidden_outlet.status_code == missing_outlet.status_code == 404
    assert hidden_outlet.content.replace(outlet.encode(), b"no-such-outlet") == (
        missing_outlet.content
    )
    assert hidden_article.status_code == missing_article.status_code == 404
    assert hidden_article.content.replace(
        str(records.hidden_article.pk).encode(), str(MISSING_PK).encode()
    ) == (missing_article.content)


def test_withdrawal_and_rejection_leave_every_cached_url_at_once(client, records):
    urls = sweep_urls(records)
    before = fetch_all(client, urls)
    assert {cache for _status, cache, _text in before.values()} <= {"miss", None}
    shown = leaks(before, SOON_GONE)
    assert {"/candidates/wexqwithdrawn-person/", "/export/claims.csv"} <= shown.keys()
    assert "Wexqcarpenter" in before["/api/candidates/liu-ping/"][2]

    candidate_withdraw(candidate=records.soon_withdrawn, acting_user=records.reviewer)
    claim_reject(claim=records.soon_rejected, acting_user=records.reviewer, reason="Misread.")
    after = fetch_all(client, urls)

    assert leaks(after, SOON_GONE) == {}
    assert leaks(after, HIDDEN) == {}
    # Only pages cached under a finer key than the whole generation may stay cached: the
    # profiles of candidates neither change touched, the lists, outlets' and articles' pages
    # (elections.cache.scoped_generation); each one kept answers what a render now gives.
    changed = {records.liu.slug, records.soon_withdrawn.slug}
    kept = [url for url, (_status, cache, _text) in after.items() if cache == "hit"]
    scoped = r"(/api)?/candidates/([^/?]+/)?(\?.*)?|/outlets/[^/]+/(\?.*)?|/articles/\d+/(\?.*)?"
    assert all(re.fullmatch(scoped, url) for url in kept), kept
    assert not [url for url in kept if url.rstrip("/").rsplit("/", 1)[-1] in changed]
    for url in kept:
        assert client.get(url).content == body_now(url), url
