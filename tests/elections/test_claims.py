"""Claims: recorded from passages, reviewed under the four-eyes rule, candidates published."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings

from elections.models import Candidate, Claim, Property
from elections.services import (
    candidate_add_name,
    candidate_publish,
    candidate_withdraw,
    claim_reject,
    claim_update,
    claim_verify,
    claims_verify,
    contradiction_resolve,
)
from elections.services.claims import DuplicateClaim
from sources.dates import PartialDate
from tests.factories import make_article, make_candidate, make_claim, make_user

pytestmark = pytest.mark.django_db


def test_a_claim_takes_its_articles_date_and_its_normalized_value(editor):
    xu = make_candidate()
    claim = make_claim(
        xu, Property.AGE, "27", make_article("Xu Yan, 27, ran.", published="2011-06"), by=editor
    )
    assert claim.as_of_date == PartialDate(2011, 6) and not claim.as_of_explicit
    assert claim.passage.exact == "27" and claim.article == claim.passage.article
    assert claim.value_key and claim.normalized
    assert claim.state == Claim.State.UNVERIFIED and claim.created_by == editor


def test_an_unreadable_value_is_the_editors_error(editor):
    with pytest.raises(ValidationError) as error:
        make_claim(make_candidate(), Property.GENDER, "tall", make_article("he is tall"), by=editor)
    assert "value" in error.value.message_dict


def test_reviewer_cannot_verify_own_claim():
    both = make_user("Editors", "Reviewers")
    claim = make_claim(make_candidate(), Property.AGE, "27", make_article("aged 27"), by=both)
    with pytest.raises(PermissionDenied, match="four-eyes"):
        claim_verify(claim=claim, acting_user=both)
    assert Claim.objects.get(pk=claim.pk).state == Claim.State.UNVERIFIED


@override_settings(SOURCEBOOK_FOUR_EYES=False)
def test_a_one_person_newsroom_may_relax_the_four_eyes_rule():
    both = make_user("Editors", "Reviewers")
    claim = make_claim(make_candidate(), Property.AGE, "27", make_article("aged 27"), by=both)
    assert claim_verify(claim=claim, acting_user=both).state == Claim.State.VERIFIED


def test_editors_cannot_verify_and_reviewers_verify_others_claims(editor, reviewer):
    claim = make_claim(make_candidate(), Property.AGE, "27", make_article("aged 27"), by=editor)
    with pytest.raises(PermissionDenied):
        claim_verify(claim=claim, acting_user=make_user("Editors"))
    verified = claim_verify(claim=claim, acting_user=reviewer)
    assert verified.state == Claim.State.VERIFIED and verified.reviewed_by == reviewer
    assert verified.history.first().history_user == reviewer


def test_rejecting_needs_a_reason(editor, reviewer):
    claim = make_claim(make_candidate(), Property.AGE, "27", make_article("aged 27"), by=editor)
    with pytest.raises(ValidationError):
        claim_reject(claim=claim, acting_user=reviewer, reason="")
    rejected = claim_reject(claim=claim, acting_user=reviewer, reason="Misread.")
    assert rejected.state == Claim.State.REJECTED and rejected.rejection_reason == "Misread."


def test_changing_what_a_verified_claim_says_sends_it_back_to_review(editor, reviewer):
    claim = make_claim(
        make_candidate(), Property.AGE, "27", make_article("aged 27 or 28"), by=editor
    )
    claim_verify(claim=claim, acting_user=reviewer)
    changed = claim_update(claim=claim, value="28", acting_user=editor)
    assert changed.state == Claim.State.UNVERIFIED and changed.reviewed_by is None
    noted = claim_update(claim=changed, note="spelling", acting_user=editor)
    assert noted.state == Claim.State.UNVERIFIED


def test_a_stale_edit_is_refused_rather_than_overwriting(editor):
    claim = make_claim(
        make_candidate(), Property.AGE, "27", make_article("aged 27 or 28"), by=editor
    )
    opened_at = claim.revision
    claim_update(claim=claim, value="28", acting_user=editor, expected_revision=opened_at)
    with pytest.raises(ValidationError, match="Someone else changed this claim"):
        claim_update(claim=claim, value="27", acting_user=editor, expected_revision=opened_at)


def test_bulk_verify_reports_what_it_refused(editor):
    reviewer = make_user("Editors", "Reviewers")
    mine = make_claim(make_candidate(), Property.AGE, "27", make_article("aged 27"), by=reviewer)
    theirs = make_claim(
        make_candidate("Liu Ping"), Property.AGE, "47", make_article("aged 47"), by=editor
    )
    verified, refused = claims_verify(claims=[mine, theirs], acting_user=reviewer)
    assert [claim.pk for claim in verified] == [theirs.pk]
    assert refused[0][0].pk == mine.pk and "four-eyes" in refused[0][1]


def test_publishing_is_refused_while_a_public_claim_is_disputed(editor, reviewer):
    xu = make_candidate()
    a = make_claim(
        xu, Property.AGE, "27", make_article("Xu, 27.", outlet="A", published="2011"), by=editor
    )
    b = make_claim(
        xu, Property.AGE, "35", make_article("Xu, 35.", outlet="B", published="2011"), by=editor
    )
    candidate_publish(candidate=xu, acting_user=reviewer)  # nothing public is disputed yet
    claim_verify(claim=a, acting_user=reviewer)
    with pytest.raises(ValidationError, match="open disputes"):
        candidate_publish(candidate=xu, acting_user=reviewer)
    contradiction_resolve(
        contradiction=xu.contradictions.get(),
        verdict="one_right",
        right_group=1,
        note="Birth record.",
        acting_user=reviewer,
    )
    claim_verify(claim=b, acting_user=reviewer)
    published = candidate_publish(candidate=xu, acting_user=reviewer)
    assert published.state == Candidate.State.PUBLISHED and published.published_at
    assert published.history.first().history_user == reviewer


def test_editors_cannot_publish_and_withdrawal_takes_a_profile_down(editor, reviewer):
    xu = make_candidate()
    with pytest.raises(PermissionDenied):
        candidate_publish(candidate=xu, acting_user=editor)
    candidate_publish(candidate=xu, acting_user=reviewer)
    withdrawn = candidate_withdraw(candidate=xu, acting_user=reviewer, note="Asked to be removed.")
    assert withdrawn.state == Candidate.State.WITHDRAWN
    assert not Candidate.objects.published().filter(pk=xu.pk).exists()


def test_every_name_form_is_searchable(editor):
    xu = make_candidate("Xu Yan", name_zh="徐琰")
    candidate_add_name(candidate=xu, name="Xu Ruiyan", acting_user=editor)
    xu.refresh_from_db()
    for key in ("xuyan", "徐琰", "xuruiyan"):
        assert key in xu.search_text


# The same claim, not a second one.

SENTENCE = "Xu Yan, 27, a sales executive, declared on Tuesday."


def test_the_same_value_quoted_with_other_boundaries_is_the_claim_already_recorded(editor):
    xu, article = make_candidate(), make_article(SENTENCE)
    first = make_claim(xu, Property.AGE, "27", article, "Xu Yan, 27", by=editor)
    passages = article.passages.count()

    with pytest.raises(DuplicateClaim) as refused:
        make_claim(xu, Property.AGE, "27岁", article, "27, a sales executive", by=editor)

    assert refused.value.existing == first
    assert f"claim #{first.pk} (unverified)" in refused.value.messages[0]
    assert list(Claim.objects.filter(candidate=xu)) == [first]
    # The passage made for the refused quote is not kept either.
    assert article.passages.count() == passages


def test_a_verified_claim_is_named_with_its_state(editor, reviewer):
    xu, article = make_candidate(), make_article(SENTENCE)
    first = claim_verify(
        claim=make_claim(xu, Property.AGE, "27", article, "Xu Yan, 27", by=editor),
        acting_user=reviewer,
    )
    with pytest.raises(DuplicateClaim, match=rf"claim #{first.pk} \(verified\)"):
        make_claim(xu, Property.AGE, "27", article, "Xu Yan, 27, a sales", by=editor)


@pytest.mark.parametrize(
    ("property", "value", "quote", "other_article"),
    [
        (Property.AGE, "28", "27, a sales executive", False),  # another value
        (Property.OCCUPATION, "sales executive", "Xu Yan, 27, a sales executive", False),
        (Property.AGE, "27", "declared on Tuesday", False),  # words that do not overlap
        (Property.AGE, "27", "Xu Yan, 27", True),  # another article
    ],
)
def test_another_value_property_span_or_article_is_another_claim(
    editor, property, value, quote, other_article
):
    xu, article = make_candidate(), make_article(SENTENCE)
    make_claim(xu, Property.AGE, "27", article, "Xu Yan, 27", by=editor)
    if other_article:
        article = make_article(SENTENCE)
    second = make_claim(xu, property, value, article, quote, by=editor)
    assert Claim.objects.filter(candidate=xu).count() == 2 and second.pk


def test_another_candidate_is_another_claim(editor):
    article = make_article(SENTENCE)
    make_claim(make_candidate(), Property.AGE, "27", article, "Xu Yan, 27", by=editor)
    other = make_candidate("Liu Ping")
    assert make_claim(other, Property.AGE, "27", article, "Xu Yan, 27", by=editor).pk
