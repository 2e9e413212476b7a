"""Elections: creating them, changing them, and keeping their candidates' courses in order.

An election's polling date orders the status steps of candidates who stood in more than one
election (`elections.services.course`), so a change of it puts those steps in order again and
re-reads each of their candidacies' current status, in the same transaction.
"""

from collections.abc import Iterable, Sequence

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from elections.models import Candidacy, Election, Place
from sources.audit import Reason, acting, service, service_step
from sources.dates import PartialDate
from sources.services.bulk import history_bulk_insert
from sources.services.changes import apply_given
from sources.services.unset import UNSET, Unset
from sources.slugs import unique_slug

from .bulk.candidates import CYCLE, candidacies_refresh_status, election_level
from .course import steps_renumber

BATCH_SIZE = 500


def _set_polling(election: Election, polling: PartialDate | None) -> None:
    election.polling_on = polling.earliest() if polling else None
    election.polling_precision = polling.precision if polling else "day"


@service_step
def elections_polling_changed(*, election_ids: Iterable[int]) -> int:
    """After the polling date of these elections changed: put the status steps of everyone
    who stood in them in course order again, and re-read the status of all their
    candidacies (a step's place among a candidate's steps depends on polling dates).

    Returns the number of steps whose place changed.
    """
    ids = sorted(set(election_ids))
    candidate_ids: set[int] = set()
    for first in range(0, len(ids), BATCH_SIZE):
        candidate_ids.update(
            Candidacy.objects.filter(election_id__in=ids[first : first + BATCH_SIZE]).values_list(
                "candidate_id", flat=True
            )
        )
    if not candidate_ids:
        return 0
    moved = steps_renumber(candidate_ids=candidate_ids)
    ordered = sorted(candidate_ids)
    candidacy_ids: list[int] = []
    for first in range(0, len(ordered), BATCH_SIZE):
        candidacy_ids.extend(
            Candidacy.objects.filter(
                candidate_id__in=ordered[first : first + BATCH_SIZE]
            ).values_list("pk", flat=True)
        )
    candidacies_refresh_status(candidacy_ids=candidacy_ids)
    return moved


@service(perm="elections.add_election", action="add elections")
def election_create(
    *,
    name: str,
    place: Place,
    level: str = "",
    cycle: str = CYCLE,
    polling: PartialDate | None = None,
    slug: str = "",
    notes: str = "",
    acting_user: User,
) -> Election:
    """Record an election; its level follows its place unless given, its slug its name."""
    name = " ".join((name or "").split())
    election = Election(
        name=name,
        slug=slug or unique_slug(Election, name or f"{place.slug}-{cycle}"),
        place=place,
        level=level or election_level(place),
        cycle=cycle,
        notes=notes,
    )
    _set_polling(election, polling)
    election.full_clean()
    acting(election, acting_user, Reason.ELECTION_CREATED).save()
    return election


@service(perm="elections.change_election", action="change elections")
def election_update(
    *,
    election: Election,
    name: str | Unset = UNSET,
    slug: str | Unset = UNSET,
    place: Place | Unset = UNSET,
    level: str | Unset = UNSET,
    cycle: str | Unset = UNSET,
    polling: PartialDate | Unset | None = UNSET,
    notes: str | Unset = UNSET,
    acting_user: User,
) -> Election:
    """Change the fields given; a new polling date re-orders its candidates' status steps.

    `polling=None` says the polling date is not known.
    """
    current = Election.objects.select_for_update().get(pk=election.pk)
    before = (current.polling_on, current.polling_precision)
    if slug is not UNSET and not slug:
        raise ValidationError({"slug": gettext("An election needs its slug.")})
    apply_given(
        current,
        {
            "name": " ".join(name.split()) if name is not UNSET else UNSET,
            "slug": slug,
            "place": place,
            "level": level,
            "cycle": cycle,
            "notes": notes,
        },
    )
    if polling is not UNSET:
        _set_polling(current, polling)
    current.full_clean()
    acting(current, acting_user, Reason.ELECTION_CHANGED).save()
    if (current.polling_on, current.polling_precision) != before:
        elections_polling_changed(election_ids=[current.pk])
    return current


@service(perm="elections.import_sheets", action="import spreadsheets")
def elections_import(
    *, created: Sequence[Election], changed: Sequence[Election], acting_user: User
) -> None:
    """Write an election sheet: insert `created` (unsaved, checked) and save the name,
    polling date and notes of `changed`, each with its history record; the candidates of
    elections whose polling date changed have their steps put in order again."""
    Election.objects.bulk_create(list(created), batch_size=BATCH_SIZE)
    history_bulk_insert(created, Election, user=acting_user, reason=Reason.ELECTION_CREATED)
    if not changed:
        return
    ids = [election.pk for election in changed]
    stored = {
        pk: (polling_on, precision)
        for pk, polling_on, precision in Election.objects.filter(pk__in=ids).values_list(
            "pk", "polling_on", "polling_precision"
        )
    }
    Election.objects.bulk_update(
        list(changed), ["name", "polling_on", "polling_precision", "notes"], batch_size=BATCH_SIZE
    )
    history_bulk_insert(
        changed, Election, user=acting_user, reason=Reason.SHEET_IMPORTED, updated=True
    )
    redated = [
        election.pk
        for election in changed
        if stored.get(election.pk) != (election.polling_on, election.polling_precision)
    ]
    if redated:
        elections_polling_changed(election_ids=redated)
