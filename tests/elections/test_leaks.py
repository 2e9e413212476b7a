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
from types import SimpleNamespace
from urllib.parse import quote, quote_plus, unquote_plus, urlencode, urlsplit

import pytest
from django.core.cache import caches
from django.db import transaction
from django.urls import URLResolver, get_resolver

from elections.filters import CandidateFilter
from elections.models import CandidateName, Contradiction, Property
from elections.services import (
    candidate_add_name,
    candidate_merge,
    candidate_publish,
    candidate_submit_for_review,
    candidate_withdraw,
    claim_reject,
    claim_verify,
    contradiction_flag,
    contradiction_resolve,
    place_name_add,
)
from sources.audit import system_user, unit_of_work
from sources.dates import PartialDate
from sources.models import Article, Outlet, Passage
from sources.services import article_create, outlet_for_name
from tests.factories import (
    make_article,
    make_candidacy,
    make_candidate,
    make_claim,
    make_election,
    make_place,
    make_user,
)

pytestmark = pytest.mark.django_db

HIDDEN = re.compile("quxv|曌", re.IGNORECASE)
# Visible until the cache test withdraws or rejects what carries it.
SOON_GONE = re.compile("wexq|鍪", re.IGNORECASE)
PUBLISHED_FILLERS = 27
MISSING_SLUG = "no-such-person"
MISSING_PK = 987654
# Long enough that no public passage's context (32 characters) reaches the next sentence.
GAP = " The weather that week was unremarkable across the whole of the region. "

# Every text below is written for these tests.
PUBLIC_TEXT = GAP.join(
    [
        "Liu Ping, 47, runs as an independent in Xinyu.",
        "Zhang Kai works as a lawyer in Hangzhou.",
        "An unverified aside calls her a Quxvsinger.",
        "A rejected line calls her a Quxvdancer.",
        "Another line calls her a Quxvpainter.",
        "A line soon rejected calls her a Wexqcarpenter.",
        "Zhang Kai was said to be 44 years old.",
        "刘萍的别名是曌萍。",
    ]
)
HIDDEN_TEXT = "Quxvdraft Person, 33, told Quxvpress she would stand in Quxvtown."
SOON_TEXT = "Wexqwithdrawn Person, 51, spoke to the Wexq Courier in Hangzhou."
SECOND_TEXT = "Zhang Kai, 52, said the wire got his age wrong."


@pytest.fixture(autouse=True)
def public_cache(settings):
    """The cache on, as in production, and empty: what leaks through it counts too."""
    settings.SOURCEBOOK_PUBLIC_CACHE = True
    for cache in caches.all():
        cache.clear()


@pytest.fixture(scope="module")
def _records(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), unit_of_work():
        yield build_records()
        transaction.set_rollback(True)


@pytest.fixture
def records(_records, db):
    return _records


def build_records():
    """A public record and, beside it, everything the public must not see, marked."""
    editor, reviewer = make_user("Editors"), make_user("Reviewers")
    zhejiang = make_place("Zhejiang", "浙江省", level="province", code="330000")
    hangzhou = make_place("Hangzhou", "杭州市", parent=zhejiang, code="330100")
    jiangxi = make_place("Jiangxi", "江西省", level="province", code="360000")
    xinyu = make_place("Xinyu", "新余市", parent=jiangxi, code="360500")
    quxv_province = make_place("Quxvland", "曌省", level="province", code="990000")
    quxv_town = make_place("Quxvtown", "曌城市", parent=quxv_province, code="990100")
    place_name_add(place=quxv_town, name="Quxvburg", acting_user=system_user())
    public_election = make_election(hangzhou)
    hidden_election = make_election(quxv_town)
    hidden_election.name = "Quxvtown People's Congress"
    hidden_election.notes = "Quxv election note"
    hidden_election.save()
    public_election.notes = "Quxv public election note"
    public_election.save()

    public_article = make_article(
        PUBLIC_TEXT,
        outlet="Example Daily",
        title="Independents in two provinces",
        published="2011-06-20",
        url="https://example.org/independents",
    )
    Article.objects.filter(pk=public_article.pk).update(notes="Quxv article note")
    Outlet.objects.filter(pk=public_article.outlet_id).update(notes="Quxv outlet note")
    second_article = make_article(
        SECOND_TEXT, outlet="Second Wire", title="Age questions", published="2011-07"
    )
    hidden_article = article_create(
        outlet=outlet_for_name(
            name="Quxvpress", homepage="https://quxvpress.example/", acting_user=system_user()
        ),
        title="Quxv exclusive",
        text=HIDDEN_TEXT,
        url="https://quxvpress.example/exclusive",
        byline="Quxv Byline",
        published=PartialDate(2011, 5),
        acting_user=system_user(),
    )
    soon_article = make_article(
        SOON_TEXT, outlet="Wexq Courier", title="Wexq profile", url="https://wexq.example/p"
    )

    def claim(candidate, prop, value, article, quote=None, **options):
        return make_claim(candidate, prop, value, article, quote, by=editor, **options)

    def verified(*args, **options):
        return claim_verify(claim=claim(*args, **options), acting_user=reviewer)

    # The public record.
    liu = make_candidate("Liu Ping", name_zh="刘萍", gender="female", notes="Quxv internal note")
    liu.weibo = "quxv_weibo_account"
    liu.save()
    candidate_add_name(
        candidate=liu,
        name="Liú Píng",
        kind=CandidateName.Kind.PINYIN,
        note="Quxv name note",
        acting_user=system_user(),
    )
    liu_run = make_candidacy(liu, make_election(xinyu, polling="2011-11-08"))
    liu_run.notes = "Quxv candidacy note"
    liu_run.save()
    liu_age = verified(liu, Property.AGE, "47", public_article, note="Quxv claim note")
    Passage.objects.filter(pk=liu_age.passage_id).update(note="Quxv passage note")
    verified(liu, Property.CITY, "Xinyu", public_article)
    verified(liu, Property.STATUS, "declared", public_article, "runs as an independent")
    zhang = make_candidate("Zhang Kai", gender="male")
    make_candidacy(zhang, public_election)
    verified(zhang, Property.OCCUPATION, "lawyer", public_article)
    fillers = []
    for number in range(PUBLISHED_FILLERS):
        filler = make_candidate(f"Filler Person {number:02d}")
        make_candidacy(filler, public_election)
        fillers.append(filler)

    # What must never show, on the public candidates.
    claim(liu, Property.OCCUPATION, "Quxvsinger", public_article)
    claim_reject(
        claim=claim(liu, Property.OCCUPATION, "Quxvdancer", public_article),
        acting_user=reviewer,
        reason="Quxv rejection reason",
    )
    # An overruled claim whose dispute is not public: the other side was never verified.
    painter = verified(liu, Property.OCCUPATION, "Quxvpainter", public_article)
    unverified_side = claim(liu, Property.OCCUPATION, "曌萍", public_article)
    dispute = contradiction_flag(
        claim_a=painter, claim_b=unverified_side, acting_user=editor, note="Quxv flag note"
    )
    contradiction_resolve(
        contradiction=dispute,
        verdict=Contradiction.Verdict.BOTH_WRONG,
        note="Quxv verdict note",
        acting_user=reviewer,
    )

    # Candidates the public must never see, each with a verified claim and a place of its own.
    def hidden_candidate(name, name_zh):
        candidate = make_candidate(name, name_zh=name_zh, notes="Quxv hidden note")
        candidate_add_name(candidate=candidate, name=f"{name} Other", acting_user=system_user())
        make_candidacy(candidate, hidden_election)
        verified(candidate, Property.AGE, "33", hidden_article, "33")
        verified(candidate, Property.CITY, "Quxvtown", hidden_article)
        return candidate

    draft = hidden_candidate("Quxvdraft Person", "曌草")
    in_review = hidden_candidate("Quxvreview Person", "曌审")
    candidate_submit_for_review(candidate=in_review, acting_user=editor)
    withdrawn = hidden_candidate("Quxvwithdrawn Person", "曌退")
    candidate_publish(candidate=withdrawn, acting_user=reviewer)
    candidate_withdraw(candidate=withdrawn, acting_user=reviewer, note="Quxv withdrawal")
    draft_survivor = hidden_candidate("Quxvsurvivor Person", "曌存")
    merged = hidden_candidate("Quxvmerged Person", "曌并")
    candidate_merge(survivor=draft_survivor, absorbed=merged, acting_user=reviewer)
    # Merged into a published record: its address redirects there, its notes stay internal.
    absorbed = make_candidate("Zhang K.", notes="Quxv absorbed note")

    # Public until the cache test takes it away.
    soon_withdrawn = make_candidate("Wexqwithdrawn Person", name_zh="鍪退")
    make_candidacy(soon_withdrawn, public_election)
    verified(soon_withdrawn, Property.AGE, "51", soon_article)
    soon_rejected = verified(liu, Property.OCCUPATION, "Wexqcarpenter", public_article)

    for candidate in (liu, zhang, soon_withdrawn, *fillers):
        candidate_publish(candidate=candidate, acting_user=reviewer)
    candidate_merge(survivor=zhang, absorbed=absorbed, acting_user=reviewer)
    # A public dispute between two verified ages (verified after publication, so it stays
    # open), whose flag note is internal.
    verified(zhang, Property.AGE, "44", public_article)
    verified(zhang, Property.AGE, "52", second_article)
    public_dispute = Contradiction.objects.get(candidate=zhang, property=Property.AGE)
    Contradiction.objects.filter(pk=public_dispute.pk).update(flag_note="Quxv internal flag")
    return SimpleNamespace(**locals())


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


def _with_query(path, query):
    return f"{path}?{urlencode(query)}" if query else path


# Each public URL pattern and the URLs that exercise it; a pattern missing here fails
# `test_every_public_url_pattern_is_swept`.
SWEEP = {
    "elections:home": lambda r: ["/"],
    "elections:candidate-list": lambda r: [
        _with_query("/candidates/", query) for query in list_queries(r)
    ],
    "elections:candidate-detail": lambda r: [
        f"/candidates/{slug}/" for slug in [*shown_slugs(r), MISSING_SLUG, *hidden_slugs(r)]
    ],
    "elections:outlet-list": lambda r: ["/outlets/"],
    "elections:outlet-detail": lambda r: [
        f"/outlets/{slug}/"
        for slug in (
            r.public_article.outlet.slug,
            r.second_article.outlet.slug,
            r.soon_article.outlet.slug,
            r.hidden_article.outlet.slug,
            "no-such-outlet",
        )
    ],
    "elections:article-detail": lambda r: [
        f"/articles/{pk}/"
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
    "elections:export-popolo": lambda r: ["/export/popolo.json"],
    "elections:export-claims": lambda r: ["/export/claims.csv"],
    "elections:healthz": lambda r: ["/healthz"],
}


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


def leaks(answers, marker):
    return {
        url: marker.findall(text)
        for url, (_status, _cache, text) in answers.items()
        if marker.search(text)
    }


# The tests.


def test_every_public_url_pattern_is_swept():
    assert public_url_patterns() == set(SWEEP)


def test_no_public_url_shows_anything_unpublished_or_unverified(client, records):
    urls = sweep_urls(records)

    cold = fetch_all(client, urls)
    warm = fetch_all(client, urls)

    assert leaks(cold, HIDDEN) == {}
    assert leaks(warm, HIDDEN) == {}
    # The sweep sees what it should: the public record, through the cache the second time.
    assert "刘萍" in cold["/candidates/liu-ping/"][2]
    assert "Filler Person 26" in cold["/candidates/?page=2"][2]
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
    assert not [url for url, (_status, cache, _text) in after.items() if cache == "hit"]
