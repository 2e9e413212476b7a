"""The reconciliation service (/reconcile): OpenRefine's queries, answered from the public
record only, checked against JSON schemas of the specification (version 0.2)."""

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

import jsonschema
import pytest
from django.urls import reverse

from elections import reconcile
from elections.services import (
    candidate_add_name,
    candidate_merge,
    candidate_publish,
    candidate_submit_for_review,
    candidate_withdraw,
    claim_verify,
    place_update,
)
from sources.services import outlet_update
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

SCHEMAS = Path(__file__).parent / "reconcile_schemas"
URL = "/reconcile"


def schema(name):
    return json.loads((SCHEMAS / f"{name}.json").read_text())


def valid(name, data):
    jsonschema.Draft7Validator.check_schema(schema(name))
    jsonschema.validate(data, schema(name), cls=jsonschema.Draft7Validator)
    return data


@pytest.fixture
def record(editor, reviewer):
    """Two published candidates who stood in Haidian (Beijing), with a cited outlet; and,
    with the same names, records the public may not see, in a place and outlet of their own."""
    beijing = make_place("Beijing", "北京市", level="province", code="110000")
    haidian = make_place("Haidian", "海淀区", level="county", parent=beijing, code="110108")
    hangzhou = make_place("Hangzhou", "杭州市", code="330100")
    admin = make_user(superuser=True)
    place_update(place=beijing, wikidata="Q956", acting_user=admin)
    in_haidian = make_election(haidian)
    article = make_article(
        "Xu Zhiyong, 38, and Xu Yan, 27, stand in Haidian.",
        outlet="Evening Ledger",
        url="https://ledger.example/haidian",
    )
    outlet_update(outlet=article.outlet, wikidata="Q7000001", acting_user=admin)
    zhiyong = make_candidate(
        "Xu Zhiyong", name_zh="许志永", birth_year=1973, gender="male", wikidata="Q1336930"
    )
    yan = make_candidate("Xu Yan", name_zh="徐琰", birth_year=1984)
    candidate_add_name(candidate=yan, name="Xu Ruiyan", acting_user=editor)
    for candidate, quote in ((zhiyong, "38"), (yan, "27")):
        make_candidacy(candidate, in_haidian)
        claim = make_claim(candidate, "age", quote, article, by=editor)
        claim_verify(claim=claim, acting_user=reviewer)
        candidate_publish(candidate=candidate, acting_user=reviewer)
    hidden_article = make_article("许志永在杭州参选。", outlet="Quxv Daily")
    hidden, in_hangzhou = {}, make_election(hangzhou)
    for state in ("draft", "review", "withdrawn", "merged", "survivor"):
        twin = make_candidate("Xu Zhiyong", name_zh="许志永", slug=f"xu-zhiyong-{state}")
        make_candidacy(twin, in_hangzhou)
        make_claim(twin, "city", "杭州", hidden_article, by=editor)
        hidden[state] = twin
    candidate_submit_for_review(candidate=hidden["review"], acting_user=editor)
    candidate_publish(candidate=hidden["withdrawn"], acting_user=reviewer)
    candidate_withdraw(candidate=hidden["withdrawn"], note="mistaken", acting_user=reviewer)
    candidate_merge(survivor=hidden["survivor"], absorbed=hidden["merged"], acting_user=reviewer)
    return {"zhiyong": zhiyong, "yan": yan, "beijing": beijing, "haidian": haidian}


def ask(client, queries, method="get", **extra):
    data = {"queries": json.dumps(queries, ensure_ascii=False), **extra}
    valid("reconciliation-query-batch", queries)
    response = getattr(client, method)(URL, data)
    assert response.status_code == 200, response.content
    return valid("reconciliation-result-batch", response.json())


def ids(answer):
    return [result["id"] for result in answer["result"]]


def test_the_manifest_validates_and_names_the_types_and_services(client):
    response = client.get(URL)

    manifest = valid("manifest", response.json())
    assert manifest["versions"] == ["0.2"]
    assert [kind["id"] for kind in manifest["defaultTypes"]] == ["candidate", "place", "outlet"]
    assert manifest["preview"]["url"] == "http://testserver/reconcile/preview?id={{id}}"
    assert manifest["suggest"]["entity"] == {
        "service_url": "http://testserver/reconcile",
        "service_path": "/suggest/entity",
    }


@pytest.mark.parametrize("name", ["许志永", "許志永", "Xu Zhiyong", "xu zhiyong", "Hsu Chih-yung"])
def test_every_script_and_romanization_reconciles_to_the_published_candidate(client, record, name):
    answer = ask(client, {"q0": {"query": name, "type": "candidate"}})["q0"]

    assert ids(answer) == ["candidate/xu-zhiyong"]
    (best,) = answer["result"]
    assert best["score"] == 100 and best["match"] is True
    assert best["name"] == "Xu Zhiyong (许志永)"
    assert best["type"] == [{"id": "candidate", "name": "Candidate"}]
    assert "Wikidata Q1336930" in best["description"]


def test_an_other_name_of_a_record_reconciles_to_it(client, record):
    answer = ask(client, {"q0": {"query": "Xu Ruiyan", "type": "candidate"}})["q0"]

    assert ids(answer) == ["candidate/xu-yan"]
    assert answer["result"][0]["match"] is True


def test_a_batch_with_a_type_and_properties_as_openrefine_sends_it(client, record):
    queries = {
        "q0": {
            "query": "Hsu Chih-yung",
            "type": "candidate",
            "limit": 3,
            "type_strict": "should",
            "properties": [{"pid": "province", "v": "北京"}, {"pid": "birth_year", "v": 1973}],
        },
        "q1": {
            "query": "Xu Zhiyong",
            "type": "candidate",
            "properties": [{"pid": "birth_year", "v": "1980"}],
        },
        "q2": {"query": "Beijing", "type": ["place"]},
        "q3": {
            "query": "徐琰",
            "properties": [{"pid": "province", "v": {"id": "place/beijing-110000"}}],
        },
        "q4": {"query": "evening ledger", "type": "outlet"},
    }

    answers = ask(client, queries, method="post")

    matched = answers["q0"]["result"][0]
    assert matched["id"] == "candidate/xu-zhiyong" and matched["match"] is True
    assert {"id": "province", "value": True} in matched["features"]
    assert {"id": "birth_year", "value": True} in matched["features"]
    wrong_year = answers["q1"]["result"][0]
    assert wrong_year["score"] == 75 and wrong_year["match"] is False
    assert ids(answers["q2"]) == ["place/beijing-110000"]
    assert answers["q2"]["result"][0]["match"] is True
    assert "Wikidata Q956" in answers["q2"]["result"][0]["description"]
    assert ids(answers["q3"])[0] == "candidate/xu-yan"
    assert answers["q3"]["result"][0]["match"] is True
    assert ids(answers["q4"]) == ["outlet/evening-ledger"]


def test_a_partial_name_scores_below_a_match(client, record):
    answer = ask(client, {"q0": {"query": "Xu", "type": "candidate"}})["q0"]

    assert set(ids(answer)) == {"candidate/xu-zhiyong", "candidate/xu-yan"}
    assert all(0 < result["score"] < 100 for result in answer["result"])
    assert not any(result["match"] for result in answer["result"])


def test_nothing_unpublished_is_ever_matched(client, record):
    queries = {
        "q0": {"query": "许志永", "limit": 25},
        "q1": {"query": "Hangzhou", "type": "place"},
        "q2": {"query": "杭州", "type": "place"},
        "q3": {"query": "Quxv Daily", "type": "outlet"},
        "q4": {"query": "Xu Zhiyong", "type": "candidate", "limit": 25},
    }

    answers = ask(client, queries)

    for answer in answers.values():
        assert not any("-draft" in hit or "-review" in hit for hit in ids(answer))
    assert ids(answers["q0"]) == ["candidate/xu-zhiyong"]
    assert ids(answers["q4"]) == ["candidate/xu-zhiyong"]
    assert answers["q1"]["result"] == answers["q2"]["result"] == answers["q3"]["result"] == []


def test_a_place_holding_where_a_candidate_stood_is_public_and_its_children_are_not(client, record):
    answers = ask(client, {"q0": {"query": "海淀", "type": "place"}, "q1": {"query": "北京市"}})

    assert ids(answers["q0"]) == ["place/haidian-110108"]
    assert ids(answers["q1"]) == ["place/beijing-110000"]


def test_answers_are_bounded(client, record):
    too_many = {f"q{number}": {"query": "Xu"} for number in range(reconcile.MAX_QUERIES + 1)}
    response = client.get(URL, {"queries": json.dumps(too_many)})
    assert response.status_code == 400
    assert "at most 50" in response.json()["detail"]

    answers = ask(client, {"q0": {"query": "Xu", "limit": 1}, "q1": {"query": "x", "limit": 99}})
    assert len(answers["q0"]["result"]) == 1
    assert len(answers["q1"]["result"]) <= reconcile.MAX_LIMIT


@pytest.mark.parametrize(
    "queries", ["not json", "[1, 2]", '{"q0": "Xu"}', '{"q0": {"limit": "x"}}']
)
def test_a_query_it_cannot_read_is_answered_400(client, queries):
    response = client.get(URL, {"queries": queries})

    assert response.status_code == 400
    assert response.json()["detail"]


def test_jsonp_wraps_the_answer_and_refuses_a_callback_that_is_not_a_name(client, record):
    response = client.get(URL, {"queries": '{"q0": {"query": "徐琰"}}', "callback": "jQuery_1.cb"})

    assert response["Content-Type"].startswith("application/javascript")
    body = response.content.decode()
    assert body.startswith("/**/jQuery_1.cb(") and body.endswith(");")
    assert json.loads(body[len("/**/jQuery_1.cb(") : -2])["q0"]["result"][0]["id"] == (
        "candidate/xu-yan"
    )
    refused = client.get(URL, {"callback": "alert(1)//"})
    assert refused.status_code == 400 and b"alert" not in refused.content


def test_a_get_is_cached_like_a_public_page_and_a_post_is_not(client, record, settings):
    settings.SOURCEBOOK_PUBLIC_CACHE = True
    url = f"{URL}?{urlencode({'queries': json.dumps({'q0': {'query': 'Xu Yan'}})})}"

    assert client.get(url)["X-Cache"] == "miss"
    assert client.get(url)["X-Cache"] == "hit"
    posted = client.post(URL, {"queries": json.dumps({"q0": {"query": "Xu Yan"}})})
    assert posted.status_code == 200 and "X-Cache" not in posted


def test_a_withdrawn_candidate_leaves_the_cached_answers(client, record, reviewer, settings):
    settings.SOURCEBOOK_PUBLIC_CACHE = True
    url = f"{URL}?{urlencode({'queries': json.dumps({'q0': {'query': '徐琰'}})})}"
    assert ids(client.get(url).json()["q0"]) == ["candidate/xu-yan"]

    candidate_withdraw(candidate=record["yan"], note="Quxv", acting_user=reviewer)

    assert client.get(url).json()["q0"]["result"] == []


def test_suggest_services_answer_prefixes(client, record):
    entities = client.get(f"{URL}/suggest/entity", {"prefix": "Hsu Chih"}).json()
    valid("suggest-entities-response", entities)
    assert [hit["id"] for hit in entities["result"]] == ["candidate/xu-zhiyong"]
    assert entities["result"][0]["notable"] == [{"id": "candidate", "name": "Candidate"}]
    hidden = client.get(f"{URL}/suggest/entity", {"prefix": "Quxv", "type": "outlet"}).json()
    assert valid("suggest-entities-response", hidden)["result"] == []

    types = valid("suggest-types-response", client.get(f"{URL}/suggest/type?prefix=pl").json())
    assert types["result"] == [{"id": "place", "name": "Place"}]
    properties = client.get(f"{URL}/suggest/property", {"prefix": "birth"}).json()
    assert [item["id"] for item in valid("suggest-properties-response", properties)["result"]] == [
        "birth_year"
    ]
    assert client.get(f"{URL}/suggest/nothing", {"prefix": "x"}).status_code == 404


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.attributes = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes += [name for name, _value in attrs]


def test_the_preview_is_a_small_escaped_card_without_scripts(client, record, editor):
    response = client.get(f"{URL}/preview", {"id": "candidate/xu-zhiyong"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Xu Zhiyong" in page and "许志永" in page and "Haidian, Beijing" in page
    assert 'href="https://www.wikidata.org/wiki/Q1336930"' in page
    tags = Tags()
    tags.feed(page)
    assert "script" not in tags.tags and "style" not in tags.tags
    assert not any(name.startswith("on") or name == "style" for name in tags.attributes)
    assert "X-Frame-Options" not in response
    assert "frame-ancestors *" in response["Content-Security-Policy"]


def test_the_preview_escapes_what_a_record_holds(client, record, reviewer):
    outlet = record["zhiyong"].claims.first().article.outlet
    outlet_update(
        outlet=outlet,
        name="<script>alert(1)</script> Ledger",
        acting_user=make_user(superuser=True),
    )

    page = client.get(f"{URL}/preview", {"id": f"outlet/{outlet.slug}"}).content.decode()

    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; Ledger" in page


@pytest.mark.parametrize(
    "entity",
    [
        "candidate/xu-zhiyong-draft",
        "candidate/xu-zhiyong-withdrawn",
        "candidate/xu-zhiyong-merged",
        "place/hangzhou-330100",
        "outlet/quxv-daily",
        "candidate/" + "9" * 30,
        "nothing",
        "",
    ],
)
def test_preview_and_view_of_what_the_public_may_not_see_answer_404(client, record, entity):
    assert client.get(f"{URL}/preview", {"id": entity}).status_code == 404
    assert client.get(f"{URL}/view", {"id": entity}).status_code == 404


def test_the_view_leads_to_the_public_page(client, record):
    def target(entity):
        return client.get(f"{URL}/view", {"id": entity})["Location"]

    assert target("candidate/xu-zhiyong") == reverse(
        "elections:candidate-detail", args=["xu-zhiyong"]
    )
    assert target("place/beijing-110000") == "/candidates/?province=beijing-110000"
    assert re.fullmatch(
        r"/reconcile/preview\?id=place%2Fhaidian-110108", target("place/haidian-110108")
    )
    assert target("outlet/evening-ledger") == "/outlets/evening-ledger/"
