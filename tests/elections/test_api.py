"""The JSON API answers with published candidates and their cited facts, and nothing else."""

import json

import pytest
from django.core.cache import caches

from elections.models import Property
from elections.services import candidate_add_name, candidate_publish, claim_verify
from elections.tallies import settle
from sources.audit import system_user
from tests.factories import make_article, make_candidacy, make_candidate, make_claim
from tests.newsroom import fixtures

pytestmark = pytest.mark.django_db

_newsroom, newsroom = fixtures("public site")


@pytest.fixture(autouse=True)
def _fresh_caches():
    for cache in caches.all():
        cache.clear()


def get_json(client, url, expect=200, **params):
    response = client.get(url, params)
    assert response.status_code == expect, response.content
    assert response["Content-Type"] == "application/json"
    return response.json()


# The list.


def test_list_shows_published_candidates_with_names_places_status_and_urls(client, newsroom):
    data = get_json(client, "/api/candidates/")

    assert data["count"] == 2
    assert data["next"] is None and data["previous"] is None
    liu, xu = data["results"]
    assert liu["slug"] == "liu-ping"
    assert liu["name_zh"] == "刘萍"
    assert liu["other_names"] == ["Liú Píng"]
    assert liu["gender"] == "female"
    assert liu["places"] == [
        {
            "slug": newsroom.xinyu.slug,
            "name": "Xinyu",
            "name_zh": "新余市",
            "level": "city",
            "province": "Jiangxi",
        }
    ]
    assert liu["status"] == {"code": "barred", "label": "barred", "label_zh": "被取消资格"}
    assert liu["disputed"] is True
    assert liu["url"] == "http://testserver/api/candidates/liu-ping/"
    assert liu["html_url"] == "http://testserver/candidates/liu-ping/"
    assert xu["slug"] == "xu-yan"
    assert "Xu Ruiyan" in xu["other_names"]


def test_list_leaves_out_drafts_and_their_places(client, newsroom):
    body = client.get("/api/candidates/").content.decode()

    assert "Hidden Person" not in body
    assert "Qianjiang" not in body


def test_list_filters_and_searches_like_the_list_page(client, newsroom):
    def slugs(**params):
        return [row["slug"] for row in get_json(client, "/api/candidates/", **params)["results"]]

    assert slugs(province=newsroom.jiangxi.slug) == ["liu-ping"]
    assert slugs(city=newsroom.hangzhou.slug) == ["xu-yan"]
    assert slugs(gender="male") == ["xu-yan"]
    assert slugs(status="barred") == ["liu-ping"]
    assert slugs(outlet=newsroom.wire.outlet.slug) == ["liu-ping", "xu-yan"]
    assert slugs(q="刘萍") == ["liu-ping"]
    assert slugs(q="liu ping") == ["liu-ping"]
    assert slugs(q="ruiyan") == ["xu-yan"]
    assert slugs(q="Hidden") == []
    assert slugs(sort="name") == ["liu-ping", "xu-yan"]


def test_a_choice_only_unpublished_candidates_have_is_refused_like_a_made_up_one(client, newsroom):
    hidden = client.get("/api/candidates/", {"province": newsroom.hubei.slug})
    made_up = client.get("/api/candidates/", {"province": "atlantis"})

    assert hidden.status_code == made_up.status_code == 400
    assert hidden.json()["errors"].keys() == {"province"}
    assert hidden.content.replace(newsroom.hubei.slug.encode(), b"atlantis") == made_up.content


def test_list_paginates_with_absolute_next_and_previous_links(client, newsroom):
    first = get_json(client, "/api/candidates/", page_size=1, gender="")
    second = get_json(client, "/api/candidates/", page_size=1, page=2)

    assert first["count"] == 2
    assert [row["slug"] for row in first["results"]] == ["liu-ping"]
    assert first["next"] == "http://testserver/api/candidates/?page_size=1&gender=&page=2"
    assert first["previous"] is None
    assert [row["slug"] for row in second["results"]] == ["xu-yan"]
    assert second["previous"] == "http://testserver/api/candidates/?page_size=1&page=1"
    assert second["next"] is None


@pytest.mark.parametrize("page", ["3", "0", "last", "-1"])
def test_a_page_beyond_the_results_is_not_found(client, newsroom, page):
    data = get_json(client, "/api/candidates/", expect=404, page_size=1, page=page)

    assert data == {"detail": "Invalid page."}


@pytest.mark.parametrize("size", ["0", "101", "many"])
def test_page_size_must_be_between_one_and_a_hundred(client, newsroom, size):
    get_json(client, "/api/candidates/", expect=400, page_size=size)


def test_list_reads_a_fixed_number_of_queries_however_many_candidates(
    client, newsroom, django_assert_max_num_queries, django_assert_num_queries
):
    with django_assert_max_num_queries(8) as few:
        client.get("/api/candidates/")
    election = newsroom.liu_run.election
    for number in range(12):
        candidate = make_candidate(f"Extra Person {number}")
        make_candidacy(candidate, election)
        candidate_add_name(candidate=candidate, name=f"Extra {number}", acting_user=system_user())
        candidate_publish(candidate=candidate, acting_user=newsroom.reviewer)
    settle()  # as the unit of work these services nest in does before it commits

    with django_assert_num_queries(len(few.captured_queries)):
        data = get_json(client, "/api/candidates/", page_size=100)
    assert data["count"] == len(data["results"]) == 14


# The profile.


def test_profile_gives_every_name_form(client, newsroom):
    data = get_json(client, "/api/candidates/liu-ping/")

    assert data["names"] == [
        {"name": "Liu Ping", "kind": "display"},
        {"name": "刘萍", "kind": "zh-Hans"},
        {"name": "Liú Píng", "kind": "pinyin"},
    ]
    assert data["birth_year"] == 1964
    assert data["html_url"] == "http://testserver/candidates/liu-ping/"


def test_profile_gives_candidacies_with_dated_cited_status_steps(client, newsroom):
    (run,) = get_json(client, "/api/candidates/liu-ping/")["candidacies"]

    assert run["election"]["polling_date"] == "2011-04-15"
    assert run["election"]["place"]["name_zh"] == "新余市"
    assert run["status"]["code"] == "barred"
    declared, barred = run["steps"]
    assert declared["status"]["label_zh"] == "宣布参选"
    assert declared["date"] == "2011-03-01"
    assert declared["citation"]["outlet"]["name"] == "示例日报"
    assert barred["date"] == "2011-04"
    assert barred["citation"]["article"]["url"] == "https://example.org/reports/1"


def test_profile_facts_carry_their_citations(client, newsroom):
    facts = get_json(client, "/api/candidates/liu-ping/")["facts"]
    ages = [fact for fact in facts if fact["property"] == "age"]
    city = next(fact for fact in facts if fact["property"] == "city")

    assert [fact["value"] for fact in ages] == ["47", "52"]
    first = ages[0]["citation"]
    assert first["outlet"] == {
        "name": "Example Daily",
        "url": "http://testserver" + newsroom.daily.outlet.get_absolute_url(),
    }
    assert first["article"]["title"] == "Candidates outside the capital"
    assert first["article"]["published"] == "2011-06-20"
    assert first["article"]["page"] == f"http://testserver/articles/{newsroom.daily.pk}/"
    assert first["quote"] == "47"
    assert first["as_of"] == "2011-06-20"
    assert first["verified_at"] == newsroom.liu_age.reviewed_at.isoformat()
    assert city["normalized"] == "Xinyu (新余市)"
    assert not any(fact["property"] == "status" for fact in facts)


def test_profile_leaves_out_unverified_and_rejected_claims(client, newsroom):
    body = client.get("/api/candidates/liu-ping/").content.decode()

    assert "steelworker" not in body
    assert "retired worker" not in body


def test_disagreements_give_each_dispute_once_with_its_versions_verdict_and_note(client, newsroom):
    (resolved,) = get_json(client, "/api/candidates/xu-yan/")["disagreements"]
    (still_open,) = get_json(client, "/api/candidates/liu-ping/")["disagreements"]

    assert resolved["status"] == "resolved"
    assert resolved["reopened"] is False
    assert resolved["verdict"] == "one_right"
    assert resolved["note"] == "No place has that name; a misprint."
    assert resolved["url"] == f"http://testserver/candidates/xu-yan/#dispute-{resolved['id']}"
    misprint, right = resolved["versions"]
    assert (misprint["values"], misprint["found"], misprint["found_wrong"]) == (
        ["Hongzhou"],
        "wrong",
        True,
    )
    (wrong_claim,) = misprint["claims"]
    assert wrong_claim["normalized"] == "hongzhou (not a known place)"
    assert wrong_claim["found_wrong"] is True and wrong_claim["disputed"] is True
    assert (right["values"], right["found"], right["outlets"]) == (
        ["Hangzhou"],
        "right",
        ["Second Wire"],
    )
    assert right["claims"][0]["citation"]["outlet"]["name"] == "Second Wire"
    assert still_open["status"] == "open"
    assert still_open["property"] == "birth_year"
    assert still_open["verdict"] is None and still_open["note"] is None
    assert [version["values"] for version in still_open["versions"]] == [["47"], ["52"]]
    assert [version["found"] for version in still_open["versions"]] == [None, None]


def test_every_fact_says_whether_outlets_dispute_it(client, newsroom):
    data = get_json(client, "/api/candidates/liu-ping/")
    facts = {fact["value"]: fact["disputed"] for fact in data["facts"]}
    steps = data["candidacies"][0]["steps"]

    assert facts == {"刘萍": False, "47": True, "52": True, "新余市": False}
    assert [step["disputed"] for step in steps] == [False, False]
    xu_cities = [
        fact
        for fact in get_json(client, "/api/candidates/xu-yan/")["facts"]
        if fact["property"] == "city"
    ]
    assert [(fact["value"], fact["disputed"]) for fact in xu_cities] == [("Hangzhou", True)]


def test_a_reopened_dispute_keeps_its_earlier_verdict_apart(client, newsroom):
    third = make_article("Xu Yan lives in Ningbo.", outlet="Third Paper")
    claim_verify(
        claim=make_claim(newsroom.xu, Property.CITY, "Ningbo", third, by=newsroom.editor),
        acting_user=newsroom.reviewer,
    )

    (reopened,) = get_json(client, "/api/candidates/xu-yan/")["disagreements"]

    assert (reopened["status"], reopened["reopened"]) == ("open", True)
    assert reopened["verdict"] is None and reopened["note"] is None
    assert reopened["earlier_verdict"] == "one_right"
    assert reopened["earlier_note"] == "No place has that name; a misprint."
    assert [version["new"] for version in reopened["versions"]] == [False, False, True]
    assert [version["found"] for version in reopened["versions"]] == ["wrong", "right", None]


def test_an_overruled_claim_is_no_fact(client, newsroom):
    facts = get_json(client, "/api/candidates/xu-yan/")["facts"]

    assert [fact["value"] for fact in facts if fact["property"] == "city"] == ["Hangzhou"]


@pytest.mark.parametrize("slug", ["hidden-person", "no-such-person"])
def test_an_unpublished_profile_answers_like_one_that_does_not_exist(client, newsroom, slug):
    response = client.get(f"/api/candidates/{slug}/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.content == b'{"detail": "Not found."}'


def test_a_merged_record_redirects_to_its_survivor(client, newsroom):
    response = client.get("/api/candidates/xu-ruiyan/")

    assert response.status_code == 301
    assert response["Location"] == "/api/candidates/xu-yan/"


def test_profile_reads_a_fixed_number_of_queries(
    client, newsroom, django_assert_max_num_queries, django_assert_num_queries
):
    with django_assert_max_num_queries(7) as few:
        client.get("/api/candidates/liu-ping/")
    for value in ("48", "49", "50"):
        claim_verify(
            claim=make_claim(newsroom.liu, Property.AGE, value, newsroom.wire, quote="52"),
            acting_user=newsroom.reviewer,
        )

    with django_assert_num_queries(len(few.captured_queries)):
        facts = get_json(client, "/api/candidates/liu-ping/")["facts"]
    assert len([fact for fact in facts if fact["property"] == "age"]) == 5


# The protocol.


def test_json_is_utf8_with_chinese_written_as_characters(client, newsroom):
    response = client.get("/api/candidates/liu-ping/")

    assert "刘萍".encode() in response.content
    assert b"\\u5218" not in response.content
    assert json.loads(response.content)["name_zh"] == "刘萍"


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete", "options"])
@pytest.mark.parametrize("url", ["/api/candidates/", "/api/candidates/liu-ping/"])
def test_the_api_only_reads(client, newsroom, method, url):
    response = getattr(client, method)(url)

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


def test_head_answers_like_get_without_a_body(client, newsroom):
    response = client.head("/api/candidates/liu-ping/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.content == b""
