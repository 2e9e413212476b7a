"""The claim admin: the review queue, adding a claim from a quote, changes, review, flags."""

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import strip_tags

from elections.models import Claim, Contradiction, DisputeClaim, Property
from elections.services import claim_update, claim_verify, contradiction_resolve
from tests.factories import make_article, make_candidate, make_claim, make_user

pytestmark = pytest.mark.django_db

# Written for these tests; the facts follow the press reports, the words do not.
TEXT = (
    "Liu Ping, 47, used to work at a steel plant in Xinyu. "
    "She registered as an independent candidate in the spring. "
    "Neighbours said she had helped them with pension claims."
)
CHANGELIST = reverse("admin:elections_claim_changelist")
ADD = reverse("admin:elections_claim_add")


def change_url(claim):
    return reverse("admin:elections_claim_change", args=[claim.pk])


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def shown(response):
    """The messages of the response, as read (without their links' markup)."""
    return [strip_tags(str(message)) for message in get_messages(response.wsgi_request)]


def act(client, action, claims, **data):
    """Run a list action on `claims` as the admin's action bar posts it."""
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [claim.pk for claim in claims], **data},
        follow=True,
    )


def groups_of(dispute):
    """The dispute's value groups as lists of claim ids."""
    groups = {}
    for member in DisputeClaim.objects.filter(contradiction=dispute).order_by("group", "claim"):
        groups.setdefault(member.group, []).append(member.claim_id)
    return [groups[number] for number in sorted(groups)]


@pytest.fixture
def liu():
    return make_candidate("Liu Ping", name_zh="刘萍")


@pytest.fixture
def article():
    return make_article(
        TEXT, outlet="Ballot Notes", published="2011-06-12", url="https://example.org/liu"
    )


@pytest.fixture
def age(liu, article, editor):
    return make_claim(liu, Property.AGE, "47", article, by=editor)


# The review queue


def test_the_list_links_to_the_review_queue_with_its_count(reviewer, liu, article, editor):
    make_claim(liu, Property.AGE, "47", article, by=editor)
    verified = make_claim(liu, Property.CITY, "Xinyu", article, by=editor)
    claim_verify(claim=verified, acting_user=reviewer)

    response = client_for(reviewer).get(CHANGELIST)

    assert "Review queue (1)" in response.text
    assert "?state__exact=unverified" in response.text


def test_the_review_queue_lists_only_unverified_claims(reviewer, liu, article, editor):
    waiting = make_claim(liu, Property.AGE, "47", article, by=editor)
    verified = make_claim(liu, Property.CITY, "Xinyu", article, by=editor)
    claim_verify(claim=verified, acting_user=reviewer)

    response = client_for(reviewer).get(CHANGELIST, {"state__exact": "unverified"})

    listed = [claim.pk for claim in response.context["cl"].result_list]
    assert listed == [waiting.pk]
    assert "Review queue: unverified claims" in response.text


def test_bulk_verify_reports_the_four_eyes_refusal_with_its_claim(liu, article, editor):
    both = make_user("Editors", "Reviewers")
    own = make_claim(liu, Property.AGE, "47", article, by=both)
    other = make_claim(liu, Property.CITY, "Xinyu", article, by=editor)

    response = act(client_for(both), "verify_claims", [own, other])

    own.refresh_from_db()
    other.refresh_from_db()
    assert other.state == Claim.State.VERIFIED and other.reviewed_by == both
    assert own.state == Claim.State.UNVERIFIED
    messages = shown(response)
    assert "Verified 1 claim(s)." in messages
    assert any(f"#{own.pk}" in message and "four-eyes" in message for message in messages)


def test_bulk_reject_asks_for_a_reason_before_it_rejects(reviewer, age):
    client = client_for(reviewer)

    asked = act(client, "reject_claims", [age])

    assert asked.status_code == 200
    assert "Reject 1 claim(s)" in asked.text
    age.refresh_from_db()
    assert age.state == Claim.State.UNVERIFIED

    act(client, "reject_claims", [age], confirm="yes", reason="The article gives 46.")

    age.refresh_from_db()
    assert age.state == Claim.State.REJECTED
    assert age.rejection_reason == "The article gives 46."


def test_a_rejection_without_reason_rejects_nothing(reviewer, age):
    response = act(client_for(reviewer), "reject_claims", [age], confirm="yes", reason="  ")

    assert "This field is required." in response.text
    age.refresh_from_db()
    assert age.state == Claim.State.UNVERIFIED


def test_the_verify_button_of_a_claims_page_verifies_it(reviewer, age):
    url = reverse("admin:elections_claim_verify", args=[age.pk])

    response = client_for(reviewer).post(url, follow=True)

    age.refresh_from_db()
    assert age.state == Claim.State.VERIFIED
    assert any("Verified claim" in message for message in shown(response))


def test_the_reject_button_needs_a_reason(reviewer, age):
    url = reverse("admin:elections_claim_reject", args=[age.pk])
    client = client_for(reviewer)

    refused = client.post(url, {"reason": ""}, follow=True)
    age.refresh_from_db()
    assert age.state == Claim.State.UNVERIFIED
    assert any("say why" in message for message in shown(refused))

    client.post(url, {"reason": "Not in the passage."})
    age.refresh_from_db()
    assert age.state == Claim.State.REJECTED


def test_a_reviewers_claim_page_offers_verify_and_reject(reviewer, age):
    response = client_for(reviewer).get(change_url(age))

    assert response.status_code == 200
    assert reverse("admin:elections_claim_verify", args=[age.pk]) in response.text
    assert reverse("admin:elections_claim_reject", args=[age.pk]) in response.text


def test_an_editors_claim_page_offers_no_review(editor, age):
    response = client_for(editor).get(change_url(age))

    assert response.status_code == 200
    assert reverse("admin:elections_claim_verify", args=[age.pk]) not in response.text


# Adding a claim from a quote


def add_data(candidate, article, **changes):
    data = {
        "candidate": candidate.pk,
        "property": Property.AGE,
        "value": "47",
        "source_article": article.pk,
        "quote": "Liu Ping, 47,",
        "prefix": "",
        "suffix": "",
        "as_of_date": "",
        "candidacy": "",
        "note": "",
    }
    data.update(changes)
    return data


def test_adding_a_claim_anchors_its_quote_as_the_passage(editor, liu, article):
    response = client_for(editor).post(ADD, add_data(liu, article))

    assert response.status_code == 302
    claim = Claim.objects.get()
    assert claim.passage.exact == "Liu Ping, 47,"
    assert article.text[claim.passage.start : claim.passage.end] == "Liu Ping, 47,"
    assert claim.created_by == editor and claim.state == Claim.State.UNVERIFIED
    assert claim.as_of_date.isoformat() == "2011-06-12" and not claim.as_of_explicit


def test_a_quote_not_in_the_article_is_refused_with_the_closest_text(editor, liu, article):
    response = client_for(editor).post(
        ADD, add_data(liu, article, quote="worked at a steel mill in Xinyu")
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["quote"]
    assert "the closest is" in errors[0]
    assert "steel plant in Xinyu" in errors[0]
    assert not Claim.objects.exists()
    assert not article.passages.exists()


def test_an_ambiguous_quote_asks_for_the_words_around_it(editor, liu):
    article = make_article("Liu Ping is 47. Her husband is 47 too.")
    client = client_for(editor)

    refused = client.post(ADD, add_data(liu, article, quote="47"))

    assert "occurs 2 times" in refused.context["adminform"].form.errors["quote"][0]
    assert not Claim.objects.exists()

    accepted = client.post(ADD, add_data(liu, article, quote="47", prefix="Liu Ping is"))

    assert accepted.status_code == 302
    passage = Claim.objects.get().passage
    assert passage.start == article.text.index("47")


def test_an_unreadable_value_is_shown_on_its_field(editor, liu, article):
    response = client_for(editor).post(
        ADD, add_data(liu, article, property=Property.GENDER, value="steelworker")
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["value"]
    assert not Claim.objects.exists()


def test_an_explicit_date_is_typed_as_a_partial_date(editor, liu, article):
    client_for(editor).post(ADD, add_data(liu, article, as_of_date="2011-05"))

    claim = Claim.objects.get()
    assert claim.as_of_explicit and claim.as_of_date.isoformat() == "2011-05"


def test_a_date_that_is_not_one_is_refused(editor, liu, article):
    response = client_for(editor).post(ADD, add_data(liu, article, as_of_date="spring"))

    assert "as_of_date" in response.context["adminform"].form.errors
    assert not Claim.objects.exists()


# Changing a claim


def change_data(claim, **changes):
    data = {
        "value": claim.value,
        "as_of_date": claim.as_of_date.isoformat() if claim.as_of_explicit else "",
        "candidacy": claim.candidacy_id or "",
        "note": claim.note,
        "opened_revision": claim.revision,
    }
    data.update(changes)
    return data


def test_a_change_goes_through_claim_update_and_back_to_review(editor, reviewer, age):
    claim_verify(claim=age, acting_user=reviewer)
    age.refresh_from_db()

    response = client_for(editor).post(change_url(age), change_data(age, value="46"))

    assert response.status_code == 302
    changed = Claim.objects.get(pk=age.pk)
    assert changed.value == "46" and changed.revision == age.revision + 1
    assert changed.state == Claim.State.UNVERIFIED
    assert changed.history.first().history_user == editor


def test_an_empty_date_returns_the_claim_to_its_articles_date(editor, age):
    claim_update(claim=age, acting_user=editor, as_of=None)
    age.refresh_from_db()
    client = client_for(editor)

    client.post(change_url(age), change_data(age, as_of_date="2011-04-30"))
    age.refresh_from_db()
    assert age.as_of_explicit and age.as_of_date.isoformat() == "2011-04-30"

    client.post(change_url(age), change_data(age, as_of_date=""))
    age.refresh_from_db()
    assert not age.as_of_explicit and age.as_of_date.isoformat() == "2011-06-12"


def test_a_save_after_someone_elses_is_refused_saying_what_changed(editor, age):
    opened = age.revision
    colleague = make_user("Editors")
    claim_update(claim=age, acting_user=colleague, value="48")

    response = client_for(editor).post(
        change_url(age), change_data(age, value="46", opened_revision=opened)
    )

    assert response.status_code == 200
    errors = " ".join(response.context["adminform"].form.non_field_errors())
    assert "Someone else saved this claim" in errors
    assert "“47” → “48”" in errors
    assert Claim.objects.get(pk=age.pk).value == "48"


def test_the_claims_page_shows_its_passage_in_context_escaped(editor, liu):
    article = make_article(
        "An aside <script>alert('x')</script> came first. Liu Ping, 47, ran. Nobody objected."
    )
    claim = make_claim(liu, Property.AGE, "47", article, quote="Liu Ping, 47,", by=editor)

    response = client_for(editor).get(change_url(claim))

    assert "<script>alert" not in response.text
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in response.text
    assert "<mark>Liu Ping, 47,</mark> ran. Nobody objected." in response.text


def test_the_claims_page_shows_its_dispute_with_the_other_versions(editor, liu):
    def city(value, outlet):
        article = make_article(f"Liu Ping lives in {value}.", outlet=outlet, published="2011-06-01")
        return make_claim(liu, Property.CITY, value, article, by=editor)

    city("Xinyu", "Ballot Notes")
    misprint = city("Xinyuu", "Harbour Weekly")
    city("Xinyu", "Lakeside Weekly")
    city("Nanchang <b>", "River Daily")
    dispute = Contradiction.objects.get()

    text = client_for(editor).get(change_url(misprint)).text

    assert f"Dispute #{dispute.pk}</a>" in text
    assert "this claim is version 2 of 3" in text
    assert "Version 1: “Xinyu” (Ballot Notes, 1 June 2011); “Xinyu” (Lakeside Weekly" in text
    assert "Version 3: “Nanchang &lt;b&gt;” (River Daily, 1 June 2011)" in text
    assert "Harbour Weekly" not in text.split("this claim is version")[1]


def test_a_claim_in_no_dispute_says_so(editor, age):
    response = client_for(editor).get(change_url(age))

    assert response.context["adminform"].form.instance.pk == age.pk
    assert '<div class="readonly">None.</div>' in response.text


# Flagging a dispute by hand


def test_flagging_two_claims_asks_for_a_note_then_opens_a_dispute(editor, liu, article):
    first = make_claim(liu, Property.OCCUPATION, "steelworker", article, "steel plant", by=editor)
    other = make_article("Liu Ping, a teacher, ran.", outlet="Other Desk")
    second = make_claim(liu, Property.OCCUPATION, "teacher", other, by=editor)
    client = client_for(editor)

    asked = act(client, "flag_contradiction", [first, second])
    assert "Flag as disputed" in asked.text
    assert not Contradiction.objects.exists()

    flagged_now = act(
        client, "flag_contradiction", [first, second], confirm="yes", note="Which job?"
    )

    flagged = Contradiction.objects.get()
    assert flagged.origin == Contradiction.Origin.FLAGGED
    assert flagged.flagged_by == editor and flagged.flag_note.endswith("Which job?")
    assert groups_of(flagged) == [[first.pk], [second.pk]]
    assert f"Flagged as dispute #{flagged.pk}" in " ".join(shown(flagged_now))


def test_flagging_claims_of_a_resolved_dispute_joins_and_reopens_it(editor, reviewer, liu):
    first = make_claim(liu, Property.AGE, "47", make_article("She is 47.", outlet="A"), by=editor)
    second = make_claim(liu, Property.AGE, "52", make_article("She is 52.", outlet="B"), by=editor)
    dispute = Contradiction.objects.get()
    contradiction_resolve(
        contradiction=dispute,
        verdict=Contradiction.Verdict.ONE_RIGHT,
        right_group=1,
        note="Her registration says 47.",
        acting_user=reviewer,
    )

    response = act(
        client_for(editor), "flag_contradiction", [first, second], confirm="yes", note="Recheck."
    )

    joined = Contradiction.objects.get()
    assert joined.pk == dispute.pk
    assert joined.status == Contradiction.Status.OPEN and joined.is_reopened
    assert joined.origin == Contradiction.Origin.FLAGGED and "Recheck." in joined.flag_note
    message = " ".join(shown(response))
    assert f"Added to dispute #{dispute.pk}" in message and "open again" in message


def test_flagging_claims_about_different_things_is_refused(editor, liu, article):
    first = make_claim(liu, Property.AGE, "47", article, by=editor)
    second = make_claim(liu, Property.CITY, "Xinyu", article, by=editor)

    response = act(
        client_for(editor), "flag_contradiction", [first, second], confirm="yes", note="x"
    )

    assert any("same candidate and property" in message for message in shown(response))
    assert not Contradiction.objects.exists()


def test_flagging_needs_exactly_two_claims(editor, age):
    response = act(client_for(editor), "flag_contradiction", [age])

    assert "Select exactly two claims" in " ".join(shown(response))


# Search, filters, history


@pytest.mark.parametrize("term", ["刘萍", "liu ping", "LiuPing", "Ping Liu", "Xinyu"])
def test_search_finds_claims_by_any_form_of_the_name_or_value(reviewer, liu, article, term):
    claim = make_claim(liu, Property.CITY, "Xinyu", article)
    make_claim(make_candidate("Xu Yan"), Property.AGE, "27", make_article("Xu Yan, 27, ran."))

    response = client_for(reviewer).get(CHANGELIST, {"q": term})

    assert [row.pk for row in response.context["cl"].result_list] == [claim.pk]


def test_the_disputed_filter_finds_claims_in_an_open_dispute(reviewer, liu, editor):
    first = make_claim(liu, Property.AGE, "47", make_article("She is 47.", outlet="A"), by=editor)
    second = make_claim(liu, Property.AGE, "52", make_article("She is 52.", outlet="B"), by=editor)
    calm = make_claim(liu, Property.CITY, "Xinyu", make_article("From Xinyu."), by=editor)
    client = client_for(reviewer)

    disputed = client.get(CHANGELIST, {"disputed": "yes"}).context["cl"].result_list
    undisputed = client.get(CHANGELIST, {"disputed": "no"}).context["cl"].result_list

    assert {claim.pk for claim in disputed} == {first.pk, second.pk}
    assert [claim.pk for claim in undisputed] == [calm.pk]


def test_the_history_names_who_verified_and_cannot_be_reverted(reviewer, age):
    claim_verify(claim=age, acting_user=reviewer)
    client = client_for(make_user(superuser=True))
    history = reverse("admin:elections_claim_history", args=[age.pk])

    listing = client.get(history)
    record = age.history.first()
    version = reverse("admin:elections_claim_simple_history", args=[age.pk, record.history_id])
    shown_version = client.get(version)
    revert = client.post(version, {"value": "99"})

    assert reviewer.username in listing.text and "verified" in listing.text
    assert shown_version.status_code == 200 and 'name="_save"' not in shown_version.text
    assert revert.status_code == 403
    assert Claim.objects.get(pk=age.pk).value == "47"


def test_the_list_takes_the_same_queries_however_many_claims(
    reviewer, liu, editor, monkeypatch, django_assert_max_num_queries
):
    from sources.admin import paging

    # Past this many rows a count is PostgreSQL's estimate (exact, in the same query, on
    # SQLite): the larger list below crosses it, as a big table does.
    monkeypatch.setattr(paging, "EXACT_UP_TO", 5)

    def add_claims(count, start=0):
        for number in range(start, start + count):
            article = make_article(f"Liu Ping is {40 + number}.", outlet=f"Outlet {number}")
            make_claim(liu, Property.AGE, str(40 + number), article, by=editor)

    add_claims(2)
    client = client_for(reviewer)
    client.get(CHANGELIST)
    with CaptureQueriesContext(connection) as few:
        response = client.get(CHANGELIST, {"state__exact": "unverified"})
    assert len(response.context["cl"].result_list) == 2
    # The session, the user and its permissions, the queue's count, the outlets of the
    # filter, the list's count, the page's claims and their candidates and articles.
    assert len(few.captured_queries) <= 12

    add_claims(10, start=2)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(CHANGELIST, {"state__exact": "unverified"})
    assert len(response.context["cl"].result_list) == 12


# No internal codes on editors' pages


def test_a_place_reads_as_its_name_never_as_its_code(
    reviewer, liu, article, editor, django_assert_max_num_queries
):
    from tests.factories import make_place

    xinyu = make_place("Xinyu", "新余市")
    city = make_claim(liu, Property.CITY, "Xinyu", article, by=editor)
    assert city.value_key == f"place:{xinyu.pk}"
    client = client_for(reviewer)
    pages = [
        client.get(CHANGELIST).content.decode(),
        client.get(change_url(city)).content.decode(),
        client.get(reverse("admin:elections_candidate_change", args=[liu.pk])).content.decode(),
    ]
    other = make_claim(
        liu,
        Property.CITY,
        "Hangzhou",
        make_article("Liu Ping in Hangzhou.", outlet="Other"),
        by=editor,
    )
    dispute = Contradiction.objects.get(members__claim=other)
    pages.append(
        client.get(
            reverse("admin:elections_contradiction_change", args=[dispute.pk])
        ).content.decode()
    )
    for page in pages:
        assert "place:" not in page
        assert "Xinyu (新余市)" in page
    # The names of the list's places cost one query, however many claims name places.
    with django_assert_max_num_queries(30) as few:
        client.get(CHANGELIST)
    for number in range(5):
        place = make_place(f"Town {number}", f"镇{number}")
        make_claim(
            liu, Property.CITY, f"Town {number}", make_article(f"In Town {number}."), by=editor
        )
        assert Claim.objects.filter(value_key=f"place:{place.pk}").exists()
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert "Town 4 (镇4)" in client.get(CHANGELIST).content.decode()
