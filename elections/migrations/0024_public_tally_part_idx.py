"""An index on the kept counts by kind and part (`PublicTally`), for an outlet's page: the
candidates it reported on (kind `reported`) and those of the public disputes it took part in
(kind `took part`, new with this release), each found by the outlet's id as part; and the
candidates with a dispute marked to be settled, so that their counts of the disputes each
outlet took part in (`elections.tallies`) are made after migrating (`after_migrate` settles
what is pending), without a rebuild of every count.
"""

from django.db import migrations, models

MARK = (
    "INSERT INTO elections_tallypending (candidate_id) "
    "SELECT DISTINCT candidate_id FROM elections_contradiction"
)


class Migration(migrations.Migration):
    dependencies = [
        ("elections", "0023_digest_search_text"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="publictally",
            index=models.Index(fields=["kind", "part", "subject"], name="public_tally_part_idx"),
        ),
        migrations.RunSQL(MARK, migrations.RunSQL.noop),
    ]
