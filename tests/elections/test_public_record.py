"""The public record: a fact is public only while the words it cites are in its article and a
second person has checked it, and any change to what it says or cites takes it off every
public surface at once (README, "The public record")."""

import csv
import io
import json
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from elections.models import Claim, Property
from elections.resources import ClaimResource
from elections.services import claim_update, claim_verify
from sources.anchoring import AnchoringError
from sources.audit import Reason, system_user
from sources.models import AnchorStatus, Passage
from sources.services import article_set_text, passage_confirm, passage_reselect
from tests.elections.fixtures_sheets import CLAIM_HEADER, csv_bytes, import_sheet
from tests.factories import make_user
from tests.newsroom import Newsroom

pytestmark = pytest.mark.django_db

URL = "https://example.org/reports/liu-ping"
KEPT = "Liu Ping sells advertising on the side, her neighbours said."
DROPPED = "Liu Ping, 47, a steelworker from Xinyu, said the officials kept her off the ballot."
REPORT = f"{DROPPED}\n\n{KEPT}"
AGE_QUOTE = "Liu Ping, 47, a steelworker"


@pytest.fixture
def room():
    """A published candidate with three facts from one report: her age and that she was
    barred in its first paragraph, her occupation in its second."""
    room = Newsroom()
    room.add_places("Jiangxi", "Xinyu")
    room.report = room.add_article(
        REPORT, outlet="Example Daily", title="A candidate kept off", url=URL
    )
    liu = room.liu = room.add_candidate("Liu Ping", "Xinyu", name_zh="刘萍")
    room.age = room.add_verified(liu, Property.AGE, "47", room.report, AGE_QUOTE)
    room.barred = room.add_verified(
        liu, Property.STATUS, "barred", room.report, "kept her off the ballot"
    )
    room.job = room.add_verified(liu, Property.OCCUPATION, "sells advertising", room.report)
    room.publish(liu)
    return room


def reimport(tmp_path, text):
    """Import the report again from its address, as `import_articles` does with a new copy."""
    path = tmp_path / "report.txt"
    path.write_text(text, encoding="utf-8")
    out = StringIO()
    call_command(
        "import_articles",
        str(path),
        "--outlet",
        "Example Daily",
        "--title",
        "A candidate kept off",
        "--url",
        URL,
        stdout=out,
        stderr=StringIO(),
    )
    return out.getvalue()


class Surfaces:
    """What each public surface shows of the candidate and the report."""

    def __init__(self, client, room):
        self.client, self.room = client, room

    def profile(self):
        response = self.client.get(f"/candidates/{self.room.liu.slug}/")
        assert response.status_code == 200
        return response.content.decode()

    def api_facts(self):
        """The profile's facts, and its candidacy's status steps as ("status", code)."""
        response = self.client.get(f"/api/candidates/{self.room.liu.slug}/")
        assert response.status_code == 200
        data = response.json()
        steps = {
            ("status", step["status"]["code"])
            for run in data["candidacies"]
            for step in run["steps"]
        }
        return {(fact["property"], fact["value"]) for fact in data["facts"]} | steps

    def csv_facts(self):
        response = self.client.get("/export/claims.csv")
        body = b"".join(response.streaming_content).decode("utf-8-sig")
        return {(row["property"], row["value"]) for row in csv.DictReader(io.StringIO(body))}

    def disputed(self):
        """Which facts each surface marks disputed: the API's and the CSV's, by value."""
        response = self.client.get(f"/api/candidates/{self.room.liu.slug}/")
        api = {fact["value"] for fact in response.json()["facts"] if fact["disputed"]}
        export = self.client.get("/export/claims.csv")
        body = b"".join(export.streaming_content).decode("utf-8-sig")
        rows = csv.DictReader(io.StringIO(body))
        return api, {row["value"] for row in rows if row["disputed"] == "true"}

    def disputed_candidates(self):
        response = self.client.get("/candidates/", {"disputed": "yes"})
        return response.content.decode().count('class="candidate-card"')

    def popolo_statuses(self):
        """The latest status of each of the candidate's memberships in the Popolo export."""
        response = self.client.get("/export/popolo.json")
        assert response.status_code == 200
        data = json.loads(response.content)
        person = next(p for p in data["persons"] if p["name"] == self.room.liu.display_name)
        return [
            membership["label"]
            for membership in data["memberships"]
            if membership["person_id"] == person["id"]
        ]

    def article_page(self):
        response = self.client.get(f"/articles/{self.room.report.pk}/")
        assert response.status_code == 200
        return response.content.decode()


def test_every_surface_shows_the_three_facts_before_the_report_changes(client, room):
    surfaces = Surfaces(client, room)
    facts = {("age", "47"), ("status", "barred"), ("occupation", "sells advertising")}

    assert surfaces.api_facts() == facts
    assert surfaces.csv_facts() == facts
    assert AGE_QUOTE in surfaces.profile()
    assert AGE_QUOTE in surfaces.article_page()


def test_a_reimport_that_drops_a_cited_paragraph_takes_its_facts_off_every_surface(
    client, room, tmp_path
):
    output = reimport(tmp_path, KEPT)

    assert "1 changed" in output
    dropped = Passage.objects.filter(claims__in=[room.age, room.barred])
    assert set(dropped.values_list("anchor_status", flat=True)) == {AnchorStatus.ORPHANED}
    surfaces = Surfaces(client, room)
    kept = {("occupation", "sells advertising")}
    assert surfaces.api_facts() == kept
    assert surfaces.csv_facts() == kept
    profile = surfaces.profile()
    assert "sells advertising" in profile
    assert AGE_QUOTE not in profile and "kept her off the ballot" not in profile
    page = surfaces.article_page()
    assert "sells advertising" in page
    assert AGE_QUOTE not in page and "kept her off the ballot" not in page
    assert surfaces.popolo_statuses() == [
        f"Candidate in {room.liu.candidacies.get().election.name}; latest reported status: "
        "no status reported"
    ]


def test_a_dropped_paragraph_sends_its_verified_claims_back_to_review_on_record(room, tmp_path):
    reimport(tmp_path, KEPT)

    for claim in (room.age, room.barred):
        claim.refresh_from_db()
        assert (claim.state, claim.reviewed_by) == (Claim.State.UNVERIFIED, None)
        record = claim.history.first()
        assert record.history_change_reason.startswith(Reason.CLAIM_RETURNED)
        assert record.history_user == system_user()
    room.job.refresh_from_db()
    assert room.job.state == Claim.State.VERIFIED


def test_a_reimport_that_keeps_the_cited_words_keeps_the_facts(client, room, tmp_path):
    reimport(tmp_path, f"An editor's note added later.\n\n{REPORT}")

    assert Surfaces(client, room).api_facts() == {
        ("age", "47"),
        ("status", "barred"),
        ("occupation", "sells advertising"),
    }
    assert Claim.objects.filter(state=Claim.State.VERIFIED).count() == 3


def test_a_dispute_is_shown_only_while_two_of_its_versions_are_public(client, room, tmp_path):
    wire = room.add_article("Liu Ping, 52, spoke to the wire.", outlet="Second Wire")
    room.add_verified(room.liu, Property.AGE, "52", wire)
    surfaces = Surfaces(client, room)
    assert surfaces.disputed() == ({"47", "52"}, {"47", "52"})
    assert 'id="disputes"' in surfaces.profile()
    assert surfaces.disputed_candidates() == 1

    reimport(tmp_path, KEPT)  # the words the age of 47 cites are gone: one version is left

    assert surfaces.disputed() == (set(), set())
    profile = surfaces.profile()
    assert 'id="disputes"' not in profile
    assert "<strong>52</strong>" in profile and "disputed" not in profile
    assert surfaces.disputed_candidates() == 0


# What sends a verified claim back to review.


def test_a_printed_value_changed_only_in_words_the_normalizer_ignores_goes_back_to_review(
    client, room
):
    changed = claim_update(
        claim=room.age, value="47 years old, a convicted fraudster", acting_user=room.editor
    )

    assert changed.value_key == room.age.value_key
    assert changed.state == Claim.State.UNVERIFIED
    surfaces = Surfaces(client, room)
    assert ("age", "47 years old, a convicted fraudster") not in surfaces.api_facts()
    assert "convicted fraudster" not in surfaces.profile()
    assert all("fraudster" not in value for _prop, value in surfaces.csv_facts())


def test_a_change_to_the_note_alone_keeps_the_claim_verified(room):
    changed = claim_update(claim=room.age, note="Checked twice.", acting_user=room.editor)

    assert changed.state == Claim.State.VERIFIED


def test_edited_cited_words_take_the_fact_off_until_confirmed_and_verified_again(client, room):
    article_set_text(
        article=room.report,
        text=REPORT.replace("a steelworker", "a steel worker"),
        acting_user=room.editor,
    )
    passage = Passage.objects.get(claims=room.age)
    room.age.refresh_from_db()

    assert passage.anchor_status == AnchorStatus.FUZZY
    assert room.age.state == Claim.State.UNVERIFIED
    assert ("age", "47") not in Surfaces(client, room).api_facts()

    passage_confirm(passage=passage, acting_user=room.editor)
    room.age.refresh_from_db()
    assert room.age.state == Claim.State.UNVERIFIED
    assert ("age", "47") not in Surfaces(client, room).api_facts()

    claim_verify(claim=room.age, acting_user=room.reviewer)
    assert ("age", "47") in Surfaces(client, room).api_facts()
    assert "Liu Ping, 47, a steel worker" in Surfaces(client, room).profile()


def test_a_fuzzy_passage_confirmed_after_its_claim_was_verified_sends_it_back(client, room):
    article_set_text(
        article=room.report,
        text=REPORT.replace("a steelworker", "a steel worker"),
        acting_user=room.editor,
    )
    claim_verify(claim=room.age, acting_user=room.reviewer)
    # Verified against words the article no longer holds: not public while fuzzy.
    assert ("age", "47") not in Surfaces(client, room).api_facts()

    passage_confirm(passage=Passage.objects.get(claims=room.age), acting_user=room.editor)

    room.age.refresh_from_db()
    assert room.age.state == Claim.State.UNVERIFIED
    assert room.age.history.first().history_user == room.editor


def test_a_passage_found_word_for_word_cannot_be_selected_again(room):
    passage = Passage.objects.get(claims=room.job)

    with pytest.raises(AnchoringError, match="cannot be selected again"):
        passage_reselect(passage=passage, start=0, end=8, acting_user=room.editor)

    passage.refresh_from_db()
    assert passage.exact == "sells advertising"
    room.job.refresh_from_db()
    assert room.job.state == Claim.State.VERIFIED


def test_the_annotate_view_says_why_a_word_for_word_passage_cannot_be_selected_again(room):
    passage = Passage.objects.get(claims=room.job)
    editor = Client()
    editor.force_login(room.editor)
    url = reverse("admin:sources_article_annotate", args=[room.report.pk])
    url = f"{url}?reselect={passage.pk}"

    shown = editor.get(url)
    posted = editor.post(url, {"start": 0, "end": 8, "exact": "Liu Ping", "note": ""})

    assert "cannot be selected again" in shown.content.decode()
    assert posted.status_code == 400
    assert "cannot be selected again" in posted.content.decode()
    passage.refresh_from_db()
    assert passage.exact == "sells advertising"


def test_reselecting_an_orphan_sends_the_claims_citing_it_back_to_review(client, room, tmp_path):
    reimport(tmp_path, f"{KEPT}\n\nLiu Ping, aged 47, was kept off the ballot by officials.")
    passage = Passage.objects.get(claims=room.age)
    assert passage.anchor_status == AnchorStatus.ORPHANED
    claim_verify(claim=room.age, acting_user=room.reviewer)
    room.report.refresh_from_db()
    start = room.report.text.index("Liu Ping, aged 47")

    passage_reselect(
        passage=passage, start=start, end=start + len("Liu Ping, aged 47"), acting_user=room.editor
    )

    room.age.refresh_from_db()
    assert room.age.state == Claim.State.UNVERIFIED
    assert ("age", "47") not in Surfaces(client, room).api_facts()


# Four eyes over everyone who shaped a claim.


@pytest.fixture
def both_roles(db):
    """A person who edits and reviews."""
    return make_user("Editors", "Reviewers")


def test_a_person_with_both_roles_cannot_verify_a_claim_they_changed(client, room, both_roles):
    claim_update(claim=room.age, value="47 years old, a fraudster", acting_user=both_roles)

    with pytest.raises(PermissionDenied, match="four-eyes") as refused:
        claim_verify(claim=room.age, acting_user=both_roles)

    assert f"You shaped claim #{room.age.pk}" in str(refused.value)
    room.age.refresh_from_db()
    assert room.age.state == Claim.State.UNVERIFIED
    assert set(room.age.shaped_by.all()) == {both_roles}
    surfaces = Surfaces(client, room)
    assert ("age", "47 years old, a fraudster") not in surfaces.api_facts()
    assert all("fraudster" not in value for _prop, value in surfaces.csv_facts())
    assert "fraudster" not in surfaces.profile() and "fraudster" not in surfaces.article_page()

    claim_verify(claim=room.age, acting_user=room.reviewer)
    assert ("age", "47 years old, a fraudster") in Surfaces(client, room).api_facts()


def test_changing_only_a_note_does_not_shape_a_claim(room, both_roles):
    claim_update(claim=room.age, note="Checked against the print edition.", acting_user=both_roles)

    assert not room.age.shaped_by.exists()


def test_a_person_who_edited_the_cited_words_cannot_verify_the_claim(room, both_roles):
    article_set_text(
        article=room.report,
        text=REPORT.replace("a steelworker", "a steel worker"),
        acting_user=both_roles,
    )
    passage_confirm(passage=Passage.objects.get(claims=room.age), acting_user=room.editor)

    with pytest.raises(PermissionDenied, match="four-eyes"):
        claim_verify(claim=room.age, acting_user=both_roles)
    assert set(room.age.shaped_by.all()) == {both_roles, room.editor}
    # The occupation's words did not change: its editor of the text did not shape it.
    assert not room.job.shaped_by.exists()


def test_a_person_who_reselected_the_passage_cannot_verify_the_claim(room, both_roles, tmp_path):
    reimport(tmp_path, f"{KEPT}\n\nLiu Ping, aged 47, was kept off the ballot by officials.")
    room.report.refresh_from_db()
    start = room.report.text.index("Liu Ping, aged 47")
    passage_reselect(
        passage=Passage.objects.get(claims=room.age),
        start=start,
        end=start + len("Liu Ping, aged 47"),
        acting_user=both_roles,
    )

    with pytest.raises(PermissionDenied, match="four-eyes"):
        claim_verify(claim=room.age, acting_user=both_roles)
    verified = claim_verify(claim=room.age, acting_user=room.reviewer)
    assert verified.state == Claim.State.VERIFIED


def test_a_sheet_changing_a_printed_value_sends_it_to_review_and_its_importer_shaped_it(
    client, room
):
    importer = make_user("Importers", "Reviewers")
    row = [room.liu.slug, "age", "47 years old, a fraudster", room.report.title, AGE_QUOTE, "", ""]

    result = import_sheet(ClaimResource, csv_bytes([CLAIM_HEADER, row]), user=importer)

    assert not result.has_errors()
    room.age.refresh_from_db()
    assert (room.age.value, room.age.state) == ("47 years old, a fraudster", "unverified")
    assert ("age", "47 years old, a fraudster") not in Surfaces(client, room).api_facts()
    with pytest.raises(PermissionDenied, match="four-eyes"):
        claim_verify(claim=room.age, acting_user=importer)
