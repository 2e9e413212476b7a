"""Building blocks for tests: made through the same services the product uses."""

import itertools

from django.contrib.auth.models import Group, User

from elections.models import Election, Place
from elections.services import candidacy_for, candidate_create, claim_create_from_quote
from sources.audit import system_user
from sources.dates import PartialDate
from sources.services import article_create, outlet_for_name

_numbers = itertools.count(1)


def make_user(*roles, username=None, superuser=False):
    """A user in the given role groups (Editors, Reviewers, Importers)."""
    username = username or f"user{next(_numbers)}"
    if superuser:
        return User.objects.create_superuser(username, f"{username}@example.org", "pw")
    user = User.objects.create_user(username, f"{username}@example.org", "pw", is_staff=True)
    for role in roles:
        user.groups.add(Group.objects.get(name=role))
    return user


def make_article(text, *, outlet="Test Outlet", title=None, published="2011-06-02", url=""):
    """An article of `outlet` with `text`, published on the partial date `published`."""
    return article_create(
        outlet=outlet_for_name(name=outlet, acting_user=system_user()),
        title=title or f"Article {next(_numbers)}",
        text=text,
        url=url,
        published=PartialDate.parse(published) if published else None,
        acting_user=system_user(),
    )


def make_place(name, name_zh, *, level=Place.Level.CITY, parent=None, code=None):
    from elections.services.places import place_create

    return place_create(
        level=level,
        name=name,
        name_zh=name_zh,
        parent=parent,
        code=code,
        acting_user=system_user(),
    )


def make_election(place, *, polling="2011-11-08"):
    date = PartialDate.parse(polling)
    return Election.objects.create(
        name=f"{place.name} People's Congress {next(_numbers)}",
        slug=f"election-{next(_numbers)}",
        place=place,
        polling_on=date.earliest(),
        polling_precision=date.precision,
    )


def make_candidate(display_name="Xu Yan", *, by=None, **fields):
    return candidate_create(display_name=display_name, acting_user=by or system_user(), **fields)


def make_claim(candidate, property, value, article, quote=None, *, by=None, **options):
    """A claim whose quote is `quote` (by default the value itself) in `article`."""
    return claim_create_from_quote(
        candidate=candidate,
        property=property,
        value=value,
        article=article,
        quote=quote or value,
        acting_user=by or system_user(),
        **options,
    )


def make_candidacy(candidate, election):
    return candidacy_for(candidate=candidate, election=election, acting_user=system_user())
