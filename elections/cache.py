"""Rendered public responses, cached until the published data they show changes.

Every table the public site reads carries a database trigger that gives the one-row
`PublicState` table a new generation when the transaction that inserted, updated or deleted
its rows commits (see `install_triggers`). A public request reads the generation (one small
query) and looks its response up in Django's cache framework under a key made of the
generation, the scheme, the host, the path, the query string and the language the page is
answered in (config.languages). A change of any public data
(through a service, the admin, an import, `QuerySet.update()` or raw SQL) changes the
generation in the same transaction, so once it commits every later request misses the old
entries: a withdrawn candidate or a rejected claim leaves every public URL at once. Old
entries are never deleted; they are never asked for again and age out of the cache. Tables
the public never reads (`NEVER_PUBLIC`: uploads waiting for a confirm, task runs, proposals
awaiting review, built exports, history, the public state itself) carry no trigger: writing
them leaves the cached pages alone.

A cache hit costs that one query and no rendering. On a SQLite file the query goes through
one long-lived connection per thread (see `_committed_generation`), since opening one costs
more than a whole hit.

Only anonymous GET and HEAD requests that answer 200 are cached, and only responses that set
no cookie, carry no CSRF token and do not vary on anything but the cookie. The content type
follows from the path (no public URL negotiates on the Accept header), so it is not part of
the key; the entry keeps the response's headers with its body. A streamed response (the
claims CSV) is stored as it is sent, when it ends and if it is no larger than
SOURCEBOOK_PUBLIC_CACHE_MAX_BYTES.

Settings (read at request time): SOURCEBOOK_PUBLIC_CACHE turns caching on or off; the entries
go to the cache alias named by SOURCEBOOK_PUBLIC_CACHE_ALIAS ("public" when configured, else
"default").

The generation at commit (PostgreSQL)
-------------------------------------

Updating the generation row locks it until the transaction ends. Were it updated at each
write, a sheet import writing for minutes would hold it for minutes, and every other writer
(an editor saving a claim) would wait behind it. So on PostgreSQL the row is updated only as
the writing transaction commits:

- A statement-level trigger on each public table (`sourcebook_public_changed`, cheap: no
  lock) draws a number from the generation sequence and keeps it in the transaction-local
  setting `sourcebook.public_pending`. The first such statement of a transaction also inserts
  one row into `sourcebook_public_pending`, which carries a deferred constraint trigger.
- At commit that trigger fires. Django's foreign keys are deferred too, so a big import has
  hundreds of thousands of checks queued, most of them after that row: the first firing only
  touches the row again, which queues a second firing behind every event already queued. The
  second firing updates the generation row (to a new number from the sequence) and deletes
  the pending row. The generation row is locked from then until the commit is written. A
  transaction that leaves candidates marked for settling (`elections.tallies`: a write from
  outside every service) renews every finer row too (see `cache_public`).

A savepoint rolled back takes its pending row and the setting with it, so a transaction whose
public writes were all undone does not bump the generation. SQLite has one writer at a time
anyway, so its row triggers simply draw a new random generation at each changed row.

Why no reader keeps data under a generation older than the data. A request reads the
generation, then the data, in separate statements; each sees what had committed when it
began, and each sees at least what the one before it saw. The data a transaction writes and
the generation it sets become visible together, at its commit:

1. A request that read the new generation G' began after that commit, so every later read of
   it sees the data that commit wrote (or newer): a page stored under G' never shows data
   older than G'.
2. A request that read the old generation G may overlap the commit: it may render some data
   read after it. So, before storing, it reads the generation again (one more query, on a
   miss only) and stores the page only if it is still G: then no statement of the render saw
   the commit (each saw no more than the last read), and the page shows the data of G. A
   page under G is thus only ever the data of G, and only requests that read G, before the
   commit, are served it; generations come from a sequence (or at random), so G never comes
   back.
3. Inside the writing transaction itself (a request that writes then reads public pages, or
   a test), its uncommitted data is visible but the generation row not yet new. There the
   generation read is the pending number of its last public statement instead: a number no
   committed generation ever has (all come from one sequence), which changes at each public
   statement, and which no other transaction can read; a page stored under it is reached by
   nobody else. A rolled-back savepoint restores the setting together with the data.
"""

import functools
import hashlib
import logging
import secrets
import sqlite3
import threading
import time

from django.conf import settings
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpResponse
from django.utils import translation

from config.replicas import reading_from, replica_aliases, replica_for

TRIGGER = "sourcebook_public"
SEQUENCE = "sourcebook_public_generation"
FUNCTION = "sourcebook_public_changed"
# PostgreSQL: the table of transactions with public changes to commit, its deferred trigger
# and that trigger's function, and the transaction-local setting of the pending generation.
PENDING_TABLE = "sourcebook_public_pending"
COMMIT_TRIGGER = "sourcebook_public_commit"
COMMIT_FUNCTION = "sourcebook_public_commit"
PENDING_SETTING = "sourcebook.public_pending"
STATE_TABLE = "elections_publicstate"
STATE_ID = 1
# The second row: the generation of what every profile may show beyond its own candidate's
# records (see "Finer invalidation" below).
SHARED_ID = 2
# The third: of what the candidate lists show (`lists_scope`); the fourth: of the public
# disputes as every outlet's page shows them (`outlet_scope`).
LISTS_ID = 3
DISPUTES_ID = 4
STATE_ROWS = (STATE_ID, SHARED_ID, LISTS_ID, DISPUTES_ID)
SHARED_FUNCTION = "sourcebook_public_changed_shared"
LISTS_FUNCTION = "sourcebook_public_changed_lists"
# PostgreSQL: the function every trigger function and settling calls to note a public change
# for the commit, and the transaction-local settings saying which rows it renews.
NOTE_FUNCTION = "sourcebook_public_note"
SHARED_SETTING = "sourcebook.public_shared"
LISTS_SETTING = "sourcebook.public_lists"
DISPUTES_SETTING = "sourcebook.public_disputes"
_ROW_SETTINGS = (
    (SHARED_ID, SHARED_SETTING),
    (LISTS_ID, LISTS_SETTING),
    (DISPUTES_ID, DISPUTES_SETTING),
)
PUBLIC_APPS = ("sources", "elections")
# Models of those apps the public never reads: writing them changes no public page.
NEVER_PUBLIC = frozenset(
    {
        "sources.SheetUpload",
        "sources.TaskRun",
        "elections.CandidateProposal",
        # Built exports show the public record; they do not change it.
        "elections.ExportFile",
        "elections.ExportPart",
        # A data release is a snapshot of the public record, never a change to it; /data/
        # reads the releases uncached (elections.views.releases).
        "elections.DataRelease",
        "elections.DataReleaseFile",
        "elections.DataReleasePart",
        # Kept tallies are derived in the transaction that changed what they count.
        "elections.CandidateDigest",
        "elections.DigestLedger",
        "elections.PublicTally",
        "elections.TallyPending",
    }
)
VENDORS = ("sqlite", "postgresql")
logger = logging.getLogger(__name__)
_OPERATIONS = ("INSERT", "UPDATE", "DELETE")
_VARY_ALLOWED = {"", "cookie", "accept-language"}

# The statements are built from the constants above and from model table names, never from
# input, hence the S608 exemptions.
_SELECT_GENERATION = f"SELECT generation FROM {STATE_TABLE} WHERE id = {STATE_ID}"  # noqa: S608
# Inside a transaction with public changes to commit, the pending generation (see above).
_PG_SELECT_GENERATION = (
    f"SELECT coalesce(nullif(current_setting('{PENDING_SETTING}', true), '')::bigint, "  # noqa: S608
    f"generation) FROM {STATE_TABLE} WHERE id = {STATE_ID}"
)
_SELECT_STATE = f"SELECT id FROM {STATE_TABLE} WHERE id IN ({', '.join(map(str, STATE_ROWS))})"  # noqa: S608
_INSERT_STATE = f"INSERT INTO {STATE_TABLE} (id, generation) VALUES (%s, %s)"  # noqa: S608
_PG_BUMP_FLAGGED = "".join(
    f"IF current_setting('{setting}', true) = '1' THEN "  # noqa: S608 - ours
    f"UPDATE {STATE_TABLE} SET generation = nextval('{SEQUENCE}') WHERE id = {row}; END IF; "
    for row, setting in _ROW_SETTINGS
)
_PG_FLAGS = "".join(
    f"IF to_{name} THEN PERFORM set_config('{setting}', '1', true); END IF; "
    for name, setting in zip(
        ("shared", "lists", "disputes"),
        (SHARED_SETTING, LISTS_SETTING, DISPUTES_SETTING),
        strict=True,
    )
)

# The table of candidates marked for settling (`elections.tallies.PENDING_TABLE`; named here
# since this module is imported before the models). Read at commit only once it exists.
TALLY_PENDING_TABLE = "elections_tallypending"
_PG_RENEW_ROWS = "".join(
    f"PERFORM set_config('{setting}', '1', true); " for _row, setting in _ROW_SETTINGS
)
_PG_UNSETTLED = (
    f"IF to_regclass('{TALLY_PENDING_TABLE}') IS NOT NULL THEN "  # noqa: S608 - ours
    f"IF EXISTS (SELECT 1 FROM {TALLY_PENDING_TABLE}) THEN {_PG_RENEW_ROWS}END IF; END IF; "
)


def _pg_trigger_function(name, *, shared, lists):
    return (
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN PERFORM {NOTE_FUNCTION}({str(shared).lower()}, {str(lists).lower()}, false); "
        "RETURN NULL; END $$"
    )


_PG_SETUP = [
    f"CREATE SEQUENCE IF NOT EXISTS {SEQUENCE}",
    f"CREATE TABLE IF NOT EXISTS {PENDING_TABLE} (id bigint PRIMARY KEY)",
    # A public change to commit: a new pending generation, and on the transaction's first,
    # the pending row; with the rows besides the whole generation that it renews. No lock
    # but the row's own.
    f"CREATE OR REPLACE FUNCTION {NOTE_FUNCTION}(to_shared boolean, to_lists boolean, "  # noqa: S608
    f"to_disputes boolean) RETURNS void LANGUAGE plpgsql AS $$ "
    f"DECLARE pending bigint := nextval('{SEQUENCE}'); "
    f"BEGIN IF coalesce(current_setting('{PENDING_SETTING}', true), '') = '' THEN "
    f"INSERT INTO {PENDING_TABLE} (id) VALUES (pending); END IF; "
    f"PERFORM set_config('{PENDING_SETTING}', pending::text, true); "
    f"{_PG_FLAGS}END $$",
    # At commit, on the pending row's insert: queue the bump behind every deferred event
    # already queued (the foreign-key checks of a whole import); on that update: bump, in
    # the rows' order. A transaction that commits public changes with tallies left to settle
    # (a write from outside every service) renews every finer row too (`_PG_UNSETTLED`).
    f"CREATE OR REPLACE FUNCTION {COMMIT_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ "  # noqa: S608
    f"BEGIN IF TG_OP = 'INSERT' THEN "
    f"UPDATE {PENDING_TABLE} SET id = id WHERE id = NEW.id; "
    f"ELSE {_PG_UNSETTLED}"
    f"UPDATE {STATE_TABLE} SET generation = nextval('{SEQUENCE}') WHERE id = {STATE_ID}; "
    f"{_PG_BUMP_FLAGGED}"
    f"DELETE FROM {PENDING_TABLE} WHERE id = NEW.id; "
    f"END IF; RETURN NULL; END $$",
    # Created once, never replaced: dropping it would drop the events a transaction that
    # runs this (a migration, a test) has queued, and with them its bump.
    f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = '{COMMIT_TRIGGER}' "  # noqa: S608
    f"AND tgrelid = '{PENDING_TABLE}'::regclass) THEN "
    f"CREATE CONSTRAINT TRIGGER {COMMIT_TRIGGER} AFTER INSERT OR UPDATE ON {PENDING_TABLE} "
    f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {COMMIT_FUNCTION}(); "
    f"END IF; END $$",
    # On each statement that writes a public table: of `LISTED_BY_SETTLING`, the whole
    # generation only; of another table of `SCOPED_TABLES`, the lists' too; of any other,
    # the shared generation too.
    _pg_trigger_function(FUNCTION, shared=False, lists=False),
    _pg_trigger_function(LISTS_FUNCTION, shared=False, lists=True),
    _pg_trigger_function(SHARED_FUNCTION, shared=True, lists=True),
]


def _sqlite_bump(*rows):
    return (
        f"UPDATE {STATE_TABLE} SET generation = random() WHERE id IN ({', '.join(map(str, rows))});"  # noqa: S608
    )


# The triggers.


def public_tables(apps):
    """The tables whose changes the public site must see: every model of `sources` and
    `elections` but the history records, the public state itself and `NEVER_PUBLIC`.

    `apps` is an app registry: the project's, or a migration's historical one.
    """
    from simple_history.models import HistoricalChanges

    tables = []
    for label in PUBLIC_APPS:
        for model in apps.get_app_config(label).get_models():
            meta = model._meta
            if meta.proxy or not meta.managed or meta.db_table == STATE_TABLE:
                continue
            if meta.label in NEVER_PUBLIC or issubclass(model, HistoricalChanges):
                continue
            tables.append(meta.db_table)
    return sorted(tables)


def fresh_generation():
    """A generation no earlier state of the database can have had."""
    return secrets.randbits(62)


def renew_generation(sender=None, *, using=DEFAULT_DB_ALIAS, **_signal):
    """Set a generation no server can have cached a page under; connected to
    `sources.backups.database_restored`, since a restore brings back an old generation.

    The triggers are put back as this code makes them too: a backup taken before a change
    of their design brings the old ones back.
    """
    from django.apps import apps

    connection = connections[using]
    if connection.vendor not in VENDORS:
        return None
    if STATE_TABLE not in connection.introspection.table_names():
        return None
    generation = renew_generation_row(using=using)
    install_triggers(connection, public_tables(apps))
    return f"Public cache: new generation {generation}."


def renew_generation_row(*, using=DEFAULT_DB_ALIAS):
    """Give the public state generations no page was cached under (the whole one, and each
    finer one: `STATE_ROWS`), in the caller's transaction; the new whole generation."""
    generations = {row: fresh_generation() for row in STATE_ROWS}
    with connections[using].cursor() as cursor:
        for row, generation in generations.items():
            cursor.execute(
                f"UPDATE {STATE_TABLE} SET generation = %s WHERE id = %s",  # noqa: S608
                [generation, row],
            )
    return generations[STATE_ID]


def public_change_noted(*, using=DEFAULT_DB_ALIAS):
    """Whether the caller's transaction may have changed what the public sees, so that
    settling must renew the versions and generations of the pages it settles for
    (`elections.tallies`).

    On PostgreSQL, whether a write of this transaction to a public table was one the public
    may see (its pending generation is set: see the module's docstring): a transaction that
    only recorded unverified claims or edited draft candidates changed no page, and the
    candidates it marked keep their pages' keys. Marks that a write from outside every
    service left, whoever settles them, need no renewal from the settling transaction: that
    write renewed every finer generation as it committed (`_PG_UNSETTLED`). Elsewhere
    (SQLite): always True.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT coalesce(current_setting('{PENDING_SETTING}', true), '') <> ''")
        return cursor.fetchone()[0]


def note_settled_change(*, lists=False, disputes=False, using=DEFAULT_DB_ALIAS):
    """Renew the generations of the lists (`lists`) and of the public disputes (`disputes`),
    and the whole one, in the caller's transaction: settling (`elections.tallies.settle`)
    found that what it keeps changed what those pages show. On PostgreSQL as a trigger
    would, at commit (see the module's docstring); on SQLite at once."""
    if not (lists or disputes):
        return
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT {NOTE_FUNCTION}(false, %s, %s)", [lists, disputes])
        elif connection.vendor == "sqlite":
            rows = [STATE_ID, *([LISTS_ID] if lists else []), *([DISPUTES_ID] if disputes else [])]
            cursor.execute(_sqlite_bump(*rows))


# What a write must touch to change a public page (DESIGN.md, "What is public"). Tables
# whose rows the public sees only in some states: a write that leaves a row unseen before
# and after (a draft candidate edited, an unverified claim recorded) changes no public page
# and gives no new generation. The predicate is over one row, `{row}` being OLD or NEW; the
# values are the models' (`Claim.State.VERIFIED`, `Candidate.State.PUBLISHED`, and a merged
# record's redirect), which a test checks.
SEEN_WHEN = {
    "elections_claim": "{row}.state = 'verified'",
    "elections_candidate": "({row}.state = 'published' OR {row}.merged_into_id IS NOT NULL)",
}
# Columns no public page, export or count reads: editors' notes and who did what when. An
# update that changes only these (an editor's note on a verified claim) changes no public
# page and gives no new generation; any other column changed does. Every column not listed
# here counts as shown, so a column added later is shown until it is listed (a test checks
# that each listed column exists and that no public surface reads it).
UNSHOWN_COLUMNS = {
    "elections_claim": (
        "note",
        "updated_at",
        "revision",
        "created_by_id",
        "reviewed_by_id",
        "created_at",
    ),
    "elections_candidate": ("notes", "updated_at", "revision", "created_at"),
}


def shown_change(connection, table, old="OLD", new="NEW"):
    """An SQL condition true when a row of `table` changed in a column the public may see
    (every column but `UNSHOWN_COLUMNS`), comparing the rows `old` and `new`; None for a
    table whose every column counts."""
    unshown = UNSHOWN_COLUMNS.get(table)
    if unshown is None:
        return None
    with connection.cursor() as cursor:
        columns = [
            column.name
            for column in connection.introspection.get_table_description(cursor, table)
            if column.name not in unshown
        ]
    quote = connection.ops.quote_name
    differs = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
    return (
        "("
        + " OR ".join(
            f"{old}.{quote(column)} {differs} {new}.{quote(column)}" for column in columns
        )
        + ")"
    )


# Tables each of whose changes marks the candidates it bears on (`elections.tallies.MARKS`),
# which settling gives a new version, or bears on no profile at all: a candidate's profile is
# cached under its own version and the shared generation, which every write to any other
# public table changes.
SCOPED_TABLES = frozenset(
    {
        # The log of changes: no profile shows it (/changes/ pages go by the whole
        # generation), and it is written with the change it logs.
        "elections_publicevent",
        "elections_candidate",
        "elections_candidatename",
        "elections_claim",
        "elections_candidacy",
        "elections_candidacystatus",
        "elections_contradiction",
        "elections_disputeclaim",
    }
)


# Tables of `SCOPED_TABLES` whose changes reach the candidate lists (`lists_scope`) only
# through what settling keeps of each candidate (its digest and its part of the counts):
# settling compares what the lists read of it before and after, and renews their generation
# when it changed (`note_settled_change`). A change to any other public table (a candidate's
# names or columns, a candidacy, and all those outside `SCOPED_TABLES`) renews it at once.
LISTED_BY_SETTLING = frozenset(
    {
        "elections_publicevent",
        "elections_claim",
        "elections_candidacystatus",
        "elections_contradiction",
        "elections_disputeclaim",
    }
)


# Tables whose new rows nobody sees until a public claim cites them, whose own write then
# gives the new generation: an editor's new passage, an imported article (with its first
# version) or outlet, a fetched copy (keeping one also updates its article's `archived_at`).
# Their changes and removals may show (a cited passage re-anchored, an outlet renamed; an
# edited article's new version comes with a change to the article).
UNSEEN_WHEN_NEW = frozenset(
    {
        "sources_archivedcopy",
        "sources_article",
        "sources_articleversion",
        "sources_passage",
        "sources_outlet",
    }
)


def _fingerprint(statement):
    return hashlib.sha256(statement.encode()).hexdigest()[:8]


def _designs(connection, table):
    """{trigger name: CREATE statement} of `table`'s triggers. A name carries a fingerprint
    of its statement, so a trigger of the same name is of this design, and installing is
    idempotent by name; a changed design gets new names and replaces the old triggers."""
    quote = connection.ops.quote_name
    seen_when = SEEN_WHEN.get(table)
    insert = table not in UNSEEN_WHEN_NEW
    designs = {}
    scoped = table in SCOPED_TABLES
    listed = scoped and table in LISTED_BY_SETTLING
    if connection.vendor == "postgresql":
        function = FUNCTION if listed else LISTS_FUNCTION if scoped else SHARED_FUNCTION
        execute = f"EXECUTE FUNCTION {function}()"
        if seen_when is None:
            events = " OR ".join(
                event
                for event in ("INSERT", "UPDATE", "DELETE", "TRUNCATE")
                if insert or event != "INSERT"
            )
            statements = {"all": f"BEFORE {events} ON {quote(table)} FOR EACH STATEMENT {execute}"}
        else:
            old, new = seen_when.format(row="OLD"), seen_when.format(row="NEW")
            target = f"ON {quote(table)} FOR EACH ROW"
            changed = shown_change(connection, table)
            updated = f"({old} OR {new})" + (f" AND {changed}" if changed else "")
            statements = {
                "ins": f"AFTER INSERT {target} WHEN ({new}) {execute}",
                "upd": f"AFTER UPDATE {target} WHEN ({updated}) {execute}",
                "del": f"AFTER DELETE {target} WHEN ({old}) {execute}",
                "trunc": f"BEFORE TRUNCATE ON {quote(table)} FOR EACH STATEMENT {execute}",
            }
        for kind, body in statements.items():
            name = f"{TRIGGER}_{kind}_{_fingerprint(body)}"
            designs[name] = f"CREATE TRIGGER {quote(name)} {body}"
        return designs
    for operation in _OPERATIONS:
        if operation == "INSERT" and not insert:
            continue
        when = ""
        if seen_when is not None:
            rows = {"INSERT": ["NEW"], "UPDATE": ["OLD", "NEW"], "DELETE": ["OLD"]}[operation]
            seen = " OR ".join(f"({seen_when.format(row=row)})" for row in rows)
            changed = shown_change(connection, table) if operation == "UPDATE" else None
            when = f"WHEN ({seen}) AND {changed} " if changed else f"WHEN {seen} "
        rows = (
            [STATE_ID]
            if listed
            else [STATE_ID, LISTS_ID]
            if scoped
            else [STATE_ID, SHARED_ID, LISTS_ID]
        )
        bump = _sqlite_bump(*rows)
        body = f"AFTER {operation} ON {quote(table)} {when}BEGIN {bump} END"
        name = f"{TRIGGER}_{table}_{operation.lower()}_{_fingerprint(body)}"
        designs[name] = f"CREATE TRIGGER {quote(name)} {body}"
    return designs


def install_triggers(connection, tables):
    """Give each of `tables` that exists its triggers (`_designs`), and take ours off every
    other table and every trigger of an earlier design; idempotent: with nothing to change it
    writes nothing and takes no table's lock.

    SQLite has row triggers only: each changed row the public may see draws a new random
    generation (one writer at a time, so nobody waits on the row). PostgreSQL fires once per
    statement, or per row the public may see, and sets the generation at commit (see the
    module's docstring).
    """
    if connection.vendor not in VENDORS:
        return []
    existing = set(connection.introspection.table_names())
    if STATE_TABLE not in existing:
        return []
    tables = [table for table in tables if table in existing]
    quote = connection.ops.quote_name
    present = set(_triggers(connection))
    wanted = {(table, name) for table in tables for name in _designs(connection, table)}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for statement in _PG_SETUP:
                cursor.execute(statement)
    for table in tables:
        designs = _designs(connection, table)
        missing = [statement for name, statement in designs.items() if (table, name) not in present]
        stale = [name for other, name in present if other == table and (table, name) not in wanted]
        if not missing and not stale:
            continue
        if connection.vendor == "postgresql":
            # Each table's triggers change in one transaction that waits only so long for
            # the table's writers (CREATE TRIGGER's lock); readers never wait for it.
            drops = [f"DROP TRIGGER IF EXISTS {quote(name)} ON {quote(table)}" for name in stale]
            _with_lock_timeout(connection, table, [*drops, *missing])
        else:
            with connection.cursor() as cursor:
                for name in stale:
                    cursor.execute(f"DROP TRIGGER IF EXISTS {quote(name)}")
                for statement in missing:
                    cursor.execute(statement)
    _remove_other_triggers(connection, tables)
    return tables


# How long installing a trigger waits for a table's lock (a writer's open transaction holds
# one) before it gives up, and how many times it tries: the public's writes queue behind a
# waiting CREATE TRIGGER, so it must not wait long.
TRIGGER_LOCK_TIMEOUT_MS = 2000
TRIGGER_LOCK_ATTEMPTS = 5


def _with_lock_timeout(connection, table, statements):
    """Run `statements` on `table` in a transaction that waits at most
    TRIGGER_LOCK_TIMEOUT_MS for the table's lock, trying TRIGGER_LOCK_ATTEMPTS times."""
    from django.db import OperationalError, transaction

    for attempt in range(1, TRIGGER_LOCK_ATTEMPTS + 1):
        try:
            with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
                cursor.execute(
                    "SELECT set_config('lock_timeout', %s, true)", [f"{TRIGGER_LOCK_TIMEOUT_MS}ms"]
                )
                for statement in statements:
                    cursor.execute(statement)
            return
        except OperationalError as error:
            if getattr(getattr(error, "__cause__", None), "sqlstate", "") != "55P03":
                raise
            if attempt == TRIGGER_LOCK_ATTEMPTS:
                raise OperationalError(
                    f"The public-cache trigger of {table} could not be installed: the table "
                    f"stayed locked by another transaction ({TRIGGER_LOCK_ATTEMPTS} tries of "
                    f"{TRIGGER_LOCK_TIMEOUT_MS} ms). Run `manage.py migrate` again once it "
                    "has ended."
                ) from error
            time.sleep(0.5 * attempt)


def triggers_named(connection, prefixes, *, names=()):
    """Our triggers of the kinds `prefixes`: (table, trigger name) of each trigger on a table
    the connection sees whose name is one of `prefixes`, an underscore and more, or one of
    `names`. The one rule by which this module, `elections.tallies` and the migrations' hooks
    (`drop_column_triggers`) find the triggers they made."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            matches = ["t.tgname LIKE %s"] * len(prefixes) + ["t.tgname = %s"] * len(names)
            cursor.execute(
                "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c "  # noqa: S608
                f"ON c.oid = t.tgrelid WHERE ({' OR '.join(matches)}) "
                "AND pg_table_is_visible(c.oid)",
                [*(f"{prefix}\\_%" for prefix in prefixes), *names],
            )
        else:
            matches = ["substr(name, 1, %s) = %s"] * len(prefixes) + ["name = %s"] * len(names)
            cursor.execute(
                "SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger' "  # noqa: S608
                f"AND ({' OR '.join(matches)})",
                [
                    *(part for prefix in prefixes for part in (len(prefix) + 1, f"{prefix}_")),
                    *names,
                ],
            )
        return [(table, name) for table, name in cursor.fetchall()]


def _triggers(connection):
    """Our triggers on tables: (table, trigger name) pairs (an earlier design's one trigger
    named `TRIGGER` among them)."""
    return [
        (table, name)
        for table, name in triggers_named(connection, [TRIGGER], names=[TRIGGER])
        if name != COMMIT_TRIGGER
    ]


def _remove_other_triggers(connection, tables):
    quote = connection.ops.quote_name
    stray = [(table, name) for table, name in _triggers(connection) if table not in tables]
    for table, name in stray:
        if connection.vendor == "postgresql":
            _with_lock_timeout(
                connection, table, [f"DROP TRIGGER IF EXISTS {quote(name)} ON {quote(table)}"]
            )
        else:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TRIGGER IF EXISTS {quote(name)}")


def remove_triggers(connection, tables):
    """Drop the triggers `install_triggers` made on `tables` (for a migration's reversal)."""
    if connection.vendor not in VENDORS:
        return
    existing = set(connection.introspection.table_names())
    quote = connection.ops.quote_name
    ours = _triggers(connection)
    with connection.cursor() as cursor:
        for table, name in ours:
            if table not in tables or table not in existing:
                continue
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {quote(name)} ON {quote(table)}")
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS {quote(name)}")
        if connection.vendor == "postgresql":
            for function in (FUNCTION, LISTS_FUNCTION, SHARED_FUNCTION):
                cursor.execute(f"DROP FUNCTION IF EXISTS {function}()")
            cursor.execute(f"DROP FUNCTION IF EXISTS {NOTE_FUNCTION}(boolean, boolean, boolean)")
            cursor.execute(f"DROP TABLE IF EXISTS {PENDING_TABLE}")
            cursor.execute(f"DROP FUNCTION IF EXISTS {COMMIT_FUNCTION}()")
            cursor.execute(f"DROP SEQUENCE IF EXISTS {SEQUENCE}")


def drop_column_triggers(*, using=DEFAULT_DB_ALIAS, **_signal):
    """Drop our update triggers of the tables of `UNSHOWN_COLUMNS`, and those of
    `elections.tallies`: they name each column, and a migration could not drop a column a
    trigger names. Connected to `pre_migrate`; `post_migrate` puts them back
    (`ensure_public_state`, `elections.tallies.after_migrate`)."""
    from elections.tallies import TRIGGER_PREFIX

    connection = connections[using]
    if connection.vendor not in VENDORS or not _signal.get("plan", True):
        return  # nothing to migrate: no trigger is touched, no table locked
    quote = connection.ops.quote_name
    found = triggers_named(connection, [TRIGGER, TRIGGER_PREFIX])
    with connection.cursor() as cursor:
        for table, name in found:
            if table not in UNSHOWN_COLUMNS or "_upd" not in name:
                continue
            on = f" ON {quote(table)}" if connection.vendor == "postgresql" else ""
            cursor.execute(f"DROP TRIGGER IF EXISTS {quote(name)}{on}")


def tables_without_trigger(connection, tables):
    """Which of `tables` lack one of their triggers (and, on PostgreSQL, whether the table of
    pending commits has its deferred trigger: without it, none is covered)."""
    present = set(_triggers(connection))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE t.tgname = %s AND c.relname = %s AND t.tgdeferrable "
                "AND t.tginitdeferred AND pg_table_is_visible(c.oid)",
                [COMMIT_TRIGGER, PENDING_TABLE],
            )
            if cursor.fetchone() is None:
                return list(tables)
    return [
        table
        for table in tables
        if not all((table, name) in present for name in _designs(connection, table))
    ]


def ensure_public_state(*, using=DEFAULT_DB_ALIAS, apps=None, **kwargs):
    """Make sure the public state row exists and every public table has its trigger (and no
    other table has one).

    Connected to `post_migrate`: SQLite drops a table's triggers when a migration rebuilds
    the table, `flush` empties the public state table, and a model added to `NEVER_PUBLIC` or
    a new design of the triggers takes effect; all are done here.
    """
    from django.apps import apps as project_apps

    connection = connections[using]
    if connection.vendor not in VENDORS:
        return
    if STATE_TABLE not in connection.introspection.table_names():
        return
    with connection.cursor() as cursor:
        cursor.execute(_SELECT_STATE)
        present = {row[0] for row in cursor.fetchall()}
        for row_id in STATE_ROWS:
            if row_id not in present:
                cursor.execute(_INSERT_STATE, [row_id, fresh_generation()])
    install_triggers(connection, public_tables(apps or project_apps))


# The cache.


def public_generation(using=DEFAULT_DB_ALIAS):
    """The current generation of the public data, or None when it cannot be trusted.

    Inside a transaction that wrote public data on PostgreSQL, the pending generation of its
    last write (see the module's docstring).
    """
    connection = connections[using]
    if connection.vendor not in VENDORS:
        return None
    if _reads_on_its_own(connection):
        try:
            return _committed_generation(connection.settings_dict["NAME"])
        except sqlite3.Error:
            _readers.__dict__.clear()
    select = _PG_SELECT_GENERATION if connection.vendor == "postgresql" else _SELECT_GENERATION
    with connection.cursor() as cursor:
        cursor.execute(select)
        row = cursor.fetchone()
    return row[0] if row else None


# The project opens a new SQLite connection for every request (CONN_MAX_AGE is 0 there), and
# SQLite reads the whole schema on a connection's first statement: milliseconds, where a
# cache hit should cost microseconds. So on a SQLite file the generation is read through one
# long-lived connection per thread, in autocommit, which sees every committed change. Inside
# a transaction of Django's own connection (ATOMIC_REQUESTS, or a test) it could not see the
# transaction's changes, so Django's connection is used then.
_readers = threading.local()


def _reads_on_its_own(connection):
    return (
        connection.vendor == "sqlite"
        and not connection.is_in_memory_db()
        and not connection.in_atomic_block
    )


def _committed_generation(path):
    reader = getattr(_readers, "connection", None)
    if reader is None or _readers.path != path:
        reader = sqlite3.connect(path, isolation_level=None, timeout=20)
        _readers.connection, _readers.path = reader, path
    row = reader.execute(_SELECT_GENERATION).fetchone()
    return row[0] if row else None


def public_cache():
    """The cache backend that holds rendered public responses."""
    alias = getattr(settings, "SOURCEBOOK_PUBLIC_CACHE_ALIAS", None)
    if alias is None:
        alias = "public" if "public" in settings.CACHES else "default"
    return caches[alias]


def cache_key(request, generation):
    """The key of `request`'s response at `generation`, in the language it is answered in."""
    address = "\n".join(
        [
            request.scheme,
            request.get_host(),
            request.path,
            request.META.get("QUERY_STRING", ""),
            translation.get_language() or "",
        ]
    )
    digest = hashlib.sha256(address.encode("utf-8", "surrogateescape")).hexdigest()
    return f"sourcebook:public:{generation}:{digest}"


def _is_anonymous(request):
    # Without a session cookie nobody is logged in, and the session need not be read.
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return True
    user = getattr(request, "user", None)
    return user is None or not user.is_authenticated


def _anonymous_read(request):
    return request.method in ("GET", "HEAD") and _is_anonymous(request)


def _cacheable_response(request, response):
    if response.status_code != 200 or response.cookies:
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False
    vary = {part.strip().lower() for part in response.get("Vary", "").split(",")}
    if not vary <= _VARY_ALLOWED:
        return False
    cache_control = response.get("Cache-Control", "").lower()
    return "private" not in cache_control and "no-store" not in cache_control


def _head(response):
    headers = [(name, value) for name, value in response.items() if name.lower() != "x-cache"]
    return response.status_code, headers


def _from_entry(entry):
    status, headers, content = entry
    return HttpResponse(content, status=status, headers={**dict(headers), "X-Cache": "hit"})


def _still(generation):
    """Whether the generation is still `generation` after a page was rendered: if not, data
    may have changed under the render, and its page is not kept (see the module's docstring).
    """
    return public_generation() == generation


def _stored_as_sent(stream, store, key, head, limit, timeout, still):
    """Yield `stream` on, and store what was sent once it has all gone, if it fits in `limit`
    and the generation has not changed meanwhile."""
    parts, size, complete = [], 0, False
    try:
        for chunk in stream:
            if parts is not None:
                size += len(chunk)
                if size <= limit:
                    parts.append(chunk)
                else:
                    parts = None
            yield chunk
        complete = True
    finally:
        if complete and parts is not None and still():
            _cache_set(store, key, (*head, b"".join(parts)), timeout)


def _store(request, response, store, key, still):
    """Keep `response` under `key` when it may be kept and `still()` says the data it was
    rendered from has not changed meanwhile (see the module's docstring)."""
    if not _cacheable_response(request, response):
        return
    limit = getattr(settings, "SOURCEBOOK_PUBLIC_CACHE_MAX_BYTES", 8 * 1024 * 1024)
    timeout = getattr(settings, "SOURCEBOOK_PUBLIC_CACHE_TIMEOUT", 3600)
    head = _head(response)
    if response.streaming:
        response.streaming_content = _stored_as_sent(
            response.streaming_content, store, key, head, limit, timeout, still
        )
    elif len(response.content) <= limit and still():
        _cache_set(store, key, (*head, response.content), timeout)


# A shared cache that fails (Redis or memcached down, a timeout) is reported here at most
# once a minute per process, and each request goes on without it: the page is rendered.
_OUTAGE_REPORT_SECONDS = 60
_last_outage_report = [0.0]


def _cache_failed(action, error):
    now = time.monotonic()
    if now - _last_outage_report[0] >= _OUTAGE_REPORT_SECONDS:
        _last_outage_report[0] = now
        logger.warning("The public cache failed to %s (%s): pages are rendered.", action, error)


def _cache_get(store, key):
    try:
        return store.get(key)
    except Exception as error:  # whatever the backend raises: the page is rendered instead
        _cache_failed("answer", error)
        return None


def _cache_set(store, key, value, timeout):
    try:
        store.set(key, value, timeout)
    except Exception as error:  # the page was served; it is only not kept
        _cache_failed("keep a page", error)


# The kinds of scope (`cache_public`'s `scope`): for each, the prefix of its key, the rows of
# the public state it goes with and, but for the lists, which version it goes by: the `part`
# of its `elections.tallies.VERSION` rows, and the SQL that finds its subject from the key.
_SCOPES = {
    "candidate": (
        "c",
        (SHARED_ID,),
        "",
        "(SELECT c.id FROM elections_candidate c WHERE c.slug = %s)",
    ),
    "outlet": (
        "o",
        (DISPUTES_ID, SHARED_ID),
        "outlet",
        "(SELECT o.id FROM sources_outlet o WHERE o.slug = %s)",
    ),
    "article": ("a", (SHARED_ID,), "article", "%s"),
    "lists": ("l", (LISTS_ID,), None, None),
}


def scoped_generation(scope, *, using=DEFAULT_DB_ALIAS):
    """The generation a page of `scope` is cached under, a (kind, key) pair of `_SCOPES`:

    - ("candidate", slug): the candidate's version and the shared generation;
    - ("outlet", slug): the outlet's version, the disputes' generation and the shared one;
    - ("article", id): the article's version and the shared generation;
    - ("lists", None): the lists' generation;

    as a string ("c<version>.<shared>", ...), never equal to a whole generation; None when one
    is unknown (no such subject, or nothing cited it yet): the page then goes by the whole
    generation. Inside a transaction with public changes still to commit, its pending
    generation (an int): its pages go by the whole generation then, as every other page (see
    the module's docstring). Why each is safe: `cache_public`.

    One query, which also says whether writes from outside every service left tallies to
    settle: those are settled first (`elections.tallies.settled`), renewing what they change,
    so that no page is served from before them.
    """
    from elections.tallies import PENDING_TABLE, VERSION
    from sources.admin.widgets import DATABASE_INTEGERS

    connection = connections[using]
    kind, key = scope
    if connection.vendor not in VENDORS or kind not in _SCOPES:
        return None
    prefix, rows, part, subject = _SCOPES[kind]
    if subject is not None and (
        key is None or (kind == "article" and key not in DATABASE_INTEGERS)
    ):
        return None
    pending = (
        f"nullif(current_setting('{PENDING_SETTING}', true), '')"
        if connection.vendor == "postgresql"
        else "NULL"
    )
    columns = [f"EXISTS (SELECT 1 FROM {PENDING_TABLE})", pending]  # noqa: S608 - ours
    columns += [f"(SELECT generation FROM {STATE_TABLE} WHERE id = {row})" for row in rows]  # noqa: S608
    parameters = []
    if subject is not None:
        columns.append(
            "(SELECT t.value FROM elections_publictally t WHERE t.kind = %s AND t.part = %s "  # noqa: S608
            f"AND t.subject = {subject})"
        )
        parameters = [VERSION, part, key]
    query = f"SELECT {', '.join(columns)}"
    for attempt in range(2):
        with connection.cursor() as cursor:
            cursor.execute(query, parameters)
            marks, uncommitted, *values = cursor.fetchone()
        if not marks or attempt:
            break
        from elections.tallies import settled

        settled(using=using)
    if uncommitted:
        return int(uncommitted)  # the whole generation, as public_generation would read it
    if any(value is None for value in values):
        return None
    if subject is not None:
        values = [values[-1], *values[:-1]]  # the version first
    return prefix + ".".join(str(value) for value in values)


def candidate_scope(*args, slug=None, **kwargs):
    """The scope of a candidate's profile (page or JSON): its slug."""
    return ("candidate", slug)


def outlet_scope(*args, slug=None, **kwargs):
    """The scope of an outlet's page: its slug."""
    return ("outlet", slug)


def article_scope(*args, pk=None, **kwargs):
    """The scope of an article's page: its id."""
    return ("article", pk)


def lists_scope(*args, **kwargs):
    """The scope of the candidate lists (the page and the API's), whatever their query."""
    return ("lists", None)


def cache_public(view, *, scope=None):
    """Serve `view`'s anonymous GET and HEAD responses from the cache while the public data
    they were rendered from has not changed; render those it does not hold from a read
    replica that has every public change, when there is one (`config.replicas`).

    With `scope` (a function of the view's arguments giving the page's scope: `candidate_scope`,
    `outlet_scope`, `article_scope`, `lists_scope`), the response is cached under what
    `scoped_generation` reads for it rather than the whole generation, so that a change the
    page does not show leaves it cached. Finer invalidation, and why it is safe:

    - Every change to the tables in `SCOPED_TABLES` marks the candidates it bears on
      (`elections.tallies` triggers, whoever wrote it), and settling, in the same transaction,
      gives each a new version, and a new version to each article and outlet that its public
      claims cite, before or after; a write from outside every service is settled by the
      next request that reads a scope, before it reads it.
    - Every change to any other public table (articles, passages, outlets, places, elections,
      archived copies, and any table added later) changes the shared generation too.
    - A profile shows its candidate's records and what they cite; so a change that can alter
      it changes its version or the shared generation, in the transaction that makes it.
      The read-render-read-again argument of the module's docstring then holds with the pair
      in place of the generation. (A profile links an article only when a public claim cites
      it; a link that another candidate's change would add or take away may show late. It
      names nothing the profile does not already cite.)
    - An article's page shows the public claims that cite it, with their candidates and
      whether a public dispute holds them, and the article, its outlet and passages: a
      change to any of those claims or candidates is a change to a candidate whose public
      claims cite it (before, after, or both), so it gets a new version; the rest is in the
      shared tables.
    - An outlet's page shows its counts and its public claims by candidate (as the article's
      page, by the same rule), and the public disputes in which one of its claims is a
      version. A version may be a claim a verdict overruled, which is no public claim: so
      the page goes by the disputes' generation too, which settling renews whenever it
      settles a candidate that had or has a public dispute (`elections.tallies.Settled`).
    - Settling renews those versions and generations only in a transaction that changed
      something the public sees (`public_change_noted`; on PostgreSQL, one with a write
      the public may see: the same condition that gives a new whole generation, which the
      home page relies on). Editors recording claims not yet verified, or editing draft
      candidates, mark candidates whose pages cannot change: their pages keep their keys. A
      write from outside every service that commits a public change leaves its marks to the
      next settlement, which may be such a transaction: so its own commit renews the shared,
      lists' and disputes' generations with the whole one (`_PG_UNSETTLED`), and every
      scoped page gets a new key as the change becomes visible, as a change to a shared
      table gives. A reader that settles marks (`scoped_generation`) renews every row.
      On SQLite settling always renews.
    - The candidate lists (the page, the API's, every filter, search, sort and page of them)
      go by the lists' generation. A change to a public table outside `LISTED_BY_SETTLING`
      renews it (a candidate's names and columns, candidacies, and all the shared tables);
      a change to one of those (claims, status steps, disputes) reaches a list only through
      what settling keeps of a candidate: the columns of its digest the lists read (name,
      status, latest verification, dispute flag...: `elections.tallies.LIST_FIELDS`) and its
      part of the counts they read (by status, gender and province, and of an outlet's
      candidates, which also say which outlets the filter offers). Settling compares those
      before and after, and renews the lists' generation when they changed
      (`note_settled_change`). A fact taken back or corrected that moves none of them leaves
      every list cached.

    The home page and the outlets index show the counts of facts, which nearly every public
    change moves, and the rest (changes, exports, annotations, reconciliation) the record
    as a whole: they go by the whole generation.

    A response carries `X-Cache: hit` or `X-Cache: miss` when the cache was consulted.
    """

    @functools.wraps(view)
    def cached_view(request, *args, **kwargs):
        enabled = getattr(settings, "SOURCEBOOK_PUBLIC_CACHE", True)
        if not _anonymous_read(request) or not (enabled or replica_aliases()):
            return view(request, *args, **kwargs)
        generation, scoped, subject = None, False, None
        if enabled and scope is not None:
            subject = scope(*args, **kwargs)
            found = scoped_generation(subject)
            if isinstance(found, str):
                generation, scoped = found, True
            elif found is not None:  # inside a writing transaction: the whole generation
                generation = found
        if generation is None:
            # Read on the primary, always: what the public may see now.
            generation = public_generation()

        def still():
            if scoped:
                return scoped_generation(subject) == generation
            return _still(generation)

        caching = generation is not None and enabled
        if caching:
            store = public_cache()
            key = cache_key(request, generation)
            entry = _cache_get(store, key)
            if entry is not None:
                return _from_entry(entry)
        # A replica serves the render only once it has the whole generation (without
        # replicas, nothing to read).
        whole = public_generation() if scoped and replica_aliases() else generation
        with reading_from(replica_for(whole)):
            response = view(request, *args, **kwargs)
            if not getattr(response, "is_rendered", True):
                response.render()  # its queries too go to the replica
        if caching:
            response["X-Cache"] = "miss"
            _store(request, response, store, key, still)
        return response

    return cached_view
