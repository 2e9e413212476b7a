"""The desk: the admin's index shows each person's work by role, the review pages walk a
queue with "next", and a dispute is flagged from one claim's page."""

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import strip_tags

from elections.models import Claim, Contradiction, Property
from elections.services import (
    candidate_publish,
    candidate_submit_for_review,
    candidate_update,
    claim_update,
    claim_verify,
)
from sources.models import AnchorStatus, TaskRun
from sources.services import article_set_text, passage_create_from_quote
from tests.factories import make_article, make_candidate, make_claim, make_user

pytestmark = pytest.mark.django_db

INDEX = "admin:index"


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def shown(response):
    return [strip_tags(str(message)) for message in get_messages(response.wsgi_request)]


def desk(user):
    response = client_for(user).get(reverse(INDEX))
    assert response.status_code == 200
    return {section.key: section for section in response.context["desk"]}, response


def item_ids(section):
    return [item.pk for item in section.items]


@pytest.fixture
def importer(db):
    return make_user("Importers")


@pytest.fixture
def both(db):
    return make_user("Editors", "Reviewers")


def claims_of(editor, count, *, candidate=None):
    """`count` occupation claims of one candidate, each from an article of its own outlet
    (occupations are never compared, so they open no dispute)."""
    candidate = candidate or make_candidate("Liu Ping", by=editor)
    return [
        make_claim(
            candidate,
            Property.OCCUPATION,
            f"lawyer {number}",
            make_article(f"Liu Ping, lawyer {number}, stands.", outlet=f"Outlet {number}"),
            by=editor,
        )
        for number in range(count)
    ]


def two_ages(editor, candidate=None):
    """Two outlets printing different ages: a dispute detected on saving the second."""
    candidate = candidate or make_candidate("Xu Yan", by=editor)
    first = make_claim(
        candidate, Property.AGE, "27", make_article("Xu Yan, 27, stands.", outlet="A"), by=editor
    )
    second = make_claim(
        candidate, Property.AGE, "35", make_article("Xu Yan, 35, stands.", outlet="B"), by=editor
    )
    return candidate, first, second


# Sections by role


def test_each_role_sees_the_sections_of_its_work(editor, reviewer, importer, both):
    superuser = make_user(superuser=True)

    assert list(desk(editor)[0]) == ["passages", "withdrawn", "tasks"]
    assert list(desk(reviewer)[0]) == ["claims", "disputes", "proposals", "ready", "tasks"]
    assert list(desk(importer)[0]) == ["tasks"]
    assert list(desk(both)[0]) == [
        "passages",
        "claims",
        "disputes",
        "proposals",
        "ready",
        "withdrawn",
        "tasks",
    ]
    assert len(desk(superuser)[0]) == 7


def test_the_app_list_stays_under_all_records(reviewer):
    _, response = desk(reviewer)

    assert "All records" in response.text
    assert reverse("admin:elections_claim_changelist") in response.text
    assert response.text.index("Your desk") < response.text.index("All records")


def test_staff_without_a_role_get_no_desk_but_the_app_list():
    response = client_for(make_user()).get(reverse(INDEX))

    assert response.status_code == 200
    assert response.context["desk"] == []
    assert "Your desk" not in response.text


# Claims awaiting review: never one's own


def test_a_reviewer_never_sees_claims_they_recorded_or_shaped(editor, both):
    others = claims_of(editor, 2)
    own = claims_of(both, 1, candidate=others[0].candidate)[0]
    shaped = others[1]
    claim_update(claim=shaped, value="a lawyer 1", acting_user=both)

    sections, _response = desk(both)

    assert sections["claims"].count == 1
    assert item_ids(sections["claims"]) == [others[0].pk]
    assert own.pk not in item_ids(sections["claims"])


def test_the_review_queues_full_list_is_the_desks_list(editor, both):
    mine = claims_of(both, 1)[0]
    theirs = claims_of(editor, 2, candidate=mine.candidate)

    listed = client_for(both).get(sections_url(both, "claims"))

    assert listed.status_code == 200
    assert sorted(row.pk for row in listed.context["cl"].result_list) == sorted(
        claim.pk for claim in theirs
    )


def sections_url(user, key):
    return desk(user)[0][key].list_url


def test_counts_are_whole_while_items_are_the_first_few(editor, reviewer):
    claims = claims_of(editor, 7)

    section = desk(reviewer)[0]["claims"]

    assert section.count == 7
    assert item_ids(section) == [claim.pk for claim in claims[:5]]


# Passages awaiting an editor


def test_passages_awaiting_are_saved_passages_supporting_no_claim(editor):
    article = make_article("Zhou Min, a lawyer in Ningbo, will stand for the district congress.")
    alone = passage_create_from_quote(article=article, exact="a lawyer", acting_user=editor)
    make_claim(make_candidate("Zhou Min", by=editor), Property.CITY, "Ningbo", article, by=editor)

    section = desk(editor)[0]["passages"]

    assert (section.count, item_ids(section)) == (1, [alone.pk])
    annotate = reverse("admin:sources_article_annotate", args=[article.pk])
    assert section.items[0].url == f"{annotate}#passage-{alone.pk}"
    listed = client_for(editor).get(section.list_url)
    assert [row.pk for row in listed.context["cl"].result_list] == [alone.pk]


# Disputes, proposals, candidates ready to publish


def test_open_disputes_are_listed_until_resolved(editor, reviewer):
    _, _first, _ = two_ages(editor)
    dispute = Contradiction.objects.get()

    section = desk(reviewer)[0]["disputes"]

    assert (section.count, item_ids(section)) == (1, [dispute.pk])
    assert section.items[0].url == reverse(
        "admin:elections_contradiction_change", args=[dispute.pk]
    )


def test_proposals_awaiting_review_are_never_ones_own(editor, both):
    published = make_candidate("Ma Hua", by=editor)
    candidate_submit_for_review(candidate=published, acting_user=editor)
    candidate_publish(candidate=published, acting_user=make_user("Reviewers"))
    theirs = candidate_update(candidate=published, birth_year=1970, acting_user=editor).proposal
    published.refresh_from_db()
    mine = candidate_update(candidate=published, gender="female", acting_user=both).proposal

    section = desk(both)[0]["proposals"]

    assert (section.count, item_ids(section)) == (1, [theirs.pk])
    assert mine.pk not in item_ids(section)


def test_candidates_ready_to_publish_follow_the_publish_rule(editor, reviewer):
    ready = make_candidate("Ready Person", by=editor)
    candidate_submit_for_review(candidate=ready, acting_user=editor)
    blocked, first, _second = two_ages(editor, make_candidate("Blocked Person", by=editor))
    claim_verify(claim=first, acting_user=reviewer)
    candidate_submit_for_review(candidate=blocked, acting_user=editor)
    draft = make_candidate("Draft Person", by=editor)

    section = desk(reviewer)[0]["ready"]

    assert item_ids(section) == [ready.pk]
    assert draft.pk not in item_ids(section)
    listed = client_for(reviewer).get(section.list_url)
    assert [row.pk for row in listed.context["cl"].result_list] == [ready.pk]


def test_publishing_from_a_candidates_page_goes_to_the_next_ready_then_to_the_desk(
    editor, reviewer
):
    first, second = (make_candidate(name, by=editor) for name in ("First Ready", "Second Ready"))
    for candidate in (first, second):
        candidate_submit_for_review(candidate=candidate, acting_user=editor)
    client = client_for(reviewer)
    page = client.get(reverse("admin:elections_candidate_change", args=[first.pk]))
    assert 'form="sb-publish-form"' in page.content.decode()

    response = client.post(reverse("admin:elections_candidate_publish", args=[first.pk]))
    assert response["Location"] == reverse("admin:elections_candidate_change", args=[second.pk])
    assert any("Published First Ready" in text for text in shown(response))
    response = client.post(reverse("admin:elections_candidate_publish", args=[second.pk]))
    assert response["Location"] == reverse(INDEX)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.state == second.state == "published"
    # A published candidate's page offers no publish button.
    page = client.get(reverse("admin:elections_candidate_change", args=[first.pk]))
    assert 'form="sb-publish-form"' not in page.content.decode()


def test_a_refused_publication_stays_on_the_candidates_page_saying_why(editor, reviewer):
    blocked, first, _second = two_ages(editor, make_candidate("Blocked Person", by=editor))
    claim_verify(claim=first, acting_user=reviewer)
    claim_verify(claim=_second, acting_user=reviewer)
    candidate_submit_for_review(candidate=blocked, acting_user=editor)
    response = client_for(reviewer).post(
        reverse("admin:elections_candidate_publish", args=[blocked.pk])
    )
    assert response["Location"] == reverse("admin:elections_candidate_change", args=[blocked.pk])
    assert any("was not published" in text for text in shown(response))
    blocked.refresh_from_db()
    assert blocked.state == "review"


def test_only_reviewers_publish_and_only_by_post(editor, reviewer):
    candidate = make_candidate("Someone", by=editor)
    candidate_submit_for_review(candidate=candidate, acting_user=editor)
    url = reverse("admin:elections_candidate_publish", args=[candidate.pk])
    assert client_for(editor).post(url).status_code == 403
    assert client_for(reviewer).get(url).status_code == 405
    assert (
        client_for(reviewer)
        .post(url.replace(str(candidate.pk), "99999999999999999999"))
        .status_code
        == 404
    )


# Facts withdrawn for lost evidence, and running tasks


def test_a_verified_fact_whose_words_are_gone_is_withdrawn_for_an_editor(editor, reviewer):
    article = make_article("Liu Ping, 47, a lawyer, stands in Hangzhou.")
    claim = make_claim(make_candidate("Liu Ping", by=editor), Property.AGE, "47", article)
    claim_verify(claim=claim, acting_user=reviewer)
    article_set_text(article=article, text="Liu Ping stands in Hangzhou.", acting_user=editor)
    claim.refresh_from_db()
    assert claim.passage.anchor_status in (AnchorStatus.FUZZY, AnchorStatus.ORPHANED)

    section = desk(editor)[0]["withdrawn"]

    assert item_ids(section) == [claim.pk]
    annotate = reverse("admin:sources_article_annotate", args=[article.pk])
    assert section.items[0].url == f"{annotate}?reselect={claim.passage_id}"
    # A reviewer's queue leaves it out until an editor has re-pointed its evidence.
    assert claim.pk not in item_ids(desk(reviewer)[0]["claims"])


def test_ones_own_running_tasks_are_listed_with_their_progress(reviewer, editor):
    run = TaskRun.objects.create(
        kind="reanchor", label="Re-anchor", owner=reviewer, state="running", done=1, total=4
    )
    TaskRun.objects.create(kind="reanchor", label="Theirs", owner=editor, state="running")
    TaskRun.objects.create(kind="reanchor", label="Done", owner=reviewer, state="succeeded")

    section = desk(reviewer)[0]["tasks"]

    assert item_ids(section) == [run.pk]
    assert section.items[0].url == reverse("admin:sources_taskrun_change", args=[run.pk])
    assert "25%" in section.items[0].detail


# "Next": walking a queue to its end


def test_verifying_and_rejecting_walk_the_review_queue_to_the_desk(editor, reviewer):
    first, second, third = claims_of(editor, 3)
    client = client_for(reviewer)

    after_first = client.post(reverse("admin:elections_claim_verify", args=[first.pk]))
    assert after_first.url == reverse("admin:elections_claim_change", args=[second.pk])
    assert any("2 left" in message for message in shown(after_first))

    after_second = client.post(
        reverse("admin:elections_claim_reject", args=[second.pk]), {"reason": "Not said."}
    )
    assert after_second.url == reverse("admin:elections_claim_change", args=[third.pk])
    assert any("1 left" in message for message in shown(after_second))

    last = client.post(reverse("admin:elections_claim_verify", args=[third.pk]))
    assert last.url == reverse(INDEX)
    assert any("Nothing left" in message for message in shown(last))
    assert set(Claim.objects.values_list("state", flat=True)) == {"verified", "rejected"}


def test_a_refused_verification_stays_on_the_claim(both):
    own = claims_of(both, 1)[0]

    response = client_for(both).post(reverse("admin:elections_claim_verify", args=[own.pk]))

    assert response.url == reverse("admin:elections_claim_change", args=[own.pk])


def test_resolving_a_dispute_goes_to_the_next_one_then_to_the_desk(editor, reviewer):
    two_ages(editor)
    two_ages(editor, make_candidate("Liang Shuxin", by=editor))
    first, second = Contradiction.objects.order_by("created_at", "pk")
    client = client_for(reviewer)

    def resolve(dispute):
        return client.post(
            reverse("admin:elections_contradiction_change", args=[dispute.pk]),
            {"verdict": "all_wrong", "note": "Neither age fits.", "revision": dispute.revision},
        )

    after_first = resolve(first)
    assert after_first.url == reverse("admin:elections_contradiction_change", args=[second.pk])
    assert any("1 left" in message for message in shown(after_first))
    last = resolve(second)
    assert last.url == reverse(INDEX)
    assert not Contradiction.objects.filter(status="open").exists()


def test_deciding_a_proposal_goes_to_the_next_one_then_to_the_desk(editor, reviewer):
    published = make_candidate("Ma Hua", by=editor)
    candidate_submit_for_review(candidate=published, acting_user=editor)
    candidate_publish(candidate=published, acting_user=make_user("Reviewers"))
    first = candidate_update(candidate=published, birth_year=1970, acting_user=editor).proposal
    published.refresh_from_db()
    second = candidate_update(candidate=published, gender="female", acting_user=editor).proposal
    client = client_for(reviewer)
    url = "admin:elections_candidateproposal_review"

    after_first = client.post(reverse(url, args=[first.pk]), {"decision": "reject", "note": "No."})
    assert after_first.url == reverse("admin:elections_candidateproposal_change", args=[second.pk])
    last = client.post(reverse(url, args=[second.pk]), {"decision": "accept", "note": "Yes."})
    assert last.url == reverse(INDEX)


# Flagging a dispute from one claim


def occupations(editor):
    """Two occupations: the rules never compare them, so only a flag makes a dispute."""
    candidate = make_candidate("Zhou Min", by=editor)
    lawyer = make_claim(
        candidate, Property.OCCUPATION, "lawyer", make_article("a lawyer", outlet="A"), by=editor
    )
    teacher = make_claim(
        candidate, Property.OCCUPATION, "teacher", make_article("a teacher", outlet="B"), by=editor
    )
    return lawyer, teacher


def test_flagging_from_a_claims_page_creates_one_dispute(editor):
    lawyer, teacher = occupations(editor)
    client = client_for(editor)
    flag_url = reverse("admin:elections_claim_flag", args=[lawyer.pk])

    page = client.get(reverse("admin:elections_claim_change", args=[lawyer.pk]))
    assert flag_url in page.text
    form = client.get(flag_url)
    assert form.status_code == 200
    assert f'value="{teacher.pk}"' in form.text and "checked" in form.text

    response = client.post(flag_url, {"others": [teacher.pk], "note": "She taught, not argued."})

    dispute = Contradiction.objects.get()
    assert response.url == reverse("admin:elections_contradiction_change", args=[dispute.pk])
    assert (dispute.origin, dispute.status, dispute.flagged_by) == ("flagged", "open", editor)
    assert sorted(dispute.flagged_claims) == sorted([lawyer.pk, teacher.pk])


def test_a_flag_needs_a_note_and_a_claim_and_writes_nothing_without(editor):
    lawyer, teacher = occupations(editor)
    url = reverse("admin:elections_claim_flag", args=[lawyer.pk])

    no_note = client_for(editor).post(url, {"others": [teacher.pk], "note": " "})
    no_claim = client_for(editor).post(url, {"note": "Disagree."})
    not_a_choice = client_for(editor).post(url, {"others": [lawyer.pk], "note": "Disagree."})

    assert no_note.status_code == no_claim.status_code == not_a_choice.status_code == 400
    assert not Contradiction.objects.exists()


def test_only_those_who_may_flag_get_the_button_and_the_form(editor, reviewer, importer):
    lawyer, teacher = occupations(editor)
    url = reverse("admin:elections_claim_flag", args=[lawyer.pk])

    page = client_for(reviewer).get(reverse("admin:elections_claim_change", args=[lawyer.pk]))
    assert url not in page.text
    for user in (reviewer, importer):
        assert client_for(user).get(url).status_code == 403
        refused = client_for(user).post(url, {"others": [teacher.pk], "note": "Disagree."})
        assert refused.status_code == 403
    assert not Contradiction.objects.exists()


@pytest.mark.parametrize("claim_id", ["99999999999999999999999", "abc", "0"])
def test_a_flag_for_no_such_claim_is_not_found(editor, claim_id):
    url = reverse("admin:elections_claim_flag", args=[1]).replace("/1/", f"/{claim_id}/")

    assert client_for(editor).get(url).status_code == 404
    assert client_for(editor).post(url, {"note": "x"}).status_code == 404


def test_the_annotate_view_offers_the_flag_of_each_claim(editor):
    lawyer, _ = occupations(editor)

    page = client_for(editor).get(
        reverse("admin:sources_article_annotate", args=[lawyer.article_id])
    )

    assert page.status_code == 200
    assert reverse("admin:elections_claim_flag", args=[lawyer.pk]) in page.text


def test_untrusted_text_on_the_desk_and_the_flag_form_is_escaped(editor, both):
    payload = "<script>alert(1)</script>"
    candidate = make_candidate(payload, by=editor)
    lawyer = make_claim(
        candidate, Property.OCCUPATION, "lawyer", make_article("a lawyer", outlet="A"), by=editor
    )
    make_claim(
        candidate, Property.OCCUPATION, payload, make_article(payload, outlet="B"), by=editor
    )

    index = client_for(both).get(reverse(INDEX))
    form = client_for(both).get(reverse("admin:elections_claim_flag", args=[lawyer.pk]))

    for response in (index, form):
        assert payload not in response.text
        assert "&lt;script&gt;" in response.text


# Queries


def test_the_index_costs_the_same_with_seven_times_the_items(
    editor, both, django_assert_max_num_queries
):
    def world(size):
        for _ in range(size):
            claims_of(editor, 1)
            two_ages(editor)
            candidate = make_candidate("Ready", by=editor)
            candidate_submit_for_review(candidate=candidate, acting_user=editor)
            passage_create_from_quote(
                article=make_article("Zhou Min, a lawyer, stands."),
                exact="a lawyer",
                acting_user=editor,
            )
            TaskRun.objects.create(kind="reanchor", owner=both, state="running")

    world(1)
    client = client_for(both)
    client.get(reverse(INDEX))  # the session and the permissions' caches, once
    with CaptureQueriesContext(connection) as small:
        client.get(reverse(INDEX))

    world(6)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse(INDEX))

    counts = {section.key: section.count for section in response.context["desk"]}
    assert counts["claims"] >= 7 and counts["disputes"] == 7 and counts["passages"] == 7
    assert counts["tasks"] == 7 and counts["ready"] == 7
