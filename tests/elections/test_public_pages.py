"""The public pages show published, verified facts with their citations, and nothing else."""

import json
import re

import pytest
from django.core.cache import caches

from elections.models import Contradiction, DisputeClaim, Property
from elections.services import (
    candidate_merge,
    candidate_publish,
    claim_verify,
    contradiction_resolve,
)
from sources.dates import PartialDate
from tests.factories import make_article, make_candidacy, make_candidate, make_claim
from tests.newsroom import fixtures

pytestmark = pytest.mark.django_db

_built, world = fixtures("public site", name="world")


@pytest.fixture(autouse=True)
def _fresh_caches():
    # A page cache in front of the views must not answer with another test's page.
    for cache in caches.all():
        cache.clear()


def text_of(response):
    return response.content.decode()


def listed_disputed(client):
    """The cards of /candidates/?disputed=yes, as text."""
    return text_of(client.get("/candidates/", {"disputed": "yes"}))


def api_facts(client, slug):
    return client.get(f"/api/candidates/{slug}/").json()["facts"]


def section(page, anchor):
    """The part of `page` from the element with id `anchor` to the next section."""
    start = page.index(f'id="{anchor}"')
    end = page.find("<section", start)
    return page[start : end if end != -1 else len(page)]


def test_home_counts_and_charts_only_published_candidates(client, world):
    page = text_of(client.get("/"))

    assert "2 published profiles" in page
    assert page.count('role="img"') == 2
    assert '<title id="chart-provinces-title">' in page
    assert "Jiangxi: 1, Zhejiang: 1" in page
    assert '<span lang="zh-Hans">江西省</span>' in page
    assert "barred: 1" in page
    assert "Hubei" not in page
    assert "Sichuan" not in page


def test_home_lists_the_latest_verified_facts_with_their_citations(client, world):
    page = text_of(client.get("/"))

    assert "<mark>52</mark>" in page
    assert f'href="/articles/{world.wire.pk}/"' in page
    assert "steelworker</mark>" not in page
    assert "Hidden Person" not in page
    assert "Hongzhou</mark>" not in page


def test_profile_shows_every_name_form_with_its_language(client, world):
    page = text_of(client.get("/candidates/liu-ping/"))

    assert '<span class="profile__zh" lang="zh-Hans">刘萍</span>' in page
    xu_page = text_of(client.get("/candidates/xu-yan/"))
    assert "Xu Ruiyan" in xu_page


def test_profile_shows_verified_facts_grouped_with_quote_and_links(client, world):
    page = text_of(client.get("/candidates/liu-ping/"))

    assert "<h3>Age</h3>" in page
    assert "Liu Ping, <mark>47</mark>, a steelworker" in page
    assert 'href="https://example.org/reports/1"' in page
    assert f'href="/articles/{world.daily.pk}/"' in page
    assert f'href="/articles/{world.chinese.pk}/"' in page
    assert '<blockquote class="quote" lang="zh-Hans">' in page


def test_profile_leaves_out_unverified_and_rejected_claims(client, world):
    page = text_of(client.get("/candidates/liu-ping/"))

    assert "<strong>steelworker</strong>" not in page
    assert "retired worker</mark>" not in page
    assert "<h3>Occupation</h3>" not in page


def test_overruled_claim_appears_only_inside_its_dispute(client, world):
    page = text_of(client.get("/candidates/xu-yan/"))
    facts, _, disputes = page.partition('id="disputes"')

    assert "<strong>Hongzhou</strong>" not in facts
    assert "<strong>Hangzhou</strong>" in facts
    assert "<strong>Hongzhou</strong>" in disputes
    assert "found wrong" in disputes
    assert "Second Wire&#x27;s version was found right." in disputes
    assert "No place has that name; a misprint." in disputes


def test_open_dispute_between_verified_claims_is_under_review(client, world):
    page = text_of(client.get("/candidates/liu-ping/"))
    _, _, disputes = page.partition('id="disputes"')

    assert "Open: under review." in disputes
    assert "<strong>47</strong>" in disputes
    assert "<strong>52</strong>" in disputes


def test_candidacy_timeline_shows_dated_status_steps_with_citations(client, world):
    page = text_of(client.get("/candidates/liu-ping/"))
    _, _, candidacy = page.partition('id="candidacy"')
    candidacy, _, _ = candidacy.partition('id="facts"')

    assert "polling day 15 April 2011" in candidacy
    assert "<strong>Barred</strong>" in candidacy
    assert "April 2011" in candidacy
    assert "Example Daily" in candidacy


def test_profile_lists_its_sources_and_when_it_was_last_verified(client, world):
    page = text_of(client.get("/candidates/liu-ping/"))
    _, _, sources = page.partition('id="sources"')

    assert "Candidates outside the capital" in sources
    assert '<a href="/articles/' in sources
    assert "Nobody cites this" not in sources
    assert "Facts last verified" in page


def test_profile_describes_the_person_in_json_ld(client, world):
    page = text_of(client.get("/candidates/liu-ping/"))
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    data = json.loads(block.group(1))

    assert data["@type"] == "Person"
    assert data["name"] == "Liu Ping"
    assert "刘萍" in data["alternateName"]
    assert data["gender"] == "Female"
    assert data["url"].endswith("/candidates/liu-ping/")


@pytest.mark.parametrize("slug", ["hidden-person", "withdrawn-person", "nobody-at-all"])
def test_an_unpublished_profile_answers_like_one_that_does_not_exist(client, world, slug):
    missing = client.get("/candidates/no-such-person/")
    response = client.get(f"/candidates/{slug}/")

    assert response.status_code == 404
    assert response.content == missing.content


def test_a_merged_record_redirects_permanently_to_its_published_survivor(client, world):
    response = client.get("/candidates/xu-ruiyan/")

    assert response.status_code == 301
    assert response["Location"] == "/candidates/xu-yan/"


def test_a_merged_record_whose_survivor_is_unpublished_is_not_found(client, world):
    absorbed = make_candidate("Second Record Of Hidden")
    candidate_merge(survivor=world.hidden, absorbed=absorbed, acting_user=world.reviewer)
    missing = client.get("/candidates/no-such-person/")

    response = client.get("/candidates/second-record-of-hidden/")

    assert response.status_code == 404
    assert response.content == missing.content


def test_outlet_list_shows_only_outlets_cited_by_public_claims(client, world):
    page = text_of(client.get("/outlets/"))

    assert "Example Daily" in page
    assert '<a href="/outlets/%E7%A4%BA%E4%BE%8B%E6%97%A5%E6%8A%A5/" lang="zh-Hans">' in page
    assert "Quiet Outlet" not in page


def test_outlet_page_groups_its_reports_and_counts_where_it_was_found_wrong(client, world):
    page = text_of(client.get("/outlets/example-daily/"))

    assert "<strong>47</strong>" in page
    assert '<span class="badge badge--wrong">found wrong</span>' in page
    assert "took part in 2 disputes" in page
    assert "The editors found its version wrong once." in page
    assert '<th scope="row">City</th><td class="num">1</td><td class="num">1</td>' in page
    assert "steelworker</mark>" not in page


def test_outlet_without_public_claims_is_not_found(client, world):
    assert client.get("/outlets/quiet-outlet/").status_code == 404
    assert client.get("/outlets/no-such-outlet/").status_code == 404


def test_article_page_shows_cited_passages_linking_to_the_profiles(client, world):
    page = text_of(client.get(f"/articles/{world.daily.pk}/"))

    assert "Candidates outside the capital" in page
    assert 'href="https://example.org/reports/1"' in page
    assert '<a href="/candidates/liu-ping/">' in page
    assert "<mark>47</mark>" in page
    assert "<strong>steelworker</strong>" not in page


def test_article_cited_only_by_unpublished_or_unverified_claims_is_not_found(client, world):
    missing = client.get("/articles/999999/")
    response = client.get(f"/articles/{world.quiet.pk}/")

    assert response.status_code == 404
    assert response.content == missing.content


def test_hostile_names_and_quotes_are_escaped_everywhere(client, world):
    editor, reviewer = world.editor, world.reviewer
    hostile = make_candidate('</script><script>alert("name")</script>', name_zh="<b>刘</b>")
    make_candidacy(hostile, world.liu.candidacies.get().election)
    article = make_article(
        'Readers wrote <img src=x onerror=alert(1)> and "quotes" & ampersands.',
        outlet="<i>Outlet</i>",
        title="<em>Title</em>",
    )
    claim = make_claim(
        hostile, Property.OCCUPATION, "<img src=x onerror=alert(1)>", article, by=editor
    )
    claim_verify(claim=claim, acting_user=reviewer)
    candidate_publish(candidate=hostile, acting_user=reviewer)

    pages = [
        client.get(hostile.get_absolute_url()),
        client.get("/"),
        client.get("/candidates/", {"q": "alert"}),
        client.get("/outlets/"),
        client.get(f"/articles/{article.pk}/"),
    ]

    for response in pages:
        page = text_of(response)
        assert response.status_code == 200
        assert "<script>alert" not in page
        assert "<img src=x" not in page
        assert "<i>Outlet</i>" not in page
        assert "<em>Title</em>" not in page
    profile = text_of(pages[0])
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', profile, re.S)
    assert json.loads(block.group(1))["name"] == '</script><script>alert("name")</script>'
    assert "&lt;img src=x onerror=alert(1)&gt;" in profile


def test_a_verdict_of_no_contradiction_takes_the_dispute_off_every_surface(client, world):
    contradiction = Contradiction.objects.get(candidate=world.liu, status="open")
    contradiction_resolve(
        contradiction=contradiction,
        verdict=Contradiction.Verdict.NOT_CONTRADICTION,
        note="Both ages can hold.",
        acting_user=world.reviewer,
    )

    page = text_of(client.get("/candidates/liu-ping/"))

    assert 'id="disputes"' not in page
    assert "<strong>52</strong>" in page
    assert "disputed" not in page
    assert "Liu Ping" not in listed_disputed(client)
    ages = [fact for fact in api_facts(client, "liu-ping") if fact["property"] == "age"]
    assert [fact["disputed"] for fact in ages] == [False, False]


def test_the_list_and_its_choices_never_name_anything_unpublished(client, world):
    page = text_of(client.get("/candidates/"))

    for hidden in ("Hidden Person", "Withdrawn Person", "Quiet Outlet", "Hubei", "Qianjiang"):
        assert hidden not in page
    for hidden in ("Sichuan", "Chengdu", "隐藏人"):
        assert hidden not in page
    assert '<option value="示例日报" lang="zh-Hans">示例日报</option>' in page
    assert "Xu Ruiyan" not in page


def test_a_merged_record_is_redirected_in_a_fixed_number_of_queries(
    client, world, django_assert_max_num_queries
):
    with django_assert_max_num_queries(3):
        response = client.get("/candidates/xu-ruiyan/")

    assert response.status_code == 301


# Disputes: one block per question, every version in it, and the mark wherever its fact is.


def test_a_dispute_of_three_versions_is_shown_once_with_every_version(client, world):
    third = make_article("Liu Ping, 60, was interviewed.", outlet="Third Paper")
    sixty = make_claim(world.liu, Property.AGE, "60", third, by=world.editor)
    claim_verify(claim=sixty, acting_user=world.reviewer)
    # A fourth version nobody verified is no version the public reads.
    fourth = make_article("Liu Ping, 70, was interviewed.", outlet="Fourth Paper")
    make_claim(world.liu, Property.AGE, "70", fourth, by=world.editor)
    dispute = Contradiction.objects.get(candidate=world.liu, property=Property.BIRTH_YEAR)
    assert dispute.group_count == 4

    page = text_of(client.get("/candidates/liu-ping/"))
    disputes = section(page, "disputes")

    assert disputes.count('class="disagreement"') == 1
    assert f'id="dispute-{dispute.pk}"' in disputes
    assert "Year of birth: 3 versions" in disputes
    assert disputes.count('<li class="side') == 3
    for value in ("47", "52", "60"):
        assert disputes.count(f"<strong>{value}</strong>") == 1
    assert "Third Paper" in disputes
    assert "<strong>70</strong>" not in page
    assert "<mark>70</mark>" not in page
    assert "Fourth Paper" not in page
    assert "Open: under review." in disputes


def test_a_reopened_dispute_says_so_and_keeps_the_earlier_verdict(client, world):
    page = text_of(client.get("/candidates/xu-yan/"))
    assert "Verdict:" in section(page, "disputes")
    third = make_article("Xu Yan lives in Ningbo.", outlet="Third Paper")
    ningbo = make_claim(world.xu, Property.CITY, "Ningbo", third, by=world.editor)
    claim_verify(claim=ningbo, acting_user=world.reviewer)

    disputes = section(text_of(client.get("/candidates/xu-yan/")), "disputes")

    assert "Reopened: a new version since the verdict." in disputes
    assert "The earlier verdict: Second Wire&#x27;s version was found right." in disputes
    assert "No place has that name; a misprint." in disputes
    assert "new since the verdict" in disputes
    assert "Verdict:" not in disputes


def test_a_disputed_fact_is_marked_on_the_profile_and_its_header(client, world):
    page = text_of(client.get("/candidates/liu-ping/"))
    dispute = Contradiction.objects.get(candidate=world.liu, property=Property.BIRTH_YEAR)
    mark = f'<a class="badge badge--disputed" href="#dispute-{dispute.pk}">disputed</a>'
    facts = section(page, "facts")

    assert facts.count(mark) == 2  # ages 47 and 52
    assert f"<strong>47</strong> {mark}" in facts
    assert '<strong lang="zh-Hans">新余市</strong></p>' in facts  # undisputed: no mark
    assert f"born 1964 {mark}" in page


def test_a_disputed_fact_is_marked_on_the_home_page(client, world):
    page = text_of(client.get("/"))
    head = next(line for line in page.splitlines() if "<strong>52</strong>" in line)

    assert 'class="badge badge--disputed"' in head
    assert 'href="/candidates/liu-ping/#disputes"' in head
    city = next(line for line in page.splitlines() if "新余市</strong>" in line)
    assert "disputed" not in city


def test_the_list_marks_candidates_with_disputed_facts(client, world):
    cards = text_of(client.get("/candidates/")).split('<li class="candidate-card">')[1:]
    liu = next(card for card in cards if "Liu Ping" in card)
    others = [card for card in cards if "Liu Ping" not in card and "Xu Yan" not in card]

    assert '<span class="badge badge--disputed">disputed facts</span>' in liu
    assert not any("disputed" in card for card in others)


def test_the_api_and_the_export_mark_a_disputed_fact(client, world):
    facts = {fact["value"]: fact["disputed"] for fact in api_facts(client, "liu-ping")}
    export = client.get("/export/claims.csv")
    rows = b"".join(export.streaming_content).decode().splitlines()
    header = rows[0].lstrip("\ufeff").split(",")
    by_value = {row.split(",")[header.index("value")]: row.split(",") for row in rows[1:]}

    assert facts["47"] is True and facts["52"] is True
    assert facts["新余市"] is False
    assert by_value["47"][header.index("disputed")] == "true"
    assert by_value["新余市"][header.index("disputed")] == "false"


def test_an_outlet_is_found_wrong_once_for_one_misprint_six_outlets_printed_right(client, world):
    wang = make_candidate("Wang Lin", gender="male")
    make_candidacy(wang, world.xu.candidacies.get().election)
    gazette = make_article("Wang Lin, a teacher, stands in Hongzhou.", outlet="Misprint Gazette")
    misprint = make_claim(wang, Property.CITY, "Hongzhou", gazette, by=world.editor)
    claim_verify(claim=misprint, acting_user=world.reviewer)
    # A fact of its own, so that the gazette has a page once its city is overruled.
    teacher = make_claim(wang, Property.OCCUPATION, "teacher", gazette, by=world.editor)
    claim_verify(claim=teacher, acting_user=world.reviewer)
    right = []
    for number in range(6):
        article = make_article("Wang Lin stands in Hangzhou.", outlet=f"Paper {number}")
        claim = make_claim(wang, Property.CITY, "Hangzhou", article, by=world.editor)
        right.append(claim_verify(claim=claim, acting_user=world.reviewer))
    dispute = Contradiction.objects.get(candidate=wang, property=Property.CITY)
    contradiction_resolve(
        contradiction=dispute,
        verdict=Contradiction.Verdict.ONE_RIGHT,
        right_group=DisputeClaim.objects.get(claim=right[0]).group,
        note="A misprint.",
        acting_user=world.reviewer,
    )
    candidate_publish(candidate=wang, acting_user=world.reviewer)

    gazette_page = text_of(client.get("/outlets/misprint-gazette/"))
    paper_page = text_of(client.get("/outlets/paper-3/"))
    profile = section(text_of(client.get(wang.get_absolute_url())), "disputes")

    assert "took part in 1 dispute," in gazette_page
    assert "The editors found its version wrong once." in gazette_page
    assert '<th scope="row">City</th><td class="num">1</td><td class="num">1</td>' in gazette_page
    assert gazette_page.count('class="contradiction"') == 1
    assert "Paper 0, Paper 1, Paper 2, Paper 3, Paper 4 and Paper 5 printed" in gazette_page
    assert "The version of Paper 0, Paper 1" in gazette_page
    assert "The editors found its version wrong 0 times." in paper_page
    assert "as did Paper 0, Paper 1, Paper 2, Paper 4 and Paper 5" in paper_page
    assert profile.count('class="disagreement"') == 1
    assert "City: 2 versions" in profile
    assert profile.count("<blockquote") == 7


def test_a_disputed_status_is_marked_in_the_header_the_timeline_and_the_article(client, world):
    # Withdrew on 2 May, after the daily's "barred" of April; a second outlet says she was
    # barred that very day.
    day = PartialDate(2011, 5, 2)
    for status, article, quote in (
        ("withdrew", world.wire, "described as a retired worker"),
        ("barred", world.chinese, "是新余市的参选人"),
    ):
        claim = make_claim(
            world.liu,
            Property.STATUS,
            status,
            article,
            quote,
            candidacy=world.liu_run,
            as_of=day,
            by=world.editor,
        )
        claim_verify(claim=claim, acting_user=world.reviewer)
    dispute = Contradiction.objects.get(candidacy=world.liu_run, status="open")
    mark = f'<a class="badge badge--disputed" href="#dispute-{dispute.pk}">disputed</a>'

    page = text_of(client.get("/candidates/liu-ping/"))
    timeline = section(page, "candidacy")
    wire_page = text_of(client.get(f"/articles/{world.wire.pk}/"))

    assert f'<span class="status">barred</span> {mark}' in page
    assert timeline.count(mark) == 3  # the run's latest status, and its two steps that day
    assert "Candidacy status on 2 May 2011: 2 versions" in section(page, "disputes")
    withdrew = next(line for line in wire_page.splitlines() if "withdrew</strong>" in line)
    assert 'class="badge badge--disputed" href="/candidates/liu-ping/#disputes"' in withdrew
