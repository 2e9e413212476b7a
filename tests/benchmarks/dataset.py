"""A fast loader of the public pages' data set, for sizes up to 2,000,000 claims and beyond.

The data has the shape `bench_public_pages` builds (its provinces, names, sentences and
claims): per 10,000 candidates, 4,000 articles of 25 passages, 200,000 claims (20 a
candidate, quoting four articles of four outlets), 20,000 status steps and about 300 age
disputes; 40 outlets and 30 city elections whatever the size. Candidate `i` is the same at
every size (its random draws are seeded by `i`), so a data set can be grown: `grow(n)` adds
candidates up to `n` and the articles they cite, and a page shown at the small size shows the
same candidate, article and outlet at the large one. Candidate 0 is published and has
EXTRA_CLAIMS more claims (a candidate with many claims, for the admin's change form).

No model instance per row: each table's rows are tuples built from a template of the
model's defaults (prepared for the database once) and written with COPY on PostgreSQL
(psycopg's `copy`) or `executemany` in batches on SQLite, with explicit ids (the sequences
are set afterwards). On PostgreSQL the rows are written with `session_replication_role =
replica` when the role may set it (a superuser): the foreign-key checks and the public-cache
triggers, which would run once for each of millions of rows, are skipped, the data being
consistent by construction; the public generation is renewed afterwards. After each load the
public pages' kept counts are rebuilt (`settle_public_tallies --rebuild`, as after any load
around the services) and `ANALYZE` runs (on PostgreSQL `VACUUM ANALYZE`, as autovacuum
would).
"""

import datetime
import functools
import io
import random
import time

from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models.expressions import DatabaseDefault
from django.utils import timezone

from elections.models import (
    Candidacy,
    CandidacyStatus,
    Candidate,
    CandidateName,
    Claim,
    Contradiction,
    DisputeClaim,
)
from elections.names import search_text
from sources.models import Article, Outlet, Passage
from tests.benchmarks import bench_public_pages as shape

ARTICLES_PER_CANDIDATE = 0.4
PASSAGES_PER_ARTICLE = shape.PASSAGES_PER_ARTICLE
CLAIMS_PER_CANDIDATE = shape.CLAIMS_PER_CANDIDATE
# Candidates citing each group of four articles (so every article is quoted by 50 claims).
CANDIDATES_PER_ARTICLE_GROUP = 10
# One candidate in about 33 has an age dispute (300 in 10,000); half of them resolved.
DISPUTE_EVERY = 33
EXTRA_CLAIMS = 480
OUTLETS = shape.OUTLETS
SQLITE_BATCH = 20_000
COPY_CHUNK = 200_000
AGE, SECOND_AGE, DECLARED, FINAL = shape.AGE, shape.SECOND_AGE, shape.DECLARED, shape.FINAL


@functools.lru_cache(maxsize=100_000)
def normalized(prop, value, as_of):
    """A claim's value key and normalized data (prepared for the database), as the services
    record them; the data set has few distinct values, so each is normalized once."""
    from elections import normalizers

    try:
        result = normalizers.normalize(prop, value, as_of=as_of)
    except Exception:  # a value the normalizer refuses: recorded as printed
        return value, Table.prepare(Claim._meta.get_field("normalized"), {})
    return result.key[:500], Table.prepare(Claim._meta.get_field("normalized"), result.data)


@functools.lru_cache(maxsize=100_000)
def pinyin_name(name_zh, tones=False):
    return shape._pinyin_name(name_zh, tones=tones)


class Table:
    """One model's rows as tuples of its concrete columns, its defaults filled in."""

    def __init__(self, model):
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.columns = [field.column for field in self.fields]
        template = model()
        now = timezone.now()
        defaults = []
        for field in self.fields:
            value = getattr(template, field.attname)
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                value = now
            if isinstance(value, DatabaseDefault):
                value = field.db_default
            defaults.append(self.prepare(field, value))
        self.defaults = defaults
        self.index = {field.attname: number for number, field in enumerate(self.fields)}
        self.rows = []

    @staticmethod
    def prepare(field, value):
        if value is None:
            return None
        if isinstance(field, (models.DateTimeField, models.JSONField)):
            return field.get_db_prep_save(value, connection)
        if isinstance(field, models.DateField) and connection.vendor == "sqlite":
            return value.isoformat()
        return value

    def add(self, **values):
        row = list(self.defaults)
        index = self.index
        for name, value in values.items():
            row[index[name]] = value
        self.rows.append(row)

    def field(self, attname):
        return self.fields[self.index[attname]]

    def flush(self):
        """Write the rows gathered so far, in their own transactions."""
        rows, self.rows = self.rows, []
        write_rows(self.model._meta.db_table, self.columns, rows)
        return len(rows)


def write_rows(table, columns, rows):
    quote = connection.ops.quote_name
    names = ", ".join(quote(column) for column in columns)
    if connection.vendor == "postgresql":
        statement = f"COPY {quote(table)} ({names}) FROM STDIN"
        for start in range(0, len(rows), COPY_CHUNK):
            with (
                transaction.atomic(),
                connection.cursor() as cursor,
                cursor.cursor.copy(statement) as copy,
            ):
                for row in rows[start : start + COPY_CHUNK]:
                    copy.write_row(row)
    else:
        marks = ", ".join(["?"] * len(columns))
        statement = f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})"  # noqa: S608
        connection.ensure_connection()
        raw = connection.connection
        for start in range(0, len(rows), SQLITE_BATCH):
            with transaction.atomic():
                raw.executemany(statement, rows[start : start + SQLITE_BATCH])


def _next_id(model):
    latest = model.objects.order_by("-pk").values_list("pk", flat=True).first()
    return (latest or 0) + 1


def _article_date(number):
    return datetime.date(2011, 4 + number % 8, 1 + number % 28)


class Dataset:
    """The data set, grown in steps; `grow(n)` brings it to `n` candidates."""

    def __init__(self):
        self.candidates = 0
        self.articles = 0
        self.claims = 0
        self.built = False

    # The fixed part: places, elections, outlets.

    def _build_fixed(self):
        rng = random.Random(2011)
        with transaction.atomic():
            self.provinces, self.cities = shape._places()
            self.elections = shape._elections(self.cities, rng)
            self.outlets = Outlet.objects.bulk_create(
                [
                    Outlet(name=f"Outlet {number}", slug=f"outlet-{number}", kind="newspaper")
                    for number in range(OUTLETS)
                ]
            )
        self.first = {
            model: _next_id(model)
            for model in (
                Article,
                Passage,
                Candidate,
                CandidateName,
                Candidacy,
                Claim,
                CandidacyStatus,
                Contradiction,
                DisputeClaim,
            )
        }
        self.next = dict(self.first)
        self.built = True

    def article_id(self, number):
        return self.first[Article] + number

    def passage_id(self, article, number):
        return self.first[Passage] + article * PASSAGES_PER_ARTICLE + number

    def candidate_id(self, number):
        return self.first[Candidate] + number

    def _take(self, model, count=1):
        first = self.next[model]
        self.next[model] += count
        return first

    # The articles.

    def _grow_articles(self, size):
        articles, passages = Table(Article), Table(Passage)
        for number in range(self.articles, size):
            rng = random.Random(f"article {number}")
            sentences = [
                shape.SENTENCE.format(
                    name=pinyin_name(
                        rng.choice(shape.SURNAMES)
                        + rng.choice(shape.GIVEN)
                        + rng.choice(shape.GIVEN)
                    ),
                    occupation=rng.choice(shape.OCCUPATIONS),
                    city=rng.choice(shape.PROVINCES)[2][rng.randrange(5)],
                    verb=rng.choice(shape.VERBS),
                    platform=rng.choice(shape.PLATFORMS),
                    number=rng.randint(4, 19),
                )
                for _ in range(PASSAGES_PER_ARTICLE)
            ]
            text = " ".join(sentences)
            outlet = self.outlets[number % OUTLETS]
            article_id = self._take(Article)
            assert article_id == self.article_id(number)
            articles.add(
                id=article_id,
                outlet_id=outlet.pk,
                title=f"Independent candidates, report {number}",
                url=f"https://news.example/{outlet.slug}/{number}" if number % 3 else "",
                language="en",
                published_on=Table.prepare(articles.field("published_on"), _article_date(number)),
                text=text,
                source_text=text,
            )
            start = 0
            for sentence in sentences:
                end = start + len(sentence)
                passages.add(
                    id=self._take(Passage),
                    article_id=article_id,
                    start=start,
                    end=end,
                    exact=sentence,
                    prefix=text[max(0, start - 32) : start],
                    suffix=text[end : end + 32],
                )
                start = end + 1
            if len(passages.rows) >= COPY_CHUNK:
                articles.flush()
                passages.flush()
        articles.flush()
        passages.flush()
        self.articles = size

    # The candidates and their claims.

    def _grow_candidates(self, size):
        tables = {
            model: Table(model)
            for model in (
                Candidate,
                CandidateName,
                Candidacy,
                Claim,
                CandidacyStatus,
                Contradiction,
                DisputeClaim,
            )
        }
        now = timezone.now()
        published_at = Table.prepare(tables[Candidate].field("published_at"), now)
        reviewed_at = Table.prepare(tables[Claim].field("reviewed_at"), now)
        for number in range(self.candidates, size):
            self._candidate(number, tables, published_at, reviewed_at)
            if len(tables[Claim].rows) >= COPY_CHUNK:
                self._flush(tables)
        self._flush(tables)
        self.candidates = size

    def _flush(self, tables):
        for table in tables.values():
            written = table.flush()
            if table.model is Claim:
                self.claims += written

    def _candidate(self, number, tables, published_at, reviewed_at):
        rng = random.Random(number)
        name_zh = rng.choice(shape.SURNAMES) + "".join(
            rng.choice(shape.GIVEN) for _ in range(rng.randint(1, 2))
        )
        display = pinyin_name(name_zh)
        toned = pinyin_name(name_zh, tones=True)
        other = f"{display.split()[1]} {display.split()[0]}"
        state = rng.choices(["published", "draft", "review", "withdrawn"], [90, 4, 3, 3])[0]
        if number == 0:
            state = "published"
        gender = rng.choice(["male", "female"])
        candidate_id = self._take(Candidate)
        assert candidate_id == self.candidate_id(number)
        tables[Candidate].add(
            id=candidate_id,
            display_name=display,
            name_zh=name_zh,
            gender=gender,
            birth_year=rng.randint(1950, 1990) if number % 4 else None,
            slug=f"{display.lower().replace(' ', '-')}-{number}",
            state=state,
            published_at=published_at if state in ("published", "withdrawn") else None,
            search_text=search_text([display, name_zh, toned, other]),
        )
        for name, kind in ((toned, "pinyin"), (other, "english")):
            if name != display and not (kind == "english" and other == toned):
                tables[CandidateName].add(
                    id=self._take(CandidateName), candidate_id=candidate_id, name=name, kind=kind
                )
        election = self.elections[number % len(self.elections)]
        final = rng.choice(shape.FINAL_STATUSES)
        run_id = self._take(Candidacy)
        tables[Candidacy].add(
            id=run_id, candidate_id=candidate_id, election_id=election.pk, status=final
        )

        city = self.cities[number % len(self.cities)]
        province = self.provinces[(number % len(self.cities)) // 5]
        age = rng.randint(25, 60)
        disputed = number % DISPUTE_EVERY == 7
        resolved = disputed and (number // DISPUTE_EVERY) % 2 == 0
        slots = [
            ("age", str(age), str(age)),
            ("city", city.name, f"place:{city.pk}"),
            ("province", province.name, f"place:{province.pk}"),
            ("name_zh", name_zh, name_zh),
            ("gender", gender, gender),
            ("age", str(age + 8 if disputed else age), str(age + 8 if disputed else age)),
            ("occupation", rng.choice(shape.OCCUPATIONS), ""),
            ("occupation", rng.choice(shape.OCCUPATIONS), ""),
            ("employer", "a state-owned factory", ""),
            ("platform", rng.choice(shape.PLATFORMS), ""),
            ("platform", rng.choice(shape.PLATFORMS), ""),
            ("platform", rng.choice(shape.PLATFORMS), ""),
            ("pressure", "visited by the police", ""),
            ("pressure", "asked to withdraw", ""),
            ("followers", "more than 10,000", "at least 10,000"),
            ("followers", "about 20,000", "about 20,000"),
            ("status", "declared", "declared"),
            ("status", final, final),
            ("votes", str(rng.randint(100, 9000)), ""),
            ("occupation", "petitioner", ""),
        ]
        if number == 0:
            slots += [
                (
                    rng.choice(["platform", "occupation", "pressure"]),
                    f"{rng.choice(shape.PLATFORMS)}, as reported ({extra})",
                    "",
                )
                for extra in range(EXTRA_CLAIMS)
            ]
        group = number // CANDIDATES_PER_ARTICLE_GROUP
        claims = tables[Claim]
        ids = []
        for slot, (prop, value, _key) in enumerate(slots):
            article = (group * 4 + (slot // 5 + number) % 4) % self.articles
            passage = (number + slot) % PASSAGES_PER_ARTICLE
            claim_state = rng.choices(["verified", "unverified", "rejected"], [92, 5, 3])[0]
            if disputed and slot in (AGE, SECOND_AGE):
                claim_state = "verified"
            claim_id = self._take(Claim)
            ids.append(claim_id)
            as_of = _article_date(article)
            value_key, data = normalized(prop, value, as_of)
            claims.add(
                id=claim_id,
                candidate_id=candidate_id,
                candidacy_id=run_id if prop in ("status", "votes") else None,
                property=prop,
                value=value,
                value_key=value_key,
                normalized=data,
                passage_id=self.passage_id(article, passage),
                article_id=self.article_id(article),
                as_of=Table.prepare(claims.field("as_of"), as_of),
                state=claim_state,
                reviewed_at=reviewed_at if claim_state != "unverified" else None,
                overruled=resolved and slot == SECOND_AGE,
            )
        steps = tables[CandidacyStatus]
        for status, on, claim_id in (
            ("declared", datetime.date(2011, 5, 20), ids[DECLARED]),
            (final, election.polling_on, ids[FINAL]),
        ):
            steps.add(
                id=self._take(CandidacyStatus),
                candidacy_id=run_id,
                status=status,
                on=Table.prepare(steps.field("on"), on),
                claim_id=claim_id,
            )
        if disputed:
            dispute_id = self._take(Contradiction)
            tables[Contradiction].add(
                id=dispute_id,
                question=f"candidate:{candidate_id}/birth_year",
                candidate_id=candidate_id,
                property="birth_year",
                group_count=2,
                status="resolved" if resolved else "open",
                verdict="one_right" if resolved else "",
                verdict_note="The later report misread the age." if resolved else "",
            )
            for group_number, (claim_id, judged) in enumerate(
                ((ids[AGE], "right"), (ids[SECOND_AGE], "wrong")), start=1
            ):
                tables[DisputeClaim].add(
                    id=self._take(DisputeClaim),
                    contradiction_id=dispute_id,
                    claim_id=claim_id,
                    group=group_number,
                    judged=judged if resolved else "",
                )

    # Growing.

    def grow(self, candidates):
        """Bring the data set to `candidates` candidates (and the articles they cite); run
        ANALYZE. Returns the seconds it took."""
        started = time.monotonic()
        if not self.built:
            self._build_fixed()
        articles = max(4, int(candidates * ARTICLES_PER_CANDIDATE))
        replica = _replication_role("replica")
        try:
            if articles > self.articles:
                self._grow_articles(articles)
            if candidates > self.candidates:
                self._grow_candidates(candidates)
        finally:
            if replica:
                _replication_role("DEFAULT")
        _after_load(replica)
        return time.monotonic() - started


def _replication_role(role):
    """On PostgreSQL, set `session_replication_role`; whether it could be set."""
    if connection.vendor != "postgresql":
        return False
    from django.db import DatabaseError

    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET session_replication_role = {role}")
    except DatabaseError:
        return False
    return True


def _after_load(replica):
    from elections.cache import renew_generation

    models_written = [
        Article,
        Passage,
        Candidate,
        CandidateName,
        Candidacy,
        Claim,
        CandidacyStatus,
        Contradiction,
        DisputeClaim,
    ]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), models_written):
                cursor.execute(statement)
    # The kept counts of the public pages (`elections.tallies`) are recomputed from the
    # record, as after any load around the services: on tables analyzed first, as
    # autovacuum would have done meanwhile (without statistics, one batch of the rebuild
    # ran for over nine minutes at 2M claims; the whole rebuild takes seven).
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    started = time.monotonic()
    call_command("settle_public_tallies", rebuild=True, stdout=io.StringIO())
    print(f"bench: public tallies rebuilt in {time.monotonic() - started:.0f} s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    # The triggers did not run under the replica role: no generation a page was cached
    # under before the load may be served after it.
    renew_generation()
