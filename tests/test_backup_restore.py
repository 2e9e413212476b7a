"""A backup brings back every record: SQLite's online backup, PostgreSQL's pg_dump/pg_restore.

A restore is refused while someone is signed in (unless forced), never hands out again an id
or a public-cache generation used before it, and tells the apps the database was replaced.
"""

import io
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from elections.cache import public_generation
from elections.models import Candidate, Claim, Property
from elections.services import claim_verify
from sources.backups import database_restored
from tests.factories import make_article, make_candidate, make_claim, make_user


def everything():
    """Every record of every app, as dumpdata writes it; not the public-cache generation,
    which a restore renews on purpose."""
    out = io.StringIO()
    call_command(
        "dumpdata",
        "--natural-foreign",
        "--indent=0",
        "--exclude=sessions",
        "--exclude=elections.publicstate",
        stdout=out,
    )
    return out.getvalue()


def fill():
    editor, reviewer = make_user("Editors"), make_user("Reviewers")
    xu = make_candidate("Xu Yan", name_zh="徐琰")
    claim = make_claim(
        xu, Property.AGE, "27", make_article("徐琰, 27 😀, ran.", outlet="A"), by=editor
    )
    claim_verify(claim=claim, acting_user=reviewer)
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
    with pytest.raises(CommandError, match="no backup"):
        call_command("restore", str(tmp_path / "nothing"), "--yes")


# A restore and the servers around it.


def backup_of_a_filled_database(tmp_path):
    fill()
    backup = tmp_path / "sourcebook.backup"
    call_command("backup", str(backup), stdout=io.StringIO())
    return backup


def restore(backup, *options):
    out, err = io.StringIO(), io.StringIO()
    call_command("restore", str(backup), "--yes", *options, stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def generations_of_writes(count):
    """The generation after each of `count` writes to public data."""
    seen = []
    for number in range(count):
        make_candidate(f"Written after the backup {number}")
        seen.append(public_generation())
    return seen


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_no_write_after_a_restore_reuses_a_generation_from_before_it(tmp_path):
    # PostgreSQL draws generations from a sequence, which pg_restore puts back to the
    # backup's value: without care the next writes would hand out generations whose cached
    # pages show the data the restore took away.
    backup = backup_of_a_filled_database(tmp_path)
    before = generations_of_writes(3)

    restore(backup)
    after = generations_of_writes(3)

    assert not set(after) & set(before)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_no_id_handed_out_before_a_restore_is_handed_out_again(tmp_path):
    backup = backup_of_a_filled_database(tmp_path)
    lost = make_candidate("Lost in the restore")

    restore(backup)
    made_after = make_candidate("Made after the restore")

    assert made_after.pk > lost.pk


@pytest.mark.django_db(transaction=True)
def test_a_restore_sets_a_generation_no_server_has_cached_a_page_under(tmp_path):
    backup = backup_of_a_filled_database(tmp_path)
    at_backup = public_generation()
    before = generations_of_writes(2)

    restore(backup)

    assert public_generation() not in {at_backup, *before}


@pytest.mark.django_db(transaction=True)
def test_a_restore_tells_the_apps_that_the_database_was_replaced(tmp_path):
    backup = backup_of_a_filled_database(tmp_path)
    heard = []

    def listener(sender, using, path, **kwargs):
        heard.append((using, path))
        return "listener: renewed"

    database_restored.connect(listener)
    try:
        printed = restore(backup)
    finally:
        database_restored.disconnect(listener)

    assert heard == [("default", backup)]
    assert "listener: renewed" in printed


@pytest.mark.django_db(transaction=True)
def test_a_restore_is_refused_while_someone_is_signed_in(tmp_path, client):
    backup = backup_of_a_filled_database(tmp_path)
    client.force_login(make_user("Editors"))
    kept = make_candidate("Kept, since the restore is refused")

    with pytest.raises(CommandError, match=r"1 live sign-in session.*--force"):
        restore(backup)

    assert Candidate.objects.filter(pk=kept.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_a_forced_restore_goes_ahead_and_signs_everyone_out(tmp_path, client):
    backup = backup_of_a_filled_database(tmp_path)
    client.force_login(make_user("Editors"))
    gone = make_candidate("Gone with the restore")

    restore(backup, "--force")

    assert not Candidate.objects.filter(pk=gone.pk).exists()
    assert not Session.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_expired_sessions_do_not_hold_a_restore_back(tmp_path):
    backup = backup_of_a_filled_database(tmp_path)
    Session.objects.create(
        session_key="expired-session-key-0001",
        session_data="",
        expire_date=timezone.now() - timedelta(minutes=1),
    )
    gone = make_candidate("Gone with the restore")

    restore(backup)

    assert not Candidate.objects.filter(pk=gone.pk).exists()
