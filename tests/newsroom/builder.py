"""The steps a test newsroom is built with (see the package's docstring)."""

import functools
import itertools

from elections.models import CandidateName, Contradiction, DisputeClaim, Place
from elections.services import (
    candidacy_for,
    candidate_add_name,
    candidate_merge,
    candidate_publish,
    candidate_withdraw,
    claim_reject,
    claim_verify,
    contradiction_resolve,
)
from sources.audit import system_user
from sources.dates import PartialDate
from sources.services import article_create, outlet_for_name
from tests.factories import make_candidate, make_claim, make_election, make_place, make_user

_numbers = itertools.count(1)

# Real places the scenarios stand candidates in: name -> (Chinese name, code, province).
PLACES = {
    "Beijing": ("北京市", "110000", None),
    "Zhejiang": ("浙江省", "330000", None),
    "Hangzhou": ("杭州市", "330100", "Zhejiang"),
    "Ningbo": ("宁波市", "330200", "Zhejiang"),
    "Jiangxi": ("江西省", "360000", None),
    "Xinyu": ("新余市", "360500", "Jiangxi"),
    "Hubei": ("湖北省", "420000", None),
    "Wuhan": ("武汉市", "420100", "Hubei"),
    "Qianjiang": ("潜江市", None, "Hubei"),
    "Sichuan": ("四川省", "510000", None),
    "Chengdu": ("成都市", None, "Sichuan"),
}


class Newsroom:
    """A newsroom built step by step through the factories and the services.

    Its editor and reviewer are made when a step first needs them, unless given.
    """

    def __init__(self, *, editor=None, reviewer=None):
        if editor is not None:
            self.editor = editor
        if reviewer is not None:
            self.reviewer = reviewer
        self._places = {}
        self._elections = {}

    @functools.cached_property
    def editor(self):
        return make_user("Editors")

    @functools.cached_property
    def reviewer(self):
        return make_user("Reviewers")

    # Places and elections.

    def add_place(self, name, name_zh=None, *, level=None, parent=None, code=None):
        """The place called `name`, made on first use: a place of the catalogue with its
        province, any other from the names and level given."""
        if name in self._places:
            return self._places[name]
        if name in PLACES:
            name_zh, code, province = PLACES[name]
            parent = self.add_place(province) if province else None
            level = Place.Level.CITY if province else Place.Level.PROVINCE
        place = make_place(name, name_zh, level=level or Place.Level.CITY, parent=parent, code=code)
        self._places[name] = place
        setattr(self, name.lower(), place)
        return place

    def add_places(self, *names):
        return [self.add_place(name) for name in names]

    def election_in(self, place, *, polling="2011-11-08"):
        """The election held in `place` (a place or its name), made on first use."""
        if isinstance(place, str):
            place = self.add_place(place)
        if place.pk not in self._elections:
            self._elections[place.pk] = make_election(place, polling=polling)
        return self._elections[place.pk]

    # Outlets and articles.

    def add_article(
        self, text, *, outlet="Test Outlet", title="", published="2011-06-02", **fields
    ):
        """An article of `outlet` (made on first use), published on the partial date given."""
        outlet_fields = {key: fields.pop(key) for key in ("homepage",) if key in fields}
        return article_create(
            outlet=outlet_for_name(name=outlet, acting_user=system_user(), **outlet_fields),
            title=title or f"Article {next(_numbers)}",
            text=text,
            published=PartialDate.parse(published) if published else None,
            acting_user=system_user(),
            **fields,
        )

    def add_archived_copy(self, article, content, *, when="2011-11-02T08:00:00+00:00"):
        """`content` kept as the archived copy of `article`, as if fetched from its address."""
        import hashlib
        from datetime import datetime

        from sources.fetching import Fetched
        from sources.services.archives import archived_copy_keep

        data = content.encode("utf-8")
        fetched = Fetched(
            url=article.url or "https://example.org/fetched",
            final_url=article.url or "https://example.org/fetched",
            data=data,
            content_type="text/html; charset=utf-8",
            fetched_at=datetime.fromisoformat(when),
            sha256=hashlib.sha256(data).hexdigest(),
        )
        return archived_copy_keep(article=article, fetched=fetched, acting_user=system_user())

    # Candidates.

    def add_candidate(self, name, place=None, *, polling="2011-11-08", **fields):
        """A draft candidate, standing in the election of `place` when one is given."""
        candidate = make_candidate(name, **fields)
        if place is not None:
            self.stand(candidate, place, polling=polling)
        return candidate

    def stand(self, candidate, place, *, polling="2011-11-08"):
        """The candidacy of `candidate` in the election of `place`."""
        election = self.election_in(place, polling=polling)
        return candidacy_for(candidate=candidate, election=election, acting_user=system_user())

    def add_name(self, candidate, name, kind=CandidateName.Kind.ENGLISH, **options):
        return candidate_add_name(
            candidate=candidate, name=name, kind=kind, acting_user=system_user(), **options
        )

    def publish(self, *candidates):
        for candidate in candidates:
            candidate_publish(candidate=candidate, acting_user=self.reviewer)

    def withdraw(self, candidate, note=""):
        return candidate_withdraw(candidate=candidate, note=note, acting_user=self.reviewer)

    def merge(self, survivor, absorbed):
        return candidate_merge(survivor=survivor, absorbed=absorbed, acting_user=self.reviewer)

    # Claims and contradictions.

    def add_claim(self, candidate, prop, value, article, quote=None, **options):
        """An unverified claim the editor recorded; its quote is `value` unless given."""
        return make_claim(candidate, prop, value, article, quote, by=self.editor, **options)

    def add_verified(self, *claim, **options):
        """A claim the editor recorded and the reviewer verified."""
        return claim_verify(claim=self.add_claim(*claim, **options), acting_user=self.reviewer)

    def reject(self, claim, reason):
        return claim_reject(claim=claim, reason=reason, acting_user=self.reviewer)

    def resolve(self, candidate, prop, verdict, note, right=None):
        """The reviewer's one verdict on the dispute about `prop` of `candidate`; with
        `right` (a claim), its version is the one found right."""
        from elections.disputes import question_property

        contradiction = Contradiction.objects.get(
            candidate=candidate, property=question_property(prop)
        )
        group = DisputeClaim.objects.get(claim=right).group if right is not None else None
        return contradiction_resolve(
            contradiction=contradiction,
            verdict=verdict,
            right_group=group,
            note=note,
            acting_user=self.reviewer,
        )
