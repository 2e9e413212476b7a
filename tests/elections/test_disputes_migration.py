"""Migration 0010: the pair contradictions of one question become one dispute, verdicts kept."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from elections import normalizers
from elections.cache import drop_column_triggers

BEFORE = [("elections", "0009_claim_shaped_by")]
AFTER = [("elections", "0010_disputes")]

pytestmark = pytest.mark.django_db(transaction=True)


def _migrate(targets):
    # As `migrate` does: the triggers that name columns are dropped first (put back by the
    # flush that ends this transactional test), or going back could not drop a column.
    drop_column_triggers(using=connection.alias)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def old_schema():
    apps = _migrate(BEFORE)
    yield apps
    _migrate(executor_leaf())


def executor_leaf():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def test_pairs_of_one_question_become_one_dispute_with_groups_and_their_verdict(old_schema):
    apps = old_schema
    Outlet = apps.get_model("sources", "Outlet")
    Article = apps.get_model("sources", "Article")
    Passage = apps.get_model("sources", "Passage")
    Candidate = apps.get_model("elections", "Candidate")
    Claim = apps.get_model("elections", "Claim")
    Contradiction = apps.get_model("elections", "Contradiction")

    xu = Candidate.objects.create(display_name="Xu Yan", slug="xu-yan")
    published = datetime.date(2011, 11, 8)

    def claim(property, value, outlet_name):
        outlet = Outlet.objects.create(name=outlet_name, slug=outlet_name.lower())
        text = f"{outlet_name} says {value}."
        article = Article.objects.create(
            outlet=outlet, title=text, text=text, published_on=published
        )
        passage = Passage.objects.create(
            article=article, start=0, end=len(text), exact=text, anchor_status="exact"
        )
        normalized = normalizers.normalize(property, value, as_of=published)
        return Claim.objects.create(
            candidate=xu,
            property=property,
            value=value,
            value_key=normalized.key,
            normalized=normalized.data,
            passage=passage,
            article=article,
            as_of=published,
            state="verified",
        )

    right_a, right_b = claim("age", "27", "A"), claim("birth_year", "1984", "B")
    wrong = claim("age", "35", "C")
    now = timezone.now()
    for first, second in ((right_a, wrong), (right_b, wrong)):
        Contradiction.objects.create(
            claim_a=first,
            claim_b=second,
            candidate=xu,
            property=first.property,
            status="resolved",
            verdict="a_right",
            verdict_note="The birth record says 1984.",
            resolved_at=now,
        )
    # An open pair on another question stays an open dispute.
    claim("gender", "male", "D")
    other = claim("gender", "female", "E")
    Contradiction.objects.create(
        claim_a=Claim.objects.get(property="gender", value="male"),
        claim_b=other,
        candidate=xu,
        property="gender",
    )

    apps = _migrate(AFTER)
    Dispute = apps.get_model("elections", "Contradiction")
    Member = apps.get_model("elections", "DisputeClaim")
    births = Dispute.objects.get(question=f"candidate:{xu.pk}/birth_year")
    assert Dispute.objects.count() == 2
    assert (births.status, births.verdict, births.group_count) == ("resolved", "one_right", 2)
    assert births.verdict_note == "The birth record says 1984."
    members = {m.claim_id: (m.group, m.judged) for m in Member.objects.filter(contradiction=births)}
    assert members == {
        right_a.pk: (1, "right"),
        right_b.pk: (1, "right"),
        wrong.pk: (2, "wrong"),
    }
    gender = Dispute.objects.get(question=f"candidate:{xu.pk}/gender")
    assert (gender.status, gender.verdict, gender.group_count) == ("open", "", 2)
