"""The election sheet: a people's congress election at a place, level and cycle.

A row with a slug is the election with that slug; a row without one is the election of its
place (the most specific of its province, city, district and township columns), level
(township for a township, county otherwise, unless given) and cycle (2011-2012 unless
given), created when there is none. An election's place, level and cycle are its identity:
a sheet changes only its name, polling date and notes, and blank cells change nothing.
Notes are appended to the election's, dated and attributed, never put in their place; a
changed row's outcome shows each field old → new.
The rows are written by `elections.services.elections_import`, which puts in order again the
status steps of the candidates of an election whose polling date changed.
"""

from django.core.exceptions import ValidationError
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from elections.models import Election
from elections.services import elections_import
from elections.services.bulk import (
    CYCLE,
    SlugPool,
    election_level,
    require_import,
)
from elections.services.bulk.candidates import election_name
from sources.dates import PartialDate, PartialDateError
from sources.resources.base import (
    NEW,
    SKIP,
    UPDATE,
    Column,
    SheetResource,
    appended_notes,
    changes,
)

from .candidate_sheets import place_columns
from .lookups import PlaceColumns

LEVEL_WORDS = {
    Election.Level.COUNTY: ("county", "district", "区县", "县", "区", "县级"),
    Election.Level.TOWNSHIP: ("township", "乡镇", "乡", "镇", "乡级"),
}
_LEVELS = {
    word.casefold(): level
    for level in Election.Level
    for word in (level.value, level.label, *LEVEL_WORDS[level])
}


class ElectionResource(SheetResource):
    """Elections; see the module docstring."""

    columns = [
        Column("slug", ()),
        Column("name", ("名称",), _("derived from the place when blank")),
        Column("province", ("省份",)),
        Column("city", ("城市",)),
        Column("district", ("区县",)),
        Column("township", ("乡镇",)),
        Column("level", ("级别",), _("county or township (区县, 乡镇)")),
        Column("cycle", ("届次",), _("default %(cycle)s") % {"cycle": CYCLE}),
        Column("polling_on", ("polling", "投票日期", "投票日"), "2011-11-08"),
        Column("notes", ("备注",)),
    ]
    required = [("slug", "province", "city", "district", "township")]

    class Meta:
        model = Election
        fields = ()
        name = _("Elections")

    def import_rows(self, rows, *, report, user, dry_run):
        require_import(user)
        places = PlaceColumns()
        places.preload(rows)
        by_slug = {
            election.slug: election
            for election in Election.objects.filter(slug__in={row["slug"] for row in rows})
        }
        items = [self._parse(row, places, report) for row in rows]
        items = [item for item in items if item is not None]
        keys = {(item["place"].pk, item["level"], item["cycle"]) for item in items if item["place"]}
        by_key = {
            (election.place_id, election.level, election.cycle): election
            for election in Election.objects.filter(
                place_id__in={key[0] for key in keys}, cycle__in={key[2] for key in keys}
            )
        }
        slugs, created, changed, seen = SlugPool(Election), [], [], {}
        for item in items:
            row = item["row"]
            key = (item["place"].pk, item["level"], item["cycle"]) if item["place"] else None
            election = by_slug.get(item["slug"]) if item["slug"] else by_key.get(key)
            identity = item["slug"] or key
            if identity in seen:
                report.problem(
                    row, "", gettext("the same election as row %(row)s") % {"row": seen[identity]}
                )
                continue
            seen[identity] = row.number
            if election is None:
                election = self._new(item, slugs, report)
                if election is not None:
                    created.append(election)
                continue
            if key and key != (election.place_id, election.level, election.cycle):
                report.problem(
                    row,
                    "",
                    gettext(
                        "%(slug)s is the election of %(place)s, %(level)s, %(cycle)s: "
                        "a sheet cannot move it"
                    )
                    % {
                        "slug": election.slug,
                        "place": election.place,
                        "level": election.level,
                        "cycle": election.cycle,
                    },
                )
                continue
            differing = self._apply(election, item, user)
            if not differing:
                report.outcome(row, SKIP, gettext("unchanged"), election)
            elif self._valid(row, election, report):
                changed.append(election)
                report.outcome(row, UPDATE, changes(differing), election)
        if report.problems or dry_run:
            return
        elections_import(created=created, changed=changed, acting_user=user)

    def _parse(self, row, places, report):
        problems = len(report.problems)
        item = {"row": row, "slug": row["slug"].strip().lower()}
        item["place"] = places.resolve(row, report) or None
        item["level"] = None
        if row["level"]:
            item["level"] = _LEVELS.get(" ".join(row["level"].split()).casefold())
            if item["level"] is None:
                report.problem(
                    row,
                    "level",
                    gettext("“%(text)s” is not county or township") % {"text": row["level"]},
                )
        elif item["place"]:
            item["level"] = election_level(item["place"])
        item["cycle"] = row["cycle"] or CYCLE
        item["polling"] = None
        if row["polling_on"]:
            try:
                item["polling"] = PartialDate.parse(row["polling_on"])
            except PartialDateError as error:
                report.problem(
                    row, "polling_on", gettext("%(error)s; write YYYY-MM-DD") % {"error": error}
                )
        if len(report.problems) > problems:
            return None
        return item

    def _apply(self, election, item, user):
        """Set what the row changes; return {column: (old, new)} of each change."""
        differing = {}
        row = item["row"]
        name = " ".join(row["name"].split())
        if name and election.name != name:
            differing["name"] = (election.name, name)
            election.name = name
        polling = election.polling
        if item["polling"] and polling != item["polling"]:
            old = polling.isoformat() if polling else ""
            differing["polling_on"] = (old, item["polling"].isoformat())
            election.polling_on = item["polling"].earliest()
            election.polling_precision = item["polling"].precision
        notes = appended_notes(election.notes, row["notes"], user=user)
        if notes != election.notes:
            differing["notes"] = (election.notes, notes)
            election.notes = notes
        return differing

    def _new(self, item, slugs, report):
        row, place = item["row"], item["place"]
        if place is None:
            report.problem(
                row, "", gettext("a new election needs its place (province, city, district)")
            )
            return None
        slug = item["slug"]
        if slug:
            slugs.reserve(slug)
        else:
            slug = slugs.new(slugify(f"{place.slug}-{item['cycle']}"))
        polling = item["polling"]
        election = Election(
            name=" ".join(row["name"].split()) or election_name(place, item["cycle"]),
            slug=slug,
            place=place,
            level=item["level"],
            cycle=item["cycle"],
            polling_on=polling.earliest() if polling else None,
            polling_precision=polling.precision if polling else "day",
            notes=row["notes"],
        )
        if not self._valid(row, election, report):
            return None
        report.outcome(row, NEW, gettext("creates %(name)s") % {"name": election.name}, election)
        return election

    def _valid(self, row, election, report):
        try:
            election.full_clean(exclude=["place"], validate_unique=False)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                for message in messages:
                    if name in row.values:
                        report.problem(row, name, message)
                    else:
                        report.problem(
                            row,
                            "",
                            gettext("%(field)s: %(error)s") % {"field": name, "error": message},
                        )
            return False
        return True

    def export_records(self, queryset):
        elections = queryset.select_related(
            "place__province", "place__city", "place__parent"
        ).order_by("cycle", "name")
        for election in elections:
            polling = election.polling
            yield {
                "slug": election.slug,
                "name": election.name,
                **place_columns(election.place),
                "level": election.level,
                "cycle": election.cycle,
                "polling_on": polling.isoformat() if polling else "",
                "notes": election.notes,
            }


__all__ = ["ElectionResource"]
