"""The public-cache generation set at commit instead of at each write (see `elections.cache`).

On PostgreSQL the statement triggers of the public tables are replaced, and the table of
pending commits with its deferred trigger is created, so that a long transaction (a sheet
import) no longer holds the generation row while it writes; on both databases the tables the
public never reads lose their trigger. `post_migrate` does the same after every migrate; this
migration makes the switch explicit and ordered. Reversed, it changes nothing: the triggers
follow the code, which `post_migrate` installs.
"""

from django.db import migrations


def install(apps, schema_editor):
    from elections.cache import install_triggers, public_tables

    install_triggers(schema_editor.connection, public_tables(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("elections", "0011_candidate_proposals"),
    ]

    operations = [
        migrations.RunPython(install, migrations.RunPython.noop),
    ]
