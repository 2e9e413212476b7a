"""The outlet sheet: one row per publisher, matched by name (any case)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sources.models import Outlet
from sources.services.articles import outlet_key, outlets_named
from sources.services.bulk import outlets_bulk_create, outlets_bulk_update
from sources.text import normalize_line

from .base import NEW, SKIP, UPDATE, Column, SheetResource, appended_notes, changes

LANGUAGE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")
KIND_WORDS = {
    Outlet.Kind.NEWSPAPER: ("报纸", "报社"),
    Outlet.Kind.AGENCY: ("agency", "通讯社"),
    Outlet.Kind.MAGAZINE: ("杂志",),
    Outlet.Kind.BROADCASTER: ("广播", "电视", "电视台", "广播电视"),
    Outlet.Kind.ONLINE: ("online", "网络媒体", "网站"),
    Outlet.Kind.BLOG: ("博客",),
    Outlet.Kind.SOCIAL: ("social media", "社交媒体", "微博"),
    Outlet.Kind.OTHER: ("其他",),
}
_KINDS = {
    word.casefold(): kind
    for kind in Outlet.Kind
    for word in (kind.value, kind.label, *KIND_WORDS[kind])
}
FIELDS = ("kind", "homepage", "country", "language", "notes")


def read_kind(text):
    """An Outlet.Kind from its value, label or Chinese word; ValueError listing the kinds."""
    kind = _KINDS.get(" ".join(text.split()).casefold())
    if kind is None:
        choices = ", ".join(kind.value for kind in Outlet.Kind)
        raise ValueError(
            gettext("“%(text)s” is not a kind of outlet (the kinds are %(kinds)s)")
            % {"text": text, "kinds": choices}
        )
    return kind


def check_language(text):
    """A BCP 47 code such as en or zh-Hans; ValueError otherwise."""
    if text and not LANGUAGE.fullmatch(text):
        raise ValueError(
            gettext("“%(text)s” is not a BCP 47 code such as en or zh-Hans") % {"text": text}
        )
    return text


class OutletResource(SheetResource):
    """Outlets: created when new, their blank-in-the-database fields filled or changed.

    A row is matched to an outlet by its name, case-insensitively. A blank cell leaves the
    outlet's value as it is; nothing is ever erased by a sheet. Notes are appended to the
    outlet's, dated and attributed (`appended_notes`), never put in their place; a changed
    row's outcome shows each field old → new.
    """

    columns = [
        Column("name", ("名称", "媒体"), _("the outlet's name as it signs its work")),
        Column("kind", ("类型",), _("newspaper, agency, magazine, broadcaster, online ...")),
        Column("homepage", ("主页", "网址")),
        Column("country", ("国家",)),
        Column("language", ("语言",), _("BCP 47: en, zh-Hans")),
        Column("notes", ("备注",)),
    ]
    required = [("name",)]

    class Meta:
        model = Outlet
        fields = ()
        name = _("Outlets")

    def import_rows(self, rows, *, report, user, dry_run):
        existing = outlets_named([row["name"] for row in rows])
        seen, created, changed, changed_fields = {}, [], {}, set()
        for row in rows:
            name = normalize_line(row["name"])
            if not name:
                report.problem(row, "name", gettext("an outlet needs a name"))
                continue
            key = outlet_key(name)
            if key in seen:
                report.problem(
                    row, "name", gettext("the same outlet as row %(row)s") % {"row": seen[key]}
                )
                continue
            seen[key] = row.number
            values = self._values(row, report)
            if values is None:
                continue
            outlet = existing.get(key)
            if outlet is None:
                outlet = Outlet(name=name, **values)
                if self._valid(outlet, row, report):
                    created.append(outlet)
                    report.outcome(row, NEW, "creates the outlet", outlet)
                continue
            if "notes" in values:
                values["notes"] = appended_notes(outlet.notes, values["notes"], user=user)
            was = {
                key: (getattr(outlet, key), value)
                for key, value in values.items()
                if getattr(outlet, key) != value
            }
            if not was:
                report.outcome(row, SKIP, "unchanged", outlet)
                continue
            for field_name in was:
                setattr(outlet, field_name, values[field_name])
            if self._valid(outlet, row, report):
                changed[outlet.pk] = outlet
                changed_fields.update(was)
                report.outcome(row, UPDATE, changes(was), outlet)
        if report.problems or dry_run:
            return
        if created:
            outlets_bulk_create(outlets=created, acting_user=user)
        if changed:
            outlets_bulk_update(
                outlets=list(changed.values()), fields=sorted(changed_fields), acting_user=user
            )

    def _values(self, row, report):
        values = {}
        for name in FIELDS:
            text = row[name] if name == "notes" else normalize_line(row[name])
            if not text:
                continue
            try:
                if name == "kind":
                    text = read_kind(text)
                elif name == "language":
                    text = check_language(text)
            except ValueError as error:
                report.problem(row, name, str(error))
                return None
            values[name] = text
        return values

    def _valid(self, outlet, row, report):
        try:
            outlet.full_clean(exclude=["slug"], validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                for message in messages:
                    report.problem(row, name, message)
            return False
        return True

    def export_records(self, queryset):
        for outlet in queryset.order_by("name"):
            yield {"name": outlet.name, **{name: getattr(outlet, name) for name in FIELDS}}
