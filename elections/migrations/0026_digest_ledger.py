"""What settling remembers of each candidate (what it counts for, what the public saw of it)
moves from its digest to a ledger of its own (`DigestLedger`), so that the digests the lists
read stay narrow: about 1.1 kB of a digest's 1.3 kB at 2M claims, which left five digests to
a page, so that a name search matching thousands of candidates read thousands of pages.

The rows are copied before the columns go. On PostgreSQL a dropped column's values stay in
the rows until they are rewritten: the digests are then rewritten in the order of their
name index (CLUSTER, which may run in a transaction when it names its table), which leaves
them packed. SQLite rebuilds the table as it drops the columns.
"""

import django.db.models.deletion
from django.db import migrations, models

COPY = (
    "INSERT INTO elections_digestledger (digest_id, tallies, record) "
    "SELECT candidate_id, tallies, record FROM elections_candidatedigest"
)
COPY_BACK = (
    "UPDATE elections_candidatedigest SET "
    "tallies = COALESCE((SELECT l.tallies FROM elections_digestledger l "
    "WHERE l.digest_id = elections_candidatedigest.candidate_id), '[]'), "
    "record = (SELECT l.record FROM elections_digestledger l "
    "WHERE l.digest_id = elections_candidatedigest.candidate_id)"
)


def pack(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CLUSTER elections_candidatedigest USING digest_name_idx")
        schema_editor.execute("ANALYZE elections_candidatedigest")


class Migration(migrations.Migration):
    dependencies = [("elections", "0025_candidacy_election_idx")]

    operations = [
        migrations.CreateModel(
            name="DigestLedger",
            fields=[
                (
                    "digest",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="ledger",
                        serialize=False,
                        to="elections.candidatedigest",
                        verbose_name="digest",
                    ),
                ),
                ("tallies", models.JSONField(blank=True, default=list, verbose_name="tallies")),
                (
                    "record",
                    models.JSONField(
                        blank=True,
                        default=dict,
                        help_text=(
                            "What the public saw of it, to tell what a change changed "
                            "(`PublicEvent`): its facts, its disputes and the facts withdrawn "
                            "from it. None until first settled."
                        ),
                        null=True,
                        verbose_name="record",
                    ),
                ),
            ],
            options={"verbose_name": "digest ledger", "verbose_name_plural": "digest ledgers"},
        ),
        migrations.RunSQL(COPY, COPY_BACK),
        migrations.RemoveField(model_name="candidatedigest", name="record"),
        migrations.RemoveField(model_name="candidatedigest", name="tallies"),
        migrations.RunPython(pack, migrations.RunPython.noop),
    ]
