"""`python manage.py contradictions`: one record per dispute, each version with its sources."""

import io
import json

import pytest
from django.core.management import call_command

from elections.models import Contradiction, Property
from elections.services import contradiction_resolve
from tests.factories import make_article, make_candidate, make_claim, make_place

pytestmark = pytest.mark.django_db


def run(*arguments):
    out = io.StringIO()
    call_command("contradictions", *arguments, stdout=out)
    return out.getvalue()


@pytest.fixture
def three_cities(editor):
    """Xu Yan's city in three versions: Hangzhou (twice, in two scripts), Hongzhou, Ningbo."""
    zhejiang = make_place("Zhejiang", "浙江省", level="province", code="330000")
    make_place("Hangzhou", "杭州市", parent=zhejiang, code="330100")
    make_place("Ningbo", "宁波市", parent=zhejiang, code="330200")
    xu = make_candidate("Xu Yan")
    printed = [
        ("Hangzhou", "Xinhua", "https://example.org/xinhua"),
        ("Hongzhou", "The Washington Post", "https://example.org/post"),
        ("杭州市", "示例新闻", ""),
        ("Ningbo", "Ballot Notes", "https://example.org/notes"),
        ("Hangzhou", "Xinhua", "https://example.org/xinhua-2"),
    ]
    claims = [
        make_claim(
            xu,
            Property.CITY,
            value,
            make_article(f"Xu Yan stands in {value}.", outlet=outlet, url=url),
            by=editor,
        )
        for value, outlet, url in printed
    ]
    return xu, claims


def test_a_question_in_three_versions_is_one_record_with_three_values(three_cities):
    xu, claims = three_cities

    (record,) = json.loads(run("--format", "json"))

    assert record["candidate_slug"] == xu.slug and record["candidate_name"] == "Xu Yan"
    assert (record["property"], record["status"], record["verdict"]) == ("city", "open", "")
    hangzhou, hongzhou, ningbo = record["values"]
    assert hangzhou["printed"] == ["Hangzhou", "杭州市"]
    assert hangzhou["normalized"] == claims[0].value_key
    assert hangzhou["outlets"] == ["Xinhua", "示例新闻"]
    assert hangzhou["article_urls"] == [
        "https://example.org/xinhua",
        "https://example.org/xinhua-2",
    ]
    assert hangzhou["claim_ids"] == [claims[0].pk, claims[2].pk, claims[4].pk]
    assert (hongzhou["printed"], hongzhou["outlets"]) == (["Hongzhou"], ["The Washington Post"])
    assert hongzhou["claim_ids"] == [claims[1].pk]
    assert (ningbo["printed"], ningbo["claim_ids"]) == (["Ningbo"], [claims[3].pk])


def test_the_text_lists_each_version_with_its_outlets_in_one_block(three_cities):
    out = run()

    assert out.count("#") == 1, out
    assert "city: 3 versions" in out
    assert "“Hangzhou” / “杭州市”: Xinhua, 示例新闻" in out
    assert "“Hongzhou”: The Washington Post" in out
    assert out.rstrip().endswith("1 dispute.")


def test_status_chooses_open_resolved_or_all(three_cities, reviewer):
    (dispute,) = Contradiction.objects.all()
    assert json.loads(run("--status", "resolved", "--format", "json")) == []

    contradiction_resolve(
        contradiction=dispute,
        verdict=Contradiction.Verdict.ONE_RIGHT,
        right_group=1,
        note="Hangzhou, as Xinhua and 示例新闻 print it; no city is called Hongzhou.",
        acting_user=reviewer,
    )

    assert json.loads(run("--format", "json")) == []
    assert "No open disputes." in run()
    (resolved,) = json.loads(run("--status", "resolved", "--format", "json"))
    assert (resolved["status"], resolved["verdict"]) == ("resolved", "one_right")
    assert [value["judged"] for value in resolved["values"]] == ["right", "wrong", "wrong"]
    assert [record["id"] for record in json.loads(run("--status", "all", "--format", "json"))] == [
        dispute.pk
    ]
    assert "found wrong" in run("--status", "all")


def test_the_report_reads_in_a_fixed_number_of_queries(
    three_cities, editor, django_assert_max_num_queries
):
    def reported():
        with django_assert_max_num_queries(2):
            return json.loads(run("--status", "all", "--format", "json"))

    assert len(reported()) == 1
    for number in range(3):
        other = make_candidate(f"Candidate {number}")
        for outlet, value in (("A", "27"), ("B", "35"), ("C", "47")):
            make_claim(
                other,
                Property.AGE,
                value,
                make_article(f"Candidate {number}, {value}.", outlet=outlet),
                by=editor,
            )
    assert [len(record["values"]) for record in reported()] == [3, 3, 3, 3]
