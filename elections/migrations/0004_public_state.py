"""The public state row and the triggers that give it a new generation on every change of the
data the public site reads (see `elections.cache`). `post_migrate` re-installs the triggers
after later migrations, which on SQLite drop them when they rebuild a table."""

from django.db import migrations, models


def install(apps, schema_editor):
    from elections.cache import STATE_ID, fresh_generation, install_triggers, public_tables

    PublicState = apps.get_model("elections", "PublicState")
    PublicState.objects.using(schema_editor.connection.alias).get_or_create(
        id=STATE_ID, defaults={"generation": fresh_generation()}
    )
    install_triggers(schema_editor.connection, public_tables(apps))


def remove(apps, schema_editor):
    from elections.cache import public_tables, remove_triggers

    remove_triggers(schema_editor.connection, public_tables(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("elections", "0003_roles"),
        ("sources", "0002_passage_similarity_and_nonempty_span"),
    ]

    operations = [
        migrations.CreateModel(
            name="PublicState",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "generation",
                    models.BigIntegerField(
                        default=0,
                        help_text="Changes whenever public data does; means nothing by itself.",
                    ),
                ),
            ],
            options={
                "verbose_name": "public state",
                "verbose_name_plural": "public state",
            },
        ),
        migrations.RunPython(install, remove),
    ]
