"""Every action of the admin's lists, run on PostgreSQL outside a test transaction.

`ACTIONS` names the test of each action the admin offers; the first test walks the admin
site and fails when an action appears (or goes) without its test here changing too.
"""

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.test import RequestFactory

from elections.models import Candidate, Claim, Contradiction, Property
from sources.models import AnchorStatus, Outlet, Passage
from sources.services import outlet_for_name, passage_create_from_quote
from tests.factories import make_article, make_candidate, make_claim
from tests.production.checks import (
    Generation,
    assert_history_names,
    client_of,
    moment,
    run_action,
)
from tests.production.scenarios import fuzzy_passage, one_person_twice

pytestmark = [pytest.mark.production, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

# Each admin action of the project's apps, and the test that runs it here.
ACTIONS = {
    ("elections.Candidate", "submit_for_review"): "test_an_editor_submits_drafts_for_review",
    ("elections.Candidate", "publish"): "test_a_reviewer_publishes_and_withdraws_from_the_list",
    ("elections.Candidate", "withdraw"): "test_a_reviewer_publishes_and_withdraws_from_the_list",
    ("elections.Candidate", "merge_candidates"): "test_merge.py",
    ("elections.CandidateMerge", "undo_merges"): "test_merge.py",
    ("elections.Claim", "verify_claims"): "test_a_reviewer_verifies_claims_from_the_list",
    ("elections.Claim", "reject_claims"): "test_a_reviewer_rejects_claims_with_a_reason",
    ("elections.Claim", "flag_contradiction"): "test_an_editor_flags_two_claims_as_contradicting",
    ("sources.Passage", "confirm_proposed_spans"): "test_an_editor_confirms_proposed_spans",
}
# Django's own delete, offered on every list to superusers alone (a repair, not daily work):
# one action, the same code for every model, run here on the models a repair deletes from.
DELETE = "delete_selected"
# Apps whose admin the project does not write: users, groups and django-axes' login records.
NOT_OURS = {"auth", "axes"}


def offered_actions():
    """(model label, action name) of every action the admin offers a superuser."""
    request = RequestFactory().get("/admin/")
    request.user = User(username="walker", is_superuser=True, is_staff=True, is_active=True)
    found = set()
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label in NOT_OURS:
            continue
        found |= {(model._meta.label, name) for name in model_admin.get_actions(request)}
    return found


def test_every_admin_action_has_a_production_test():
    offered = {action for action in offered_actions() if action[1] != DELETE}

    assert offered - set(ACTIONS) == set(), "an admin action without a production test"
    assert set(ACTIONS) - offered == set(), "a production test of an action no longer offered"


def test_an_editor_submits_drafts_for_review(editor):
    drafts = [make_candidate("Xu Yan"), make_candidate("Liang Shuxin")]
    since = moment()

    response = run_action(client_of(editor), Candidate, "submit_for_review", drafts)

    assert response.status_code == 302
    assert set(Candidate.objects.values_list("state", flat=True)) == {Candidate.State.REVIEW}
    assert_history_names(editor, since, Candidate)


def test_a_reviewer_publishes_and_withdraws_from_the_list(editor, reviewer):
    xu, _, _ = one_person_twice(editor)
    client = client_of(reviewer)
    since, generation = moment(), Generation()

    published = run_action(client, Candidate, "publish", [xu])

    assert published.status_code == 302
    xu.refresh_from_db()
    assert xu.state == Candidate.State.PUBLISHED and xu.published_at is not None
    assert generation.changed()

    generation = Generation()
    asked = run_action(client, Candidate, "withdraw", [xu])
    withdrawn = run_action(
        client, Candidate, "withdraw", [xu], reason="The outlet retracted the report."
    )

    assert asked.status_code == 200
    assert withdrawn.status_code == 302
    xu.refresh_from_db()
    assert xu.state == Candidate.State.WITHDRAWN
    assert generation.changed()
    assert_history_names(reviewer, since, Candidate)


def test_a_reviewer_verifies_claims_from_the_list(editor, reviewer):
    _, _, claims = one_person_twice(editor)
    since, generation = moment(), Generation()

    response = run_action(client_of(reviewer), Claim, "verify_claims", claims)

    assert response.status_code == 302
    for claim in claims:
        claim.refresh_from_db()
        assert (claim.state, claim.reviewed_by) == (Claim.State.VERIFIED, reviewer)
    assert_history_names(reviewer, since, Claim)
    assert generation.changed()


def test_a_reviewer_rejects_claims_with_a_reason(editor, reviewer):
    _, _, claims = one_person_twice(editor)
    client = client_of(reviewer)
    since = moment()

    asked = run_action(client, Claim, "reject_claims", claims)
    response = run_action(
        client, Claim, "reject_claims", claims, reason="The passage is about her sister."
    )

    assert asked.status_code == 200
    assert response.status_code == 302
    for claim in claims:
        claim.refresh_from_db()
        assert (claim.state, claim.reviewed_by) == (Claim.State.REJECTED, reviewer)
    assert_history_names(reviewer, since, Claim)


def test_an_editor_flags_two_claims_as_contradicting(editor):
    candidate = make_candidate("Liang Shuxin")
    claims = [
        make_claim(
            candidate,
            Property.OCCUPATION,
            value,
            make_article(f"Liang Shuxin, {value}.", outlet=outlet),
            by=editor,
        )
        for value, outlet in (("teacher", "Outlet A"), ("lawyer", "Outlet B"))
    ]
    client = client_of(editor)
    since = moment()

    asked = run_action(client, Claim, "flag_contradiction", claims)
    response = run_action(
        client, Claim, "flag_contradiction", claims, note="She cannot be both, says her school."
    )

    assert asked.status_code == 200
    assert response.status_code == 302
    flagged = Contradiction.objects.get()
    groups = dict(flagged.members.values_list("claim", "group"))
    assert groups == {claims[0].pk: 1, claims[1].pk: 2}
    assert flagged.flagged_by == editor and flagged.origin == Contradiction.Origin.FLAGGED
    assert_history_names(editor, since, Contradiction)


def test_an_editor_confirms_proposed_spans(editor):
    client = client_of(editor)
    passage = fuzzy_passage(client)
    since = moment()

    response = run_action(client, Passage, "confirm_proposed_spans", [passage])

    assert response.status_code == 302
    passage.refresh_from_db()
    assert passage.anchor_status == AnchorStatus.EXACT
    assert passage.exact == "her landlord wants the shop back"
    assert_history_names(editor, since, Passage)


@pytest.mark.parametrize("model", [Claim, Candidate], ids=lambda model: model.__name__)
def test_the_record_is_never_deleted_from_a_list(model, editor, superuser):
    _, ruiyan, claims = one_person_twice(editor)
    target = {Claim: claims[1], Candidate: ruiyan}[model]
    client = client_of(superuser)

    response = run_action(client, model, DELETE, [target], post="yes")

    assert (model._meta.label, DELETE) not in offered_actions()
    assert response.status_code in (200, 302)
    assert model.objects.filter(pk=target.pk).exists()


def test_a_superuser_deletes_an_unused_outlet_and_an_uncited_passage_from_their_lists(
    editor, superuser
):
    article = make_article("Nobody cites these words yet.", outlet="Cited Daily")
    passage = passage_create_from_quote(article=article, exact="these words", acting_user=editor)
    unused = outlet_for_name(name="Never Published", acting_user=editor)
    client = client_of(superuser)
    since = moment()

    for model, target in ((Outlet, unused), (Passage, passage)):
        asked = run_action(client, model, DELETE, [target])
        response = run_action(client, model, DELETE, [target], post="yes")

        assert asked.status_code == 200, model
        assert response.status_code == 302, model
        assert not model.objects.filter(pk=target.pk).exists(), model
        assert_history_names(superuser, since, model, history_type="-")


def test_an_outlet_with_articles_is_not_deleted(editor, superuser):
    article = make_article("Words of a report.", outlet="Busy Daily")

    run_action(client_of(superuser), Outlet, DELETE, [article.outlet], post="yes")

    assert Outlet.objects.filter(pk=article.outlet_id).exists()
