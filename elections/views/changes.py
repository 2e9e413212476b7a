"""What changed in the public record: /changes/, /changes.atom and a profile's changes.

Read through `elections.public` (`event_page`): one query for a page of events. Pages go
back in time with `before` (an event's id), so a page costs the same however long the log.
"""

import uuid

from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import feedgenerator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from elections import public
from elections.models import Candidate, Contradiction, PublicEvent
from elections.services.proposals import field_label
from sources.admin.widgets import DATABASE_INTEGERS

from .pages.display import candidate_row_short, lang_of, property_label

NOT_FOUND = _("No such page.")
FEED_ENTRIES = 50
# The feed's own id: the same on every server and under every host name.
FEED_ID = f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'sourcebook:changes')}"
KIND_LABELS = {
    PublicEvent.Kind.FACT_VERIFIED: _("Fact verified"),
    PublicEvent.Kind.FACT_WITHDRAWN: _("Fact withdrawn"),
    PublicEvent.Kind.FACT_CORRECTED: _("Fact corrected"),
    PublicEvent.Kind.DISPUTE_RESOLVED: _("Dispute resolved"),
    PublicEvent.Kind.DISPUTE_REOPENED: _("Dispute reopened"),
    PublicEvent.Kind.PUBLISHED: _("Profile published"),
    PublicEvent.Kind.MERGED: _("Another record merged into this profile"),
    PublicEvent.Kind.PROFILE_CORRECTED: _("Profile corrected"),
}
FACT_KINDS = (
    PublicEvent.Kind.FACT_VERIFIED,
    PublicEvent.Kind.FACT_WITHDRAWN,
    PublicEvent.Kind.FACT_CORRECTED,
)
DISPUTE_KINDS = (PublicEvent.Kind.DISPUTE_RESOLVED, PublicEvent.Kind.DISPUTE_REOPENED)


def _before(request):
    """The `before` asked for (None for the newest page); a value that is no event id is
    answered 404, like a page past the end."""
    value = request.GET.get("before")
    if value is None or value == "":
        return None
    if not (value.isascii() and value.isdigit() and int(value) in DATABASE_INTEGERS):
        raise Http404(NOT_FOUND)
    return int(value)


def event_view(event):
    """One event as the page and the feed show it: plain strings, escaped by whoever
    writes them out."""
    what = ""
    if event.kind in FACT_KINDS:
        label = property_label(event.property)
        if event.fact_shown:
            what = f"{label}: {event.value}"
        else:
            what = gettext("%(property)s (a value no longer public)") % {"property": label}
    elif event.kind in DISPUTE_KINDS:
        what = property_label(event.property)
    elif event.kind == PublicEvent.Kind.PROFILE_CORRECTED:
        what = ", ".join(field_label(name) for name in event.fields)
    verdict = note = ""
    if event.kind == PublicEvent.Kind.DISPUTE_RESOLVED and event.verdict_shown:
        verdict = str(Contradiction.Verdict(event.verdict).label) if event.verdict else ""
        note = event.note
    why = ""
    if event.kind in FACT_KINDS and event.why:
        why = str(PublicEvent.Why(event.why).label)
    return {
        "id": event.pk,
        "uid": f"urn:uuid:{event.uid}",
        "at": event.at,
        "kind": event.kind,
        "label": str(KIND_LABELS.get(event.kind, event.get_kind_display())),
        "candidate": candidate_row_short(event.candidate),
        "what": what,
        "what_lang": lang_of(event.value) if event.kind in FACT_KINDS and event.fact_shown else "",
        "why": why,
        "verdict": verdict,
        "note": note,
        "note_lang": lang_of(note),
    }


def changes_list(request):
    """The latest changes of the public record, newest first, a page at a time."""
    page = public.event_page(_before(request))
    context = {
        "events": [event_view(event) for event in page.events],
        "older": page.older,
        "newest": request.GET.get("before") is not None,
        "candidate": None,
    }
    return render(request, "elections/changes.html", context)


def candidate_changes(request, slug):
    """The changes of one published profile; a merged record's go to its survivor's."""
    before = _before(request)
    candidate = (
        Candidate.objects.published()
        .filter(slug=slug)
        .only("slug", "display_name", "name_zh")
        .first()
    )
    if candidate is None:
        survivor = public.merged_survivor(slug)
        if survivor is not None:
            return HttpResponsePermanentRedirect(
                reverse("elections:candidate-changes", args=[survivor.slug])
            )
        raise Http404(NOT_FOUND)
    page = public.event_page(before, candidate=candidate)
    context = {
        "events": [event_view(event) for event in page.events],
        "older": page.older,
        "newest": before is not None,
        "candidate": candidate_row_short(candidate),
    }
    return render(request, "elections/changes.html", context)


class ChangesFeed(feedgenerator.Atom1Feed):
    """Atom 1.0 with the language left to each entry's text (the feed's strings are in
    English: open data stays in English)."""


def changes_atom(request):
    """The latest changes of the public record as an Atom 1.0 feed (RFC 4287)."""
    events = public.event_page(size=FEED_ENTRIES).events
    feed = ChangesFeed(
        title="Sourcebook: what changed in the public record",
        link=request.build_absolute_uri(reverse("elections:changes")),
        description=(
            "Facts verified or withdrawn (and why), disputes resolved with their verdicts, "
            "profiles published, merged and corrected."
        ),
        language="en",
        author_name="Sourcebook",
        feed_url=request.build_absolute_uri(reverse("elections:changes-atom")),
        feed_guid=FEED_ID,
    )
    for event in events:
        view = _english(event)
        name = event.candidate.display_name
        title = f"{view['label']}: {name}"
        lines = [
            line for line in (view["what"], view["why"], view["verdict"], view["note"]) if line
        ]
        feed.add_item(
            title=title,
            link=request.build_absolute_uri(view["candidate"]["url"]),
            description="\n".join(lines) or title,
            unique_id=view["uid"],
            unique_id_is_permalink=False,
            pubdate=event.at,
            updateddate=event.at,
        )
    response = HttpResponse(content_type="application/atom+xml; charset=utf-8")
    feed.write(response, "utf-8")
    return response


def _english(event):
    from django.utils.translation import override

    with override("en"):
        return event_view(event)
