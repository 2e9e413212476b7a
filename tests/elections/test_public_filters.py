"""The candidate list: names found in any script, filters, sorting and pages that keep them."""

import re
from types import SimpleNamespace

import pytest
from django.core.cache import caches
from django.db import transaction

from elections.models import CandidateName, Property
from elections.services import (
    candidate_add_name,
    candidate_publish,
    claim_verify,
)
from sources.audit import unit_of_work
from sources.dates import PartialDate
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

FILLERS = 27
# Every text below is written for these tests.
DAILY = (
    "Liu Ping, 47, was barred in Xinyu. Wang Xiuzhen declared early and was defeated in "
    "Ningbo in the end. Zhang Kai was elected, a rumour said."
)
WIRE = "Liu Ping, 52, spoke to the wire. Xu Yan declared in Hangzhou."


@pytest.fixture(autouse=True)
def _fresh_caches():
    for cache in caches.all():
        cache.clear()


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The module's data, built once in a transaction rolled back after its tests."""
    with django_db_blocker.unblock(), unit_of_work():
        yield build_world()
        transaction.set_rollback(True)


def build_world():
    editor, reviewer = make_user("Editors"), make_user("Reviewers")
    jiangxi = make_place("Jiangxi", "江西省", level="province", code="360000")
    xinyu = make_place("Xinyu", "新余市", parent=jiangxi, code="360500")
    zhejiang = make_place("Zhejiang", "浙江省", level="province", code="330000")
    hangzhou = make_place("Hangzhou", "杭州市", parent=zhejiang, code="330100")
    ningbo = make_place("Ningbo", "宁波市", parent=zhejiang, code="330200")
    beijing = make_place("Beijing", "北京市", level="province", code="110000")
    hubei = make_place("Hubei", "湖北省", level="province", code="420000")
    wuhan = make_place("Wuhan", "武汉市", parent=hubei, code="420100")
    daily = make_article(DAILY, outlet="Example Daily", published="2011-11-09")
    wire = make_article(WIRE, outlet="Second Wire", published="2011-11-10")

    def verified(*args, **kwargs):
        return claim_verify(claim=make_claim(*args, by=editor, **kwargs), acting_user=reviewer)

    elections = {}

    def candidate(name, place, **fields):
        person = make_candidate(name, **fields)
        if place.pk not in elections:
            elections[place.pk] = make_election(place)
        make_candidacy(person, elections[place.pk])
        return person

    liu = candidate("Liu Ping", xinyu, name_zh="刘萍", gender="female")
    verified(liu, Property.STATUS, "barred", daily)
    homophone = candidate("Liu Ping", beijing, name_zh="刘平", gender="male")
    xu = candidate("Xu Yan", hangzhou, gender="male")
    candidate_add_name(
        candidate=xu, name="Xu Ruiyan", kind=CandidateName.Kind.ENGLISH, acting_user=editor
    )
    verified(xu, Property.STATUS, "declared", wire, quote="Xu Yan declared")
    wang = candidate("Wang Xiuzhen", ningbo, gender="female")
    verified(
        wang,
        Property.STATUS,
        "declared",
        daily,
        quote="Wang Xiuzhen declared",
        as_of=PartialDate(2011, 6),
    )
    verified(wang, Property.STATUS, "defeated", daily, as_of=PartialDate(2011, 11, 8))
    zhang = candidate("Zhang Kai", beijing, gender="male")
    make_claim(zhang, Property.STATUS, "elected", daily, by=editor)
    hidden = candidate("Hidden Liu", wuhan, name_zh="刘隐")
    verified(hidden, Property.STATUS, "declared", daily, quote="declared early")
    fillers = [candidate(f"Filler {number:02d}", beijing) for number in range(FILLERS)]
    for person in (liu, homophone, xu, wang, zhang, *fillers):
        candidate_publish(candidate=person, acting_user=reviewer)
    # Verified after publication: an open contradiction with nothing else public about her.
    verified(liu, Property.AGE, "47", daily)
    verified(liu, Property.AGE, "52", wire)
    return SimpleNamespace(**locals())


def names_listed(response):
    """The candidate names on a list page, in order, with their Chinese names."""
    assert response.status_code == 200
    return [
        re.sub(r"<[^>]+>", "", item).strip()
        for item in re.findall(
            r'<h3 class="candidate-card__name">(.*?)</h3>', response.content.decode(), re.S
        )
    ]


def listed(client, **params):
    return names_listed(client.get("/candidates/", params))


@pytest.mark.parametrize(
    "query", ["Liu Ping", "liuping", "LIU-PING", "Liú Píng", "liu ping", "刘萍", "劉萍"]
)
def test_a_name_is_found_in_every_script_and_romanization(client, world, query):
    assert "Liu Ping 刘萍" in listed(client, q=query)


def test_chinese_characters_never_find_a_homophone(client, world):
    assert listed(client, q="刘萍") == ["Liu Ping 刘萍"]
    assert sorted(listed(client, q="liu ping")) == ["Liu Ping 刘平", "Liu Ping 刘萍"]


def test_another_recorded_name_finds_the_candidate(client, world):
    assert listed(client, q="Xu Ruiyan") == ["Xu Yan"]


def test_search_never_finds_an_unpublished_candidate(client, world):
    assert listed(client, q="Hidden") == []
    assert listed(client, q="刘隐") == []


def test_a_query_with_no_letters_finds_nothing_and_says_so(client, world):
    response = client.get("/candidates/", {"q": "!!!"})

    assert names_listed(response) == []
    assert "No published candidate has a name matching “!!!”" in response.content.decode()


def test_province_and_city_come_from_the_candidacies(client, world):
    assert sorted(listed(client, province=world.zhejiang.slug)) == ["Wang Xiuzhen", "Xu Yan"]
    assert listed(client, city=world.ningbo.slug) == ["Wang Xiuzhen"]


def test_place_choices_list_only_where_published_candidates_stood(client, world):
    page = client.get("/candidates/").content.decode()
    provinces = re.search(r'<select name="province".*?</select>', page, re.S).group(0)
    cities = re.search(r'<select name="city".*?</select>', page, re.S).group(0)

    assert re.findall(r'<option value="([^"]+)"', provinces) == [
        world.beijing.slug,
        world.jiangxi.slug,
        world.zhejiang.slug,
    ]
    assert world.wuhan.slug not in cities
    assert f'<option value="{world.ningbo.slug}">Ningbo, Zhejiang</option>' in cities


def test_a_province_no_published_candidate_stood_in_is_refused_not_used(client, world):
    response = client.get("/candidates/", {"province": world.hubei.slug})
    page = response.content.decode()

    assert "Select a valid choice" in page
    assert "Hidden Liu" not in page


def test_status_filter_reads_the_latest_public_status(client, world):
    assert listed(client, status="barred") == ["Liu Ping 刘萍"]
    assert listed(client, status="defeated") == ["Wang Xiuzhen"]
    assert listed(client, status="declared") == ["Xu Yan"]
    assert listed(client, status="elected") == []
    assert listed(client, status="none", q="zhang kai") == ["Zhang Kai"]
    assert listed(client, status="barred", q="zhang kai") == []


def test_gender_filter(client, world):
    assert sorted(listed(client, gender="female")) == ["Liu Ping 刘萍", "Wang Xiuzhen"]


def test_outlet_filter_keeps_candidates_a_public_claim_of_that_outlet_is_about(client, world):
    assert sorted(listed(client, outlet="second-wire")) == ["Liu Ping 刘萍", "Xu Yan"]
    assert sorted(listed(client, outlet="example-daily")) == ["Liu Ping 刘萍", "Wang Xiuzhen"]


def test_disputed_filter(client, world):
    assert listed(client, disputed="yes") == ["Liu Ping 刘萍"]
    assert "Liu Ping 刘萍" not in listed(client, disputed="no", q="liu")
    assert listed(client, disputed="no", q="liu") == ["Liu Ping 刘平"]


def test_sorting_by_name_province_status_and_recent_verification(client, world):
    people = {"q": "", "gender": ""}
    named = listed(client, sort="name", **people)
    assert named == sorted(named)
    by_province = listed(client, sort="province", gender="female")
    assert by_province == ["Liu Ping 刘萍", "Wang Xiuzhen"]
    by_status = listed(client, sort="status", status="", q="")[:3]
    assert by_status == ["Xu Yan", "Wang Xiuzhen", "Liu Ping 刘萍"]
    by_verification = listed(client, sort="verified")[:3]
    assert by_verification == ["Liu Ping 刘萍", "Wang Xiuzhen", "Xu Yan"]


def test_pages_hold_25_and_their_links_keep_filters_and_sort(client, world):
    beijing = world.beijing.slug
    response = client.get("/candidates/", {"province": beijing, "sort": "name"})
    page = response.content.decode()

    assert len(names_listed(response)) == 25
    assert f"{FILLERS + 2} candidates match these filters" in page
    assert f'href="?province={beijing}&amp;sort=name&amp;page=2"' in page
    second = listed(client, province=beijing, sort="name", page=2)
    assert len(second) == FILLERS + 2 - 25
    assert "Zhang Kai" in second


def test_an_empty_result_says_so_and_offers_the_whole_list(client, world):
    page = client.get("/candidates/", {"gender": "female", "status": "declared"}).content.decode()

    assert "0 candidates match these filters" in page
    assert "No published candidate matches these filters." in page
    assert 'href="/candidates/">see every candidate</a>' in page
