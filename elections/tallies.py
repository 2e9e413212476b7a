"""Counts and sort keys of the public pages, kept as the record changes, not recounted.

The home page's figures (published candidates by province and by latest status, facts,
outlets), the outlets index (facts, candidates and articles of each outlet) and the
candidate list's sorts, single filters and totals read rows kept here instead of scanning the
claims of every candidate on each render:

- `CandidateDigest`: one row per candidate with what the list sorts and filters by (whether
  it is listed, its name, gender, latest public status and its rank, first province, last
  verification, whether a public dispute is about it, its facts, its folded names), each
  with an index; and its `DigestLedger`, what settling remembers of it to change counts and
  the log of changes by the difference (what it counts for, what the public saw of it),
  apart so that the digests the lists read stay narrow.
- `PublicTally`: the counts. Keys are (kind, subject, part):

  - all (subject 0): candidates, facts, outlets (citing a fact), disputed (candidates with
    a public dispute), unplaced (candidates with no candidacy);
  - status (subject 0, part a status, "" for none) and gender (part a gender): published
    candidates whose latest public status or gender it is;
  - province (subject a place's id): published candidates who stood in it;
  - outlet (subject an outlet's id): its facts, candidates and articles (the outlets index);
  - article (subject an article's id, part its outlet's id): the facts citing it; an
    article counts for its outlet's articles while above 0;
  - reported (subject a candidate's id, part an outlet's id): the facts the outlet gave
    about the candidate, so that an outlet's page finds its candidates by walking the
    list's names and looking each up, instead of reading every claim of the outlet;
  - outlet (subject an outlet's id), parts "disputes:" and "wrong:" followed by a property:
    the public disputes about that property in which one of the outlet's claims is a
    version (shown: verified and anchored, overruled ones included), and those of them in
    which the verdict found its version wrong (every shown claim of the version judged
    wrong), once per dispute however many of its claims took part;
  - took part (subject a candidate's id, part an outlet's id): the public disputes about
    the candidate in which the outlet took part, so that an outlet's page finds the
    candidates of its first disputes by name among those alone (an index by kind and part,
    `public_tally_part_idx`), instead of walking every claim of the outlet.

How they stay right. Database triggers on every table these read (claims, candidates,
candidacies and their status steps, disputes and their members, passages, articles,
elections, places) mark the candidates a statement touched in `TallyPending`, whatever wrote
it: a service, the admin, an import, `QuerySet.update()` or raw SQL. `settle()` then reads
those marks, recomputes each marked candidate from the public record (`elections.public`, the
one rule of what is public), and adjusts every count it contributes to by the difference from
what its digest said before: the cost is that of the candidates changed, never of the whole
record. It runs inside the writing transaction, before it commits: every service and unit of
work ends with it (`sources.audit.before_commit`), so the public data and its counts commit
together. A write from outside every service (raw SQL, a shell) is settled by the next public
page that reads the counts (`settled()`), which then gives the public cache a new generation
so that no page rendered with the counts from before is kept.

Concurrency (PostgreSQL, READ COMMITTED). Marks have no unique key, so two writers never wait
on each other to mark; each transaction sees and settles its own marks and those that writes
outside services left committed, never another transaction's uncommitted ones. Settling locks
the digests of its candidates (in id order), then the counts it changes (articles, then
outlets, then the rest, each in key order) before reading them, so a count is always adjusted
from its latest committed value, and two settlements of the same candidate are serialized:
the second recomputes it from data that include the first's. The counts most writers touch
(all facts, all candidates) are locked from a transaction's settlement until its commit, a
moment at the end of each.

For the public cache (`elections.cache.scoped_generation`) settling also renews, in the same
transaction, the version of each settled candidate (its profile's key), of each article and
outlet whose public claims it cites before or after (their pages' keys), and, through
`elections.cache.note_settled_change`, the lists' generation when what the lists read of a
candidate changed (`LIST_FIELDS` of its digest, its part of the counts by status, gender,
province and outlet: `Settled`) and the disputes' generation when the candidate had or has a
public dispute. On PostgreSQL it renews them only in a transaction that changed something the
public sees (`elections.cache.public_change_noted`): an editor's unverified claim marks its
candidate, and settling it leaves every page's key as it was. On SQLite it renews them always.

`manage.py settle_public_tallies` settles what is pending; `--rebuild` recomputes every
digest and count from the record (after a restore from an old backup, say).
"""

import hashlib
import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Q, Subquery

from elections.models import (
    Candidacy,
    Candidate,
    CandidateDigest,
    Claim,
    DigestLedger,
    DisputeClaim,
    PublicTally,
    TallyPending,
)

logger = logging.getLogger(__name__)

PENDING_TABLE = TallyPending._meta.db_table
TRIGGER_PREFIX = "sourcebook_tally"
VENDORS = ("sqlite", "postgresql")
# Candidates settled per round: each round is a few queries over their rows.
BATCH = 1000

Key = tuple[str, int, str]
ALL, STATUS, GENDER, PROVINCE, OUTLET, ARTICLE, REPORTED, TOOK_PART = (
    "all",
    "status",
    "gender",
    "province",
    "outlet",
    "article",
    "reported",
    "took part",
)
# The parts of an outlet's disputes (kind OUTLET), each followed by a property.
DISPUTES_PART, WRONG_PART = "disputes:", "wrong:"
# Not a count: a version, new at each settlement that may change what its pages show (the
# public cache's keys, `elections.cache.scoped_generation`): of a candidate (part ""), at each
# settlement of its records; of an article or an outlet (parts below), at each settlement of
# a candidate whose public claims cite it, before or after.
VERSION = "version"
ARTICLE_VERSION, OUTLET_VERSION = "article", "outlet"
# The order in which kinds are adjusted (and locked): an article's count crossing zero
# changes its outlet's, an outlet's facts crossing zero the number of outlets.
STAGES = ((ARTICLE,), (OUTLET,), (ALL, STATUS, GENDER, PROVINCE, REPORTED, TOOK_PART))


# The triggers: for each table, the ids of the candidates a changed row bears on, from the
# set of changed rows `{rows}` (aliased R), and on which operations.
ALL_OPERATIONS = ("INSERT", "UPDATE", "DELETE")
MARKS = {
    "elections_claim": (
        ("candidate_id",),
        "SELECT R.candidate_id AS candidate_id FROM {rows}",
        ALL_OPERATIONS,
    ),
    "elections_candidate": (("id",), "SELECT R.id AS candidate_id FROM {rows}", ALL_OPERATIONS),
    "elections_candidatename": (
        ("candidate_id",),
        "SELECT R.candidate_id AS candidate_id FROM {rows}",
        ALL_OPERATIONS,
    ),
    "elections_candidacy": (
        ("candidate_id",),
        "SELECT R.candidate_id AS candidate_id FROM {rows}",
        ALL_OPERATIONS,
    ),
    "elections_candidacystatus": (
        ("candidacy_id",),
        "SELECT cy.candidate_id AS candidate_id FROM {rows} "
        "JOIN elections_candidacy cy ON cy.id = R.candidacy_id",
        ALL_OPERATIONS,
    ),
    "elections_contradiction": (
        ("candidate_id",),
        "SELECT R.candidate_id AS candidate_id FROM {rows}",
        ALL_OPERATIONS,
    ),
    "elections_disputeclaim": (
        ("contradiction_id",),
        "SELECT c.candidate_id AS candidate_id FROM {rows} "
        "JOIN elections_contradiction c ON c.id = R.contradiction_id",
        ALL_OPERATIONS,
    ),
    # New passages, articles, elections and places bear on no candidate until a claim or a
    # candidacy points at them (whose own write marks it); their removal comes after that
    # of what pointed at them.
    "sources_passage": (
        ("id",),
        "SELECT cl.candidate_id AS candidate_id FROM {rows} "
        "JOIN elections_claim cl ON cl.passage_id = R.id",
        ("UPDATE",),
    ),
    "sources_article": (
        ("id",),
        "SELECT cl.candidate_id AS candidate_id FROM {rows} "
        "JOIN elections_claim cl ON cl.article_id = R.id",
        ("UPDATE",),
    ),
    "elections_election": (
        ("id",),
        "SELECT cy.candidate_id AS candidate_id FROM {rows} "
        "JOIN elections_candidacy cy ON cy.election_id = R.id",
        ("UPDATE",),
    ),
    "elections_place": (
        ("id",),
        "SELECT cy.candidate_id AS candidate_id FROM {rows} "
        "JOIN elections_place p ON p.id = R.id OR p.province_id = R.id "
        "JOIN elections_election e ON e.place_id = p.id "
        "JOIN elections_candidacy cy ON cy.election_id = e.id",
        ("UPDATE",),
    ),
}


def _insert_marks(select: str) -> str:
    return (
        f"INSERT INTO {PENDING_TABLE} (candidate_id) "  # noqa: S608 - our own SQL
        f"SELECT DISTINCT marked.candidate_id FROM ({select}) AS marked "
        "WHERE marked.candidate_id IS NOT NULL"
    )


def _sqlite_rows(row: str, columns: Iterable[str]) -> str:
    picked = ", ".join(f"{row}.{column} AS {column}" for column in columns)
    return f"(SELECT {picked}) AS R"


def _designs(connection, table: str) -> dict[str, list[str]]:
    """The statements that make each of `table`'s triggers, by trigger name (the name
    carries a fingerprint of its design, so that a new design replaces the old).

    An update that changes only columns no public page reads (an editor's note:
    `elections.cache.UNSHOWN_COLUMNS`) marks nobody."""
    from elections.cache import shown_change

    vendor = connection.vendor
    columns, select, operations = MARKS[table]
    designs = {}
    for operation in operations:
        changed = shown_change(connection, table, "O", "R") if operation == "UPDATE" else None
        if vendor == "postgresql":
            sources = {"INSERT": ["new_rows"], "UPDATE": ["old_rows", "new_rows"]}.get(
                operation, ["old_rows"]
            )
            if changed:
                # Rows of the statement whose shown columns changed, before and after.
                pairs = "new_rows AS R JOIN old_rows AS O ON O.id = R.id"
                after = f"{select.format(rows=pairs)} WHERE {changed}"
                before = after.replace("SELECT R.", "SELECT O.", 1)
                union = f"{after} UNION {before}"
            else:
                union = " UNION ".join(select.format(rows=f"{source} AS R") for source in sources)
            referencing = " ".join(
                f"{'OLD' if source == 'old_rows' else 'NEW'} TABLE AS {source}"
                for source in sources
            )
            body = f"BEGIN {_insert_marks(union)}; RETURN NULL; END"
            fingerprint = hashlib.sha256(body.encode()).hexdigest()[:8]
            name = f"{TRIGGER_PREFIX}_{operation.lower()}_{fingerprint}"
            designs[name] = [
                f"CREATE OR REPLACE FUNCTION {name}_{table}() RETURNS trigger "
                f"LANGUAGE plpgsql AS $$ {body} $$",
                f"CREATE TRIGGER {name} AFTER {operation} ON {table} "
                f"REFERENCING {referencing} FOR EACH STATEMENT "
                f"EXECUTE FUNCTION {name}_{table}()",
            ]
        else:
            rows = {"INSERT": ["NEW"], "UPDATE": ["OLD", "NEW"]}.get(operation, ["OLD"])
            inserts = "; ".join(
                _insert_marks(select.format(rows=_sqlite_rows(row, columns))) for row in rows
            )
            when = ""
            if changed:
                when = f"WHEN {shown_change(connection, table)} "
            fingerprint = hashlib.sha256((when + inserts).encode()).hexdigest()[:8]
            name = f"{TRIGGER_PREFIX}_{table}_{operation.lower()}_{fingerprint}"
            designs[name] = [
                f"CREATE TRIGGER {name} AFTER {operation} ON {table} "
                f"FOR EACH ROW {when}BEGIN {inserts}; END"
            ]
    return designs


def _present(connection) -> set[tuple[str, str]]:
    from elections.cache import triggers_named

    return set(triggers_named(connection, [TRIGGER_PREFIX]))


def install_triggers(*, using: str = DEFAULT_DB_ALIAS, **_signal) -> None:
    """Give every table of `MARKS` its triggers and drop ours of an earlier design;
    idempotent, writing nothing when all are in place. Connected to `post_migrate`: SQLite
    drops a table's triggers when a migration rebuilds it."""
    connection = connections[using]
    if connection.vendor not in VENDORS:
        return
    existing = set(connection.introspection.table_names())
    if PENDING_TABLE not in existing:
        return
    present = _present(connection)
    with transaction.atomic(using=using), connection.cursor() as cursor:
        for table in MARKS:
            if table not in existing:
                continue
            designs = _designs(connection, table)
            for other, name in sorted(present):
                if other == table and name not in designs:
                    on = f" ON {table}" if connection.vendor == "postgresql" else ""
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name}{on}")
                    if connection.vendor == "postgresql":
                        cursor.execute(f"DROP FUNCTION IF EXISTS {name}_{table}()")
            for name, statements in designs.items():
                if (table, name) not in present:
                    for statement in statements:
                        cursor.execute(statement)


def after_migrate(*, using: str = DEFAULT_DB_ALIAS, **_signal) -> None:
    """Connected to `post_migrate` (which `flush` sends too): the triggers put back, then
    what the migration or the flush marked settled. A flush deletes every row, and its
    deletes mark the candidates they removed: left pending, those marks would be settled by
    the next writer or reader, for nothing."""
    install_triggers(using=using)
    connection = connections[using]
    if connection.vendor in VENDORS and PENDING_TABLE in connection.introspection.table_names():
        settle(using=using)
        _seed_page_versions(using)


def _seed_page_versions(using: str) -> None:
    """Give a version to each article and outlet a public claim cites that has none (kept by
    a release before pages had versions): until then its page goes by the whole generation.
    Two reads when none is missing."""
    tallies = PublicTally.objects.using(using)
    cited = {
        (ARTICLE_VERSION if kind == ARTICLE else OUTLET_VERSION, subject)
        for kind, subject in tallies.filter(
            Q(kind=ARTICLE) | Q(kind=OUTLET, part="facts"), value__gt=0
        ).values_list("kind", "subject")
    }
    versioned = set(
        tallies.filter(kind=VERSION, part__in=(ARTICLE_VERSION, OUTLET_VERSION)).values_list(
            "part", "subject"
        )
    )
    _put_versions(sorted(cited - versioned), renew=False, using=using)


def remove_triggers(connection) -> None:
    """Drop every trigger `install_triggers` made (a migration's reversal)."""
    with connection.cursor() as cursor:
        for table, name in sorted(_present(connection)):
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
                cursor.execute(f"DROP FUNCTION IF EXISTS {name}_{table}()")
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


# Settling.


def _contributions(
    *,
    candidate: int,
    gender: str,
    status: str,
    disputed: bool,
    provinces: set[int],
    stood: bool,
    facts: Iterable[tuple[int, int, int]],
    disputes: Iterable[tuple[int, str, bool]] = (),
) -> Counter[Key]:
    """What the listed candidate `candidate` counts for: `facts` are (article, outlet,
    number) rows of its public claims, `disputes` (outlet, property, found wrong) rows of the
    public disputes about it, one for each outlet that printed a version of one."""
    counts: Counter[Key] = Counter()
    counts[(ALL, 0, "candidates")] = 1
    counts[(STATUS, 0, status)] = 1
    counts[(GENDER, 0, gender)] = 1
    if disputed:
        counts[(ALL, 0, "disputed")] = 1
    if not stood:
        counts[(ALL, 0, "unplaced")] = 1
    for province in provinces:
        counts[(PROVINCE, province, "")] = 1
    for article, outlet, number in facts:
        counts[(ARTICLE, article, str(outlet))] += number
        counts[(OUTLET, outlet, "facts")] += number
        counts[(OUTLET, outlet, "candidates")] = 1
        counts[(REPORTED, candidate, str(outlet))] += number
        counts[(ALL, 0, "facts")] += number
    for outlet, prop, wrong in disputes:
        counts[(OUTLET, outlet, DISPUTES_PART + prop)] += 1
        if wrong:
            counts[(OUTLET, outlet, WRONG_PART + prop)] += 1
        counts[(TOOK_PART, candidate, str(outlet))] += 1
    return counts


def _disputes_taken_part(
    candidates: list[int], using: str
) -> dict[int, list[tuple[int, str, bool]]]:
    """For each of `candidates` (listed, each with a public dispute): the outlets that took
    part in the public disputes about it, a row (outlet, the dispute's property, whether the
    verdict found the outlet's version wrong) for each dispute and outlet; one query.

    An outlet takes part in a dispute when one of its claims is a version (a shown member:
    verified and anchored, overruled ones included). A version is found wrong when the
    verdict judged every shown claim of its group wrong (`public.versions_of`); an outlet is
    found wrong once in a dispute (or not at all), however many of its articles printed it.
    """
    if not candidates:
        return {}
    from elections.public.base import in_public_dispute, shown_member_filter

    members = (
        DisputeClaim.objects.using(using)
        .filter(
            shown_member_filter(), in_public_dispute(), contradiction__candidate_id__in=candidates
        )
        .order_by()
        .values_list(
            "contradiction__candidate_id",
            "contradiction_id",
            "contradiction__property",
            "group",
            "judged",
            "claim__article__outlet_id",
        )
    )
    judged: dict[tuple[int, int], set[str]] = {}
    printed: dict[tuple[int, int], tuple[int, str, set[int]]] = {}
    for candidate, dispute, prop, group, verdict, outlet in members:
        judged.setdefault((dispute, group), set()).add(verdict)
        printed.setdefault((dispute, outlet), (candidate, prop, set()))[2].add(group)
    wrong = {DisputeClaim.Judged.WRONG.value}
    taken: dict[int, list[tuple[int, str, bool]]] = {}
    for (dispute, outlet), (candidate, prop, groups) in sorted(printed.items()):
        found_wrong = any(judged[(dispute, group)] == wrong for group in groups)
        taken.setdefault(candidate, []).append((outlet, prop, found_wrong))
    return taken


def _stored(tallies: list) -> Counter[Key]:
    return Counter({(kind, subject, part): amount for kind, subject, part, amount in tallies})


def _lock_counts(keys: Iterable[Key], using: str) -> dict[Key, PublicTally]:
    """The count rows of `keys`, made when missing, locked in key order (a kind at a time)."""
    keys = sorted(set(keys))
    PublicTally.objects.using(using).bulk_create(
        [PublicTally(kind=kind, subject=subject, part=part) for kind, subject, part in keys],
        ignore_conflicts=True,
    )
    rows: dict[Key, PublicTally] = {}
    by_kind: dict[str, set[int]] = {}
    for kind, subject, _part in keys:
        by_kind.setdefault(kind, set()).add(subject)
    wanted = set(keys)
    for kind in sorted(by_kind):
        locked = (
            PublicTally.objects.using(using)
            .select_for_update()
            .filter(kind=kind, subject__in=sorted(by_kind[kind]))
            .order_by("subject", "part")
        )
        for row in locked:
            key = (row.kind, row.subject, row.part)
            if key in wanted:
                rows[key] = row
    return rows


def _adjust(delta: Counter[Key], using: str) -> None:
    """Add `delta` to the counts, with the counts that follow from crossing zero."""
    delta = Counter({key: amount for key, amount in delta.items() if amount})
    for kinds in STAGES:
        stage = {key: amount for key, amount in delta.items() if key[0] in kinds}
        if not stage:
            continue
        rows = _lock_counts(stage, using)
        changed, emptied = [], []
        for key, amount in stage.items():
            row = rows[key]
            before, row.value = row.value, row.value + amount
            if row.value < 0:
                logger.warning("Public tally %s went below zero (%s); kept at 0", key, row.value)
                row.value = 0
            if (before > 0) != (row.value > 0):
                step = 1 if row.value > 0 else -1
                if key[0] == ARTICLE:
                    delta[(OUTLET, int(key[2]), "articles")] += step
                elif key[0] == OUTLET and key[2] == "facts":
                    delta[(ALL, 0, "outlets")] += step
            (emptied if row.value == 0 and key[0] != ALL else changed).append(row)
        if changed:
            PublicTally.objects.using(using).bulk_update(changed, ["value"], batch_size=500)
        if emptied:
            PublicTally.objects.using(using).filter(pk__in=[row.pk for row in emptied]).delete()


DIGEST_FIELDS = (
    "listed",
    "name",
    "gender",
    "status",
    "status_rank",
    "province",
    "last_verified",
    "disputed",
    "facts",
    "search_text",
)
# What settling remembers of each candidate beside its digest (`DigestLedger`).
LEDGER_FIELDS = ("tallies", "record")
# What the candidate lists (the page and the API's, their filters, sorts, totals and choices)
# read of a candidate's digest and of its part of the counts: not its facts, nor the counts
# of facts, articles and outlets (the home page and the outlets index show those).
LIST_FIELDS = (
    "listed",
    "name",
    "gender",
    "status",
    "status_rank",
    "province",
    "last_verified",
    "disputed",
    "search_text",
)
LIST_KINDS = (STATUS, GENDER, PROVINCE)
LIST_PARTS = ((ALL, "candidates"), (ALL, "disputed"), (ALL, "unplaced"), (OUTLET, "candidates"))


def _listed_part(counts: Counter[Key]) -> dict[Key, int]:
    """The part of a candidate's contributions the lists read."""
    return {
        key: amount
        for key, amount in counts.items()
        if amount and (key[0] in LIST_KINDS or (key[0], key[2]) in LIST_PARTS)
    }


@dataclass
class Settled:
    """What settling changed beyond its candidates' own versions, for the public cache: the
    lists (`lists`), the public disputes (`disputes`), and the articles and outlets whose
    pages may show its candidates (their public claims cited them, before or after)."""

    lists: bool = False
    disputes: bool = False
    articles: set[int] = field(default_factory=set)
    outlets: set[int] = field(default_factory=set)

    def add(self, digest, values: dict, before: Counter[Key], after: Counter[Key]) -> None:
        """A candidate settled: its digest as it was (None: it had none), its digest's
        `values` now, and its contributions before and after."""
        if digest is not None:
            self.lists = self.lists or any(
                getattr(digest, name) != values[name] for name in LIST_FIELDS
            )
            self.disputes = self.disputes or digest.disputed
        self.lists = self.lists or _listed_part(before) != _listed_part(after)
        self.disputes = self.disputes or bool(values["disputed"])
        for kind, subject, _part in (*before, *after):
            if kind == ARTICLE:
                self.articles.add(subject)
            elif kind == OUTLET:
                self.outlets.add(subject)

    def merge(self, other: "Settled") -> None:
        self.lists = self.lists or other.lists
        self.disputes = self.disputes or other.disputes
        self.articles |= other.articles
        self.outlets |= other.outlets

    def renew(self, using: str, *, always: bool = False) -> None:
        """Give the pages of what changed new keys (`elections.cache.scoped_generation`), in
        the settling transaction: new versions of the articles and outlets (in key order, as
        counts are locked), and the lists' and disputes' generations when they changed. When
        the transaction changed nothing the public sees (`elections.cache.public_change_noted`)
        and not `always` (a rebuild), only a version an article or outlet lacks is made."""
        from elections.cache import note_settled_change, public_change_noted

        versions = sorted(
            [(ARTICLE_VERSION, pk) for pk in self.articles]
            + [(OUTLET_VERSION, pk) for pk in self.outlets]
        )
        if not (versions or self.lists or self.disputes):
            return
        renew = always or public_change_noted(using=using)
        _put_versions([(part, pk) for part, pk in versions], renew=renew, using=using)
        if renew:
            note_settled_change(lists=self.lists, disputes=self.disputes, using=using)


def _settle_batch(ids: list[int], using: str, *, quiet: bool = False) -> Settled:
    """Settle the candidates `ids`, and log what changed of the public record
    (`elections.changes`), unless `quiet` (a rebuild: nothing to compare with); what changed
    for the public cache."""
    from elections import changes, public

    candidates = Candidate.objects.using(using)
    present = set(candidates.filter(pk__in=ids).values_list("pk", flat=True))
    CandidateDigest.objects.using(using).bulk_create(
        [CandidateDigest(candidate_id=pk) for pk in sorted(present)], ignore_conflicts=True
    )
    digests = {
        digest.candidate_id: digest
        for digest in CandidateDigest.objects.using(using)
        .select_for_update(of=("self",))
        .select_related("ledger")
        .filter(candidate_id__in=ids)
        .order_by("candidate_id")
    }
    # Read after the lock: a settlement of the same candidates that committed meanwhile is
    # seen by these statements.
    rows = (
        candidates.filter(pk__in=sorted(present))
        .annotate(
            public_status=public.latest_public_status(),
            verified=public.last_verified(),
            is_disputed=public.disputed_condition(),
            first_province=public.province_name(),
        )
        .values_list(
            "pk",
            "display_name",
            "gender",
            "state",
            "merged_into_id",
            "public_status",
            "verified",
            "is_disputed",
            "first_province",
            "search_text",
        )
    )
    listed: dict[int, tuple] = {}
    others: list[tuple] = []
    for row in rows:
        pk, _name, _gender, state, merged_into, *_rest = row
        if state == Candidate.State.PUBLISHED and merged_into is None:
            listed[pk] = row
        else:
            others.append(row)
    # Each public claim, for the log of changes; counted by article here.
    shown: dict[int, dict[str, list[str]]] = {}
    cited: Counter[tuple[int, int, int]] = Counter()
    for candidate_id, claim_id, article_id, outlet_id, prop, value in (
        Claim.objects.using(using)
        .filter(public.public_claim_filter(), candidate_id__in=sorted(listed))
        .order_by()
        .values_list("candidate_id", "pk", "article_id", "article__outlet_id", "property", "value")
    ):
        shown.setdefault(candidate_id, {})[str(claim_id)] = [prop, value]
        cited[(candidate_id, article_id, outlet_id)] += 1
    facts: dict[int, list[tuple[int, int, int]]] = {}
    for (candidate_id, article_id, outlet_id), number in sorted(cited.items()):
        facts.setdefault(candidate_id, []).append((article_id, outlet_id, number))
    records, notes = changes.public_records(
        listed=set(listed),
        facts=shown,
        disputed={pk for pk, row in listed.items() if row[7]},
        digests=digests,
        using=using,
    )
    if not quiet:
        changes.record_events(
            digests=digests,
            merged_into={row[0]: row[4] for row in [*listed.values(), *others]},
            records=records,
            notes=notes,
            using=using,
        )
    disputes = _disputes_taken_part(sorted(pk for pk, row in listed.items() if row[7]), using)
    provinces: dict[int, set[int]] = {}
    stood: set[int] = set()
    for candidate_id, province_id in (
        Candidacy.objects.using(using)
        .filter(candidate_id__in=sorted(listed))
        .order_by()
        .values_list("candidate_id", "election__place__province_id")
        .distinct()
    ):
        stood.add(candidate_id)
        if province_id is not None:
            provinces.setdefault(candidate_id, set()).add(province_id)

    delta: Counter[Key] = Counter()
    changed, ledgers = [], []
    settled = Settled()
    for pk in ids:
        digest = digests.get(pk)
        ledger = digest.kept_ledger if digest is not None else None
        before = _stored(ledger.tallies) if ledger is not None else Counter()
        if pk in listed:
            (
                _pk,
                name,
                gender,
                _state,
                _merged,
                status,
                verified,
                disputed,
                province,
                search,
            ) = listed[pk]
            after = _contributions(
                candidate=pk,
                gender=gender or "",
                status=status or "",
                disputed=bool(disputed),
                provinces=provinces.get(pk, set()),
                stood=pk in stood,
                facts=facts.get(pk, []),
                disputes=disputes.get(pk, []),
            )
            record = records[pk]
            values = {
                "listed": True,
                "name": name,
                "gender": gender or "",
                "status": status or "",
                "status_rank": public.STATUS_ORDER.get(status or "", len(public.STATUS_ORDER)),
                "province": province,
                "last_verified": verified,
                "disputed": bool(disputed),
                "facts": after[(ALL, 0, "facts")],
                "search_text": search,
            }
        else:
            # The public sees nothing of it: nothing kept either.
            after = Counter()
            record = {}
            values = {
                field.name: field.get_default()
                for field in CandidateDigest._meta.concrete_fields
                if field.name in DIGEST_FIELDS
            }
        delta.update(after)
        delta.subtract(before)
        settled.add(digest, values, before, after)
        if digest is None:
            continue
        if pk not in present:
            continue
        if any(getattr(digest, field) != value for field, value in values.items()):
            for field, value in values.items():
                setattr(digest, field, value)
            changed.append(digest)
        kept = {
            "tallies": sorted([*key, amount] for key, amount in after.items() if amount),
            "record": record,
        }
        if ledger is None or any(getattr(ledger, name) != kept[name] for name in LEDGER_FIELDS):
            ledgers.append(DigestLedger(digest_id=pk, **kept))
    _adjust(delta, using)
    _renew_versions(
        sorted(present), sorted(pk for pk in digests if pk not in present), using, always=quiet
    )
    if changed:
        CandidateDigest.objects.using(using).bulk_update(changed, DIGEST_FIELDS, batch_size=500)
    if ledgers:
        DigestLedger.objects.using(using).bulk_create(
            ledgers,
            update_conflicts=True,
            unique_fields=["digest"],
            update_fields=list(LEDGER_FIELDS),
            batch_size=500,
        )
    gone = sorted(pk for pk in digests if pk not in present)
    if gone:
        DigestLedger.objects.using(using).filter(digest_id__in=gone).delete()
        CandidateDigest.objects.using(using).filter(candidate_id__in=gone).delete()
    return settled


def _renew_versions(
    present: list[int], gone: list[int], using: str, *, always: bool = False
) -> None:
    """Give each settled candidate a new version (`VERSION`): its profile's cache key
    (`elections.cache.cache_public`). A random number, never handed out again: a version
    read inside a transaction that rolls back is never reached afterwards. When the
    transaction changed nothing the public sees (`elections.cache.public_change_noted`) and
    not `always` (a rebuild), only a candidate without a version gets one."""
    from elections.cache import public_change_noted

    if gone:
        PublicTally.objects.using(using).filter(kind=VERSION, subject__in=gone, part="").delete()
    if present:
        renew = always or public_change_noted(using=using)
        _put_versions([("", pk) for pk in present], renew=renew, using=using)


def _put_versions(keys: list[tuple[str, int]], *, renew: bool, using: str) -> None:
    """Write a new version for each (part, subject) of `keys` when `renew`; otherwise only
    for those without one. A page without a version goes by the whole generation, which
    every public change renews: safe, but a miss at each change (after a rebuild, or for a
    candidate only ever settled without a public change)."""
    from elections.cache import fresh_generation

    if not keys:
        return
    rows = [
        PublicTally(kind=VERSION, subject=subject, part=part, value=fresh_generation())
        for part, subject in keys
    ]
    tallies = PublicTally.objects.using(using)
    if renew:
        tallies.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["kind", "subject", "part"],
            update_fields=["value"],
        )
    else:
        tallies.bulk_create(rows, ignore_conflicts=True)


def version_of(slug: str, *, using: str = DEFAULT_DB_ALIAS) -> int | None:
    """The version of the candidate `slug`'s records, or None (no such candidate)."""
    return (
        PublicTally.objects.using(using)
        .filter(
            kind=VERSION,
            subject=Subquery(Candidate.objects.filter(slug=slug).values("pk")[:1]),
            part="",
        )
        .values_list("value", flat=True)
        .first()
    )


def _take_marks(using: str) -> list[int]:
    """The candidates marked pending that this transaction sees, their marks deleted."""
    with connections[using].cursor() as cursor:
        # Read first: a transaction with nothing to settle (most) writes nothing.
        cursor.execute(f"SELECT 1 FROM {PENDING_TABLE} LIMIT 1")  # noqa: S608
        if cursor.fetchone() is None:
            return []
        cursor.execute(f"DELETE FROM {PENDING_TABLE} RETURNING candidate_id")  # noqa: S608
        return sorted({row[0] for row in cursor.fetchall()})


def settle(*, using: str = DEFAULT_DB_ALIAS) -> int:
    """Bring the digests and counts of every marked candidate up to date; the number of
    candidates settled. Runs in the caller's transaction (or its own)."""
    connection = connections[using]
    if connection.vendor not in VENDORS:
        return 0
    # Inside the writer's transaction already, as a rule: no savepoint of its own.
    with transaction.atomic(using=using, savepoint=False):
        ids = _take_marks(using)
        settled = Settled()
        for start in range(0, len(ids), BATCH):
            settled.merge(_settle_batch(ids[start : start + BATCH], using))
        settled.renew(using)
    return len(ids)


def settled(*, using: str = DEFAULT_DB_ALIAS) -> None:
    """Before a public page reads the counts: settle what writes from outside every service
    left pending (one query when nothing is, the usual case).

    Settling them from a reader's own transaction gives the public cache a new generation,
    so that a page another server rendered with the counts from before is not kept.
    """
    connection = connections[using]
    if connection.vendor not in VENDORS:
        return
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {PENDING_TABLE} LIMIT 1")  # noqa: S608
        if cursor.fetchone() is None:
            return
    own_transaction = not connection.in_atomic_block
    with transaction.atomic(using=using):
        if settle(using=using) and own_transaction:
            from elections.cache import renew_generation_row

            renew_generation_row(using=using)


def rebuild(*, using: str = DEFAULT_DB_ALIAS) -> int:
    """Recompute every digest and count from the record; the number of candidates."""
    with transaction.atomic(using=using):
        PublicTally.objects.using(using).all().delete()
        DigestLedger.objects.using(using).all().delete()
        CandidateDigest.objects.using(using).all().delete()
        TallyPending.objects.using(using).all().delete()
        ids = list(Candidate.objects.using(using).order_by("pk").values_list("pk", flat=True))
        settled = Settled()
        for start in range(0, len(ids), BATCH):
            settled.merge(_settle_batch(ids[start : start + BATCH], using, quiet=True))
        settled.renew(using, always=True)
    return len(ids)


# Reading.


def count(kind: str, subject: int = 0, part: str = "") -> int:
    """One kept count (0 when nothing counts for it)."""
    value = (
        PublicTally.objects.filter(kind=kind, subject=subject, part=part)
        .values_list("value", flat=True)
        .first()
    )
    return value or 0


def count_of_slug(model, kind: str, slug: str, part: str) -> int:
    """The kept count of `kind` whose subject is the `model` row (a place, an outlet) with
    `slug`, in one query (0 when none)."""
    subject = model.objects.filter(slug=slug).values("pk")[:1]
    value = (
        PublicTally.objects.filter(kind=kind, subject=Subquery(subject), part=part)
        .values_list("value", flat=True)
        .first()
    )
    return value or 0
