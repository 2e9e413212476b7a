"""The candidate sheet: one person per row, with other names, place and candidacy status.

Identity: a row with a slug is the candidate with that slug (created when there is none); a
row without one is matched by its names (name, Chinese name, other names, in any script or
romanization) among candidates of the same province, or of no known province. One match is
updated; none makes a new candidate; more than one is a problem naming them all, never a
guess. A new slug whose name matches a candidate of the same province is imported, with a
notice naming the look-alike.

Blank cells never erase: they leave the candidate's value as it is. Other names are only
ever added. Notes are never replaced: a row's notes are appended to the candidate's, under
a line naming the importer and the day (`sources.resources.base.appended_notes`), and notes
already there are not added again. A changed row's outcome shows each field old → new.
`occupation` is read but not stored on the candidate, whose occupations are claims with
passages; an export fills it from those claims.

Status: the `status` column adds a dated step, without a claim (internal, never public), to
the candidacy in the 2011-2012 election of the row's most specific place (or the candidate's
only candidacy of the cycle when the row names no place); the election and the candidacy are
created when missing (see `elections.services.bulk.elections_for_places` and
`sheet_status_date`). A status already current, or already given by a sheet, is skipped. A
status with no place to find its election is not recorded, with a notice.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from elections.models import Candidacy, CandidacyStatus, Candidate, CandidateName
from elections.models.candidacy import STATUS_ZH
from elections.names import SEPARATOR, fold_han
from elections.normalizers.base import NormalizationError
from elections.normalizers.people import normalize_gender
from elections.normalizers.statuses import read_status
from elections.services.bulk import (
    CYCLE,
    SlugPool,
    candidacies_bulk_for,
    candidacy_steps_bulk_add,
    candidate_names_bulk_add,
    candidates_bulk_create,
    candidates_bulk_update,
    elections_existing,
    elections_for_places,
    require_import,
    sheet_status_date,
)
from elections.services.proposals import sheet_rows_propose
from sources import progress
from sources.resources.base import (
    NEW,
    SKIP,
    UPDATE,
    Column,
    SheetResource,
    appended_notes,
    batches,
    changes,
)

from .candidate_identity import CandidateIdentity
from .candidate_sheets import CandidateExport, place_columns
from .lookups import (
    CandidateIndex,
    PlaceColumns,
    candidate_provinces,
    candidates_by_slug,
    place_label,
)

EARLIEST_BIRTH_YEAR = 1850
# Fields named as the sheet's columns name them, in outcomes and problems.
_COLUMNS = {"display_name": "name"}
ALIAS_SEPARATORS = (";", "；")
UNCHECKED = [
    "state",
    "merged_into",
    "search_text",
    "published_at",
    "created_at",
    "updated_at",
    "revision",
]


@dataclass
class _Planned:
    """What the import does with one row's candidate."""

    row: object
    candidate: Candidate
    new: bool
    fields: set = field(default_factory=set)
    names: list = field(default_factory=list)
    place: object = None
    status: str = ""
    candidacy: object = None
    # For a published candidate: what the row changes, waiting for a reviewer.
    proposal: dict | None = None
    proposed: list = field(default_factory=list)


def _split_aliases(text):
    for separator in ALIAS_SEPARATORS[1:]:
        text = text.replace(separator, ALIAS_SEPARATORS[0])
    return [" ".join(part.split()) for part in text.split(ALIAS_SEPARATORS[0]) if part.strip()]


# Rows written together by a sheet import (see CandidateResource._write).
WRITE_SLICE = 10_000


class CandidateResource(CandidateIdentity, CandidateExport, SheetResource):
    """Candidates; see the module docstring."""

    columns = [
        Column("slug", (), _("the profile's address; leave blank to match by name")),
        Column("name", ("姓名",), _("the name readers know: Xu Yan")),
        Column("name_zh", ("中文名",), _("the name in Chinese characters")),
        Column("aliases", ("别名",), _("other names, separated by ;")),
        Column("gender", ("性别",), _("male/female, 男/女")),
        Column("birth_year", ("出生年份",)),
        Column("province", ("省份",)),
        Column("city", ("城市",)),
        Column("district", ("区县",)),
        Column("occupation", ("职业",), _("read, not stored: occupations are claims")),
        Column("weibo", ("微博",)),
        Column("status", ("状态",), _("declared, 宣布参选, elected, 当选 ...")),
        Column("notes", ("备注",), _("internal notes")),
    ]
    required = [("slug", "name", "name_zh")]

    class Meta:
        model = Candidate
        fields = ()
        name = _("Candidates")

    def import_rows(self, rows, *, report, user, dry_run):
        require_import(user)
        self.report, self.planned, self.user = report, [], user
        self.places = PlaceColumns()
        self.index = CandidateIndex()
        self.slugs = SlugPool(Candidate)
        self.this_year = timezone.localdate().year
        self.by_slug_row, self.by_candidate_row, self.row_provinces = {}, {}, {}
        for batch in batches(rows, self.batch_size):
            self._plan_batch(batch)
        if any(row["occupation"] for row in rows):
            report.notices.append(
                gettext(
                    "The occupation column is read but not stored: occupations are recorded "
                    "as claims, each with its passage."
                )
            )
        if report.problems or dry_run:
            return
        self._write(user)

    # Planning.

    def _plan_batch(self, batch):
        self.places.preload(batch)
        parsed = [item for item in (self._parse(row) for row in batch) if item is not None]
        existing = candidates_by_slug(item["slug"] for item in parsed)
        unslugged = [item for item in parsed if not item["slug"]]
        fresh = [item for item in parsed if item["slug"] and item["slug"] not in existing]
        matches = {
            item["row"].number: self.index.matching(item["names"], item["name_zh"])
            for item in unslugged + fresh
        }
        known = {ref for refs in matches.values() for ref in refs if isinstance(ref, int)}
        provinces = candidate_provinces(known)
        chosen = {}
        for item in parsed:
            candidate = self._identify(item, existing, matches, provinces)
            if candidate is not False:
                chosen[item["row"].number] = candidate
        loaded = {candidate.pk: candidate for candidate in existing.values()}
        wanted = [ref for ref in chosen.values() if isinstance(ref, int) and ref not in loaded]
        for candidate in Candidate.objects.filter(pk__in=wanted):
            loaded[candidate.pk] = candidate
        context = self._existing_context(loaded)
        elections = elections_existing(
            places=[item["place"] for item in parsed if item["place"] and item["status"]]
        )
        for item in parsed:
            number = item["row"].number
            if number not in chosen:
                continue
            ref = chosen[number]
            if ref is None:
                self._plan_new(item)
            else:
                self._plan_update(item, loaded[ref], context, elections)

    def _parse(self, row):
        report, problems = self.report, len(self.report.problems)
        item = {"row": row, "slug": row["slug"].strip().lower()}
        if item["slug"] and not _is_slug(item["slug"]):
            report.problem(
                row, "slug", gettext("a slug holds only letters a-z, digits and hyphens")
            )
        item["name"] = " ".join(row["name"].split())
        item["name_zh"] = "".join(row["name_zh"].split())
        item["aliases"] = _split_aliases(row["aliases"])
        item["names"] = [item["name"], item["name_zh"], *item["aliases"]]
        item["gender"] = ""
        if row["gender"]:
            try:
                item["gender"] = normalize_gender(row["gender"]).key
            except NormalizationError as error:
                report.problem(row, "gender", str(error))
        item["birth_year"] = None
        if row["birth_year"]:
            item["birth_year"] = self._birth_year(row)
        item["status"] = ""
        if row["status"]:
            try:
                item["status"] = read_status(row["status"]).value
            except NormalizationError as error:
                report.problem(row, "status", str(error))
        item["place"] = self.places.resolve(row, report)
        item["weibo"] = row["weibo"].strip()
        item["notes"] = row["notes"]
        if len(report.problems) > problems:
            return None
        return item

    def _birth_year(self, row):
        text = row["birth_year"].strip().rstrip("年")
        this_year = self.this_year
        if text.isdigit() and EARLIEST_BIRTH_YEAR <= int(text) <= this_year:
            return int(text)
        self.report.problem(
            row,
            "birth_year",
            gettext("“%(text)s” is not a year of birth between %(earliest)s and %(latest)s")
            % {"text": row["birth_year"], "earliest": EARLIEST_BIRTH_YEAR, "latest": this_year},
        )
        return None

    def _existing_context(self, loaded):
        """Names, candidacies of the cycle and sheet-given statuses of stored candidates."""
        ids = list(loaded)
        names = {}
        for candidate_id, name in CandidateName.objects.filter(candidate_id__in=ids).values_list(
            "candidate_id", "name"
        ):
            names.setdefault(candidate_id, set()).add(name)
        candidacies = {}
        for candidacy in Candidacy.objects.filter(
            candidate_id__in=ids, election__cycle=CYCLE
        ).select_related("election"):
            candidacies.setdefault(candidacy.candidate_id, []).append(candidacy)
        given = {}
        steps = CandidacyStatus.objects.filter(
            candidacy__candidate_id__in=ids, claim__isnull=True
        ).values_list("candidacy_id", "status")
        for candidacy_id, status in steps:
            given.setdefault(candidacy_id, set()).add(status)
        return {"names": names, "candidacies": candidacies, "given": given}

    def _plan_new(self, item):
        row = item["row"]
        if not (item["name"] or item["name_zh"]):
            self.report.problem(
                row, "name", gettext("a new candidate needs a name or a Chinese name")
            )
            return
        slug = item["slug"]
        if slug and self.slugs.is_taken(slug):
            self.report.problem(
                row,
                "slug",
                gettext("%(slug)s is the slug an earlier row's name makes") % {"slug": slug},
            )
            return
        if slug:
            self.slugs.reserve(slug)
        else:
            slug = self.slugs.new(item["name"] or item["name_zh"])
        candidate = Candidate(
            display_name=item["name"] or item["name_zh"],
            name_zh=item["name_zh"],
            gender=item["gender"],
            birth_year=item["birth_year"],
            slug=slug,
            weibo=item["weibo"],
            notes=item["notes"],
        )
        if not self._valid(row, candidate):
            return
        planned = _Planned(row, candidate, new=True, names=list(item["aliases"]))
        # The search text candidate_refresh_search would give, from the keys made when the
        # row was registered.
        keys = sorted(item["keys"])
        candidate.search_text = SEPARATOR + SEPARATOR.join(keys) + SEPARATOR if keys else ""
        summary = [
            gettext("creates %(name)s (%(slug)s)") % {"name": candidate.display_name, "slug": slug}
        ]
        self._plan_status(planned, item, [], set(), summary)
        self.planned.append(planned)
        self.report.outcome(row, NEW, "; ".join(summary), candidate)

    def _plan_update(self, item, candidate, context, elections):
        row = item["row"]
        planned = _Planned(row, candidate, new=False)
        others = context["names"].get(candidate.pk, set())
        known = {candidate.display_name, candidate.name_zh, *others}
        wanted = {
            "gender": item["gender"],
            "birth_year": item["birth_year"],
            "weibo": item["weibo"],
            # Appended to what editors wrote, never in its place.
            "notes": appended_notes(candidate.notes, item["notes"], user=self.user),
        }
        names = list(item["aliases"])
        # Matched by slug, the row's names are the candidate's; matched by a name, any
        # other name it gives is added as another form.
        if item["slug"] and item["name"]:
            wanted["display_name"] = item["name"]
        elif item["name"] not in known:
            names.append(item["name"])
        if item["name_zh"] and (item["slug"] or not candidate.name_zh):
            wanted["name_zh"] = item["name_zh"]
        elif fold_han(item["name_zh"]) != fold_han(candidate.name_zh):
            names.append(item["name_zh"])
        was, olds = {}, {}
        for name, value in wanted.items():
            if value not in ("", None) and getattr(candidate, name) != value:
                was[_COLUMNS.get(name, name)] = (getattr(candidate, name), value)
                olds[name] = getattr(candidate, name)
                setattr(candidate, name, value)
                planned.fields.add(name)
        forms = {candidate.display_name, candidate.name_zh, *others}
        planned.names = [name for name in dict.fromkeys(names) if name and name not in forms]
        if planned.fields and not self._valid(row, candidate):
            return
        summary = []
        if was:
            summary.append(changes(was))
        if planned.names:
            summary.append(
                gettext("adds other names %(names)s") % {"names": ", ".join(planned.names)}
            )
        candidacies = context["candidacies"].get(candidate.pk, [])
        self._plan_status(planned, item, candidacies, context["given"], summary, elections)
        if candidate.state == Candidate.State.PUBLISHED:
            summary = self._propose(planned, olds, was, summary)
        self.planned.append(planned)
        if summary:
            what = gettext("%(name)s (%(slug)s): %(changes)s") % {
                "name": candidate.display_name,
                "slug": candidate.slug,
                "changes": "; ".join(summary),
            }
            self.report.outcome(row, UPDATE, what, candidate)
        else:
            self.report.outcome(row, SKIP, gettext("unchanged"), candidate)

    def _propose(self, planned, olds, was, summary):
        """A published candidate's row: its public changes become a proposal that waits for
        a reviewer (`elections.services.proposals`); appended notes are written at once."""
        candidate = planned.candidate
        public = {name: getattr(candidate, name) for name in planned.fields - {"notes"}}
        for name in public:
            setattr(candidate, name, olds[name])
        planned.fields &= {"notes"}
        arguments = {
            "fields": public,
            "old": {name: "" if olds[name] is None else str(olds[name]) for name in public},
            "names": planned.names,
        }
        planned.proposed = [(name, olds[name], value) for name, value in public.items()]
        planned.proposed += [("name", None, name) for name in planned.names]
        if planned.status:
            arguments["status"] = {"place": planned.place.pk, "status": planned.status}
            planned.proposed.append(("status", None, f"{planned.status} in {planned.place}"))
        planned.names, planned.place, planned.status = [], None, ""
        if not planned.proposed:
            return summary
        planned.proposal = arguments
        notes = {column: pair for column, pair in was.items() if column == "notes"}
        public_was = {column: pair for column, pair in was.items() if column != "notes"}
        public_parts = ([changes(public_was)] if public_was else []) + summary[1 if was else 0 :]
        said = [changes(notes)] if notes else []
        proposes = gettext("proposes, for a reviewer to accept: %(changes)s") % {
            "changes": "; ".join(public_parts)
        }
        return [*said, proposes]

    def _plan_status(self, planned, item, candidacies, given, summary, elections=None):
        status, place, row = item["status"], item["place"], item["row"]
        if not status:
            return
        label = f"{status} ({STATUS_ZH[status]})"
        if not place:
            if len(candidacies) == 1:
                candidacy = candidacies[0]
                place = candidacy.election.place
            else:
                if not candidacies:
                    notice = gettext(
                        "Row %(row)s: the status %(status)s is not recorded: no place to find "
                        "the election by; give the province, city or district."
                    )
                else:
                    notice = gettext(
                        "Row %(row)s: the status %(status)s is not recorded: more than one "
                        "candidacy to find the election by; give the province, city or "
                        "district."
                    )
                self.report.notices.append(notice % {"row": row.number, "status": label})
                return
        election = (elections or {}).get(place.pk)
        candidacy = next(
            (c for c in candidacies if election is not None and c.election_id == election.pk),
            None,
        )
        if candidacy is not None and (
            candidacy.status == status or status in given.get(candidacy.pk, ())
        ):
            return
        planned.place, planned.status = place, status
        if election is not None:
            where = election.name
        else:
            where = gettext("the 2011-2012 election in %(place)s") % {"place": place}
        if candidacy is None:
            said = gettext("records the candidacy in %(election)s, status %(status)s")
        else:
            said = gettext("adds the status %(status)s in %(election)s")
        summary.append(said % {"election": where, "status": label})

    def _valid(self, row, candidate):
        try:
            # The fields a sheet gives; the rest hold their defaults or what services set.
            candidate.full_clean(
                exclude=UNCHECKED, validate_unique=False, validate_constraints=False
            )
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                column = _COLUMNS.get(name, name)
                for message in messages:
                    self.report.problem(row, column, message)
            return False
        return True

    # Writing.

    def _write(self, user):
        # In slices, so that what a write builds (names, candidacies, steps, history rows)
        # is held for one slice at a time, not for the whole sheet.
        for first in range(0, len(self.planned), WRITE_SLICE):
            planned = self.planned[first : first + WRITE_SLICE]
            self._write_slice(planned, user)
            progress.report("written", len(planned))

    def _write_slice(self, planned, user):
        created = [item.candidate for item in planned if item.new]
        # Every candidate passed full_clean when its row was planned.
        if created:
            candidates_bulk_create(candidates=created, acting_user=user, cleaned=True)
        changed = [item for item in planned if not item.new and item.fields]
        if changed:
            candidates_bulk_update(
                candidates=[item.candidate for item in changed],
                fields=set().union(*(item.fields for item in changed)),
                acting_user=user,
                cleaned=True,
            )
        names = [(item.candidate, name) for item in planned for name in item.names]
        renamed = [item.candidate for item in changed if item.fields & {"display_name", "name_zh"}]
        if names or renamed:
            candidate_names_bulk_add(names=names, refresh=renamed, acting_user=user)
        proposing = [item for item in planned if item.proposal]
        if proposing:
            sheet_rows_propose(
                rows=[(item.candidate, item.proposal, item.proposed) for item in proposing],
                acting_user=user,
            )
        with_status = [item for item in planned if item.status]
        if not with_status:
            return
        elections = elections_for_places(
            places=[item.place for item in with_status], acting_user=user
        )
        candidacies = candidacies_bulk_for(
            pairs=[(item.candidate, elections[item.place.pk], item.status) for item in with_status],
            acting_user=user,
            new_candidates=created,
        )
        steps = []
        for item in with_status:
            election = elections[item.place.pk]
            candidacy = candidacies[item.candidate.pk, election.pk]
            date = sheet_status_date(election, item.status)
            steps.append(
                CandidacyStatus(
                    candidacy=candidacy,
                    status=item.status,
                    on=date.earliest(),
                    precision=date.precision,
                    note="given by an import sheet",
                )
            )
        candidacy_steps_bulk_add(steps=steps, acting_user=user)


def _is_slug(text):
    return all(char.isascii() and (char.isalnum() or char in "-_") for char in text)


__all__ = ["CandidateResource", "place_columns", "place_label"]
