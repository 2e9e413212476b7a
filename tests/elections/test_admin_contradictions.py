"""The contradictions queue: the list, a contradiction's two passages side by side, verdicts."""

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from elections.admin.display import sentences_around
from elections.models import Claim, Contradiction, Property
from elections.services import contradiction_resolve
from sources.models import AnchorStatus
from sources.services import article_set_text
from tests.factories import make_article, make_candidate, make_claim, make_user

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:elections_contradiction_changelist")
# Written for these tests: three sentences on each side of the one that matters.
POST_TEXT = (
    "Polling stations opened early. Turnout was said to be high. Voters queued outside. "
    "Xu Yan, 27, stood in Hongzhou. "
    "He quit his job to campaign. Police visited his flat. He kept going."
)
ELSEVIER_TEXT = "Xu Yan was 35 when he stood in his home district of Hangzhou."


def detail_url(contradiction):
    return reverse("admin:elections_contradiction_change", args=[contradiction.pk])


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def shown(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def ages(editor):
    """Xu Yan is 27 in one outlet and 35 in another: one open contradiction."""
    xu = make_candidate("Xu Yan", name_zh="徐琰")
    post = make_article(
        POST_TEXT,
        outlet="The Washington Post",
        published="2011-06-01",
        url="https://example.org/post",
    )
    tanis = make_article(ELSEVIER_TEXT, outlet="Elsevier", published="2011-06-03")
    first = make_claim(xu, Property.AGE, "27", post, quote="Xu Yan, 27,", by=editor)
    second = make_claim(xu, Property.AGE, "35", tanis, by=editor)
    return Contradiction.objects.get(), first, second


def resolve(client, contradiction, **data):
    return client.post(detail_url(contradiction), data, follow=True)


# The list


def test_the_queue_shows_open_contradictions_unless_asked_otherwise(reviewer, ages):
    contradiction, first, _ = ages
    settled = make_claim(
        first.candidate, Property.CITY, "Hangzhou", make_article("in Hangzhou", outlet="C")
    )
    other = make_claim(
        first.candidate, Property.CITY, "Hongzhou", make_article("in Hongzhou", outlet="D")
    )
    resolved = Contradiction.objects.get(claim_a=settled, claim_b=other)
    contradiction_resolve(
        contradiction=resolved, verdict="a_right", note="a misprint", acting_user=reviewer
    )
    client = client_for(reviewer)

    default = client.get(CHANGELIST)
    everything = client.get(CHANGELIST, {"status": "all"})
    done = client.get(CHANGELIST, {"status": "resolved"})

    assert [row.pk for row in default.context["cl"].result_list] == [contradiction.pk]
    assert {row.pk for row in everything.context["cl"].result_list} == {
        contradiction.pk,
        resolved.pk,
    }
    assert [row.pk for row in done.context["cl"].result_list] == [resolved.pk]


def test_the_queue_shows_both_values_and_both_outlets(reviewer, ages):
    response = client_for(reviewer).get(CHANGELIST)

    for text in ("Xu Yan", "27", "35", "The Washington Post", "Elsevier", "age"):
        assert text in response.text


def test_the_queue_filters_by_outlet_property_and_origin(reviewer, ages):
    contradiction = ages[0]
    outlet = contradiction.claim_b.article.outlet
    client = client_for(reviewer)

    by_outlet = client.get(CHANGELIST, {"outlet": outlet.pk}).context["cl"].result_list
    by_city = client.get(CHANGELIST, {"property": "city"}).context["cl"].result_list
    flagged = client.get(CHANGELIST, {"origin__exact": "flagged"}).context["cl"].result_list

    assert [row.pk for row in by_outlet] == [contradiction.pk]
    assert list(by_city) == [] and list(flagged) == []


def test_the_queue_is_searched_by_any_form_of_the_name(reviewer, ages):
    client = client_for(reviewer)

    for term in ("徐琰", "xu yan", "xuyan"):
        assert len(client.get(CHANGELIST, {"q": term}).context["cl"].result_list) == 1
    assert len(client.get(CHANGELIST, {"q": "liu"}).context["cl"].result_list) == 0


@pytest.mark.parametrize("rows", [1, 8])
def test_the_queue_takes_the_same_queries_however_many_contradictions(
    rows, reviewer, editor, django_assert_max_num_queries
):
    for number in range(rows):
        candidate = make_candidate(f"Candidate {number}")
        make_claim(candidate, Property.AGE, "30", make_article("aged 30", outlet="A"), by=editor)
        make_claim(candidate, Property.AGE, "50", make_article("aged 50", outlet="B"), by=editor)
    client = client_for(reviewer)
    client.get(CHANGELIST)

    with django_assert_max_num_queries(8):
        response = client.get(CHANGELIST)

    assert len(response.context["cl"].result_list) == rows


# A contradiction's page


def test_the_page_shows_both_passages_in_their_sentences(reviewer, ages):
    contradiction = ages[0]

    response = client_for(reviewer).get(detail_url(contradiction))

    assert response.status_code == 200
    text = response.text
    assert (
        "Turnout was said to be high. Voters queued outside. <mark>Xu Yan, 27,</mark> stood "
        "in Hongzhou. He quit his job to campaign. Police visited his flat."
    ) in text
    assert "Polling stations opened early." not in text
    assert "Xu Yan was <mark>35</mark> when he stood" in text
    for fact in ("The Washington Post", "Elsevier", "1 June 2011", "3 June 2011", "unverified"):
        assert fact in text
    assert 'href="https://example.org/post"' in text
    assert 'name="verdict"' in text


def test_untrusted_text_on_the_page_is_escaped(reviewer, editor):
    xu = make_candidate("Xu <em>Yan</em>")
    evil = make_article("<img src=x onerror=alert(1)> He is 27.", outlet="A")
    make_claim(xu, Property.AGE, "27", evil, by=editor)
    make_claim(xu, Property.AGE, "35", make_article("He is 35.", outlet="B"), by=editor)

    response = client_for(reviewer).get(detail_url(Contradiction.objects.get()))

    assert "<img src=x" not in response.text and "<em>Yan</em>" not in response.text
    assert "&lt;img src=x onerror=alert(1)&gt;" in response.text


def test_a_passage_no_longer_in_the_text_is_shown_as_quoted(reviewer, ages, editor):
    contradiction, first, _ = ages
    article_set_text(article=first.article, text="A different text entirely.", acting_user=editor)
    first.passage.refresh_from_db()
    assert first.passage.anchor_status == AnchorStatus.ORPHANED

    response = client_for(reviewer).get(detail_url(contradiction))

    assert "were not found again. As quoted:" in response.text
    assert "<mark>Xu Yan, 27,</mark>" in response.text


def test_a_verdict_resolves_and_overrules_the_wrong_claim(reviewer, ages):
    contradiction, first, second = ages

    response = resolve(
        client_for(reviewer),
        contradiction,
        verdict=Contradiction.Verdict.B_RIGHT,
        note="The election notice gives his birth year as 1976.",
    )

    contradiction.refresh_from_db()
    assert contradiction.status == Contradiction.Status.RESOLVED
    assert contradiction.resolved_by == reviewer and contradiction.verdict == "b_right"
    assert Claim.objects.get(pk=first.pk).overruled
    assert not Claim.objects.get(pk=second.pk).overruled
    assert response.redirect_chain[-1][0] == CHANGELIST
    assert any("Resolved" in message for message in shown(response))


def test_a_verdict_without_a_note_is_refused_on_the_form(reviewer, ages):
    contradiction = ages[0]

    response = client_for(reviewer).post(
        detail_url(contradiction), {"verdict": "a_right", "note": " "}
    )

    assert response.status_code == 400
    assert response.context["form"].errors["note"]
    contradiction.refresh_from_db()
    assert contradiction.status == Contradiction.Status.OPEN


def test_a_resolved_contradiction_shows_its_verdict_who_and_when(reviewer, ages):
    contradiction = ages[0]
    contradiction_resolve(
        contradiction=contradiction,
        verdict="different_times",
        note="He had a birthday <b>in between</b>.",
        acting_user=reviewer,
    )

    response = client_for(make_user("Editors")).get(detail_url(contradiction))

    assert "both true at different times" in response.text
    assert "He had a birthday &lt;b&gt;in between&lt;/b&gt;." in response.text
    assert reviewer.username in response.text
    assert 'name="verdict"' not in response.text


def test_an_editor_sees_the_page_but_cannot_resolve(editor, ages):
    contradiction = ages[0]
    client = client_for(editor)

    page = client.get(detail_url(contradiction))
    refused = client.post(detail_url(contradiction), {"verdict": "a_right", "note": "mine"})

    assert page.status_code == 200 and 'name="verdict"' not in page.text
    assert refused.status_code == 403
    contradiction.refresh_from_db()
    assert contradiction.status == Contradiction.Status.OPEN


@pytest.mark.parametrize("others", [0, 6])
def test_the_page_takes_the_same_queries_however_many_contradictions(
    others, reviewer, editor, ages, django_assert_max_num_queries
):
    contradiction, first, _ = ages
    for number in range(others):
        article = make_article(f"He is {40 + number}.", outlet=f"Outlet {number}")
        make_claim(first.candidate, Property.AGE, str(40 + number), article, by=editor)
    client = client_for(reviewer)
    client.get(detail_url(contradiction))

    with django_assert_max_num_queries(5):
        response = client.get(detail_url(contradiction))

    assert response.status_code == 200


def test_there_is_no_add_form(reviewer):
    response = client_for(make_user(superuser=True)).get(
        reverse("admin:elections_contradiction_add")
    )

    assert response.status_code == 403


# Context around a passage


def test_context_takes_whole_sentences_on_each_side():
    text = "One. Two. Three is here. Four. Five."
    start = text.index("is here")

    before, words, after = sentences_around(text, start, start + len("is here"), sentences=1)

    assert (before, words, after) == ("Two. Three ", "is here", ". Four.")


def test_context_reads_chinese_full_stops():
    text = "第一句。第二句。许艳参选。第四句。第五句。"
    start = text.index("许艳")

    before, _, after = sentences_around(text, start, start + 2, sentences=1)

    assert before == "第二句。" and after == "参选。第四句。"


def test_context_is_cut_when_sentences_run_long():
    text = "x" * 2000 + " target " + "y" * 2000
    start = text.index("target")

    before, _, after = sentences_around(text, start, start + 6, limit=50)

    assert before == "…" + ("x" * 2000 + " ")[-50:] and len(after) == 51
