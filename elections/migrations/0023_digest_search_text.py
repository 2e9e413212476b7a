"""The candidates' folded names in their digests (`CandidateDigest.search_text`), with a
trigram index on PostgreSQL: the public name search then reads the listed candidates' digests
alone, from that index, instead of finding candidates by their names and then each digest by
its key (see README, "Growth").

The column is filled here from the candidates of the listed digests; settling keeps it from
then on (`elections.tallies`). `pg_trgm` was created by 0020.
"""

from django.db import migrations, models

INDEX = "digest_search_trgm_idx"
FILL = (
    "UPDATE elections_candidatedigest SET search_text = COALESCE(("
    "SELECT c.search_text FROM elections_candidate c "
    "WHERE c.id = elections_candidatedigest.candidate_id), '') WHERE listed"
)


def fill(apps, schema_editor):
    schema_editor.execute(FILL)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON elections_candidatedigest "
            "USING gin (search_text gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("elections", "0022_wikidata_db_default")]

    operations = [
        migrations.AddField(
            model_name="candidatedigest",
            name="search_text",
            field=models.TextField(
                blank=True,
                default="",
                help_text=(
                    "The candidate's names folded for search (`Candidate.search_text`), kept "
                    "here so that a name search reads the listed candidates alone, from an "
                    "index of its own."
                ),
                verbose_name="search text",
            ),
        ),
        migrations.RunPython(fill, drop),
    ]
