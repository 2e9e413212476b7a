"""A trigram index on `Candidate.search_text`, on PostgreSQL: the public name search
(`search_text LIKE '%…%'`) reads the candidates whose names hold the query from the index
instead of every candidate's names.

`pg_trgm` ships with PostgreSQL (contrib) and is a trusted extension since PostgreSQL 13: the
database's owner may create it without being a superuser. SQLite has no such index; its
search stays a scan of the names (see README, "Growth").
"""

from django.db import migrations

INDEX = "candidate_search_trgm_idx"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON elections_candidate "
        "USING gin (search_text gin_trgm_ops)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # The extension stays: something else may use it.
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("elections", "0019_public_events")]

    operations = [migrations.RunPython(create, drop)]
