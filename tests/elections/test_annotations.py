"""/api/annotations/: the passages behind public facts as W3C Web Annotations, in the Web
Annotation Protocol's container shape (README, "Open data: changes, releases, annotations")."""

import pytest

from elections.annotations import annotation_id
from elections.models import Property
from elections.public import annotations as annotation_selectors
from tests.newsroom import Newsroom

pytestmark = pytest.mark.django_db

URL = "https://example.org/reports/liu-ping"
REPORT = "Liu Ping, 47, a steelworker from Xinyu, said the officials kept her off the ballot."
TYPE = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'


@pytest.fixture
def room():
    room = Newsroom()
    room.add_places("Jiangxi", "Xinyu")
    room.report = room.add_article(REPORT, outlet="Example Daily", title="Kept off", url=URL)
    room.liu = room.add_candidate("Liu Ping", "Xinyu", name_zh="刘萍")
    room.job = room.add_verified(room.liu, Property.OCCUPATION, "steelworker", room.report)
    room.age = room.add_verified(room.liu, Property.AGE, "47", room.report)
    room.publish(room.liu)
    room.draft = room.add_candidate("Quxv Draft")
    room.hidden = room.add_article("Quxv Draft, a singer.", outlet="Quxv Press", title="Quxv")
    room.add_verified(room.draft, Property.OCCUPATION, "singer", room.hidden)
    room.unverified = room.add_claim(room.liu, Property.CITY, "Xinyu", room.report)
    return room


def test_the_collection_holds_each_public_fact_as_an_annotation(room, client):
    response = client.get("/api/annotations/")

    assert response["Content-Type"] == TYPE
    data = response.json()
    assert "http://www.w3.org/ns/anno.jsonld" in data["@context"]
    assert "AnnotationCollection" in data["type"]
    assert data["total"] == 2
    page = data["first"]
    assert page["type"] == "AnnotationPage" and page["partOf"] == data["id"]
    assert "next" not in page
    job, _age = page["items"]
    assert job["id"] == annotation_id(room.job.pk)
    assert job["type"] == "Annotation" and job["motivation"] == "describing"
    assert job["body"][0]["value"] == "Liu Ping: occupation: steelworker"
    assert job["body"][2]["id"] == f"http://testserver/candidates/{room.liu.slug}/"
    assert job["target"]["source"] == URL
    quote, position = job["target"]["selector"]
    assert quote["type"] == "TextQuoteSelector" and quote["exact"] == "steelworker"
    assert position["type"] == "TextPositionSelector"
    text = room.report.text
    assert text[position["start"] : position["end"]] == quote["exact"]
    assert text[: position["start"]].endswith(quote["prefix"])
    assert text[position["end"] :].startswith(quote["suffix"])
    assert "Quxv" not in response.content.decode()


def test_one_article_s_annotations_and_a_hidden_one_answers_like_a_missing_one(room, client):
    data = client.get(f"/api/annotations/?article={room.report.pk}").json()
    assert data["total"] == 2
    assert data["id"].endswith(f"?article={room.report.pk}")

    hidden = client.get(f"/api/annotations/?article={room.hidden.pk}").content
    missing = client.get("/api/annotations/?article=987654").content
    assert hidden.replace(str(room.hidden.pk).encode(), b"987654") == missing
    for bad in ("x", "-1", str(2**64)):
        assert client.get(f"/api/annotations/?article={bad}").status_code == 404
        assert client.get(f"/api/annotations/?after={bad}").status_code == 404


def test_pages_follow_next_to_the_end(room, client, monkeypatch):
    monkeypatch.setattr(annotation_selectors, "ANNOTATIONS_PER_PAGE", 1)
    data = client.get("/api/annotations/").json()
    seen = [item["id"] for item in data["first"]["items"]]
    following = data["first"].get("next")
    while following:
        page = client.get(following.removeprefix("http://testserver")).json()
        assert page["type"] == "AnnotationPage" and page["partOf"] == data["id"]
        seen += [item["id"] for item in page["items"]]
        following = page.get("next")

    assert seen == [annotation_id(room.job.pk), annotation_id(room.age.pk)]


def test_a_page_costs_the_same_with_more_facts(room, client, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        client.get("/api/annotations/")
    for value in ("iron", "copper", "tin"):
        room.add_verified(room.liu, Property.OCCUPATION, value, room.report, "steelworker")
    with django_assert_max_num_queries(4):
        assert client.get("/api/annotations/").json()["total"] == 5
