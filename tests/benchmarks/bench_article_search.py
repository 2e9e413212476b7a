"""Full-text search over 10,000 and then 100,000 articles, against one indexed lookup.

Articles of about 500 characters, half Chinese, half English, made of a fixed vocabulary; a
rare name (in exactly 20 articles at either size) and a phrase of Chinese words (in 20 too)
are planted. At 10,000 and again at 100,000 articles the page query of a search is timed
(`sources.search.search_articles` for the first 20 results and their count, the way the admin
and the public pages ask) against the baseline of one article read by its primary key.

Figures: the search at each size as a ratio to the lookup, and the growth of that ratio from
10,000 to 100,000 articles (target <= 3: a scan would grow about tenfold, an index hardly at
all, since the matches stay 20). A substring scan of the text (what the admin did before) is
timed too and printed, for contrast.
"""

import random

from django.db import connection

from sources.models import Article, Outlet
from sources.search import search_articles

FIRST, SECOND = 10_000, 100_000
PLANTED = 20
BATCH = 2_000
RARE_NAME = "Qiuyun Zhaoxi"
RARE_PHRASE = "秋云朝夕选区"

HAN = "选举人大代表独立候选人投票区县乡镇街道居民委员会社区工作登记提名联名参选宣传党政机关"
NAMES_ZH = ["刘萍", "姚立法", "徐春柳", "吴丹红", "梁树新", "李承鹏", "熊伟", "许志永"]
WORDS = [
    "the",
    "candidate",
    "said",
    "that",
    "voters",
    "in",
    "the",
    "district",
    "were",
    "told",
    "the",
    "ballot",
    "was",
    "delayed",
    "after",
    "officials",
    "visited",
    "residents",
    "and",
    "a",
    "lawyer",
    "collected",
    "signatures",
]
NAMES_EN = ["Liu Ping", "Yao Lifa", "Xu Chunliu", "Wu Danhong", "Liang Shuxin", "Xiong Wei"]


def _chinese(rng):
    parts = []
    while sum(map(len, parts)) < 450:
        parts.append("".join(rng.choice(HAN) for _ in range(rng.randint(6, 20))))
        parts.append(rng.choice(NAMES_ZH) + "表示，")
    return "".join(parts) + "。"


def _english(rng):
    words = []
    while sum(map(len, words)) < 420:
        words.append(rng.choice(WORDS))
        if rng.random() < 0.05:
            words.append(rng.choice(NAMES_EN))
    return " ".join(words).capitalize() + "."


def _add(outlet, start, stop, planted_at, rng):
    batch = []
    for number in range(start, stop):
        text = _chinese(rng) if number % 2 else _english(rng)
        if number in planted_at:
            text += f" {RARE_NAME} 在{RARE_PHRASE}参选。"
        article = Article(outlet=outlet, title=f"Report {number}", text=text, source_text=text)
        article.refresh_search_terms()
        batch.append(article)
        if len(batch) == BATCH:
            Article.objects.bulk_create(batch)
            batch = []
    Article.objects.bulk_create(batch)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE sources_article")


def _search(query):
    results = search_articles(Article.objects.all(), query)
    return list(results.only("pk", "title")[:20]), results.count()


def _measure(bench, articles, label):
    pks = list(Article.objects.order_by("?").values_list("pk", flat=True)[:200])

    def lookups():
        for pk in pks:
            Article.objects.only("pk", "title").get(pk=pk)

    lookup = bench.best_of(lookups, repeat=5) / len(pks)
    seconds = {}
    for query in (RARE_NAME, RARE_PHRASE):
        _found, count = _search(query)
        assert count == PLANTED, (query, count)
        seconds[query] = bench.best_of(lambda query=query: _search(query), repeat=5)
    search = max(seconds.values())
    scan = bench.best_of(lambda: Article.objects.filter(text__contains=RARE_NAME).count(), repeat=3)
    print(
        f"bench: article_search: {articles:,} articles: search {search * 1000:.2f} ms "
        f"(name {seconds[RARE_NAME] * 1000:.2f}, phrase {seconds[RARE_PHRASE] * 1000:.2f}); "
        f"lookup {lookup * 1000:.3f} ms; substring scan {scan * 1000:.1f} ms",
        flush=True,
    )
    ratio = search / lookup
    bench.figure(f"article_search_{label}_vs_lookup", ratio, "x", "reported", True)
    return ratio


def run(bench):
    rng = random.Random(20111108)
    first, second = bench.size(FIRST), bench.size(SECOND)
    outlet = Outlet.objects.create(name="Benchmark Daily", slug="benchmark-daily")
    # The planted articles are spread over the first size only, so both sizes hold 20.
    planted_at = set(rng.sample(range(first), PLANTED))
    _add(outlet, 0, first, planted_at, rng)
    at_first = _measure(bench, first, "10k")
    _add(outlet, first, second, set(), rng)
    at_second = _measure(bench, second, "100k")
    growth = at_second / at_first
    print(f"bench: article_search: the ratio grew {growth:.2f}x for {second / first:.0f}x articles")
    bench.figure("article_search_growth_10k_to_100k", growth, "x", "<= 3", growth <= 3)
