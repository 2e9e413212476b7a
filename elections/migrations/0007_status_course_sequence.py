"""Store each status step's place in its candidate's course, and re-read current statuses.

Steps were ordered by the first day their date can mean, which put a year-precise step before
a month-precise one in the same year; `elections.services.course` explains the new order.
"""

from itertools import groupby

from django.db import migrations, models
from django.db.models import F


def number_steps(apps, schema_editor):
    from elections.services.course import course_order

    CandidacyStatus = apps.get_model("elections", "CandidacyStatus")
    Candidacy = apps.get_model("elections", "Candidacy")
    rows = (
        CandidacyStatus.objects.order_by("candidacy__candidate_id", "id")
        .values("id", "candidacy_id", "status", "on", "precision")
        .annotate(
            candidate_id=F("candidacy__candidate_id"),
            polling_on=F("candidacy__election__polling_on"),
        )
    )
    numbered = []
    for _, steps in groupby(rows, key=lambda row: row["candidate_id"]):
        for place, step in enumerate(course_order(list(steps))):
            if place:  # 0, the new column's default, is already right
                numbered.append(CandidacyStatus(pk=step["id"], sequence=place))
    CandidacyStatus.objects.bulk_update(numbered, ["sequence"], batch_size=500)

    latest = {}
    for candidacy_id, status in (
        CandidacyStatus.objects.exclude(claim__state="rejected")
        .exclude(claim__overruled=True)
        .order_by("candidacy_id", "-sequence", "-id")
        .values_list("candidacy_id", "status")
    ):
        latest.setdefault(candidacy_id, status)
    for candidacy in Candidacy.objects.only("status"):
        status = latest.get(candidacy.pk, "")
        if candidacy.status != status:
            Candidacy.objects.filter(pk=candidacy.pk).update(status=status)


class Migration(migrations.Migration):
    dependencies = [
        ("elections", "0006_slug_help_text"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="candidacystatus",
            options={
                "ordering": ["candidacy", "sequence", "id"],
                "verbose_name_plural": "candidacy statuses",
            },
        ),
        migrations.AddField(
            model_name="candidacystatus",
            name="sequence",
            field=models.PositiveIntegerField(
                default=0,
                editable=False,
                help_text="The step's place in its candidate's course, counted across "
                "candidacies; kept by elections.services.course, which explains the order.",
            ),
        ),
        migrations.RunPython(number_steps, migrations.RunPython.noop),
    ]
