"""The claims CSV: every public claim with its citation, safe to open in a spreadsheet."""

import csv
import io

import pytest
from django.core.cache import caches
from django.utils import translation

from elections.models import Claim, Contradiction, Property
from elections.services import claim_update, claim_verify, contradiction_resolve
from sources.spreadsheets import neutralize_cell
from tests.factories import make_article, make_candidacy, make_candidate, make_claim
from tests.newsroom import fixtures

pytestmark = pytest.mark.django_db

# The records of the public site, built once for this module.
_newsroom, newsroom = fixtures("public site")


def fetch_csv(client):
    response = client.get("/export/claims.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="claims.csv"'
    return b"".join(response.streaming_content)


def rows_of(body):
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def test_csv_starts_with_a_bom_so_that_excel_reads_utf8(client, newsroom):
    body = fetch_csv(client)

    assert body.startswith(b"\xef\xbb\xbfcandidate_slug,")
    assert "刘萍".encode() in body


def test_csv_has_one_row_per_public_claim_with_its_citation(client, newsroom):
    rows = rows_of(fetch_csv(client))
    public = Claim.objects.public().standing()

    assert len(rows) == public.count() == 8
    age = next(row for row in rows if row["property"] == "age" and row["value"] == "47")
    assert age == {
        "candidate_slug": "liu-ping",
        "candidate_name": "Liu Ping",
        "candidate_name_zh": "刘萍",
        "property": "age",
        "value": "47",
        "normalized_value": newsroom.liu_age.value_key,
        "as_of": "2011-06-20",
        "outlet": "Example Daily",
        "article_title": "Candidates outside the capital",
        "article_date": "2011-06-20",
        "article_url": "https://example.org/reports/1",
        "article_page": f"http://testserver/articles/{newsroom.daily.pk}/",
        "quote": "47",
        "verified_at": newsroom.liu_age.reviewed_at.isoformat(),
        "disputed": "true",
    }
    city = next(
        row for row in rows if row["candidate_slug"] == "liu-ping" and row["property"] == "city"
    )
    assert city["normalized_value"] == "Xinyu (新余市)"
    wire = next(row for row in rows if row["outlet"] == "Second Wire")
    assert wire["article_date"] == "2011-09"
    assert wire["article_url"] == ""


def test_csv_says_which_claims_outlets_dispute(client, newsroom):
    def disputed():
        return {
            (row["candidate_slug"], row["property"], row["value"]): row["disputed"]
            for row in rows_of(fetch_csv(client))
        }

    before = disputed()
    contradiction_resolve(
        contradiction=Contradiction.objects.get(candidate=newsroom.liu, status="open"),
        verdict=Contradiction.Verdict.NOT_CONTRADICTION,
        note="Both ages can hold.",
        acting_user=newsroom.reviewer,
    )
    after = disputed()

    assert before[("liu-ping", "age", "47")] == before[("liu-ping", "age", "52")] == "true"
    assert before[("xu-yan", "city", "Hangzhou")] == "true"
    assert before[("liu-ping", "city", "新余市")] == "false"
    assert set(before.values()) == {"true", "false"}
    assert after[("liu-ping", "age", "47")] == after[("liu-ping", "age", "52")] == "false"
    assert after[("xu-yan", "city", "Hangzhou")] == "true"


def test_csv_leaves_out_unverified_rejected_overruled_and_unpublished_claims(client, newsroom):
    body = fetch_csv(client).decode("utf-8-sig")

    assert "steelworker" not in body
    assert "retired worker" not in body
    assert "Hongzhou" not in body
    assert "Hidden Person" not in body
    assert "Quiet Outlet" not in body


def test_a_claim_changed_after_verification_leaves_the_csv_until_verified_again(client, newsroom):
    claim_update(claim=newsroom.xu_city, acting_user=newsroom.editor, value="Ningbo")

    body = fetch_csv(client).decode("utf-8-sig")
    assert "Ningbo" not in body
    assert ",city,Hangzhou," not in body


def test_every_cell_that_a_spreadsheet_would_run_is_neutralized(client, newsroom):
    text = '=HYPERLINK("http://evil.example") was quoted; +1 more; -2 less; @SUM(A1)'
    article = make_article(text, outlet="=cmd|' /C calc'!A0", title="@title")
    for value in ('=HYPERLINK("http://evil.example")', "+1 more", "-2 less", "@SUM(A1)"):
        claim = make_claim(newsroom.xu, Property.PLATFORM, value, article, by=newsroom.editor)
        claim_verify(claim=claim, acting_user=newsroom.reviewer)

    rows = [row for row in rows_of(fetch_csv(client)) if row["property"] == "platform"]

    assert sorted(row["value"] for row in rows) == [
        "'+1 more",
        "'-2 less",
        '\'=HYPERLINK("http://evil.example")',
        "'@SUM(A1)",
    ]
    assert {row["outlet"] for row in rows} == {"'=cmd|' /C calc'!A0"}
    assert {row["article_title"] for row in rows} == {"'@title"}
    assert all(row["quote"][0] == "'" for row in rows)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+86 10 1234", "'+86 10 1234"),
        ("-5", "'-5"),
        ("@cmd", "'@cmd"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("＝1+1", "'＝1+1"),
        ("Xu Yan", "Xu Yan"),
        ("刘萍", "刘萍"),
        ("", ""),
        ("a=b", "a=b"),
        (27, 27),
        (None, None),
    ],
)
def test_neutralize_cell(value, expected):
    assert neutralize_cell(value) == expected


def test_csv_reads_the_same_number_of_queries_for_ten_times_the_claims(
    client, newsroom, django_assert_num_queries
):
    # The generation and the built export looked for (none here), the place names, the rows.
    with django_assert_num_queries(5) as few:
        fetch_csv(client)
    article = make_article(
        " ".join(f"point{number}end" for number in range(60)), outlet="Bulk Wire"
    )
    candidate = newsroom.liu
    for number in range(60):
        claim = make_claim(candidate, Property.PLATFORM, f"point{number}end", article)
        claim_verify(claim=claim, acting_user=newsroom.reviewer)
    other = make_candidate("Chen Extra")
    make_candidacy(other, newsroom.xu_run.election)

    with django_assert_num_queries(5):
        body = fetch_csv(client)
    assert len(rows_of(body)) == 68
    assert len(few.captured_queries) == 5


def test_the_csv_is_streamed(client, newsroom):
    response = client.get("/export/claims.csv")

    assert response.streaming


@pytest.mark.parametrize("url", ["/export/claims.csv", "/export/popolo.json"])
def test_exports_only_read(client, newsroom, url):
    response = client.post(url)

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


def _export_bytes(client, url, **headers):
    for cache in caches.all():
        cache.clear()
    response = client.get(url, **headers)
    assert response.status_code == 200
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


@pytest.fixture
def marked_chinese(monkeypatch):
    """Every translated word marked while a Chinese language is active, so that a label
    that follows the request's language shows even before the catalogs are filled in."""
    real = translation._trans.gettext

    def gettext(message):
        text = real(message)
        return f"[zh]{text}" if translation.get_language().startswith("zh") else text

    monkeypatch.setattr(translation._trans, "gettext", gettext)


@pytest.mark.parametrize("url", ["/export/popolo.json", "/export/claims.csv"])
def test_open_data_exports_are_the_same_bytes_in_every_language(
    client, newsroom, marked_chinese, url
):
    english = _export_bytes(client, url, HTTP_ACCEPT_LANGUAGE="en")

    assert _export_bytes(client, url, HTTP_ACCEPT_LANGUAGE="zh-CN") == english
    assert _export_bytes(client, url, HTTP_ACCEPT_LANGUAGE="zh-TW") == english
    client.cookies["django_language"] = "zh-hans"
    assert _export_bytes(client, url) == english
