"""Places and their names: one entered by hand, a sheet of townships, an alias accepted.

A place entered by hand needs little typing: a missing short Chinese name, pinyin, English
name or slug is derived from its Chinese name, its province and city follow its parent, and
the names made from its own (official, short, pinyin, English, traditional) are added so that
lookups find it. Aliases (other spellings, misprints an editor accepts) are the editors' own.
A name is added or removed, never edited: a misspelt alias is removed and the right one added.
Places are not deleted: elections and claims point at them.
"""

from collections.abc import Sequence

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from elections.models import Place, PlaceName
from elections.places import (
    GENERATED_KINDS,
    fold_place_name,
    name_forms,
    place_slug,
    romanize,
    short_name_zh,
)
from sources.audit import Reason, acting, service, service_step
from sources.identifiers import wikidata_qid
from sources.services.bulk import history_bulk_insert
from sources.services.changes import apply_given
from sources.services.unset import UNSET, Unset

# The fields of a place an editor types; the rest (province, city) follow from the parent.
PLACE_FIELDS = (
    "level",
    "name",
    "name_zh",
    "short_zh",
    "pinyin",
    "code",
    "parent",
    "slug",
    "wikidata",
)


def _fill(place: Place) -> None:
    """Derive what the editor left blank, and the ancestor pointers, from the place's own."""
    if place.name_zh and not place.short_zh:
        place.short_zh = short_name_zh(place.name_zh)
    if place.short_zh and not (place.pinyin and place.name):
        toned, plain = romanize(place.short_zh)
        place.pinyin = place.pinyin or toned
        place.name = place.name or plain
    place.code = place.code or None  # blank codes would collide on the unique index
    if not place.slug:
        base = place.slug = place_slug(english=place.name, code=place.code)
        number = 2
        while Place.objects.filter(slug=place.slug).exclude(pk=place.pk).exists():
            place.slug, number = f"{base}-{number}", number + 1
    if place.parent is not None:
        place.province_id = place.parent.province_id
        place.city_id = place.parent.city_id
    else:
        place.province_id = place.city_id = None


def _save(place: Place, user: User, reason: Reason) -> Place:
    _fill(place)
    place.full_clean()
    acting(place, user, reason).save()
    # A province is its own province and a city its own city; that needs the row's id.
    own = {Place.Level.PROVINCE.value: "province", Place.Level.CITY.value: "city"}.get(place.level)
    if own and getattr(place, f"{own}_id") != place.pk:
        setattr(place, own, place)
        acting(place, user, reason).save(update_fields=[own])
    place_names_sync(place=place, acting_user=user)
    return place


def _add_name(place: Place, name: str, kind: str, user: User) -> PlaceName:
    name = " ".join((name or "").split())
    existing = PlaceName.objects.filter(place=place, name=name).first()
    if existing is not None:
        return existing
    place_name = PlaceName(place=place, name=name, kind=kind)
    place_name.full_clean()
    acting(place_name, user, Reason.PLACE_NAME_ADDED).save()
    return place_name


@service_step
def place_names_sync(*, place: Place, acting_user: User) -> list[PlaceName]:
    """Add the names made from the place's own that it lacks; removes none (an editor's
    alias may be one of them, and a claim may have been matched through an old one)."""
    forms = name_forms(
        code=place.code,
        name_zh=place.name_zh,
        short_zh=place.short_zh,
        pinyin=place.pinyin,
        english=place.name,
    )
    have = set(place.names.values_list("name", flat=True))
    missing = [
        PlaceName(place=place, name=name, kind=kind, key=fold_place_name(name))
        for name, kind in forms
        if name not in have
    ]
    PlaceName.objects.bulk_create(missing)
    history_bulk_insert(missing, PlaceName, user=acting_user, reason=Reason.PLACE_NAME_ADDED)
    return missing


@service(perm="elections.add_place", action="add places")
def place_create(
    *,
    level: str,
    name_zh: str,
    name: str = "",
    short_zh: str = "",
    pinyin: str = "",
    code: str | None = None,
    parent: Place | None = None,
    slug: str = "",
    wikidata: str = "",
    acting_user: User,
) -> Place:
    """Add a place (a township, say), deriving what is left blank; see the module docstring."""
    place = Place(
        level=level,
        name_zh=name_zh,
        name=" ".join((name or "").split()),
        short_zh=short_zh,
        pinyin=pinyin,
        code=code,
        parent=parent,
        slug=slug,
        wikidata=wikidata_qid(wikidata),
    )
    return _save(place, acting_user, Reason.PLACE_CREATED)


@service(perm="elections.change_place", action="change places")
def place_update(
    *,
    place: Place,
    level: str | Unset = UNSET,
    name_zh: str | Unset = UNSET,
    name: str | Unset = UNSET,
    short_zh: str | Unset = UNSET,
    pinyin: str | Unset = UNSET,
    code: str | Unset | None = UNSET,
    parent: Place | Unset | None = UNSET,
    slug: str | Unset = UNSET,
    wikidata: str | Unset = UNSET,
    acting_user: User,
) -> Place:
    """Change a place's fields (those given); a blank one is derived again, as on creation.

    The descendants' province and city pointers are not moved: a place keeps its parent's
    level, and moving a division under another province is a change of the dataset, which
    `load_places` brings in.
    """
    current = Place.objects.select_for_update().get(pk=place.pk)
    given = {
        "level": level,
        "name_zh": name_zh,
        "name": name,
        "short_zh": short_zh,
        "pinyin": pinyin,
        "code": code,
        "parent": parent,
        "slug": slug,
        "wikidata": wikidata_qid(wikidata) if wikidata is not UNSET else UNSET,
    }
    apply_given(current, given)
    if current.parent_id is not None and current.parent_id == current.pk:
        raise ValidationError({"parent": gettext("A place cannot be its own parent.")})
    return _save(current, acting_user, Reason.PLACE_CHANGED)


@service(perm="elections.add_placename", action="add place names")
def place_name_add(
    *, place: Place, name: str, kind: str = PlaceName.Kind.ALIAS, acting_user: User
) -> PlaceName:
    """Record another way of writing `place` (a spelling, a misprint an editor accepts).

    A name the place already has is returned unchanged.
    """
    return _add_name(place, name, kind, acting_user)


@service(perm="elections.delete_placename", action="remove place names")
def place_name_remove(*, place_name: PlaceName, acting_user: User) -> None:
    """Remove a name an editor added (an alias accepted by mistake).

    A name made from the place's own is refused: it would come back with the next load, and
    the place's own name is changed instead.
    """
    if place_name.kind in GENERATED_KINDS:
        raise ValidationError(
            gettext("“%(name)s” is made from the place's own names: change those instead.")
            % {"name": place_name.name}
        )
    acting(place_name, acting_user, Reason.PLACE_NAME_REMOVED).delete()


@service(perm="elections.import_sheets", action="import spreadsheets")
def places_import(
    *, planned: Sequence[tuple[Place, Sequence[str], bool]], acting_user: User
) -> list[Place]:
    """Write a place sheet's rows: (place, aliases to add, whether the place itself changed).

    Rows go in sheet order, so that a parent an earlier row creates is saved before its
    children. A place sheet is small (a few hundred townships): rows are written one by one.
    """
    written = []
    for place, aliases, changed in planned:
        if changed:
            reason = Reason.PLACE_CHANGED if place.pk else Reason.PLACE_CREATED
            if place.parent is not None and place.parent_id is None:
                place.parent = place.parent  # the parent was saved by an earlier row
            _save(place, acting_user, reason)
        for alias in aliases:
            _add_name(place, alias, PlaceName.Kind.ALIAS, acting_user)
        written.append(place)
    return written


__all__ = [
    "PLACE_FIELDS",
    "place_create",
    "place_name_add",
    "place_name_remove",
    "place_names_sync",
    "place_update",
    "places_import",
]
