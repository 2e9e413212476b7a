"""The pure reconciliation of `elections.disputes`: questions, value groups, what a dispute
becomes. No database: facts are plain records."""

from hypothesis import given
from hypothesis import strategies as st

from elections import disputes, normalizers
from elections.disputes import DisputeState, Fact, Judgement
from sources.dates import PartialDate

AUTUMN_2011 = PartialDate(2011, 11, 8)
AUTUMN_2012 = PartialDate(2012, 11, 8)


def fact(id, property, value, *, outlet, as_of=AUTUMN_2011, candidacy=None, key=None):
    """A fact read the way the claim services read it, its value normalized for real."""
    normalized = normalizers.normalize(property, value, as_of=as_of)
    return Fact(
        id=id,
        candidate_id=1,
        candidacy_id=candidacy,
        property=property,
        value_key=key or normalized.key,
        normalized=normalized.data,
        as_of=as_of,
        outlet_id=outlet,
    )


def ids(groups):
    return [[member.id for member in group] for group in groups]


def test_ages_in_different_years_and_a_birth_year_are_one_version():
    facts = [
        fact(1, "age", "27", outlet=1),
        fact(2, "age", "28", outlet=2, as_of=AUTUMN_2012),
        fact(3, "birth_year", "1984", outlet=3),
        fact(4, "age", "35", outlet=4),
    ]
    assert {disputes.question_of(f).key for f in facts} == {"candidate:1/birth_year"}
    groups = disputes.value_groups(facts)
    assert ids(groups) == [[1, 2, 3], [4]]
    assert disputes.in_dispute(groups)


def test_one_outlet_printing_two_values_is_no_dispute():
    groups = disputes.value_groups([fact(1, "age", "27", outlet=1), fact(2, "age", "35", outlet=1)])
    assert len(groups) == 2 and not disputes.in_dispute(groups)
    assert disputes.reconcile([*groups[0], *groups[1]], None).status is None


def test_free_text_is_never_disputed_unless_flagged():
    facts = [fact(1, "occupation", "teacher", outlet=1), fact(2, "occupation", "clerk", outlet=2)]
    assert not disputes.in_dispute(disputes.value_groups(facts))
    flagged = disputes.value_groups(facts, flagged=True)
    assert ids(flagged) == [[1], [2]] and disputes.in_dispute(flagged, flagged=True)


def test_a_status_is_asked_of_its_candidacy_and_its_date():
    declared = fact(1, "status", "declared", outlet=1, candidacy=7)
    barred = fact(2, "status", "barred", outlet=2, candidacy=7)
    later = fact(3, "status", "withdrew", outlet=2, candidacy=7, as_of=AUTUMN_2012)
    keys = [disputes.question_of(f).key for f in (declared, barred, later)]
    assert keys == [
        "candidacy:7/status/2011-11-08",
        "candidacy:7/status/2011-11-08",
        "candidacy:7/status/2012-11-08",
    ]
    assert disputes.question_of(fact(4, "votes", "3740", outlet=1)) is None


def _judged(groups, sides):
    """The state of a dispute resolved with `sides` (group number -> side)."""
    state = DisputeState("resolved", "detected", "one_right")
    for number, group in enumerate(groups, start=1):
        for member in group:
            state.judged[member.id] = Judgement(sides[number], member.stamp)
            state.groups[member.id] = number
            state.new[member.id] = False
    return state


def test_a_claim_joining_a_judged_version_takes_its_side_and_adds_no_work():
    facts = [fact(1, "age", "27", outlet=1), fact(2, "age", "35", outlet=2)]
    state = _judged(disputes.value_groups(facts), {1: "right", 2: "wrong"})
    joining = fact(3, "age", "36", outlet=3, as_of=AUTUMN_2012)  # 35 a year earlier
    plan = disputes.reconcile([*facts, joining], state, overruled=[2])
    assert plan.status == "resolved" and not plan.reopened
    assert plan.overruled == {3} and plan.upheld == set()
    assert {m.claim_id: m.judged for m in plan.members} == {1: "right", 2: "wrong", 3: "wrong"}


def test_a_new_version_reopens_the_question_marked_new_and_keeps_the_old_sides():
    facts = [fact(1, "age", "27", outlet=1), fact(2, "age", "35", outlet=2)]
    state = _judged(disputes.value_groups(facts), {1: "right", 2: "wrong"})
    plan = disputes.reconcile([*facts, fact(3, "age", "50", outlet=3)], state, overruled=[2])
    assert plan.status == "open" and plan.reopened and plan.changed
    assert [(m.claim_id, m.group, m.judged, m.new) for m in plan.members] == [
        (1, 1, "right", False),
        (2, 2, "wrong", False),
        (3, 3, "", True),
    ]
    assert plan.overruled == set() and plan.upheld == set()  # claim 2 stays overruled


def test_a_judgement_does_not_carry_over_to_a_changed_value():
    facts = [fact(1, "age", "27", outlet=1), fact(2, "age", "35", outlet=2)]
    state = _judged(disputes.value_groups(facts), {1: "right", 2: "wrong"})
    changed = fact(2, "age", "60", outlet=2)
    plan = disputes.reconcile([facts[0], changed], state, overruled=[2])
    assert plan.status == "open" and plan.reopened
    assert plan.upheld == {2}  # no verdict judged 60: it is not overruled


def test_an_open_dispute_closes_when_its_versions_agree_and_reopens_when_they_part():
    facts = [fact(1, "age", "27", outlet=1), fact(2, "age", "35", outlet=2)]
    open_state = DisputeState("open", "detected", "", groups={1: 1, 2: 2}, new={1: False, 2: False})
    agreed = disputes.reconcile([facts[0], fact(2, "age", "27", outlet=2)], open_state)
    assert agreed.status == "closed" and agreed.closed_reason
    closed_state = DisputeState("closed", "detected", "", groups={1: 1, 2: 1})
    assert disputes.reconcile(facts, closed_state).status == "open"


def test_nothing_changes_when_nothing_changed():
    facts = [fact(1, "age", "27", outlet=1), fact(2, "age", "35", outlet=2)]
    plan = disputes.reconcile(facts, None)
    state = DisputeState(
        plan.status,
        "detected",
        "",
        judged={m.claim_id: Judgement(m.judged, m.judged_value) for m in plan.members},
        groups={m.claim_id: m.group for m in plan.members},
        new={m.claim_id: m.new for m in plan.members},
    )
    assert not disputes.reconcile(facts, state).changed


def test_verdict_sides():
    assert disputes.verdict_sides("one_right", 3, 2) == {1: "wrong", 2: "right", 3: "wrong"}
    assert disputes.verdict_sides("all_wrong", 2, None) == {1: "wrong", 2: "wrong"}
    assert disputes.verdict_sides("different_times", 2, None) == {1: "right", 2: "right"}


ages = st.lists(
    st.tuples(st.integers(18, 90), st.sampled_from([AUTUMN_2011, AUTUMN_2012]), st.integers(1, 4)),
    max_size=12,
)


@given(ages)
def test_groups_hold_values_that_can_all_be_true_and_part_only_what_cannot(printed):
    facts = [
        fact(number, "age", str(age), outlet=outlet, as_of=as_of)
        for number, (age, as_of, outlet) in enumerate(printed, start=1)
    ]
    groups = disputes.value_groups(facts)
    conflict = disputes._conflict
    assert sorted(f.id for group in groups for f in group) == [f.id for f in facts]
    for number, group in enumerate(groups):
        assert not any(conflict(a, b) for a in group for b in group)
        # A claim starts a group only when it conflicts with each earlier group.
        first = group[0]
        for earlier in groups[:number]:
            assert any(conflict(first, other) for other in earlier)
