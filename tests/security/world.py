"""A newsroom whose every text field holds an attack, put there through the doors users use.

`build_world()` loads each payload of `payloads.PAYLOADS` as:

- an outlet's name and homepage, an article's title, byline, URL and text, through
  `import_articles` with a manifest (the import path);
- the text of one more article, and its internal notes, typed into the admin's add form;
- a passage of each article and its note, through the services;
- a candidate's display name, Chinese name, another name and its note, internal notes;
- a province and an election named with it, and a place alias;
- claim values and notes, two verified (published) and two waiting for review;
- the note of a dispute flagged by an editor and left open, the note of another flagged and
  resolved by a reviewer (so that the verdict's note is public), and a third resolved, then
  reopened by a new version flagged (its page shows the previous verdict's note beside the
  versions);
- passages of a third article whose text then changes, so they wait in the passage queue.

Every candidate is published. The world is returned as a `World` of the objects made per
payload, keyed by payload name, and of the users who made them.
"""

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from elections.models import CandidateName, Contradiction, Election, Place, Property
from elections.services import (
    candidacy_for,
    candidate_add_name,
    candidate_create,
    candidate_publish,
    claim_create,
    claim_verify,
    contradiction_flag,
    contradiction_resolve,
)
from elections.services.places import place_create, place_name_add
from sources.audit import system_user
from sources.models import Article
from sources.services import (
    article_create,
    article_set_text,
    outlet_for_name,
    passage_create_from_span,
)
from tests.factories import make_user

from .payloads import PAYLOADS

OPEN, CLOSE = "«", "»"
MANIFEST_COLUMNS = ["file", "outlet", "title", "url", "published_on", "byline", "language"]


@dataclass
class Subject:
    """What one payload was loaded as."""

    outlet: object = None
    article: object = None
    passage: object = None
    candidate: object = None
    province: object = None
    election: object = None
    verified: list = field(default_factory=list)
    waiting: list = field(default_factory=list)
    resolved: object = None
    open: object = None
    reopened: object = None


@dataclass
class World:
    editor: object
    reviewer: object
    importer: object
    admin: object
    subjects: dict  # payload name -> Subject
    typed_article: object  # the article typed into the admin, holding every payload
    queue_article: object  # the article whose passages wait in the passage queue
    hub_candidate: object  # a candidate with every payload as a name and a claim
    hub_place: object  # a place with every payload as an alias


def url_with(payload_text, number, kind):
    """A web address that a URL field accepts and that still carries the payload's text."""
    squeezed = "".join(payload_text.split())
    return f"https://example.org/{kind}/{number}/?q={squeezed}"


def item(number, text):
    return f"Item {number}: {OPEN}{text}{CLOSE} was printed here, number {number}."


def span_of(article_text, number):
    """The offsets of item `number`'s payload in an article's stored text."""
    marker = f"Item {number}: {OPEN}"
    start = article_text.index(marker) + len(marker)
    return start, article_text.index(f"{CLOSE} was printed here, number {number}.", start)


def _import_articles(folder):
    """One article per payload, each from its own outlet, through `import_articles`."""
    import csv

    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for number, payload in enumerate(PAYLOADS, start=1):
        name = f"article-{number}.txt"
        body = f"Report {number}.\n\n{item(number, payload.text)}\n\nThe end of report {number}."
        (folder / name).write_text(body, encoding="utf-8")
        rows.append(
            [
                name,
                payload.text,
                payload.text,
                url_with(payload.text, number, "articles"),
                "2011-06-02",
                payload.text,
                "en",
            ]
        )
    manifest = folder / "manifest.csv"
    with manifest.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(MANIFEST_COLUMNS)
        writer.writerows(rows)
    call_command("import_articles", manifest=str(manifest), verbosity=0)


def _type_article_in_admin(admin):
    """An article holding every payload, typed into the admin's add form by `admin`."""
    outlet = outlet_for_name(name="Second Wire", acting_user=system_user())
    client = Client()
    client.force_login(admin)
    text = "\n\n".join(item(number, p.text) for number, p in enumerate(PAYLOADS, start=1))
    notes = "\n".join(p.text for p in PAYLOADS)
    response = client.post(
        reverse("admin:sources_article_add"),
        {
            "outlet": outlet.pk,
            "title": "Every attack in one report",
            "url": "https://example.org/typed",
            "byline": PAYLOADS[0].text,
            "language": "en",
            "published_on": "2011-07-01",
            "published_precision": "day",
            "source_text": text,
            "boilerplate": "",
            "source_format": "text",
            "source_name": "",
            "notes": notes,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Article.objects.get(title="Every attack in one report")


def _queue_article(editor):
    """An article whose passages, once its text changes, need an editor's attention."""
    text = "\n\n".join(item(number, p.text) for number, p in enumerate(PAYLOADS, start=1))
    article = article_create(
        outlet=outlet_for_name(name="Third Wire", acting_user=system_user()),
        title="A report later corrected",
        text=text,
        acting_user=system_user(),
    )
    for number, payload in enumerate(PAYLOADS, start=1):
        start, end = span_of(article.text, number)
        passage_create_from_span(
            article=article, start=start, end=end, note=payload.text, acting_user=editor
        )
    # Each payload cut in two: the passages become fuzzy matches, or orphans.
    halves = [(p.text[: len(p.text) // 2], p.text[len(p.text) // 2 :]) for p in PAYLOADS]
    changed = "\n\n".join(
        f"Entry {number} in the correction: {first}~{second}"
        for number, (first, second) in enumerate(halves, start=1)
    )
    article_set_text(article=article, text=changed, acting_user=editor)
    article.refresh_from_db()
    return article


def _hubs(editor, typed):
    """A candidate and a place holding every payload, so that one admin page shows them all."""
    candidate = candidate_create(
        display_name="Everyone's Names",
        notes="\n".join(p.text for p in PAYLOADS),
        acting_user=editor,
    )
    place = place_create(
        level=Place.Level.CITY, name="Hangzhou", name_zh="杭州市", acting_user=system_user()
    )
    for number, payload in enumerate(PAYLOADS, start=1):
        candidate_add_name(
            candidate=candidate,
            name=f"{payload.text} alias",
            kind=CandidateName.Kind.OTHER,
            note=payload.text[:300],
            acting_user=editor,
        )
        passage = typed.passages.get(start=span_of(typed.text, number)[0])
        claim_create(
            candidate=candidate,
            property=Property.EMPLOYER,
            value=payload.text,
            passage=passage,
            note=payload.text,
            acting_user=editor,
        )
        place_name_add(place=place, name=f"{payload.text} alias", acting_user=system_user())
    return candidate, place


def _load(number, payload, typed, editor, reviewer):
    """Everything one payload is loaded as (see the module's docstring)."""
    subject, text = Subject(), payload.text
    article = Article.objects.select_related("outlet").get(source_name=f"article-{number}.txt")
    subject.article, subject.outlet = article, article.outlet
    subject.outlet.homepage = url_with(text, number, "outlets")
    subject.outlet.notes = text
    subject.outlet.full_clean()
    subject.outlet.save()
    start, end = span_of(article.text, number)
    subject.passage = passage_create_from_span(
        article=article, start=start, end=end, note=text, acting_user=editor
    )
    start, end = span_of(typed.text, number)
    second = passage_create_from_span(
        article=typed, start=start, end=end, note=text, acting_user=editor
    )
    subject.province = place_create(
        level=Place.Level.PROVINCE,
        name=text[:200],
        name_zh=f"测试{number}省",
        acting_user=system_user(),
    )
    subject.election = Election.objects.create(
        name=text[:300], slug=f"xss-election-{number}", place=subject.province, notes=text
    )
    candidate = subject.candidate = candidate_create(
        display_name=text, name_zh=text[:100], notes=text, acting_user=editor
    )
    candidate_add_name(
        candidate=candidate,
        name=f"{text} alias",
        kind=CandidateName.Kind.PINYIN,
        passage=subject.passage,
        note=text[:300],
        acting_user=editor,
    )
    candidacy_for(candidate=candidate, election=subject.election, acting_user=editor)
    claims = [
        claim_create(
            candidate=candidate,
            property=property,
            value=value,
            passage=passage,
            note=text,
            acting_user=editor,
        )
        for property, value, passage in (
            (Property.OCCUPATION, text, subject.passage),
            (Property.OCCUPATION, f"{text} (second report)", second),
            (Property.PLATFORM, text, subject.passage),
            (Property.PLATFORM, f"{text} (second report)", second),
        )
    ]
    subject.verified = [claim_verify(claim=claim, acting_user=reviewer) for claim in claims[:2]]
    subject.resolved = contradiction_resolve(
        contradiction=contradiction_flag(
            claim_a=claims[0], claim_b=claims[1], acting_user=editor, note=text
        ),
        verdict=Contradiction.Verdict.NOT_CONTRADICTION,
        note=text,
        acting_user=reviewer,
    )
    subject.waiting = claims[2:]
    subject.open = contradiction_flag(
        claim_a=claims[2], claim_b=claims[3], acting_user=editor, note=text
    )
    subject.reopened = _reopened_dispute(
        candidate, text, (subject.passage, second), editor=editor, reviewer=reviewer
    )
    candidate_publish(candidate=candidate, acting_user=reviewer)
    return subject


def _reopened_dispute(candidate, text, passages, *, editor, reviewer):
    """A flagged dispute on the candidate's employer, resolved, then reopened by a third
    version flagged after the verdict."""

    def employer(value, passage):
        return claim_create(
            candidate=candidate,
            property=Property.EMPLOYER,
            value=value,
            passage=passage,
            note=text,
            acting_user=editor,
        )

    first, second = (
        employer(f"{text} ({label} employer)", passage)
        for label, passage in zip(("first", "second"), passages, strict=True)
    )
    contradiction_resolve(
        contradiction=contradiction_flag(
            claim_a=first, claim_b=second, acting_user=editor, note=text
        ),
        verdict=Contradiction.Verdict.ONE_RIGHT,
        right_group=1,
        note=text,
        acting_user=reviewer,
    )
    # An employer is one of many an outlet may print: a third joins when an editor flags it.
    third = employer(f"{text} (third employer)", passages[0])
    dispute = contradiction_flag(claim_a=first, claim_b=third, acting_user=editor, note=text)
    assert dispute.is_reopened, "a third version flagged after the verdict reopens the dispute"
    return dispute


def build_world(folder):
    """Load every payload into every field (see the module's docstring); `folder` takes the
    files `import_articles` reads."""
    editor = make_user("Editors", username="xss-editor")
    reviewer = make_user("Reviewers", username="xss-reviewer")
    importer = make_user("Importers", username="xss-importer")
    admin = make_user(username="xss-admin", superuser=True)
    _import_articles(Path(folder))
    typed = _type_article_in_admin(admin)
    subjects = {
        payload.name: _load(number, payload, typed, editor, reviewer)
        for number, payload in enumerate(PAYLOADS, start=1)
    }
    hub_candidate, hub_place = _hubs(editor, typed)
    return World(
        editor=editor,
        reviewer=reviewer,
        importer=importer,
        admin=admin,
        subjects=subjects,
        typed_article=typed,
        queue_article=_queue_article(editor),
        hub_candidate=hub_candidate,
        hub_place=hub_place,
    )


def quoted(text):
    """`text` as one path segment."""
    return quote(text, safe="")
