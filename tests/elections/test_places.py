"""Place names: folding, romanizing, lookups, aliases, the place normalizer and the admin."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from elections.models import Place, PlaceName
from elections.normalizers import conflicts, normalize
from elections.normalizers.base import NormalizationError
from elections.normalizers.place import PROPERTY_LEVELS, normalize_place, place_conflicts
from elections.places import (
    fold_place_name,
    lookup_places,
    romanize,
    short_name_zh,
)
from elections.services import place_create, place_name_add
from sources.audit import system_user

HANGZHOU_FORMS = [
    "Hangzhou",
    "杭州",
    "杭州市",
    "Hángzhōu",
    "hang zhou",
    "HANG-ZHOU",
    "Hangzhou City",
    "  Hangzhou   ",
]


CODES = {
    "beijing": "110000",
    "haidian": "110108",
    "chaoyang_district": "110105",
    "liaoning": "210000",
    "chaoyang_city": "211300",
    "chaoyang_county": "211321",
    "zhejiang": "330000",
    "hangzhou": "330100",
    "xihu": "330106",
    "wenzhou": "330300",
}


@pytest.fixture
def places(db):
    """Beijing, Liaoning and Zhejiang: enough for 朝阳 to be a district, a city and a county."""
    provinces = ["--province", "11", "--province", "21", "--province", "33"]
    call_command("load_places", *provinces, stdout=io.StringIO())
    return {name: Place.objects.get(code=code) for name, code in CODES.items()}


# Folding and romanizing: pure functions, no database.


@pytest.mark.parametrize("form", HANGZHOU_FORMS)
def test_every_way_of_writing_hangzhou_folds_to_one_of_two_keys(form):
    assert fold_place_name(form) in {"hangzhou", "杭州"}


def test_misprint_folds_to_its_own_key():
    assert fold_place_name("Hongzhou") == "hongzhou" != fold_place_name("Hangzhou")


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("浙江省", "浙江"),
        ("广西壮族自治区", "广西壮族"),
        ("香港特别行政区", "香港"),
        ("海淀区", "海淀"),
        ("Zhejiang Province", "zhejiang"),
        ("Beijing Municipality", "beijing"),
        ("Haidian District", "haidian"),
        ("Xiangshan County", "xiangshan"),
        ("Xi'an", "xian"),
        ("Lu’an", "luan"),
        ("Lǚliáng", "luliang"),
        ("Lvliang", "luliang"),
        ("朝陽區", "朝陽"),
    ],
)
def test_suffixes_tones_and_apostrophes_fold_away(text, key):
    assert fold_place_name(text) == key


def test_suffix_is_kept_when_it_would_leave_one_character():
    assert fold_place_name("云县") == "云县"
    assert fold_place_name("沙市") == fold_place_name("沙市区") == "沙市"
    assert fold_place_name("City") == "city"
    assert fold_place_name(" - ") == ""


@pytest.mark.parametrize(
    ("name", "pinyin", "english"),
    [
        ("重庆", "Chóngqìng", "Chongqing"),
        ("蚌埠", "Bèngbù", "Bengbu"),
        ("六安", "Lù'ān", "Lu'an"),
        ("丽水", "Líshuǐ", "Lishui"),
        ("厦门", "Xiàmén", "Xiamen"),
        ("长沙", "Chángshā", "Changsha"),
        ("番禺", "Pānyú", "Panyu"),
        ("洞头", "Dòngtóu", "Dongtou"),
        ("朝阳", "Cháoyáng", "Chaoyang"),
        ("长治", "Chángzhì", "Changzhi"),
        ("长子", "Zhǎngzǐ", "Zhangzi"),
        ("丰都", "Fēngdū", "Fengdu"),
        ("西安", "Xī'ān", "Xi'an"),
        ("吕梁", "Lǚliáng", "Lüliang"),
        ("海淀", "Hǎidiàn", "Haidian"),
    ],
)
def test_place_names_are_romanized_with_their_place_readings(name, pinyin, english):
    assert romanize(name) == (pinyin, english)


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("杭州市", "杭州"),
        ("耿马傣族佤族自治县", "耿马"),
        ("双江拉祜族佤族布朗族傣族自治县", "双江"),
        ("大理白族自治州", "大理"),
        ("长白朝鲜族自治县", "长白"),
        ("东乡族自治县", "东乡"),
        ("浦东新区", "浦东"),
        ("云县", "云县"),
    ],
)
def test_short_chinese_name_drops_suffix_and_peoples(name, short):
    assert short_name_zh(name) == short


# Lookups and aliases.


@pytest.mark.django_db
@pytest.mark.parametrize("form", HANGZHOU_FORMS)
def test_every_form_finds_hangzhou(places, form):
    assert lookup_places(form) == [places["hangzhou"]]


@pytest.mark.django_db
def test_traditional_characters_find_the_place(places):
    assert lookup_places("溫州市") == [places["wenzhou"]]


@pytest.mark.django_db
def test_lookup_is_one_query(places, django_assert_num_queries):
    with django_assert_num_queries(1):
        found = lookup_places("朝阳", level=Place.Level.COUNTY)
        provinces = [p.province.name for p in found]
    assert provinces == ["Beijing", "Liaoning"]


@pytest.mark.django_db
def test_misprint_matches_nothing_until_an_editor_accepts_it(places):
    hangzhou = places["hangzhou"]
    assert lookup_places("Hongzhou") == []

    alias = place_name_add(place=hangzhou, name=" Hongzhou ", acting_user=system_user())

    assert (alias.name, alias.kind, alias.key) == ("Hongzhou", "alias", "hongzhou")
    assert lookup_places("Hongzhou") == [hangzhou]
    assert lookup_places("hong-zhou city") == [hangzhou]
    assert place_name_add(place=hangzhou, name="Hongzhou", acting_user=system_user()) == alias
    assert hangzhou.names.filter(name="Hongzhou").count() == 1


@pytest.mark.django_db
def test_alias_without_letters_is_refused(places):
    with pytest.raises(ValidationError):
        place_name_add(place=places["hangzhou"], name="-", acting_user=system_user())


@pytest.mark.django_db
def test_name_key_follows_the_name_on_every_save(places):
    name = PlaceName.objects.create(place=places["hangzhou"], name="Hang Chow")
    assert name.key == "hangchow"

    name.name = "Hangchow City"
    name.save(update_fields=["name"])

    name.refresh_from_db()
    assert name.key == "hangchow"


@pytest.mark.django_db
def test_ambiguous_name_is_resolved_by_level(places):
    district = places["chaoyang_district"]
    city = places["chaoyang_city"]
    county = places["chaoyang_county"]

    assert lookup_places("朝阳", level=Place.Level.CITY) == [city]
    assert lookup_places("Chaoyang", level=Place.Level.COUNTY) == [district, county]
    assert lookup_places("朝阳") == [district, city, county]


@pytest.mark.django_db
def test_municipality_is_found_at_city_level(places):
    beijing = places["beijing"]

    assert lookup_places("Beijing", level=Place.Level.CITY) == [beijing]
    assert lookup_places("北京市", level=Place.Level.PROVINCE) == [beijing]
    assert city("Beijing").data["place_ids"] == [beijing.pk]


@pytest.mark.django_db
def test_municipality_is_preferred_at_city_level_over_a_district_of_the_same_name(places):
    beijing, haidian = places["beijing"], places["haidian"]
    place_name_add(place=haidian, name="Peking", acting_user=system_user())

    assert lookup_places("Peking", level=Place.Level.CITY) == [beijing]
    assert lookup_places("Peking", level=Place.Level.COUNTY) == [haidian]
    assert lookup_places("Peking") == [beijing, haidian]


@pytest.mark.django_db
def test_township_added_by_hand_gets_names_and_ancestors(places):
    xihu = places["xihu"]

    township = place_create(
        level=Place.Level.TOWNSHIP, name_zh="转塘街道", parent=xihu, acting_user=system_user()
    )

    assert (township.short_zh, township.pinyin, township.name) == ("转塘", "Zhuǎntáng", "Zhuantang")
    assert township.province == places["zhejiang"]
    assert township.city == places["hangzhou"]
    assert (township.slug, township.code) == ("zhuantang", None)
    assert lookup_places("Zhuantang") == [township]

    namesake = place_create(
        level=Place.Level.TOWNSHIP,
        name_zh="转塘镇",
        parent=xihu,
        code="",
        acting_user=system_user(),
    )
    assert (namesake.slug, namesake.code) == ("zhuantang-2", None)
    assert lookup_places("转塘") == [township, namesake]


# The place normalizer.


def city(value):
    return normalize_place(value, level=Place.Level.CITY)


@pytest.mark.django_db
def test_known_city_normalizes_to_its_id(places):
    hangzhou = places["hangzhou"]

    normalized = city("Hangzhou")

    assert normalized.key == f"place:{hangzhou.pk}"
    assert normalized.data == {"place_ids": [hangzhou.pk], "text": "hangzhou"}


@pytest.mark.django_db
@pytest.mark.parametrize("form", HANGZHOU_FORMS)
def test_every_form_of_hangzhou_is_the_same_city(places, form):
    assert not place_conflicts(city(form), city("Hangzhou"))
    assert city(form).key == city("杭州市").key


@pytest.mark.django_db
def test_unknown_spelling_compares_as_text(places):
    hongzhou = city("Hongzhou")

    assert hongzhou.key == "text:hongzhou"
    assert hongzhou.data == {"text": "hongzhou"}
    assert place_conflicts(hongzhou, city("Hangzhou"))
    assert place_conflicts(hongzhou, city("杭州"))
    assert not place_conflicts(hongzhou, city("HONGZHOU city"))


@pytest.mark.django_db
def test_misprint_stops_conflicting_once_it_is_an_alias(places):
    place_name_add(place=places["hangzhou"], name="Hongzhou", acting_user=system_user())

    assert not place_conflicts(city("Hongzhou"), city("Hangzhou"))


@pytest.mark.django_db
def test_different_known_cities_conflict(places):
    assert place_conflicts(city("Hangzhou"), city("温州"))
    assert place_conflicts(city("Hangzhou").data, city("Wenzhou").data)


@pytest.mark.django_db
def test_ambiguous_district_agrees_with_any_of_its_places(places):
    def district(value):
        return normalize_place(value, level=Place.Level.COUNTY)

    assert len(district("朝阳").data["place_ids"]) == 2
    assert not place_conflicts(district("朝阳"), district("Chaoyang District"))
    assert not place_conflicts(district("朝阳"), district("朝阳县"))
    assert place_conflicts(district("朝阳"), district("Haidian"))


@pytest.mark.django_db
def test_city_claim_naming_a_district_stands_for_its_city(places):
    beijing = places["beijing"]

    assert city("Haidian").data["place_ids"] == [beijing.pk]
    assert not place_conflicts(city("Haidian"), city("Beijing"))
    assert not place_conflicts(city("西湖区"), city("Hangzhou"))
    assert place_conflicts(city("西湖区"), city("Beijing"))


@pytest.mark.django_db
def test_province_claim_naming_a_city_stands_for_its_province(places):
    zhejiang = places["zhejiang"]

    province = normalize_place("Hangzhou", level=Place.Level.PROVINCE)

    assert province.data["place_ids"] == [zhejiang.pk]


@pytest.mark.django_db
def test_city_claim_naming_a_province_is_an_error(places):
    with pytest.raises(NormalizationError, match="Zhejiang"):
        city("Zhejiang Province")
    with pytest.raises(NormalizationError):
        normalize_place("Hangzhou", level=Place.Level.COUNTY)
    with pytest.raises(NormalizationError):
        city(" ")


@pytest.mark.django_db
def test_claim_properties_reach_the_place_normalizer(places):
    assert PROPERTY_LEVELS == {"province": "province", "city": "city", "district": "county"}
    hangzhou = normalize("city", "杭州市")
    misprint = normalize("city", "Hongzhou")

    assert hangzhou.key == f"place:{places['hangzhou'].pk}"
    assert conflicts("city", hangzhou, misprint)
    assert not conflicts(
        "district", normalize("district", "Haidian"), normalize("district", "海淀")
    )


# The admin.


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("editor", password="pw-for-tests")
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_admin_lists_and_filters_places_by_level_and_province(places, staff_client):
    url = reverse("admin:elections_place_changelist")
    zhejiang = places["zhejiang"]

    page = staff_client.get(url, {"level": "city", "province": zhejiang.pk})

    assert page.status_code == 200
    listed = {p.code for p in page.context["cl"].result_list}
    assert listed == set(
        Place.objects.filter(level="city", province=zhejiang).values_list("code", flat=True)
    )
    assert len(listed) == 11


@pytest.mark.django_db
@pytest.mark.parametrize("term", ["Hángzhōu", "hang zhou", "杭州市", "330100"])
def test_admin_search_finds_a_place_by_any_form(places, staff_client, term):
    page = staff_client.get(reverse("admin:elections_place_changelist"), {"q": term})

    assert [p.code for p in page.context["cl"].result_list] == ["330100"]


@pytest.mark.django_db
def test_admin_adds_a_township_with_an_alias(places, staff_client):
    xihu = places["xihu"]

    response = staff_client.post(
        reverse("admin:elections_place_add"),
        {
            "level": "township",
            "name_zh": "转塘街道",
            "short_zh": "",
            "name": "Zhuantang",
            "pinyin": "",
            "slug": "zhuantang",
            "code": "",
            "parent": xihu.pk,
            "names-TOTAL_FORMS": "1",
            "names-INITIAL_FORMS": "0",
            "names-0-name": "Zhuan Tang",
            "names-0-kind": "alias",
        },
    )

    assert response.status_code == 302, response.context and response.context["errors"]
    township = Place.objects.get(slug="zhuantang")
    assert (township.province.code, township.city.code) == ("330000", "330100")
    assert set(township.names.values_list("name", "kind")) == {
        ("Zhuan Tang", "alias"),
        ("转塘街道", "official_zh"),
        ("转塘", "short_zh"),
        ("Zhuǎntáng", "pinyin"),
        ("Zhuantang", "english"),
        ("轉塘街道", "traditional"),
        ("轉塘", "traditional"),
    }


@pytest.mark.django_db
def test_admin_escapes_place_names(places, staff_client):
    PlaceName.objects.create(place=places["hangzhou"], name="<script>x</script>")

    page = staff_client.get(reverse("admin:elections_place_change", args=[places["hangzhou"].pk]))

    assert b"<script>x</script>" not in page.content
    assert b"&lt;script&gt;x&lt;/script&gt;" in page.content


@pytest.mark.django_db
def test_admin_removes_an_alias_but_edits_no_name_in_place(places, staff_client):
    hangzhou = places["hangzhou"]
    alias = place_name_add(place=hangzhou, name="Hongzhou", acting_user=system_user())
    names = list(hangzhou.names.order_by("pk"))
    data = {
        "level": hangzhou.level,
        "name_zh": hangzhou.name_zh,
        "short_zh": hangzhou.short_zh,
        "name": hangzhou.name,
        "pinyin": hangzhou.pinyin,
        "slug": hangzhou.slug,
        "code": hangzhou.code,
        "parent": hangzhou.parent_id,
        "names-TOTAL_FORMS": str(len(names)),
        "names-INITIAL_FORMS": str(len(names)),
    }
    for number, name in enumerate(names):
        data[f"names-{number}-id"] = name.pk
        data[f"names-{number}-place"] = hangzhou.pk
        # An edit of the text is not taken: names are added or removed, never edited.
        data[f"names-{number}-name"] = f"{name.name} edited"
        if name == alias:
            data[f"names-{number}-DELETE"] = "on"

    response = staff_client.post(reverse("admin:elections_place_change", args=[hangzhou.pk]), data)

    assert response.status_code == 302, response.context and response.context["errors"]
    assert not hangzhou.names.filter(name="Hongzhou").exists()
    assert sorted(hangzhou.names.values_list("name", flat=True)) == sorted(
        name.name for name in names if name != alias
    )
    removed = PlaceName.history.get(id=alias.pk, history_type="-")
    assert removed.history_user.username == "editor"


@pytest.mark.django_db
def test_admin_offers_no_delete_of_a_place(places, staff_client):
    url = reverse("admin:elections_place_delete", args=[places["hangzhou"].pk])
    assert staff_client.get(url).status_code == 403
    page = staff_client.get(reverse("admin:elections_place_changelist"))
    assert "delete_selected" not in page.context["cl"].model_admin.get_actions(page.wsgi_request)
