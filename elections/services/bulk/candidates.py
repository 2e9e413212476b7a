"""Candidates, their other names, elections, candidacies and status steps, written in bulk.

The same rules as `candidate_create`, `candidate_add_name` and `candidacy_for`, for the
thousands of rows of a sheet: every object is checked with `full_clean` (minus the foreign
keys and uniqueness, which the batch settles in one query and the database enforces) and
written with its history by django-simple-history's bulk functions, a batch at a time.
"""

from collections.abc import Iterable, Sequence

from django.contrib.auth.models import User
from django.db import models
from django.utils import timezone
from django.utils.text import slugify

from elections.models import (
    Candidacy,
    CandidacyStatus,
    Candidate,
    CandidateName,
    Claim,
    Election,
    Place,
)
from elections.names import has_han, search_text
from elections.services.course import steps_renumber
from sources.audit import Reason, read_only, require_perm, service, service_step
from sources.dates import PartialDate
from sources.services.bulk import history_bulk_insert
from sources.slugs import slug_base

BATCH_SIZE = 500
# The national round of local people's congress elections the sheets are about.
CYCLE = "2011-2012"
# Polling days known for a whole province-level division, by its code (DESIGN.md).
POLLING_DAYS = {"110000": PartialDate(2011, 11, 8), "310000": PartialDate(2011, 11, 16)}
OUTCOMES = frozenset({"elected", "defeated"})


@read_only
def require_import(user: User) -> None:
    """PermissionDenied unless `user` may import sheets (the resources check it first)."""
    require_perm(user, "elections.import_sheets", "import spreadsheets")


@read_only
def name_kind(name: str) -> str:
    """How an other name from a sheet is filed: Chinese characters, or as printed in English."""
    return CandidateName.Kind.HANS if has_han(name) else CandidateName.Kind.ENGLISH


def _clean(instance: models.Model, exclude: list[str]) -> None:
    # Foreign keys point at rows read or written in this transaction, and uniqueness is
    # settled per batch; checking them here would cost a query an object.
    instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)


class SlugPool:
    """Unique slugs for a model, with the taken ones read once (one query)."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self.taken: set[str] | None = None

    def reserve(self, slug: str) -> None:
        self._load().add(slug)

    def is_taken(self, slug: str) -> bool:
        return slug in self._load()

    def new(self, text: str) -> str:
        """A slug for `text` (pinyin for Chinese) that nothing has yet; reserved at once."""
        taken = self._load()
        base = slug_base(text)
        slug, number = base, 2
        while slug in taken:
            slug, number = f"{base}-{number}", number + 1
        taken.add(slug)
        return slug

    def _load(self) -> set[str]:
        """The slugs taken, read at the first use."""
        if self.taken is None:
            # `_default_manager` is `objects` on the models given (Election, Candidate); the
            # stubs know no `objects` on a model class in general.
            slugs = self.model._default_manager.values_list("slug", flat=True)
            self.taken = set(slugs.iterator(5000))
        return self.taken


@read_only
def election_level(place: Place) -> str:
    """A township elects a township congress; every other place a county-level one."""
    if place.level == Place.Level.TOWNSHIP:
        return Election.Level.TOWNSHIP
    return Election.Level.COUNTY


@read_only
def election_name(place: Place, cycle: str = CYCLE) -> str:
    if place.level == Place.Level.TOWNSHIP:
        return f"{place.name} township people's congress election, {cycle}"
    if place.level == Place.Level.COUNTY:
        return f"{place.name} people's congress election, {cycle}"
    return f"{place.name}: district and county people's congress elections, {cycle}"


@read_only
def elections_existing(*, places: Iterable[Place], cycle: str = CYCLE) -> dict[int, Election]:
    """{place id: Election} of the elections of `cycle` already recorded at `places`."""
    wanted = {(place.pk, election_level(place)) for place in places}
    found: dict[int, Election] = {}
    place_ids = sorted({place_id for place_id, _level in wanted})
    for first in range(0, len(place_ids), BATCH_SIZE):
        chunk = place_ids[first : first + BATCH_SIZE]
        for election in Election.objects.filter(place_id__in=chunk, cycle=cycle):
            if (election.place_id, election.level) in wanted:
                found[election.place_id] = election
    return found


@service(perm="elections.import_sheets", action="import spreadsheets")
def elections_for_places(
    *, places: Iterable[Place], cycle: str = CYCLE, acting_user: User
) -> dict[int, Election]:
    """{place id: Election}: the election of `cycle` at each place, created when missing.

    A created election is named after its place, at the township level for a township and
    the county level otherwise, with the polling day where a whole province-level division
    voted on one day (Beijing, Shanghai).
    """
    places = list({place.pk: place for place in places}.values())
    found = elections_existing(places=places, cycle=cycle)
    missing = [place for place in places if place.pk not in found]
    if not missing:
        return found
    slugs = SlugPool(Election)
    created = []
    for place in missing:
        polling = POLLING_DAYS.get(getattr(place.province, "code", None) or "")
        election = Election(
            name=election_name(place, cycle),
            slug=slugs.new(slugify(f"{place.slug}-{cycle}")),
            place=place,
            level=election_level(place),
            cycle=cycle,
            polling_on=polling.earliest() if polling else None,
            polling_precision=polling.precision if polling else "day",
        )
        _clean(election, ["place"])
        created.append(election)
    Election.objects.bulk_create(created, batch_size=BATCH_SIZE)
    history_bulk_insert(created, Election, user=acting_user, reason=Reason.ELECTION_CREATED)
    for election in created:
        found[election.place_id] = election
    return found


@read_only
def sheet_status_date(election: Election, status: str) -> PartialDate:
    """The date of a status step a sheet gives without one.

    An outcome (elected, defeated) is dated to the election's polling day when it is known;
    anything else to the first year of the election's cycle, at the precision of a year.
    """
    if status in OUTCOMES and election.polling is not None:
        return election.polling
    return PartialDate(int(election.cycle[:4]))


@service(perm="elections.import_sheets", action="import spreadsheets")
def candidates_bulk_create(
    *, candidates: list[Candidate], acting_user: User, cleaned: bool = False
) -> list[Candidate]:
    """Insert unsaved candidates (slugs already unique) with their history; return them.

    `cleaned` says the caller has just passed each through `full_clean` (to report every
    problem of a sheet before writing), so that the check is not paid for twice. A
    candidate's `search_text` is made from its names unless the caller made it already.
    """
    for candidate in candidates:
        if not candidate.search_text:
            candidate.search_text = search_text([candidate.display_name, candidate.name_zh])
        if not cleaned:
            _clean(candidate, ["merged_into"])
    created = Candidate.objects.bulk_create(candidates, batch_size=BATCH_SIZE)
    history_bulk_insert(created, Candidate, user=acting_user, reason=Reason.CANDIDATE_CREATED)
    return created


@service(perm="elections.import_sheets", action="import spreadsheets")
def candidates_bulk_update(
    *,
    candidates: list[Candidate],
    fields: Iterable[str],
    acting_user: User,
    cleaned: bool = False,
) -> list[Candidate]:
    """Write `fields` of saved candidates, counting a revision each, with their history."""
    now = timezone.now()
    for candidate in candidates:
        candidate.revision += 1
        candidate.updated_at = now
        if not cleaned:
            _clean(candidate, ["merged_into"])
    written = sorted({*fields, "revision", "updated_at"})
    Candidate.objects.bulk_update(candidates, written, batch_size=BATCH_SIZE)
    history_bulk_insert(
        candidates, Candidate, user=acting_user, reason=Reason.SHEET_IMPORTED, updated=True
    )
    return candidates


@service(perm="elections.import_sheets", action="import spreadsheets")
def candidate_names_bulk_add(
    *,
    names: Iterable[tuple[Candidate, str]],
    refresh: Iterable[Candidate] = (),
    acting_user: User,
) -> list[CandidateName]:
    """Add (candidate, name) other names not yet recorded; refresh the search text of all.

    `names` is a list of (saved Candidate, name); the search text of the candidates in
    `refresh` (whose own names changed) is rebuilt too. Returns the CandidateName rows
    created.
    """
    wanted: dict[tuple[int, str], Candidate] = {}
    for candidate, name in names:
        name = " ".join((name or "").split())
        if name:
            wanted.setdefault((candidate.pk, name), candidate)
    touched = {candidate.pk: candidate for candidate in (*wanted.values(), *refresh)}
    candidate_ids = sorted(touched)
    known: dict[int, list[str]] = {}
    for first in range(0, len(candidate_ids), BATCH_SIZE):
        rows = CandidateName.objects.filter(
            candidate_id__in=candidate_ids[first : first + BATCH_SIZE]
        ).values_list("candidate_id", "name")
        for candidate_id, name in rows:
            known.setdefault(candidate_id, []).append(name)
    created = []
    for (candidate_id, name), candidate in wanted.items():
        if name in known.get(candidate_id, ()):
            continue
        form = CandidateName(candidate=candidate, name=name, kind=name_kind(name))
        _clean(form, ["candidate", "passage"])
        created.append(form)
        known.setdefault(candidate_id, []).append(name)
    if created:
        CandidateName.objects.bulk_create(created, batch_size=BATCH_SIZE)
        history_bulk_insert(created, CandidateName, user=acting_user, reason=Reason.NAME_ADDED)
    for candidate in touched.values():
        forms = [candidate.display_name, candidate.name_zh, *known.get(candidate.pk, ())]
        candidate.search_text = search_text(form for form in forms if form)
    Candidate.objects.bulk_update(list(touched.values()), ["search_text"], batch_size=BATCH_SIZE)
    return created


@service(perm="elections.import_sheets", action="import spreadsheets")
def candidacies_bulk_for(
    *,
    pairs: Iterable[tuple[Candidate, Election, str]],
    new_candidates: Iterable[Candidate] = (),
    acting_user: User,
) -> dict[tuple[int, int], Candidacy]:
    """{(candidate id, election id): Candidacy} for `pairs`, creating the missing ones.

    `pairs` holds (candidate, election, status): a candidacy created takes that status (its
    first step's, which the caller adds). Candidates in `new_candidates` were created in
    this transaction and have no candidacy yet, so they are not looked up.
    """
    wanted = {
        (candidate.pk, election.pk): (candidate, election, status)
        for candidate, election, status in pairs
    }
    found: dict[tuple[int, int], Candidacy] = {}
    fresh = {candidate.pk for candidate in new_candidates}
    candidate_ids = sorted({key[0] for key in wanted} - fresh)
    for first in range(0, len(candidate_ids), BATCH_SIZE):
        for candidacy in Candidacy.objects.filter(
            candidate_id__in=candidate_ids[first : first + BATCH_SIZE]
        ):
            key = (candidacy.candidate_id, candidacy.election_id)
            if key in wanted:
                found[key] = candidacy
    created = []
    for key, (candidate, election, status) in wanted.items():
        if key not in found:
            # Built from saved rows and a status read from the Status choices: valid as is.
            created.append(Candidacy(candidate=candidate, election=election, status=status))
    if created:
        Candidacy.objects.bulk_create(created, batch_size=BATCH_SIZE)
        history_bulk_insert(created, Candidacy, user=acting_user, reason=Reason.CANDIDACY_RECORDED)
        for candidacy in created:
            found[candidacy.candidate_id, candidacy.election_id] = candidacy
    return found


@service(perm="elections.import_sheets", action="import spreadsheets")
def candidacy_steps_bulk_add(
    *, steps: Sequence[CandidacyStatus], acting_user: User
) -> Sequence[CandidacyStatus]:
    """Insert unsaved CandidacyStatus steps, then bring their candidacies' status up to date.

    Each step's `candidacy` must be the saved instance, whose `status` is taken as current.
    """
    for step in steps:
        # A status from the Status choices and a date from a PartialDate: valid as built.
        step.created_by = acting_user
    CandidacyStatus.objects.bulk_create(list(steps), batch_size=BATCH_SIZE)
    history_bulk_insert(steps, CandidacyStatus, user=acting_user, reason=Reason.STATUS_REPORTED)
    candidacy_ids = {step.candidacy_id for step in steps}
    steps_renumber(candidacy_ids=candidacy_ids)
    candidacies_refresh_status(
        candidacy_ids=candidacy_ids,
        current={step.candidacy_id: step.candidacy.status for step in steps},
    )
    return steps


@service_step
def candidacies_refresh_status(
    *, candidacy_ids: Iterable[int], current: dict[int, str] | None = None
) -> dict[int, str]:
    """`candidacy_refresh_status` for many candidacies: one read, one UPDATE per status.

    With `current` ({candidacy id: status it holds}), only those whose status changes are
    written.
    """
    ids_sorted = sorted(candidacy_ids)
    latest: dict[int, str] = {}
    for first in range(0, len(ids_sorted), BATCH_SIZE):
        chunk = ids_sorted[first : first + BATCH_SIZE]
        rows = (
            CandidacyStatus.objects.filter(candidacy_id__in=chunk)
            .exclude(claim__state=Claim.State.REJECTED)
            .exclude(claim__overruled=True)
            .order_by("candidacy_id", "-sequence", "-id")
            .values_list("candidacy_id", "status")
        )
        for candidacy_id, status in rows:
            latest.setdefault(candidacy_id, status)
    by_status: dict[str, list[int]] = {}
    for candidacy_id in ids_sorted:
        status = latest.get(candidacy_id, "")
        if current is None or current.get(candidacy_id) != status:
            by_status.setdefault(status, []).append(candidacy_id)
    for status, ids in by_status.items():
        for first in range(0, len(ids), BATCH_SIZE):
            Candidacy.objects.filter(pk__in=ids[first : first + BATCH_SIZE]).update(status=status)
    return latest
