"""Cached public responses: served while nothing public changed, gone the moment it does."""

import datetime
import sqlite3

import pytest
from django.apps import apps
from django.core.cache import caches
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import Client, override_settings

from elections.cache import (
    FUNCTION,
    NEVER_PUBLIC,
    SEEN_WHEN,
    SEQUENCE,
    STATE_TABLE,
    TALLY_PENDING_TABLE,
    UNSEEN_WHEN_NEW,
    UNSHOWN_COLUMNS,
    _committed_generation,
    _readers,
    _reads_on_its_own,
    _triggers,
    cache_key,
    cache_public,
    install_triggers,
    public_change_noted,
    public_generation,
    public_tables,
    tables_without_trigger,
)
from elections.cache import public_cache as cache_of_pages
from elections.models import (
    Candidacy,
    Candidate,
    CandidateDigest,
    CandidateProposal,
    Claim,
    Contradiction,
    DataRelease,
    DataReleaseFile,
    DataReleasePart,
    DigestLedger,
    ExportFile,
    ExportPart,
    Property,
    PublicState,
    PublicTally,
    TallyPending,
)
from elections.services import (
    candidate_publish,
    candidate_update,
    candidate_withdraw,
    claim_reject,
    claim_update,
    claim_verify,
    contradiction_flag,
    contradiction_resolve,
)
from sources.models import (
    ArchivedCopy,
    Article,
    ArticleVersion,
    Outlet,
    Passage,
    SheetUpload,
    TaskRun,
)
from tests.factories import make_article, make_candidate, make_claim
from tests.newsroom import fixtures

pytestmark = pytest.mark.django_db

# The records of the public site, built once for this module.
_newsroom, newsroom = fixtures("public site")

PROFILE = "/candidates/liu-ping/"
API_PROFILE = "/api/candidates/liu-ping/"
EVERY_KIND = [
    "/",
    "/candidates/",
    "/candidates/?province={jiangxi}",
    PROFILE,
    "/outlets/",
    "/outlets/{daily_outlet}/",
    "/articles/{daily}/",
    "/api/candidates/",
    API_PROFILE,
    "/export/popolo.json",
    "/export/claims.csv",
]


@pytest.fixture(autouse=True)
def public_cache(settings):
    """The cache on, as in production (the test settings turn it off for other tests), and
    empty: every test here starts from the same records, so from the same generation."""
    settings.SOURCEBOOK_PUBLIC_CACHE = True
    for cache in caches.all():
        cache.clear()


def urls_of(newsroom):
    values = {
        "jiangxi": newsroom.jiangxi.slug,
        "daily_outlet": newsroom.daily.outlet.slug,
        "daily": newsroom.daily.pk,
    }
    return [url.format(**values) for url in EVERY_KIND]


def body_of(response):
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode("utf-8-sig")


def fetch(client, url):
    response = client.get(url)
    return response, body_of(response)


def rendered_now(url):
    """`url` as a render now gives it, past the cache."""
    with override_settings(SOURCEBOOK_PUBLIC_CACHE=False):
        return body_of(Client().get(url))


def answers(client, urls):
    """Fetch each URL once: whether the cache answered it, after checking that the answer is
    what a render now gives (a page kept through a change must not miss it)."""
    seen = {}
    for url in urls:
        response, body = fetch(client, url)
        assert body == rendered_now(url), url
        seen[url] = response["X-Cache"]
    return seen


def warm(client, urls):
    """Fetch each URL twice; the second answer must come from the cache."""
    for url in urls:
        first, _ = fetch(client, url)
        assert first.status_code == 200, url
        assert first["X-Cache"] == "miss", url
        second, _ = fetch(client, url)
        assert second["X-Cache"] == "hit", url


def test_every_public_table_has_its_trigger():
    tables = public_tables(apps)

    assert {"elections_candidate", "elections_claim", "sources_article"} <= set(tables)
    assert not any(table.endswith("publicstate") or "historical" in table for table in tables)
    assert tables_without_trigger(connection, tables) == []
    # The whole generation, the shared one, the lists' and the disputes'
    # (elections.cache.STATE_ROWS).
    assert sorted(PublicState.objects.values_list("pk", flat=True)) == [1, 2, 3, 4]


def test_migrate_and_flush_put_back_a_trigger_and_the_state_row_that_went_missing():
    name = next(name for table, name in _triggers(connection) if table == "elections_claim")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f'DROP TRIGGER "{name}" ON elections_claim')
        else:
            cursor.execute(f'DROP TRIGGER "{name}"')
    PublicState.objects.all().delete()
    assert tables_without_trigger(connection, public_tables(apps)) == ["elections_claim"]
    assert public_generation() is None

    emit_post_migrate_signal(verbosity=0, interactive=False, db=connection.alias)

    assert tables_without_trigger(connection, public_tables(apps)) == []
    assert public_generation() is not None


@pytest.mark.parametrize("table", public_tables(apps))
def test_a_change_to_any_public_table_gives_a_new_generation(newsroom, table):
    quoted = connection.ops.quote_name(table)
    # Of a table whose rows the public sees in some states only, a row it sees.
    seen = SEEN_WHEN.get(table, "1 = 1").format(row=quoted)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT min(id) FROM {quoted} WHERE {seen}")  # noqa: S608 - ours
        (row_id,) = cursor.fetchone()
    assert row_id is not None, f"the records leave {table} empty"
    before = public_generation()

    # A column the public reads, changed (of a table where unshown columns alone do not count).
    change = SHOWN_CHANGE.get(table, "id = id")
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {quoted} SET {change} WHERE id = %s", [row_id])  # noqa: S608

    assert public_generation() != before


SHOWN_CHANGE = {
    "elections_claim": "value = value || '.'",
    "elections_candidate": "display_name = display_name || '.'",
}


def test_an_editors_note_alone_changes_no_page_and_marks_no_tally(newsroom):
    """Notes, who did what and when are read by no public surface: changing only them gives
    no new generation and marks no candidate for its tallies."""
    for table, unshown in UNSHOWN_COLUMNS.items():
        model = next(m for m in apps.get_models() if m._meta.db_table == table)
        assert set(unshown) <= {field.column for field in model._meta.concrete_fields}
    before = public_generation()
    pending = TallyPending.objects.count()

    Claim.objects.filter(pk=newsroom.xu_city.pk).update(note="a verified claim's note")
    Candidate.objects.filter(pk=newsroom.liu.pk).update(notes="Call her back.")

    assert public_generation() == before
    assert TallyPending.objects.count() == pending
    Claim.objects.filter(pk=newsroom.xu_city.pk).update(value="Hangzhou city")
    assert public_generation() != before
    assert TallyPending.objects.count() > pending


def test_the_row_conditions_are_the_models_states():
    assert SEEN_WHEN["elections_claim"] == f"{{row}}.state = '{Claim.State.VERIFIED}'"
    assert f"'{Candidate.State.PUBLISHED}'" in SEEN_WHEN["elections_candidate"]
    assert Candidate._meta.get_field("merged_into").column == "merged_into_id"
    assert {Claim._meta.db_table, Candidate._meta.db_table} == set(SEEN_WHEN)
    unseen_when_new = {
        model._meta.db_table for model in (ArchivedCopy, Article, ArticleVersion, Passage, Outlet)
    }
    assert unseen_when_new == UNSEEN_WHEN_NEW


def test_an_editor_s_new_claim_and_passage_leave_the_generation(newsroom):
    """Nothing the public sees: an unverified claim on a new passage, about a published
    candidate, and a draft candidate edited."""
    before = public_generation()
    article = make_article("Liu Ping, a teacher in Xinyu, spoke on Monday.", outlet="Quiet Wire")
    claim = make_claim(newsroom.liu, Property.OCCUPATION, "teacher", article, by=newsroom.editor)
    claim_update(claim=claim, value="a teacher", acting_user=newsroom.editor)
    draft = make_candidate("Draft Person")
    candidate_update(
        candidate=draft, display_name="Draft Person Renamed", acting_user=newsroom.editor
    )

    assert public_generation() == before

    claim_verify(claim=claim, acting_user=newsroom.reviewer)
    assert public_generation() != before


def test_a_new_row_the_public_may_see_gives_a_new_generation(newsroom):
    before = public_generation()
    Claim.objects.filter(pk=newsroom.xu_city.pk).update(as_of_explicit=True, value="Hangzhou.")
    assert public_generation() != before
    before = public_generation()
    Outlet.objects.filter(pk=Outlet.objects.order_by("pk").first().pk).update(name="Renamed")
    assert public_generation() != before


def a_row_of(label, newsroom):
    """A row of a model the public never reads, written straight to its table."""
    if label == "sources.SheetUpload":
        return SheetUpload.objects.create(
            token="t0ken",
            owner=newsroom.editor,
            data=b"slug,name\n",
            expires_at=datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC),
        )
    if label == "sources.TaskRun":
        return TaskRun.objects.create(kind="reanchor", owner=newsroom.editor)
    if label in ("elections.ExportFile", "elections.ExportPart"):
        built = ExportFile.objects.create(
            name="claims.csv",
            origin="https://example.org",
            generation=1,
            content_type="text/csv",
            sha256="0" * 64,
            built_at=datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC),
        )
        if label == "elections.ExportFile":
            return built
        return ExportPart.objects.create(file=built, number=0, data=b"a,b\n")
    if label in ("elections.DataRelease", "elections.DataReleaseFile", "elections.DataReleasePart"):
        made = DataRelease.objects.create(
            version="2011-11-08",
            created=datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC),
            licence="CC-BY-4.0",
            origin="https://example.org",
            generation=1,
        )
        if label == "elections.DataRelease":
            return made
        kept = DataReleaseFile.objects.create(release=made, path="claims.csv", sha256="0" * 64)
        if label == "elections.DataReleaseFile":
            return kept
        return DataReleasePart.objects.create(file=kept, number=0, data=b"a,b\n")
    if label == "elections.CandidateDigest":  # of no candidate: settling would drop it
        return CandidateDigest.objects.create(candidate_id=10**9)
    if label == "elections.DigestLedger":
        return DigestLedger.objects.create(
            digest=CandidateDigest.objects.create(candidate_id=10**9), record={"claims": {}}
        )
    if label == "elections.PublicTally":
        return PublicTally.objects.create(kind="test", subject=1, part="rows", value=1)
    if label == "elections.TallyPending":
        return TallyPending.objects.create(candidate_id=10**9)
    assert label == "elections.CandidateProposal", f"no row for {label}"
    return CandidateProposal.objects.create(
        candidate=newsroom.liu, operation="candidate_update", proposed_by=newsroom.editor
    )


@pytest.mark.parametrize("label", sorted(NEVER_PUBLIC))
def test_a_change_to_a_table_the_public_never_reads_leaves_the_generation(newsroom, label):
    table = apps.get_model(label)._meta.db_table
    assert table not in public_tables(apps)
    before = public_generation()

    row = a_row_of(label, newsroom)
    row.save()
    row.delete()

    assert public_generation() == before


def test_migrate_takes_the_trigger_off_a_table_the_public_never_reads():
    # As an earlier release left it: every table of both apps carried the trigger.
    install_triggers(connection, [*public_tables(apps), "sources_taskrun"])
    assert tables_without_trigger(connection, ["sources_taskrun"]) == []

    emit_post_migrate_signal(verbosity=0, interactive=False, db=connection.alias)

    assert tables_without_trigger(connection, ["sources_taskrun"]) == ["sources_taskrun"]
    assert tables_without_trigger(connection, public_tables(apps)) == []


def test_settling_renews_keys_after_a_public_change(newsroom):
    """Settling gives pages new keys in a transaction that wrote something the public sees
    (on PostgreSQL, one whose pending generation is set; on SQLite always: a transaction
    that wrote nothing public is checked in tests/production/test_cache_scopes.py). The
    commit of a public change left unsettled reads the tallies' marks by this name."""
    from elections import tallies

    assert TALLY_PENDING_TABLE == tallies.PENDING_TABLE
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE elections_claim SET value = value || '.'")
        assert public_change_noted()


def committed_generation_row():
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT generation FROM {STATE_TABLE}")  # noqa: S608 - a constant
        return cursor.fetchone()[0]


@pytest.mark.postgres
def test_on_postgresql_a_write_leaves_the_generation_row_alone_until_it_commits(newsroom):
    # The row an earlier release updated at each statement, which held it for the whole of
    # a transaction: migrate puts the current triggers in place of those.
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ "  # noqa: S608
            f"BEGIN UPDATE {STATE_TABLE} SET generation = nextval('{SEQUENCE}'); "
            "RETURN NULL; END $$"
        )
    emit_post_migrate_signal(verbosity=0, interactive=False, db=connection.alias)
    row, before = committed_generation_row(), public_generation()

    Outlet.objects.filter(pk=newsroom.daily.outlet_id).update(country="elsewhere")
    pending = public_generation()
    Outlet.objects.filter(pk=newsroom.daily.outlet_id).update(country="nowhere")

    assert committed_generation_row() == row
    assert len({before, pending, public_generation()}) == 3
    # At commit (here, when the deferred triggers are fired early) the row gets a new one.
    connection.check_constraints()
    assert committed_generation_row() not in (row, before, pending)


def test_a_page_rendered_while_the_data_changed_is_not_kept(rf, newsroom):
    @cache_public
    def page(request):
        # A change committed by someone else while this page reads the data.
        Outlet.objects.filter(pk=newsroom.daily.outlet_id).update(country="elsewhere")
        return HttpResponse("read before and after the change")

    request = rf.get("/outlets/")
    before = public_generation()
    response = page(request)

    assert response["X-Cache"] == "miss"
    assert cache_of_pages().get(cache_key(request, before)) is None
    assert page(rf.get("/outlets/"))["X-Cache"] == "miss"


def test_a_rolled_back_change_never_hands_its_generation_out_again(newsroom):
    with transaction.atomic():
        Outlet.objects.filter(pk=newsroom.daily.outlet_id).update(country="nowhere")
        abandoned = public_generation()
        transaction.set_rollback(True)
    Outlet.objects.filter(pk=newsroom.daily.outlet_id).update(country="elsewhere")

    assert public_generation() != abandoned


def test_the_sqlite_reader_of_its_own_sees_each_commit_and_nothing_uncommitted(tmp_path):
    path = str(tmp_path / "public.sqlite3")
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("CREATE TABLE elections_publicstate (id integer PRIMARY KEY, generation bigint)")
    writer.execute("INSERT INTO elections_publicstate VALUES (1, 5)")
    assert _committed_generation(path) == 5

    writer.execute("BEGIN")
    writer.execute("UPDATE elections_publicstate SET generation = 6 WHERE id = 1")
    assert _committed_generation(path) == 5
    writer.execute("COMMIT")

    assert _committed_generation(path) == 6
    writer.close()
    _readers.__dict__.clear()


def test_inside_a_transaction_the_generation_is_read_through_djangos_connection():
    # The test database is in memory and every test runs in a transaction: both rule out
    # the reader of its own, which could not see this transaction's changes.
    assert not _reads_on_its_own(connection)


def test_a_repeated_anonymous_request_is_answered_from_the_cache(
    client, newsroom, django_assert_num_queries
):
    first, first_body = fetch(client, PROFILE)

    with django_assert_num_queries(1):
        second, second_body = fetch(client, PROFILE)

    assert (first["X-Cache"], second["X-Cache"]) == ("miss", "hit")
    assert second_body == first_body
    assert second["Content-Type"] == first["Content-Type"]


def test_every_kind_of_public_url_is_cached(client, newsroom):
    warm(client, urls_of(newsroom))


def test_head_is_answered_from_the_entry_of_get(client, newsroom):
    client.get(API_PROFILE)

    response = client.head(API_PROFILE)

    assert response["X-Cache"] == "hit"
    assert response.content == b""


def test_the_streamed_csv_is_cached_once_sent_in_full(client, newsroom):
    first, first_body = fetch(client, "/export/claims.csv")
    second, second_body = fetch(client, "/export/claims.csv")

    assert first.streaming and not second.streaming
    assert second["X-Cache"] == "hit"
    assert second_body == first_body
    assert second["Content-Disposition"] == 'attachment; filename="claims.csv"'


def test_a_response_larger_than_the_limit_is_not_kept(client, newsroom, settings):
    settings.SOURCEBOOK_PUBLIC_CACHE_MAX_BYTES = 100
    for url in ("/export/claims.csv", API_PROFILE):
        fetch(client, url)

        assert fetch(client, url)[0]["X-Cache"] == "miss"


def test_a_logged_in_visitor_is_never_served_or_stored(client, newsroom):
    client.force_login(newsroom.editor)

    first, _ = fetch(client, PROFILE)
    second, _ = fetch(client, PROFILE)

    assert "X-Cache" not in first and "X-Cache" not in second
    assert fetch(Client(), PROFILE)[0]["X-Cache"] == "miss"


@pytest.mark.parametrize("url", ["/candidates/no-such-person/", "/api/candidates/no-such-person/"])
def test_a_not_found_answer_is_not_kept(client, newsroom, url):
    client.get(url)

    response = client.get(url)

    assert response.status_code == 404
    assert response.get("X-Cache") != "hit"


def test_each_query_string_and_host_has_its_own_entry(client, newsroom, rf):
    client.get("/api/candidates/")

    assert client.get("/api/candidates/?gender=male")["X-Cache"] == "miss"
    assert client.get("/api/candidates/", HTTP_HOST="localhost")["X-Cache"] == "miss"
    request = rf.get("/api/candidates/", {"q": "刘萍"})
    assert cache_key(request, 7) != cache_key(rf.get("/api/candidates/"), 7)
    assert cache_key(request, 7) != cache_key(request, 8)


def test_a_file_cache_shared_by_several_workers_serves_hits_too(
    client, newsroom, settings, tmp_path
):
    settings.CACHES = {
        **settings.CACHES,
        "public": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path),
        },
    }
    first, first_body = fetch(client, API_PROFILE)
    second, second_body = fetch(client, API_PROFILE)

    assert (first["X-Cache"], second["X-Cache"]) == ("miss", "hit")
    assert second_body == first_body
    assert list(tmp_path.iterdir())


def test_with_the_cache_off_nothing_is_kept(client, newsroom, settings):
    settings.SOURCEBOOK_PUBLIC_CACHE = False
    client.get(PROFILE)

    assert "X-Cache" not in client.get(PROFILE)


# Changes show at once.


def test_a_withdrawn_candidate_leaves_every_cached_url_at_once(client, newsroom):
    urls = urls_of(newsroom)
    warm(client, urls)

    candidate_withdraw(candidate=newsroom.liu, acting_user=newsroom.reviewer)

    assert client.get(PROFILE).status_code == 404
    assert client.get(API_PROFILE).status_code == 404
    for url in urls:
        body = fetch(client, url)[1]
        assert "liu-ping" not in body, url
        assert "刘萍" not in body, url


def test_a_rejected_claim_leaves_every_cached_url_that_showed_it_at_once(client, newsroom):
    urls = urls_of(newsroom)
    warm(client, urls)
    assert "新余市" in fetch(client, "/export/claims.csv")[1]

    claim_reject(claim=newsroom.liu_city, acting_user=newsroom.reviewer, reason="Misread.")

    # Every URL answers what a render now gives; those that showed the fact, or counted it,
    # are rendered again.
    seen = answers(client, urls)
    showed = [PROFILE, API_PROFILE, "/", "/outlets/", "/export/claims.csv", "/export/popolo.json"]
    assert {url: seen[url] for url in showed} == dict.fromkeys(showed, "miss")
    assert "新余市" not in fetch(client, "/export/claims.csv")[1]
    facts = client.get(API_PROFILE).json()["facts"]
    assert not [fact for fact in facts if fact["property"] == Property.CITY]


def test_resolving_and_reopening_a_dispute_shows_at_once(client, newsroom):
    dispute = Contradiction.objects.get(candidate=newsroom.liu, property=Property.BIRTH_YEAR)
    warm(client, [API_PROFILE, PROFILE])
    assert client.get(API_PROFILE).json()["disagreements"][0]["status"] == "open"

    contradiction_resolve(
        contradiction=dispute,
        verdict=Contradiction.Verdict.DIFFERENT_TIMES,
        note="Two interviews, years apart.",
        acting_user=newsroom.reviewer,
    )
    (resolved,) = client.get(API_PROFILE).json()["disagreements"]
    assert resolved["status"] == "resolved"
    assert resolved["note"] == "Two interviews, years apart."
    assert "Two interviews, years apart." in fetch(client, PROFILE)[1]
    assert client.get(API_PROFILE)["X-Cache"] == "hit"

    contradiction_flag(
        claim_a=newsroom.liu_age,
        claim_b=newsroom.later_age,
        acting_user=newsroom.editor,
        note="The dates do not match the interviews.",
    )

    (reopened,) = client.get(API_PROFILE).json()["disagreements"]
    assert (reopened["status"], reopened["reopened"]) == ("open", True)
    assert reopened["note"] is None
    assert reopened["earlier_note"] == "Two interviews, years apart."
    assert "Reopened: under review again." in fetch(client, PROFILE)[1]


def test_a_bulk_update_shows_at_once(client, newsroom):
    urls = urls_of(newsroom)
    warm(client, urls)

    Candidate.objects.filter(slug="liu-ping").update(state=Candidate.State.DRAFT)

    for url in urls:
        assert "liu-ping" not in fetch(client, url)[1], url


def test_raw_sql_shows_at_once(client, newsroom):
    warm(client, [API_PROFILE])
    table = connection.ops.quote_name(Claim._meta.db_table)

    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET value = %s WHERE id = %s",  # noqa: S608 - a model's table
            ["48", newsroom.liu_age.pk],
        )

    ages = [f["value"] for f in client.get(API_PROFILE).json()["facts"] if f["property"] == "age"]
    assert "48" in ages


def test_a_change_to_one_candidate_leaves_the_other_profiles_cached(client, newsroom):
    if connection.vendor == "postgresql":
        pytest.skip(
            "inside the test's transaction on PostgreSQL, which wrote the records, every page "
            "goes by the whole generation, as designed: tests/production/test_cache_scopes.py "
            "runs this outside it"
        )
    """A profile is cached under its candidate's version and the shared generation: a change
    to another candidate's records leaves it, while the lists that show both are rendered
    again; a change to its own records, to what every profile may cite, or from outside
    every service, is seen at once."""
    xu = f"/candidates/{newsroom.xu.slug}/"
    warm(client, [PROFILE, API_PROFILE, xu, "/candidates/"])

    claim_reject(claim=newsroom.xu_city, acting_user=newsroom.reviewer, reason="Misread.")

    assert client.get(PROFILE)["X-Cache"] == "hit"
    assert client.get(API_PROFILE)["X-Cache"] == "hit"
    assert client.get(xu)["X-Cache"] == "miss"
    assert client.get("/candidates/")["X-Cache"] == "miss"

    # Her own records: a fact taken back.
    claim_reject(claim=newsroom.liu_city, acting_user=newsroom.reviewer, reason="Misread.")
    assert client.get(PROFILE)["X-Cache"] == "miss"
    response = client.get(API_PROFILE)
    assert response["X-Cache"] == "miss"
    assert not [fact for fact in response.json()["facts"] if fact["property"] == Property.CITY]
    assert client.get(PROFILE)["X-Cache"] == "hit"

    # What every profile may cite: an outlet renamed.
    Outlet.objects.filter(pk=newsroom.daily.outlet_id).update(name="The Renamed Daily")
    response, body = fetch(client, PROFILE)
    assert response["X-Cache"] == "miss"
    assert "The Renamed Daily" in body

    # From outside every service, in SQL: settled by the request, which then misses.
    assert client.get(PROFILE)["X-Cache"] == "hit"
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE elections_claim SET state = 'rejected' WHERE id = %s", [newsroom.liu_age.pk]
        )
    response, body = fetch(client, API_PROFILE)
    assert response["X-Cache"] == "miss"
    ages = [fact["value"] for fact in response.json()["facts"] if fact["property"] == "age"]
    assert "47" not in ages and ages


# Lists, outlets' and articles' pages: cached under what they show.


def outside_the_writers_transaction():
    if connection.vendor == "postgresql":
        pytest.skip(
            "inside the test's transaction on PostgreSQL, which wrote the records, every page "
            "goes by the whole generation, as designed: tests/production/test_cache_scopes.py "
            "runs this outside it"
        )


def lists_of(newsroom):
    chinese = newsroom.chinese.outlet.slug
    return [
        "/candidates/",
        f"/candidates/?province={newsroom.jiangxi.slug}",
        "/candidates/?status=barred",
        "/candidates/?sort=verified",
        f"/candidates/?outlet={chinese}",
        "/candidates/?q=liu",
        "/api/candidates/",
        "/api/candidates/?sort=verified",
    ]


def test_a_fact_the_lists_do_not_show_leaves_them_cached(client, newsroom):
    """Taking back her city (she keeps her status, her latest verification, her dispute, her
    place and her other facts from the same outlet) changes no list: every list stays
    cached. Taking back her latest status shows in every list at once."""
    outside_the_writers_transaction()
    lists = lists_of(newsroom)
    warm(client, lists)

    claim_reject(claim=newsroom.liu_city, acting_user=newsroom.reviewer, reason="Misread.")

    assert answers(client, lists) == dict.fromkeys(lists, "hit")

    barred = Claim.objects.get(candidate=newsroom.liu, property=Property.STATUS, value="barred")
    claim_reject(claim=barred, acting_user=newsroom.reviewer, reason="Misread.")

    assert answers(client, lists) == dict.fromkeys(lists, "miss")
    assert "liu-ping" not in fetch(client, "/candidates/?status=barred")[1]
    (row,) = [
        row for row in client.get("/api/candidates/").json()["results"] if row["slug"] == "liu-ping"
    ]
    assert row["status"]["code"] == "declared"


def test_a_verification_shows_in_the_lists_at_once(client, newsroom):
    """A fact verified now makes now her latest verification, which each list card shows and
    the lists sort by."""
    outside_the_writers_transaction()
    lists = lists_of(newsroom)
    warm(client, lists)

    claim_verify(claim=newsroom.unverified, acting_user=newsroom.reviewer)

    assert answers(client, lists) == dict.fromkeys(lists, "miss")


def test_a_change_to_a_candidate_s_names_or_places_shows_in_the_lists_at_once(client, newsroom):
    """Columns of the candidate and her candidacies are no part of what settling compares:
    writing them renews the lists' generation itself, whoever writes."""
    outside_the_writers_transaction()
    lists = lists_of(newsroom)
    warm(client, lists)

    Candidate.objects.filter(pk=newsroom.liu.pk).update(name_zh="刘苹")

    assert answers(client, lists) == dict.fromkeys(lists, "miss")
    assert "刘苹" in fetch(client, "/candidates/")[1]
    # She stood in Hangzhou, not Xinyu.
    Candidacy.objects.filter(pk=newsroom.liu_run.pk).update(election=newsroom.xu_run.election)
    assert answers(client, lists) == dict.fromkeys(lists, "miss")


def article_urls(newsroom):
    return {
        name: f"/articles/{getattr(newsroom, name).pk}/" for name in ("daily", "wire", "chinese")
    }


def test_an_article_s_page_stays_cached_through_changes_to_candidates_it_does_not_cite(
    client, newsroom
):
    """An article's page is cached under its version, renewed when a candidate whose public
    claims cite it is settled, and the shared generation. Xu's public claims cite the wire's
    article only (his misprint in the daily's was overruled: no fact)."""
    outside_the_writers_transaction()
    pages = article_urls(newsroom)
    warm(client, pages.values())
    occupation = Claim.objects.get(candidate=newsroom.xu, property=Property.OCCUPATION)

    claim_reject(claim=occupation, acting_user=newsroom.reviewer, reason="Misread.")

    seen = answers(client, pages.values())
    assert (seen[pages["daily"]], seen[pages["chinese"]], seen[pages["wire"]]) == (
        "hit",
        "hit",
        "miss",
    )
    assert "<strong>sells advertising</strong>" not in fetch(client, pages["wire"])[1]

    # From outside every service, in SQL: the request settles it first, and misses.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE elections_claim SET value = %s WHERE id = %s", ["新余", newsroom.liu_city.pk]
        )
    assert answers(client, [pages["chinese"]]) == {pages["chinese"]: "miss"}
    assert '<strong lang="zh-Hans">新余</strong>' in fetch(client, pages["chinese"])[1]

    # What the page shows of the article itself: a shared table.
    Article.objects.filter(pk=newsroom.chinese.pk).update(title="新余参选人（更正）")
    assert answers(client, pages.values()) == dict.fromkeys(pages.values(), "miss")


def test_an_outlet_s_page_stays_cached_through_changes_to_candidates_it_does_not_show(
    client, newsroom
):
    """An outlet's page is cached under its version, renewed when a candidate whose public
    claims it gave is settled, the disputes' generation and the shared one."""
    outside_the_writers_transaction()
    person = make_candidate("Zhao Lan", by=newsroom.editor)
    article = make_article("Zhao Lan works as a nurse. She is 38.", outlet="Third Paper")
    claims = [
        make_claim(person, Property.OCCUPATION, "nurse", article, "works as a nurse"),
        make_claim(person, Property.AGE, "38", article, "She is 38"),
    ]
    for claim in claims:
        claim_verify(claim=claim, acting_user=newsroom.reviewer)
    candidate_publish(candidate=person, acting_user=newsroom.reviewer)
    third, daily = f"/outlets/{article.outlet.slug}/", f"/outlets/{newsroom.daily.outlet.slug}/"
    warm(client, [third, daily])

    claim_reject(claim=claims[0], acting_user=newsroom.reviewer, reason="Misread.")

    assert answers(client, [third, daily]) == {third: "miss", daily: "hit"}
    assert "<mark>works as a nurse</mark>" not in fetch(client, third)[1]

    # Xu's dispute on his city shows on the daily's page: the verdict found the daily's
    # version wrong, an overruled claim, which is no fact of the daily's. A change to it
    # renews the disputes' generation, which every outlet's page goes by.
    assert not PublicTally.objects.filter(
        kind="reported", subject=newsroom.xu.pk, part=str(newsroom.daily.outlet_id)
    ).exists()
    assert "No place has that name; a misprint." in fetch(client, daily)[1]
    Contradiction.objects.filter(pk=newsroom.city_dispute.pk).update(
        verdict_note="Hongzhou is no place: a misprint."
    )
    assert answers(client, [daily]) == {daily: "miss"}
    assert "Hongzhou is no place: a misprint." in fetch(client, daily)[1]


def test_migrate_gives_a_version_to_each_cited_article_and_outlet_that_has_none(newsroom):
    """Records kept before pages had versions: their pages go by the whole generation until
    the next migrate gives them one."""
    versions = PublicTally.objects.filter(kind="version", part__in=["article", "outlet"])
    cited = {
        ("article", newsroom.daily.pk),
        ("article", newsroom.wire.pk),
        ("article", newsroom.chinese.pk),
        ("outlet", newsroom.daily.outlet_id),
        ("outlet", newsroom.wire.outlet_id),
        ("outlet", newsroom.chinese.outlet_id),
    }
    assert set(versions.values_list("part", "subject")) == cited
    kept = dict(versions.filter(part="article").values_list("subject", "value"))
    versions.filter(part="outlet").delete()

    emit_post_migrate_signal(verbosity=0, interactive=False, db=connection.alias)

    assert set(versions.values_list("part", "subject")) == cited
    assert dict(versions.filter(part="article").values_list("subject", "value")) == kept
