"""Importing 1,000 plain-text articles of about 5 KB each, against a plain bulk insert.

The import runs through the command editors use (`import_articles --manifest`): reading,
decoding and normalizing every file, checking every row, looking up duplicates, creating
outlets, articles, their history and their first versions. The baseline inserts the same
Article and ArticleVersion rows (and their outlets) with `bulk_create`, from texts read
before its clock starts. Each is timed three times on empty tables; the best times count.
"""

import csv
import random
import tempfile
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.db import transaction

from sources.dates import PartialDate
from sources.models import Article, ArticleVersion, Outlet

ARTICLES = 1000
TARGET_RATIO = 5
OUTLETS = ("The Lakeside Courier", "Valley Evening News", "Harbour Daily", "Northern Wire")
PLACES = ("Lakeside", "Millbrook", "North Harbour", "Stonebridge", "Riverton", "Eastfield")
PEOPLE = ("a retired engineer", "a bookshop owner", "a law student", "a night-shift nurse")
DOINGS = (
    "handed out leaflets at the market on Saturday morning",
    "posted a long account of the nomination rules on a microblog",
    "was asked by the district office to withdraw the application",
    "collected signatures from neighbours in three apartment blocks",
    "said the &ldquo;voter list&rdquo; had been posted late",
    "met residents in a courtyard to explain what a deputy can do",
)
AFTERS = (
    "Officials did not answer questions about the timetable.",
    "The election committee said the rules would be applied as written.",
    "Several residents said they had not known a vote was due.",
    "A spokesman declined to say how many candidates had registered.",
)


def _article_text(rng, number):
    """About 5 KB of made-up reporting, in paragraphs, with a few entities to unescape."""
    paragraphs, size = [], 0
    while size < 5000:
        sentences = [
            f"In {rng.choice(PLACES)}, {rng.choice(PEOPLE)} {rng.choice(DOINGS)}."
            for _ in range(rng.randint(2, 4))
        ]
        sentences.append(rng.choice(AFTERS))
        paragraph = " ".join(sentences)
        paragraphs.append(paragraph)
        size += len(paragraph) + 2
    paragraphs.append(f"Report {number} of a made-up series.  ")
    return "\n\n".join(paragraphs) + "\n"


def _write_files(folder, count):
    """Write `count` article files and a manifest for them; return the manifest's path."""
    rng = random.Random(2011)
    manifest = folder / "manifest.csv"
    with manifest.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "outlet", "title", "url", "published_on", "byline", "language"])
        for number in range(count):
            name = f"report-{number:04d}.txt"
            (folder / name).write_text(_article_text(rng, number), encoding="utf-8")
            writer.writerow(
                [
                    name,
                    OUTLETS[number % len(OUTLETS)],
                    f"District candidates, part {number}",
                    f"https://news.example/2011/reports/{number}",
                    f"2011-{number % 12 + 1:02d}",
                    "Dana Example",
                    "en",
                ]
            )
    return manifest


def _read_rows(manifest):
    """The rows the baseline inserts: the manifest's values and each file's text, as read."""
    with manifest.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row["text"] = (manifest.parent / row["file"]).read_text(encoding="utf-8")
    return rows


def _baseline(rows):
    with transaction.atomic():
        outlets = {
            outlet.name: outlet
            for outlet in Outlet.objects.bulk_create(
                [Outlet(name=name, slug=f"outlet-{index}") for index, name in enumerate(OUTLETS)]
            )
        }
        articles = []
        for row in rows:
            article = Article(
                outlet=outlets[row["outlet"]],
                title=row["title"],
                url=row["url"],
                byline=row["byline"],
                language=row["language"],
                source_name=row["file"],
                source_text=row["text"],
                text=row["text"],
            )
            article.published = PartialDate.parse_iso(row["published_on"])
            articles.append(article)
        Article.objects.bulk_create(articles, batch_size=500)
        ArticleVersion.objects.bulk_create(
            [ArticleVersion(article=article, number=1, text=article.text) for article in articles],
            batch_size=500,
        )


def _import(manifest):
    call_command("import_articles", "--manifest", str(manifest), stdout=StringIO())


def _empty_tables():
    ArticleVersion.objects.all().delete()
    Article.history.all().delete()
    Article.objects.all().delete()
    Outlet.objects.all().delete()


def run(bench):
    count = bench.size(ARTICLES)
    with tempfile.TemporaryDirectory(prefix="bench-import-articles-") as folder:
        manifest = _write_files(Path(folder), count)
        rows = _read_rows(manifest)
        baseline_times, import_times = [], []
        for _ in range(3):
            _empty_tables()
            baseline_times.append(bench.timed(lambda: _baseline(rows))[1])
            _empty_tables()
            import_times.append(bench.timed(lambda: _import(manifest))[1])
            if Article.objects.count() != count or ArticleVersion.objects.count() != count:
                raise RuntimeError("the import did not create one article and version per file")
        _empty_tables()
    baseline, imported = min(baseline_times), min(import_times)
    ratio = imported / baseline
    bench.figure(
        "import_articles_vs_bulk_insert", ratio, "x", f"<= {TARGET_RATIO}", ratio <= TARGET_RATIO
    )
    bench.figure("import_articles_per_second", count / imported, "articles/s", "report", True)
