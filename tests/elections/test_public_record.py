"""The public record: a fact is public only while the words it cites are in its article and a
second person has checked it, and any change to what it says or cites takes it off every
public surface at once (README, "The public record")."""

import csv
import io
from io import StringIO

import pytest
from django.core.management import call_command

from elections.models import Claim, Property
from sources.models import AnchorStatus, Passage
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


def test_a_reimport_that_keeps_the_cited_words_keeps_the_facts(client, room, tmp_path):
    reimport(tmp_path, f"An editor's note added later.\n\n{REPORT}")

    assert Surfaces(client, room).api_facts() == {
        ("age", "47"),
        ("status", "barred"),
        ("occupation", "sells advertising"),
    }
    assert Claim.objects.filter(state=Claim.State.VERIFIED).count() == 3
