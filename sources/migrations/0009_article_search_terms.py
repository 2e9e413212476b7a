"""Articles searchable in full text: their search terms, and the index over them.

See `sources.search`. PostgreSQL gets a GIN index on the terms' tsvector (the exact
expression `sources.search.search_vector()` compiles to); SQLite gets an FTS5 table, made by
`sources.search.ensure_sqlite_index` after every migrate.
"""

from django.db import migrations, models

INDEX = "sources_article_search_gin"


def fill_terms(apps, schema_editor):
    from sources.search import search_terms

    Article = apps.get_model("sources", "Article")
    batch = []
    fields = ("title", "byline", "url", "text")
    for article in Article.objects.only("pk", *fields).iterator(chunk_size=500):
        article.search_terms = search_terms(*(getattr(article, name) for name in fields))
        batch.append(article)
        if len(batch) == 500:
            Article.objects.bulk_update(batch, ["search_terms"])
            batch = []
    Article.objects.bulk_update(batch, ["search_terms"])


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON sources_article USING gin "
            "(to_tsvector('simple'::regconfig, COALESCE(search_terms, '')))"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("sources", "0008_article_archived_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="search_terms",
            field=models.TextField(
                blank=True,
                default="",
                db_default="",
                editable=False,
                help_text=(
                    "The search terms of the title, byline, address and text (sources.search), "
                    "kept by save()."
                ),
            ),
        ),
        migrations.RunPython(fill_terms, migrations.RunPython.noop),
        migrations.RunPython(create_index, drop_index),
    ]
