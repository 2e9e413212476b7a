"""Contradictions become disputes: one per question, its claims in value groups.

A contradiction was a pair of claims; a dispute is one question (a subject and a property;
for a status, one date) with every claim that answers it in a value group. The pairs of one
question become one dispute (the oldest pair's row, so links to it keep working); its claims
are grouped by the rules of `elections.disputes` as they stood in this release, and each
group takes the side the pairs' verdicts gave its claims. A dispute whose verdicts agree on
every group stays resolved, with the one verdict they amount to; one whose verdicts do not
cover every group, or judged a claim both ways, is open again, its earlier notes kept.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.utils import timezone

OLD_SIDES = {
    "a_right": ("right", "wrong"),
    "b_right": ("wrong", "right"),
    "both_wrong": ("wrong", "wrong"),
    "different_times": ("right", "right"),
    "not_contradiction": ("right", "right"),
}


def _fact(claim):
    from elections.disputes import Fact
    from sources.dates import PartialDate

    return Fact(
        id=claim.pk,
        candidate_id=claim.candidate_id,
        candidacy_id=claim.candidacy_id,
        property=claim.property,
        value_key=claim.value_key,
        normalized=claim.normalized or {},
        as_of=PartialDate.from_stored(claim.as_of, claim.as_of_precision),
        outlet_id=claim.article.outlet_id,
    )


def _verdict(sides, pairs):
    """The one verdict the pairs' verdicts amount to, given each group's side; None if none."""
    if None in sides:
        return None
    right = [side for side in sides if side == "right"]
    if not right:
        return "all_wrong"
    if len(right) == len(sides):
        if any(pair.verdict == "different_times" for pair in pairs):
            return "different_times"
        return "not_contradiction"
    if len(right) == 1:
        return "one_right"
    return None


def pairs_to_disputes(apps, schema_editor):
    from elections import disputes

    Contradiction = apps.get_model("elections", "Contradiction")
    DisputeClaim = apps.get_model("elections", "DisputeClaim")
    Claim = apps.get_model("elections", "Claim")
    pairs = list(Contradiction.objects.order_by("id"))
    if not pairs:
        return
    ids = {pair.claim_a_id for pair in pairs} | {pair.claim_b_id for pair in pairs}
    claims = {
        claim.pk: claim for claim in Claim.objects.filter(pk__in=ids).select_related("article")
    }
    by_question = {}
    for pair in pairs:
        question = disputes.question_of(_fact(claims[pair.claim_a_id]))
        key = (
            question.key if question else f"candidate:{pair.candidate_id}/{pair.property}#{pair.pk}"
        )
        by_question.setdefault(key, (question, []))[1].append(pair)
    now = timezone.now()
    for key, (question, group) in by_question.items():
        kept = group[0]
        judged = {}
        for pair in group:
            if pair.status == "resolved" and pair.verdict in OLD_SIDES:
                side_a, side_b = OLD_SIDES[pair.verdict]
                judged.setdefault(pair.claim_a_id, set()).add(side_a)
                judged.setdefault(pair.claim_b_id, set()).add(side_b)
        involved = {pair.claim_a_id for pair in group} | {pair.claim_b_id for pair in group}
        facts = [_fact(claims[i]) for i in sorted(involved) if claims[i].state != "rejected"]
        flagged = any(pair.origin == "flagged" for pair in group)
        groups = disputes.value_groups(facts, flagged=flagged)
        sides = []
        for members in groups:
            found = set().union(*(judged.get(fact.id, set()) for fact in members))
            sides.append(found.pop() if len(found) == 1 else None)
        resolved = [pair for pair in group if pair.status == "resolved"]
        verdict = _verdict(sides, resolved) if resolved else None
        if any(pair.status == "open" for pair in group) or (resolved and verdict is None):
            status = "open"
        elif resolved:
            status = "resolved"
        else:
            status = "closed"
        notes = []
        for pair in resolved:
            if pair.verdict_note and pair.verdict_note not in notes:
                notes.append(pair.verdict_note)
        flags = []
        for pair in group:
            if pair.flag_note and pair.flag_note not in flags:
                flags.append(pair.flag_note)
        latest = max(resolved, key=lambda pair: pair.resolved_at or now) if resolved else None
        kept.question = key
        kept.candidacy_id = question.candidacy_id if question else None
        kept.on_date = question.on_date if question else ""
        kept.property = question.property if question else kept.property
        kept.status = status
        kept.origin = "flagged" if flagged else "detected"
        kept.flag_note = "\n".join(flags)
        kept.flagged_claims = sorted(
            {
                claim_id
                for pair in group
                if pair.origin == "flagged"
                for claim_id in (pair.claim_a_id, pair.claim_b_id)
            }
        )
        kept.verdict = verdict or ""
        kept.verdict_note = "\n".join(notes)
        kept.resolved_by_id = latest.resolved_by_id if latest else None
        kept.resolved_at = latest.resolved_at if latest else None
        kept.reopened_at = now if status == "open" and resolved else None
        kept.closed_reason = kept.closed_reason if status == "closed" else ""
        kept.group_count = len(groups)
        kept.save()
        Contradiction.objects.filter(pk__in=[pair.pk for pair in group[1:]]).delete()
        DisputeClaim.objects.bulk_create(
            [
                DisputeClaim(
                    contradiction_id=kept.pk,
                    claim_id=fact.id,
                    group=number,
                    judged=side or "",
                    judged_value=fact.stamp if side else "",
                    new=False,
                )
                for number, (members, side) in enumerate(zip(groups, sides, strict=True), start=1)
                for fact in members
            ]
        )


VERDICTS = [
    ("one_right", "one version is right"),
    ("all_wrong", "every version is wrong"),
    ("different_times", "all true, at different times"),
    ("not_contradiction", "not a contradiction"),
]


def _fields(model):
    historical = model == "historicalcontradiction"
    candidacy = (
        models.ForeignKey(
            blank=True,
            db_constraint=False,
            help_text="For a question about a run for office (status, votes): which run.",
            null=True,
            on_delete=django.db.models.deletion.DO_NOTHING,
            related_name="+",
            to="elections.candidacy",
        )
        if historical
        else models.ForeignKey(
            blank=True,
            help_text="For a question about a run for office (status, votes): which run.",
            null=True,
            on_delete=django.db.models.deletion.SET_NULL,
            related_name="contradictions",
            to="elections.candidacy",
        )
    )
    return [
        migrations.AddField(
            model_name=model,
            name="question",
            field=models.CharField(editable=False, max_length=100, null=True),
        ),
        migrations.AddField(model_name=model, name="candidacy", field=candidacy),
        migrations.AddField(
            model_name=model,
            name="on_date",
            field=models.CharField(
                blank=True,
                help_text="For a status: the date the statuses disagree on.",
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name=model,
            name="reopened_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When a version no verdict judged reopened the question; the previous "
                "verdict stays beside it until a new one.",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name=model,
            name="flagged_claims",
            field=models.JSONField(
                blank=True,
                default=list,
                editable=False,
                help_text="For a property the rules never compare (occupation, employer...): the claims "
                "an editor flagged as disagreeing; only they, and claims printing their values, "
                "take part.",
            ),
        ),
        migrations.AddField(
            model_name=model,
            name="group_count",
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name=model,
            name="revision",
            field=models.PositiveIntegerField(
                default=1, editable=False, help_text="Counts changes of its groups and state."
            ),
        ),
        migrations.AlterField(
            model_name=model,
            name="verdict",
            field=models.CharField(
                blank=True,
                choices=VERDICTS + [(v, v) for v in OLD_SIDES if v not in dict(VERDICTS)],
                max_length=20,
            ),
        ),
    ]


class Migration(migrations.Migration):
    dependencies = [
        ("elections", "0009_claim_shaped_by"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="contradiction", name="contradiction_pair_unique"),
        migrations.RemoveConstraint(model_name="contradiction", name="contradiction_pair_ordered"),
        *_fields("contradiction"),
        *_fields("historicalcontradiction"),
        migrations.CreateModel(
            name="DisputeClaim",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("group", models.PositiveSmallIntegerField()),
                (
                    "judged",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("", "not judged"),
                            ("right", "found right"),
                            ("wrong", "found wrong"),
                        ],
                        default="",
                        max_length=5,
                    ),
                ),
                ("judged_value", models.CharField(blank=True, default="", max_length=540)),
                ("new", models.BooleanField(default=False)),
                (
                    "claim",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="dispute_membership",
                        to="elections.claim",
                    ),
                ),
                (
                    "contradiction",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="members",
                        to="elections.contradiction",
                    ),
                ),
            ],
            options={
                "ordering": ["contradiction", "group", "claim"],
                "indexes": [
                    models.Index(
                        fields=["contradiction", "group"], name="elections_d_contrad_04c5d4_idx"
                    )
                ],
            },
        ),
        migrations.RunPython(pairs_to_disputes, migrations.RunPython.noop, elidable=False),
        migrations.RemoveField(model_name="contradiction", name="claim_a"),
        migrations.RemoveField(model_name="contradiction", name="claim_b"),
        migrations.RemoveField(model_name="historicalcontradiction", name="claim_a"),
        migrations.RemoveField(model_name="historicalcontradiction", name="claim_b"),
        migrations.AlterField(
            model_name="contradiction",
            name="question",
            field=models.CharField(
                editable=False,
                help_text="The question disputed: its subject, property and, for a status, its date.",
                max_length=100,
                unique=True,
            ),
        ),
        migrations.AlterField(
            model_name="historicalcontradiction",
            name="question",
            field=models.CharField(
                db_index=True,
                editable=False,
                help_text="The question disputed: its subject, property and, for a status, its date.",
                max_length=100,
            ),
        ),
        migrations.AlterField(
            model_name="contradiction",
            name="verdict",
            field=models.CharField(blank=True, choices=VERDICTS, max_length=20),
        ),
        migrations.AlterField(
            model_name="historicalcontradiction",
            name="verdict",
            field=models.CharField(blank=True, choices=VERDICTS, max_length=20),
        ),
    ]
