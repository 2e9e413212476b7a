"""A backup brings back every record: SQLite's online backup, PostgreSQL's pg_dump/pg_restore."""

import io

import pytest
from django.core.management import call_command
from django.db import connection

from elections.models import Claim, Property
from elections.services import claim_verify
from tests.factories import make_article, make_candidate, make_claim, make_user


def everything():
    """Every record of every app, as dumpdata writes it."""
    out = io.StringIO()
    call_command("dumpdata", "--natural-foreign", "--indent=0", "--exclude=sessions", stdout=out)
    return out.getvalue()


def fill():
    editor, reviewer = make_user("Editors"), make_user("Reviewers")
    xu = make_candidate("Xu Yan", name_zh="徐琰")
    claim = make_claim(
        xu, Property.AGE, "27", make_article("徐琰, 27 😀, ran.", outlet="A"), by=editor
    )
    claim_verify(claim=claim, reviewer=reviewer)
    make_claim(xu, Property.AGE, "35", make_article("Xu, 35.", outlet="B"), by=editor)


def roundtrip(tmp_path):
    fill()
    before = everything()
    backup = tmp_path / "sourcebook.backup"
    call_command("backup", str(backup), stdout=io.StringIO())
    Claim.objects.all().delete()
    make_candidate("Someone added after the backup")
    assert everything() != before
    call_command("restore", str(backup), "--yes", stdout=io.StringIO())
    assert everything() == before


@pytest.mark.django_db(transaction=True)
def test_sqlite_online_backup_restores_every_record(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("this run's database is not SQLite; the PostgreSQL test covers it")
    roundtrip(tmp_path)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_pg_dump_and_pg_restore_restore_every_record(tmp_path):
    roundtrip(tmp_path)


@pytest.mark.django_db
def test_restoring_a_missing_backup_is_a_clear_error(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no backup"):
        call_command("restore", str(tmp_path / "nothing"), "--yes")
