"""The candidate list: names found in any script, filters, sorting and pages that keep them."""

import re

import pytest
from django.core.cache import caches

from elections.models import Contradiction, Property
from elections.services import claim_verify
from tests.factories import make_article, make_claim
from tests.newsroom import fixtures

pytestmark = pytest.mark.django_db

FILLERS = 27
_built, world = fixtures("candidate list", name="world", fillers=FILLERS)


@pytest.fixture(autouse=True)
def _fresh_caches():
    for cache in caches.all():
        cache.clear()


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


def test_a_query_under_three_letters_finds_the_names_it_begins(client, world):
    # Too short to hold a trigram: it finds a surname or a whole two-character name, not
    # every name that has it in passing (`elections.filters.SHORTEST_ANYWHERE`).
    assert "Xu Yan" in listed(client, q="Xu")
    assert listed(client, q="ng") == []
    assert listed(client, q="刘萍") == ["Liu Ping 刘萍"]
    assert listed(client, q="萍") == []
    assert "Liu Ping 刘萍" in listed(client, q="ping")


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


def test_a_dispute_flags_its_candidate_once_two_of_its_versions_are_verified(client, world):
    daily = make_article("Wang Xiuzhen, 40, spoke.", outlet="Example Daily")
    wire = make_article("Wang Xiuzhen, 60, spoke.", outlet="Second Wire")
    forty = make_claim(world.wang, Property.AGE, "40", daily, by=world.editor)
    claim_verify(claim=forty, acting_user=world.reviewer)
    sixty = make_claim(world.wang, Property.AGE, "60", wire, by=world.editor)
    assert Contradiction.objects.filter(candidate=world.wang, status="open").exists()

    assert listed(client, disputed="yes") == ["Liu Ping 刘萍"]

    claim_verify(claim=sixty, acting_user=world.reviewer)

    assert listed(client, disputed="yes") == ["Liu Ping 刘萍", "Wang Xiuzhen"]


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


def test_the_name_search_reads_the_listed_digests_alone(world):
    # The digests keep the folded names (`CandidateDigest.search_text`, with a trigram index
    # on PostgreSQL): no candidate is read to find the matches.
    from elections import public
    from elections.filters import CandidateFilter

    filterset = CandidateFilter({"q": "xu"}, queryset=public.public_candidates())
    assert filterset.is_valid(), filterset.errors
    sql = str(filterset.qs.query)

    assert '"elections_candidatedigest"."search_text"' in sql
    assert 'elections_candidate"' not in sql.replace("elections_candidatedigest", "")
    assert "SELECT" not in sql.split(" WHERE ", 1)[1]


def test_a_name_added_or_removed_is_searched_at_once(client, world):
    from elections.models import CandidateName
    from elections.services import candidate_add_name, candidate_name_remove
    from tests.factories import make_user

    chief = make_user(superuser=True)
    assert listed(client, q="Xu Ruiyan") == ["Xu Yan"]
    added = candidate_add_name(candidate=world.xu, name="Hsu Jui-yen", acting_user=chief)
    assert isinstance(added, CandidateName) and added.pk, "the name was recorded, not proposed"
    assert listed(client, q="Hsu Jui-yen") == ["Xu Yan"]
    candidate_name_remove(candidate_name=added, acting_user=chief)
    assert listed(client, q="Hsu Jui-yen") == []
    assert listed(client, q="Xu Ruiyan") == ["Xu Yan"]


@pytest.mark.parametrize("name", ["province", "outlet"])
def test_a_filter_by_a_subquery_finds_its_matches_by_key_on_postgresql(world, name):
    # `= ANY(ARRAY(...))`: the matches are read first and each listed digest found by its
    # key, so the cost is that of the matches, not of every listed candidate (`Among`).
    from django.db import connection

    from elections import public
    from elections.filters import CandidateFilter

    value = {
        "province": world.zhejiang.slug,
        "outlet": public.public_outlets().first().slug,
    }[name]
    filterset = CandidateFilter({name: value}, queryset=public.public_candidates())
    assert filterset.is_valid(), filterset.errors
    sql = str(filterset.qs.query)

    if connection.vendor == "postgresql":
        assert "= ANY(ARRAY(SELECT" in sql
    else:
        assert " IN (SELECT" in sql
