"""Outlets: found or created by name (one at a time or in batches), changed, deleted.

Every change leaves a history record naming the acting user and the reason.
"""

from collections.abc import Iterable

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.text import slugify
from django.utils.translation import gettext as _

from sources.audit import Reason, acting, read_only, service, service_step
from sources.identifiers import wikidata_qid
from sources.models import Outlet
from sources.text import normalize_line

from .changes import apply_given
from .history import history_bulk_insert
from .unset import UNSET, Unset

BATCH_SIZE = 500


def _slug_base(name: str) -> str:
    return slugify(name, allow_unicode=True)[:180].strip("-") or "outlet"


def _unique_slug(model: type[models.Model], base: str, *, field: str = "slug") -> str:
    base = _slug_base(base)
    slug, number = base, 2
    while model._default_manager.filter(**{field: slug}).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


@service(perm="sources.add_outlet", action="add outlets")
def outlet_for_name(*, name: str, acting_user: User, **defaults: str) -> Outlet:
    """Return the outlet called `name` (case-insensitive), creating it when there is none."""
    name = normalize_line(name)
    if not name:
        raise ValueError("an outlet needs a name")
    outlet = Outlet.objects.filter(name__iexact=name).first()
    if outlet is None:
        outlet = Outlet(name=name, slug=_unique_slug(Outlet, name), **defaults)
        outlet.full_clean()
        acting(outlet, acting_user, Reason.OUTLET_CREATED).save()
    return outlet


def _name_taken(name: str, *, other_than: Outlet | None = None) -> None:
    """Refuse `name` when another outlet is called so in any case (as imports match them)."""
    taken = Outlet.objects.filter(name__iexact=name)
    if other_than is not None:
        taken = taken.exclude(pk=other_than.pk)
    existing = taken.first()
    if existing is not None:
        raise ValidationError(
            {
                "name": _("The outlet “%(name)s” exists already; use it, or rename it.")
                % {"name": existing.name}
            }
        )


@service(perm="sources.add_outlet", action="add outlets")
def outlet_create(
    *,
    name: str,
    slug: str = "",
    kind: str = Outlet.Kind.OTHER,
    homepage: str = "",
    country: str = "",
    language: str = "",
    notes: str = "",
    wikidata: str = "",
    acting_user: User,
) -> Outlet:
    """Create an outlet; its slug is made from the name when none is given.

    Refuses (ValidationError on `name`) a name another outlet has in any case, since imports
    and the importer's outlet column find outlets by name that way.
    """
    name = normalize_line(name)
    _name_taken(name)
    outlet = Outlet(
        name=name,
        slug=slug.strip() or _unique_slug(Outlet, name),
        kind=kind,
        homepage=homepage.strip(),
        country=normalize_line(country),
        language=language.strip(),
        notes=notes,
        wikidata=wikidata_qid(wikidata),
    )
    outlet.full_clean()
    acting(outlet, acting_user, Reason.OUTLET_CREATED).save()
    return outlet


@service(perm="sources.change_outlet", action="change outlets")
def outlet_update(
    *,
    outlet: Outlet,
    name: str | Unset = UNSET,
    slug: str | Unset = UNSET,
    kind: str | Unset = UNSET,
    homepage: str | Unset = UNSET,
    country: str | Unset = UNSET,
    language: str | Unset = UNSET,
    notes: str | Unset = UNSET,
    wikidata: str | Unset = UNSET,
    acting_user: User,
) -> Outlet:
    """Change the given fields of an outlet (those left out are kept); return it as stored.

    Nothing is written, and no history recorded, when no field changes.
    """
    current = Outlet.objects.select_for_update().get(pk=outlet.pk)
    given = {
        "name": normalize_line(name) if name is not UNSET else UNSET,
        "slug": slug.strip() if slug is not UNSET else UNSET,
        "kind": kind,
        "homepage": homepage.strip() if homepage is not UNSET else UNSET,
        "country": normalize_line(country) if country is not UNSET else UNSET,
        "language": language.strip() if language is not UNSET else UNSET,
        "notes": notes,
        "wikidata": wikidata_qid(wikidata) if wikidata is not UNSET else UNSET,
    }
    changed = apply_given(current, given)
    if not changed:
        return current
    if "name" in changed:
        _name_taken(current.name, other_than=current)
    current.full_clean()
    acting(current, acting_user, Reason.OUTLET_CHANGED).save(update_fields=[*changed, "updated_at"])
    return current


@service(perm="sources.delete_outlet", action="delete outlets")
def outlet_delete(*, outlet: Outlet, acting_user: User) -> None:
    """Delete an outlet no article comes from (one made by mistake, or a misspelled twin).

    Refuses (ValidationError) an outlet with articles: they are evidence, and claims cite
    them; an outlet's name is corrected with `outlet_update` instead.
    """
    current = Outlet.objects.select_for_update().get(pk=outlet.pk)
    articles = current.articles.count()
    if articles:
        raise ValidationError(
            _(
                "“%(name)s” has %(count)s article(s) and is kept; correct its name or "
                "details instead."
            )
            % {"name": current.name, "count": articles}
        )
    acting(current, acting_user, Reason.OUTLET_DELETED).delete()


@read_only
def outlet_key(name: str) -> str:
    """The form outlet names are compared in: normalized, on one line, case folded."""
    return normalize_line(name).lower()


@read_only
def outlets_named(names: Iterable[str]) -> dict[str, Outlet]:
    """Return {outlet_key(name): Outlet} for the outlets of `names` that exist, in one query."""
    wanted = _wanted(names)
    if not wanted:
        return {}
    found: dict[str, Outlet] = {}
    # Exact names as well as lowered ones: SQLite's LOWER() folds ASCII letters only.
    existing = (
        Outlet.objects.annotate(folded=Lower("name"))
        .filter(Q(name__in=wanted.values()) | Q(folded__in=wanted.keys()))
        .order_by("pk")
    )
    for outlet in existing:
        found.setdefault(outlet.name.lower(), outlet)
    return found


def _wanted(names: Iterable[str]) -> dict[str, str]:
    wanted: dict[str, str] = {}
    for name in dict.fromkeys(names):
        clean = normalize_line(name)
        if clean:
            wanted.setdefault(clean.lower(), clean)
    return wanted


@service(perm="sources.add_outlet", action="add outlets")
def outlets_for_names(*, names: Iterable[str], acting_user: User) -> dict[str, Outlet]:
    """Return {outlet_key(name): Outlet} for `names`, creating the missing ones together in
    one insert, each with a slug no other outlet has."""
    names = list(names)
    found = outlets_named(names)
    missing = [name for key, name in _wanted(names).items() if key not in found]
    if missing:
        created = insert_outlets_with_slugs([Outlet(name=name) for name in missing], acting_user)
        for outlet in created:
            found[outlet.name.lower()] = outlet
    return found


def _taken_slugs(bases: Iterable[str]) -> set[str]:
    taken: set[str] = set()
    ordered = sorted(bases)
    for first in range(0, len(ordered), 100):
        query = Q()
        for base in ordered[first : first + 100]:
            query |= Q(slug__startswith=base)
        taken.update(Outlet.objects.filter(query).values_list("slug", flat=True))
    return taken


@service_step
def insert_outlets_with_slugs(outlets: list[Outlet], user: User) -> list[Outlet]:
    """Insert unsaved `outlets`, each given a slug no other outlet has, with their history
    naming `user` (one query per 100 slug bases to learn which are taken, then one insert
    per batch for the outlets and one for their history)."""
    taken = _taken_slugs({_slug_base(outlet.name) for outlet in outlets})
    for outlet in outlets:
        base = _slug_base(outlet.name)
        slug, number = base, 2
        while slug in taken:
            slug, number = f"{base}-{number}", number + 1
        taken.add(slug)
        outlet.slug = slug
        # Uniqueness is settled above and by the database; validate_unique would cost a
        # query per outlet.
        outlet.full_clean(validate_unique=False, validate_constraints=False)
    created = Outlet.objects.bulk_create(outlets, batch_size=BATCH_SIZE)
    history_bulk_insert(created, Outlet, user=user, reason=Reason.OUTLET_CREATED)
    return created
