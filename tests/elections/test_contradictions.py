"""Contradictions: detected on save, closed when they stop holding, flagged, resolved."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from elections.models import Claim, Contradiction, DisputeClaim, Property
from elections.services import (
    claim_reject,
    claim_update,
    contradiction_flag,
    contradiction_resolve,
    contradictions_redetect_all,
)
from sources.audit import system_user
from sources.dates import PartialDate
from tests.factories import (
    make_article,
    make_candidacy,
    make_candidate,
    make_claim,
    make_election,
    make_place,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def hangzhou():
    zhejiang = make_place("Zhejiang", "浙江省", level="province", code="330000")
    return make_place("Hangzhou", "杭州市", parent=zhejiang, code="330100")


def groups_of(dispute):
    """The dispute's value groups as lists of claim ids."""
    groups = {}
    for member in DisputeClaim.objects.filter(contradiction=dispute).order_by("group", "claim"):
        groups.setdefault(member.group, []).append(member.claim_id)
    return [groups[number] for number in sorted(groups)]


def open_contradictions(candidate):
    return Contradiction.objects.filter(candidate=candidate, status=Contradiction.Status.OPEN)


def test_misprinted_city_against_the_real_one_opens_a_contradiction(hangzhou, editor):
    xu = make_candidate()
    post = make_article(
        "Xu Yan, a candidate in Hongzhou city, quit his job.", outlet="The Washington Post"
    )
    tanis = make_article("Xu Yan runs in his Hangzhou city district.", outlet="Elsevier")
    make_claim(xu, Property.CITY, "Hongzhou", post, by=editor)
    make_claim(xu, Property.CITY, "Hangzhou", tanis, by=editor)
    assert open_contradictions(xu).count() == 1


def test_same_place_written_two_ways_is_no_contradiction(hangzhou, editor):
    xu = make_candidate()
    make_claim(
        xu, Property.CITY, "Hangzhou", make_article("He lives in Hangzhou.", outlet="A"), by=editor
    )
    make_claim(xu, Property.CITY, "杭州市", make_article("他住在杭州市。", outlet="B"), by=editor)
    assert not open_contradictions(xu).exists()


def test_claims_of_one_outlet_are_not_compared(editor):
    xu = make_candidate()
    make_claim(
        xu,
        Property.AGE,
        "27",
        make_article("He is 27.", outlet="Same", published="2011"),
        by=editor,
    )
    make_claim(
        xu,
        Property.AGE,
        "35",
        make_article("He is 35.", outlet="Same", published="2011"),
        by=editor,
    )
    assert not open_contradictions(xu).exists()


def test_same_age_years_apart_conflicts_and_setting_as_of_closes_it(editor):
    xu = make_candidate()
    make_claim(
        xu,
        Property.AGE,
        "27",
        make_article("Xu Yan, 27, ran.", outlet="Post", published="2011"),
        by=editor,
    )
    late = make_claim(
        xu,
        Property.AGE,
        "27",
        make_article("Xu, 27, ran.", outlet="Elsevier", published="2018-09-25"),
        by=editor,
    )
    assert open_contradictions(xu).count() == 1

    claim_update(claim=late, as_of=PartialDate(2011), acting_user=editor)

    contradiction = Contradiction.objects.get(candidate=xu)
    assert contradiction.status == Contradiction.Status.CLOSED
    assert "no longer holds" in contradiction.closed_reason


def test_changing_as_of_back_reopens_the_same_contradiction(editor):
    xu = make_candidate()
    make_claim(
        xu,
        Property.AGE,
        "27",
        make_article("Xu Yan, 27, ran.", outlet="Post", published="2011"),
        by=editor,
    )
    late = make_claim(
        xu,
        Property.AGE,
        "27",
        make_article("Xu, 27, ran.", outlet="Elsevier", published="2018-09-25"),
        by=editor,
    )
    claim_update(claim=late, as_of=PartialDate(2011), acting_user=editor)
    claim_update(claim=late, as_of=None, acting_user=editor)
    assert Contradiction.objects.get(candidate=xu).status == Contradiction.Status.OPEN
    assert Contradiction.objects.count() == 1


def test_same_age_a_week_apart_is_no_contradiction(editor):
    xu = make_candidate()
    make_claim(
        xu,
        Property.AGE,
        "27",
        make_article("Xu, 27.", outlet="A", published="2011-06-02"),
        by=editor,
    )
    make_claim(
        xu,
        Property.AGE,
        "27",
        make_article("Xu, 27.", outlet="B", published="2011-06-09"),
        by=editor,
    )
    assert not open_contradictions(xu).exists()


def test_different_occupations_are_never_flagged(editor):
    xu = make_candidate()
    make_claim(
        xu,
        Property.OCCUPATION,
        "sales executive",
        make_article("a sales executive", outlet="A"),
        by=editor,
    )
    make_claim(
        xu,
        Property.OCCUPATION,
        "advertising",
        make_article("in advertising", outlet="B"),
        by=editor,
    )
    assert not open_contradictions(xu).exists()


def test_follower_counts_months_apart_are_never_flagged(editor):
    xu = make_candidate()
    make_claim(
        xu,
        Property.FOLLOWERS,
        "10,000",
        make_article("10,000 followers", outlet="A", published="2011-05"),
        by=editor,
    )
    make_claim(
        xu,
        Property.FOLLOWERS,
        "30,000",
        make_article("30,000 followers", outlet="B", published="2011-11"),
        by=editor,
    )
    assert not open_contradictions(xu).exists()


def test_status_moving_from_declared_to_withdrew_is_a_history_not_a_conflict(editor):
    liu = make_candidate("Liu Ping")
    candidacy = make_candidacy(liu, make_election(make_place("Xinyu", "新余市", code="360500")))
    make_claim(
        liu,
        Property.STATUS,
        "declared",
        make_article("She declared.", outlet="A", published="2011-03-01"),
        by=editor,
    )
    make_claim(
        liu,
        Property.STATUS,
        "withdrew",
        make_article("She withdrew.", outlet="B", published="2011-10-01"),
        by=editor,
    )
    assert not open_contradictions(liu).exists()
    candidacy.refresh_from_db()
    assert candidacy.status == "withdrew"
    assert [step.status for step in candidacy.statuses.all()] == ["declared", "withdrew"]


def test_different_statuses_on_the_same_day_conflict(editor):
    liu = make_candidate("Liu Ping")
    make_candidacy(liu, make_election(make_place("Xinyu", "新余市", code="360500")))
    make_claim(
        liu,
        Property.STATUS,
        "won",
        make_article("She won.", outlet="A", published="2011-11-08"),
        by=editor,
    )
    make_claim(
        liu,
        Property.STATUS,
        "lost",
        make_article("She lost.", outlet="B", published="2011-11-08"),
        by=editor,
    )
    assert open_contradictions(liu).count() == 1


def test_different_gender_and_chinese_name_conflict(editor):
    zhang = make_candidate("Zhang Wei")
    make_claim(zhang, Property.GENDER, "she", make_article("she said", outlet="A"), by=editor)
    make_claim(zhang, Property.GENDER, "男", make_article("他是男", outlet="B"), by=editor)
    make_claim(zhang, Property.NAME_ZH, "张伟", make_article("张伟参选", outlet="A"), by=editor)
    make_claim(zhang, Property.NAME_ZH, "張偉", make_article("張偉參選", outlet="B"), by=editor)
    assert list(open_contradictions(zhang).values_list("property", flat=True)) == ["gender"]


def test_votes_compare_by_equality_within_a_candidacy(editor):
    qiao = make_candidate("Qiao Mu")
    make_candidacy(
        qiao, make_election(make_place("Haidian", "海淀区", level="county", code="110108"))
    )
    a = make_claim(
        qiao, Property.VOTES, "3,740", make_article("3,740 votes", outlet="A"), by=editor
    )
    b = make_claim(qiao, Property.VOTES, "3740", make_article("3740 votes", outlet="B"), by=editor)
    c = make_claim(
        qiao, Property.VOTES, "1,200", make_article("1,200 votes", outlet="C"), by=editor
    )
    # One question, one dispute: the two outlets printing 3,740 are one version.
    (dispute,) = open_contradictions(qiao)
    assert groups_of(dispute) == [[a.pk, b.pk], [c.pk]]


def test_rejecting_a_claim_closes_its_contradictions(editor, reviewer):
    xu = make_candidate()
    make_claim(xu, Property.BIRTH_YEAR, "1984", make_article("born 1984", outlet="A"), by=editor)
    wrong = make_claim(
        xu, Property.BIRTH_YEAR, "1990", make_article("born 1990", outlet="B"), by=editor
    )
    claim_reject(claim=wrong, acting_user=reviewer, reason="The article says 1990 of his brother.")
    assert Contradiction.objects.get(candidate=xu).status == Contradiction.Status.CLOSED


def _age_conflict(editor):
    xu = make_candidate()
    a = make_claim(
        xu, Property.AGE, "27", make_article("Xu, 27.", outlet="A", published="2011"), by=editor
    )
    b = make_claim(
        xu, Property.AGE, "35", make_article("Xu, 35.", outlet="B", published="2011"), by=editor
    )
    return Contradiction.objects.get(candidate=xu), a, b


@pytest.mark.parametrize(
    ("verdict", "right_group", "overruled"),
    [
        (Contradiction.Verdict.ONE_RIGHT, 1, {"b"}),
        (Contradiction.Verdict.ONE_RIGHT, 2, {"a"}),
        (Contradiction.Verdict.ALL_WRONG, None, {"a", "b"}),
        (Contradiction.Verdict.NOT_CONTRADICTION, None, set()),
        (Contradiction.Verdict.DIFFERENT_TIMES, None, set()),
    ],
)
def test_each_verdict_marks_the_losing_claims_and_why(
    editor, reviewer, verdict, right_group, overruled
):
    contradiction, a, b = _age_conflict(editor)
    contradiction_resolve(
        contradiction=contradiction,
        verdict=verdict,
        right_group=right_group,
        note="Checked the records.",
        acting_user=reviewer,
    )
    contradiction.refresh_from_db()
    assert contradiction.status == Contradiction.Status.RESOLVED
    assert contradiction.resolved_by == reviewer and contradiction.verdict == verdict
    claims = {"a": Claim.objects.get(pk=a.pk), "b": Claim.objects.get(pk=b.pk)}
    assert {name for name, claim in claims.items() if claim.overruled} == overruled
    for name in overruled:
        assert "Checked the records." in claims[name].overruled_reason
        assert f"#{contradiction.pk}" in claims[name].overruled_reason


def test_a_verdict_needs_a_note_and_an_open_contradiction(editor, reviewer):
    contradiction, _, _ = _age_conflict(editor)
    with pytest.raises(ValidationError):
        contradiction_resolve(
            contradiction=contradiction,
            verdict="one_right",
            right_group=1,
            note=" ",
            acting_user=reviewer,
        )
    with pytest.raises(ValidationError):  # which version is right?
        contradiction_resolve(
            contradiction=contradiction, verdict="one_right", note="ok", acting_user=reviewer
        )
    contradiction_resolve(
        contradiction=contradiction,
        verdict="one_right",
        right_group=1,
        note="ok",
        acting_user=reviewer,
    )
    with pytest.raises(ValidationError):
        contradiction_resolve(
            contradiction=contradiction, verdict="all_wrong", note="again", acting_user=reviewer
        )


def test_editors_cannot_resolve_and_reviewers_cannot_flag(editor, reviewer):
    contradiction, a, b = _age_conflict(editor)
    with pytest.raises(PermissionDenied):
        contradiction_resolve(
            contradiction=contradiction, verdict="all_wrong", note="x", acting_user=editor
        )
    with pytest.raises(PermissionDenied):
        contradiction_flag(claim_a=a, claim_b=b, acting_user=reviewer, note="x")


def test_an_editor_flags_what_the_rules_miss_and_it_stays_open(editor):
    liu = make_candidate("Liu Ping")
    a = make_claim(
        liu,
        Property.OCCUPATION,
        "steel worker",
        make_article("a steel worker", outlet="A"),
        by=editor,
    )
    b = make_claim(
        liu, Property.OCCUPATION, "teacher", make_article("a teacher", outlet="B"), by=editor
    )
    contradiction = contradiction_flag(
        claim_a=b, claim_b=a, acting_user=editor, note="She never taught."
    )
    assert groups_of(contradiction) == [[a.pk], [b.pk]]
    assert contradiction.origin == Contradiction.Origin.FLAGGED and contradiction.status == "open"
    claim_update(claim=b, value="teacher of workers", acting_user=editor)
    assert Contradiction.objects.get(pk=contradiction.pk).status == Contradiction.Status.OPEN
    # Another occupation adds to hers rather than disputing them; the flagged values only
    # take part, with whatever prints them again.
    make_claim(
        liu, Property.OCCUPATION, "union organizer", make_article("a union organizer", outlet="C")
    )
    again_teacher = make_claim(
        liu,
        Property.OCCUPATION,
        "teacher of workers",
        make_article("teacher of workers", outlet="D"),
    )
    assert groups_of(contradiction) == [[a.pk], [b.pk, again_teacher.pk]]
    # Flagging again joins the same dispute: one per question, the notes kept.
    again = contradiction_flag(claim_a=a, claim_b=b, acting_user=editor, note="Still wrong.")
    assert again.pk == contradiction.pk and Contradiction.objects.count() == 1
    assert "She never taught." in again.flag_note and "Still wrong." in again.flag_note


def test_flagging_needs_the_same_subject_and_property(editor):
    xu, liu = make_candidate(), make_candidate("Liu Ping")
    a = make_claim(xu, Property.OCCUPATION, "clerk", make_article("a clerk", outlet="A"), by=editor)
    b = make_claim(
        liu, Property.OCCUPATION, "worker", make_article("a worker", outlet="B"), by=editor
    )
    with pytest.raises(ValidationError):
        contradiction_flag(claim_a=a, claim_b=b, acting_user=editor, note="different people")


def test_saving_a_claim_takes_the_same_queries_however_many_claims_exist(
    editor, django_assert_max_num_queries
):
    def save_one():
        xu = make_candidate()
        for number, outlet in enumerate(["A", "B", "C"]):
            make_claim(
                xu, Property.AGE, "27", make_article(f"Xu, 27. {number}", outlet=outlet), by=editor
            )
        return xu

    def measured_save():
        # A fourth version of a question already in dispute: the dispute is regrouped.
        xu = save_one()
        make_claim(xu, Property.AGE, "41", make_article("Xu, 41.", outlet="D"), by=editor)
        article = make_article("Xu, 52.", outlet="E")
        # 40, and the settling of the candidate's kept tallies (elections.tallies).
        with django_assert_max_num_queries(48) as captured:
            make_claim(xu, Property.AGE, "52", article, by=editor)
        return len(captured.captured_queries)

    for _ in range(5):
        save_one()
    small = measured_save()
    for _ in range(20):
        save_one()
    assert measured_save() <= small


def test_redetection_over_all_claims_matches_detection_on_save(editor):
    _, a, b = _age_conflict(editor)
    Contradiction.objects.all().delete()
    counts = contradictions_redetect_all(acting_user=system_user())
    assert counts["opened"] == 1
    recreated = Contradiction.objects.get()
    assert groups_of(recreated) == [[a.pk], [b.pk]]
    again = contradictions_redetect_all(acting_user=system_user())
    assert again == {"opened": 0, "reopened": 0, "closed": 0, "regrouped": 0}
