"""`manage.py import_articles`: files and manifests in, all or nothing, never twice."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from sources.audit import system_user
from sources.dates import PartialDate, Precision
from sources.importing import ArticleEntry, ArticleImport, ImportFailed
from sources.models import Article, ArticleVersion, Outlet
from sources.services import passage_create_from_quote
from tests.factories import make_user

from .test_extract import CHINESE, MARKDOWN_ARTICLE, PAGE

pytestmark = pytest.mark.django_db

HEADER = "file,outlet,title,url,published_on,byline,language\n"
BODY = (
    "A made-up report on a district election.\n\n"
    "The candidate, a retired engineer, said he had printed leaflets himself.\n\n"
    "Officials said the nomination rules would be applied as written."
)


def run(*args):
    """Run the command; return what it printed."""
    out = StringIO()
    call_command("import_articles", *map(str, args), stdout=out, stderr=StringIO())
    return out.getvalue()


def failure(*args):
    """Run the command expecting it to refuse; return its message."""
    with pytest.raises(CommandError) as raised:
        run(*args)
    return str(raised.value)


def write(folder, name, content, encoding="utf-8"):
    path = folder / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
    return path


def assert_nothing_written():
    assert Article.objects.count() == 0
    assert ArticleVersion.objects.count() == 0
    assert Outlet.objects.count() == 0


# The three real reports.


def test_the_corpus_imports_faithfully(corpus):
    output = run("--manifest", corpus / "manifest.csv")
    assert "3 created, 0 changed, 0 unchanged" in output
    articles = {article.source_name: article for article in Article.objects.all()}
    assert len(articles) == 3
    for article in articles.values():
        assert not re.search(r"&\w+;|&#\d+;", article.text)
        assert "\n\n" in article.text and "\n\n\n" not in article.text
        assert all(line == line.strip() for line in article.text.split("\n"))
        assert article.versions.get().reason == ArticleVersion.Reason.IMPORT
        assert article.language == "en"
    nyt = articles["nytimes-2011-06-no-independent-candidates.txt"]
    assert "“" in nyt.text and "’" in nyt.text and "—" in nyt.text
    assert nyt.outlet.name == "The New York Times"
    assert nyt.byline == "Michael Wines"
    assert nyt.published == PartialDate(2011, 6)
    washington = articles["washingtonpost-2011-xu-yan-candidates.txt"]
    assert "“" in washington.text and "’" in washington.text
    assert washington.published_precision == Precision.YEAR
    tanis = articles["tanis-running-for-office.txt"]
    assert tanis.published == PartialDate(2018, 9, 25)
    assert tanis.url.startswith("https://")
    assert " & " in tanis.text


def test_importing_the_corpus_again_adds_nothing(corpus):
    run("--manifest", corpus / "manifest.csv")
    texts = dict(Article.objects.values_list("pk", "text"))
    output = run("--manifest", corpus / "manifest.csv")
    assert "0 created, 0 changed, 3 unchanged" in output
    assert dict(Article.objects.values_list("pk", "text")) == texts
    assert ArticleVersion.objects.count() == 3
    assert Outlet.objects.count() == 3


# Files named on the command line.


def test_a_plain_text_file_takes_its_metadata_from_the_options(tmp_path):
    path = write(tmp_path, "report.txt", BODY)
    run(
        path,
        "--outlet",
        "The Lakeside Courier",
        "--title",
        "Engineer stands for district seat",
        "--url",
        "https://courier.example/engineer",
        "--published",
        "2011-10",
        "--byline",
        "Dana Example",
        "--language",
        "en",
    )
    article = Article.objects.get()
    assert article.outlet.name == "The Lakeside Courier"
    assert article.outlet.slug == "the-lakeside-courier"
    assert (article.title, article.url, article.byline) == (
        "Engineer stands for district seat",
        "https://courier.example/engineer",
        "Dana Example",
    )
    assert article.published == PartialDate(2011, 10)
    assert article.text == BODY
    assert article.source_text == BODY
    assert article.source_name == "report.txt"
    assert article.version == 1
    assert article.versions.get().number == 1
    assert article.history.count() == 1


def test_utf8_with_bom_and_gb18030_files_keep_their_chinese(tmp_path):
    bom = write(tmp_path, "bom.txt", b"\xef\xbb\xbf" + CHINESE.encode("utf-8"))
    gbk = write(tmp_path, "gbk.txt", CHINESE.replace("杭州", "上海"), encoding="gb18030")
    manifest = write(
        tmp_path,
        "manifest.csv",
        HEADER
        + "bom.txt,新京报,杭州的独立候选人,,2011-11-08,,zh-Hans\n"
        + "gbk.txt,新京报,上海的独立候选人,,2011-11-16,,zh-Hans\n",
    )
    run("--manifest", manifest)
    assert Article.objects.get(source_name=bom.name).text == CHINESE
    assert "上海" in Article.objects.get(source_name=gbk.name).text
    assert Outlet.objects.get().name == "新京报"


@pytest.mark.parametrize(
    "encode", [lambda text: b"\xef\xbb\xbf" + text.encode("utf-8"), lambda t: t.encode("gb18030")]
)
def test_the_manifest_may_be_utf8_with_bom_or_gb18030(tmp_path, encode):
    write(tmp_path, "a.txt", BODY)
    manifest = write(tmp_path, "manifest.csv", encode(HEADER + "a.txt,新京报,一篇报道,,2011,,zh\n"))
    run("--manifest", manifest)
    article = Article.objects.get()
    assert (article.outlet.name, article.title) == ("新京报", "一篇报道")


def test_manifest_columns_are_matched_in_any_order_and_case(tmp_path):
    write(tmp_path, "a.txt", BODY)
    manifest = write(tmp_path, "m.csv", "Title,FILE, Outlet \nA title,a.txt,An outlet\n")
    run("--manifest", manifest)
    assert Article.objects.get().title == "A title"


def test_an_explicit_encoding_reads_other_files(tmp_path):
    path = write(tmp_path, "tw.txt", "臺北市議員選舉的報道。", encoding="big5")
    run(path, "--outlet", "A Taipei paper", "--title", "選舉", "--encoding", "big5")
    assert Article.objects.get().text == "臺北市議員選舉的報道。"


def test_a_saved_page_imports_with_its_own_metadata_and_without_navigation(tmp_path):
    path = write(tmp_path, "teacher.html", PAGE)
    run(path)
    article = Article.objects.get()
    assert article.source_format == Article.Format.HTML
    assert article.outlet.name == "The Lakeside Courier"
    assert article.title == "Retired teacher enters district race"
    assert article.byline == "Dana Example"
    assert article.published == PartialDate(2011, 10, 14)
    assert article.url == "https://courier.example/2011/10/teacher-enters-race"
    assert article.text.count("\n\n") == 3
    assert "Subscribe" not in article.text and "All rights reserved" not in article.text
    assert "district’s people’s congress" in article.text


def test_the_options_win_over_a_pages_own_metadata(tmp_path):
    path = write(tmp_path, "teacher.html", PAGE)
    run(path, "--title", "An editor's title", "--published", "2011")
    article = Article.objects.get()
    assert article.title == "An editor's title"
    assert article.published == PartialDate(2011)


def test_a_markdown_file_imports_as_rendered_text(tmp_path):
    path = write(tmp_path, "teacher.md", MARKDOWN_ARTICLE)
    run(path)
    article = Article.objects.get()
    assert article.source_format == Article.Format.MARKDOWN
    assert article.title == "Teacher enters district race"
    assert article.outlet.name == "The Lakeside Courier"
    assert "*" not in article.text and "#" not in article.text
    assert article.text.startswith("A heading that is not the title\n\nA paragraph with emphasis")


# Never twice.


def test_the_same_url_is_not_imported_twice(tmp_path):
    first = write(tmp_path, "first.txt", BODY)
    second = write(tmp_path, "second.txt", BODY)
    run(first, "--outlet", "One", "--title", "T1", "--url", "https://a.example/x")
    output = run(second, "--outlet", "Two", "--title", "T2", "--url", "https://a.example/x")
    assert "0 created, 0 changed, 1 unchanged" in output
    assert Article.objects.get().title == "T1"


def test_the_same_outlet_and_title_is_not_imported_twice(tmp_path):
    path = write(tmp_path, "a.txt", BODY)
    run(path, "--outlet", "The Courier", "--title", "Engineer stands")
    output = run(path, "--outlet", "the courier", "--title", " Engineer  stands ")
    assert "0 created, 0 changed, 1 unchanged" in output
    assert Article.objects.count() == 1
    assert Outlet.objects.count() == 1


def test_same_title_at_two_addresses_is_two_articles(tmp_path):
    path = write(tmp_path, "a.txt", BODY)
    run(path, "--outlet", "The Courier", "--title", "Letters", "--url", "https://c.example/1")
    run(path, "--outlet", "The Courier", "--title", "Letters", "--url", "https://c.example/2")
    assert Article.objects.count() == 2


def test_a_changed_text_is_kept_as_a_new_version_and_passages_reanchor(tmp_path):
    path = write(tmp_path, "a.txt", BODY)
    options = ["--outlet", "The Courier", "--title", "Engineer stands"]
    run(path, *options)
    article = Article.objects.get()
    passage = passage_create_from_quote(
        article=article, exact="printed leaflets himself", acting_user=system_user()
    )
    write(tmp_path, "a.txt", "An editor's note added later.\n\n" + BODY)
    output = run(path, *options)
    assert "0 created, 1 changed, 0 unchanged" in output
    article.refresh_from_db()
    assert article.version == 2
    assert article.text.startswith("An editor's note added later.")
    latest = article.versions.get(number=2)
    assert (latest.reason, latest.text) == (ArticleVersion.Reason.REIMPORT, article.text)
    assert article.versions.get(number=1).text == BODY
    passage.refresh_from_db()
    assert passage.anchored_version == 2
    assert article.text[passage.start : passage.end] == "printed leaflets himself"


def test_dry_run_writes_nothing_and_says_what_it_would_do(tmp_path):
    path = write(tmp_path, "a.txt", BODY)
    output = run(path, "--outlet", "The Courier", "--title", "T", "--dry-run")
    assert "Dry run, nothing written: 1 created, 0 changed, 0 unchanged" in output
    assert_nothing_written()


def test_dry_run_reports_a_changed_text_without_keeping_it(tmp_path):
    path = write(tmp_path, "a.txt", BODY)
    run(path, "--outlet", "The Courier", "--title", "T")
    write(tmp_path, "a.txt", BODY + "\n\nA correction.")
    output = run(path, "--outlet", "The Courier", "--title", "T", "--dry-run")
    assert "1 changed" in output
    assert Article.objects.get().text == BODY
    assert ArticleVersion.objects.count() == 1


# All or nothing, and every problem said.


def test_a_missing_file_is_reported_and_nothing_written(tmp_path):
    good = write(tmp_path, "good.txt", BODY)
    message = failure(good, tmp_path / "gone.txt", "--outlet", "O", "--title", "T")
    assert f"{tmp_path / 'gone.txt'}: no such file" in message
    assert_nothing_written()


def test_an_unreadable_encoding_is_reported_and_nothing_written(tmp_path):
    good = write(tmp_path, "good.txt", BODY)
    bad = write(tmp_path, "latin.txt", "Größe der Wähler überraschend.".encode("latin-1"))
    message = failure(good, bad, "--outlet", "O", "--title", "T")
    assert f"{bad}: is neither UTF-8 nor GB18030" in message
    assert_nothing_written()


def test_a_bad_date_option_is_reported_and_nothing_written(tmp_path):
    path = write(tmp_path, "a.txt", BODY)
    message = failure(path, "--outlet", "O", "--title", "T", "--published", "June 2011")
    assert "--published: 'June 2011' is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD" in (
        message
    )
    assert_nothing_written()


def test_an_unknown_manifest_column_is_reported_and_nothing_written(tmp_path):
    write(tmp_path, "a.txt", BODY)
    manifest = write(tmp_path, "m.csv", "file,outlet,title,section\na.txt,O,T,World\n")
    message = failure("--manifest", manifest)
    assert "unknown column 'section'" in message
    assert_nothing_written()


def test_a_missing_outlet_or_title_is_reported_and_nothing_written(tmp_path):
    path = write(tmp_path, "a.txt", BODY)
    message = failure(path, "--title", "T")
    assert f"{path}: no outlet" in message
    message = failure(path, "--outlet", "O")
    assert f"{path}: no title" in message
    assert_nothing_written()


def test_every_problem_of_a_manifest_is_reported_with_its_row(tmp_path):
    write(tmp_path, "good.txt", BODY)
    write(tmp_path, "latin.txt", "Größe der Wähler überraschend.".encode("latin-1"))
    manifest = write(
        tmp_path,
        "m.csv",
        HEADER
        + "good.txt,O,Fine,,2011-06-09,,en\n"
        + "gone.txt,O,Missing,,,,\n"
        + "good.txt,O,Bad date,,2011-13,,\n"
        + "latin.txt,O,Latin,,,,\n"
        + "good.txt,,No outlet,,,,\n"
        + "good.txt,O,,,,,\n"
        + ",O,No file,,,,\n"
        + "good.txt,O,Bad address,not-an-address,,,\n"
        + "good.txt,O,Bad language,,,,English\n"
        + "good.txt,O,Fine,,,,\n",
    )
    message = failure("--manifest", manifest)
    for expected in (
        "m.csv row 3 (gone.txt): no such file",
        "m.csv row 4 (good.txt): published_on: 13 is not a month",
        "m.csv row 5 (latin.txt): is neither UTF-8 nor GB18030",
        "m.csv row 6 (good.txt): no outlet",
        "m.csv row 7 (good.txt): no title",
        "m.csv row 8: no file named",
        "m.csv row 9 (good.txt): url: Enter a valid URL.",
        "m.csv row 10 (good.txt): language 'English' is not a BCP 47 code",
        "m.csv row 11 (good.txt): the same outlet and title as m.csv row 2 (good.txt)",
    ):
        assert expected in message
    assert "row 2 (good.txt):" not in message.replace("as m.csv row 2", "")
    assert message.startswith("nothing was imported: 9 problems")
    assert_nothing_written()


def test_two_files_given_the_same_title_are_refused(tmp_path):
    first = write(tmp_path, "a.txt", BODY)
    second = write(tmp_path, "b.txt", BODY + " More.")
    message = failure(first, second, "--outlet", "O", "--title", "Same")
    assert f"{second}: the same outlet and title as {first}" in message
    assert_nothing_written()


def test_an_ambiguous_stored_title_must_be_told_apart_by_url(tmp_path):
    path = write(tmp_path, "a.txt", BODY)
    run(path, "--outlet", "O", "--title", "Letters", "--url", "https://c.example/1")
    run(path, "--outlet", "O", "--title", "Letters", "--url", "https://c.example/2")
    message = failure(path, "--outlet", "O", "--title", "Letters")
    assert "2 stored articles of O have this title; give the article's URL" in message
    assert Article.objects.count() == 2


def test_files_named_with_a_manifest_import_only_their_rows(tmp_path):
    write(tmp_path, "a.txt", BODY)
    write(tmp_path, "b.txt", BODY + " More.")
    manifest = write(tmp_path, "m.csv", "file,outlet,title\na.txt,O,A\nb.txt,O,B\n")
    run("--manifest", manifest, tmp_path / "b.txt")
    assert list(Article.objects.values_list("title", flat=True)) == ["B"]
    message = failure("--manifest", manifest, tmp_path / "c.txt")
    assert "c.txt: not listed in the manifest" in message


def test_the_options_fill_what_a_manifest_leaves_blank(tmp_path):
    write(tmp_path, "a.txt", BODY)
    manifest = write(tmp_path, "m.csv", "file,title,language\na.txt,A,\n")
    run("--manifest", manifest, "--outlet", "O", "--language", "en")
    article = Article.objects.get()
    assert (article.outlet.name, article.language) == ("O", "en")


def test_nothing_to_import_is_an_error():
    assert "name the article files" in failure()


def test_progress_is_printed_for_long_runs(tmp_path):
    rows = []
    for number in range(150):
        write(tmp_path, f"{number}.txt", f"Report number {number}.")
        rows.append(f"{number}.txt,O,Report {number}")
    manifest = write(tmp_path, "m.csv", "file,outlet,title\n" + "\n".join(rows))
    output = run("--manifest", manifest)
    assert "read 100 of 150 files" in output
    assert "read 150 of 150 files" in output
    assert "150 created" in output


# Who an import is recorded as.


def test_an_import_is_recorded_as_the_user_named_with_as(tmp_path):
    editor = make_user("Editors", username="liu")
    path = write(tmp_path, "report.txt", BODY)

    run(path, "--outlet", "Harbour Daily", "--title", "T", "--as", "liu")

    article = Article.objects.get()
    assert article.versions.get().created_by == editor
    assert article.history.get().history_user == editor
    assert Outlet.history.get().history_user == editor


def test_without_as_an_import_is_recorded_as_the_system_account(tmp_path):
    run(write(tmp_path, "report.txt", BODY), "--outlet", "Harbour Daily", "--title", "T")

    assert Article.history.get().history_user.username == "system"
    assert Outlet.history.get().history_user.username == "system"


def test_an_unknown_user_named_with_as_stops_the_import_before_anything_is_read(tmp_path):
    message = failure(tmp_path / "missing.txt", "--outlet", "O", "--title", "T", "--as", "nobody")

    assert "--as nobody: no active user has that name" in message
    assert_nothing_written()


# The same doors for other importers, and the cost in queries.


def test_a_loader_can_import_text_it_already_holds():
    importer = ArticleImport(acting_user=system_user())
    importer.add_entry(
        ArticleEntry(path="demo/report.txt", label="demo report", outlet="O", title="T", text=BODY)
    )
    result = importer.run()
    assert [article.title for article in result.created] == ["T"]
    assert Article.objects.get().source_name == "report.txt"


def test_import_failed_lists_every_problem():
    importer = ArticleImport(acting_user=system_user())
    importer.add_entry(ArticleEntry(path="x.txt", label="first", title="T", text=BODY))
    importer.add_entry(ArticleEntry(path="y.txt", label="second", outlet="O", text=""))
    with pytest.raises(ImportFailed) as raised:
        importer.run()
    assert raised.value.problems == [
        "first: no outlet (give it in the manifest or with --outlet)",
        "second: holds no text",
    ]


def manifest_of(folder, count, outlet):
    rows = []
    for number in range(count):
        name = f"{outlet}-{number}.txt"
        write(folder, name, f"{BODY}\n\nPart {number} of a made-up series.")
        rows.append(f"{name},{outlet},Report {number},https://{outlet}.example/{number},2011,,en")
    return write(folder, f"{outlet}.csv", HEADER + "\n".join(rows) + "\n")


def test_importing_costs_the_same_queries_for_5_articles_as_for_50(
    tmp_path, django_assert_max_num_queries, django_assert_num_queries
):
    few, many = manifest_of(tmp_path, 5, "few"), manifest_of(tmp_path, 50, "many")
    # The account the command acts as exists on a server before any import; made here, its
    # creation is not counted as the cost of the first import.
    system_user()
    with django_assert_max_num_queries(20) as captured:
        run("--manifest", few)
    with django_assert_num_queries(len(captured)):
        run("--manifest", many)
    assert Article.objects.count() == 55
    assert ArticleVersion.objects.count() == 55


def test_importing_again_costs_the_same_queries_for_5_articles_as_for_50(
    tmp_path, django_assert_max_num_queries, django_assert_num_queries
):
    few, many = manifest_of(tmp_path, 5, "few"), manifest_of(tmp_path, 50, "many")
    run("--manifest", few)
    run("--manifest", many)
    with django_assert_max_num_queries(10) as captured:
        assert "5 unchanged" in run("--manifest", few)
    with django_assert_num_queries(len(captured)):
        assert "50 unchanged" in run("--manifest", many)


# What a changed text did to passages and facts.


def test_a_changed_article_reports_its_passages_and_the_facts_withdrawn(tmp_path):
    from elections.models import Property
    from elections.services import claim_verify
    from tests.factories import make_candidate, make_claim

    path = write(tmp_path, "a.txt", BODY)
    options = ["--outlet", "The Courier", "--title", "Engineer stands"]
    run(path, *options)
    article = Article.objects.get()
    editor, reviewer = make_user("Editors"), make_user("Reviewers")
    candidate = make_candidate("Xu Yan")
    kept = make_claim(candidate, Property.OCCUPATION, "retired engineer", article, by=editor)
    dropped = make_claim(
        candidate,
        Property.OCCUPATION,
        "official",
        article,
        quote="nomination rules would be applied as written",
        by=editor,
    )
    reworded = make_claim(
        candidate,
        Property.OCCUPATION,
        "printer",
        article,
        quote="said he had printed leaflets himself",
        by=editor,
    )
    for claim in (kept, dropped, reworded):
        claim_verify(claim=claim, acting_user=reviewer)
    # The officials' paragraph is gone; the rest moves down under a new first line, and a
    # word of the leaflets sentence changes.
    text = BODY.rsplit("\n\n", 1)[0].replace("printed leaflets", "printed pamphlets")
    write(tmp_path, "a.txt", "A new first line.\n\n" + text)

    output = run(path, *options)

    assert (
        "changed   a.txt: Engineer stands (passages: 1 still anchored (0 exact, 1 relocated), "
        "1 awaiting an editor (fuzzy), 1 orphaned; 2 verified facts withdrawn pending review)"
    ) in output.replace(str(tmp_path) + "/", "")


def test_re_importing_the_same_changed_article_reports_it_unchanged(tmp_path):
    path = write(tmp_path, "a.txt", BODY)
    options = ["--outlet", "The Courier", "--title", "Engineer stands"]
    run(path, *options)
    write(tmp_path, "a.txt", BODY + "\n\nA correction.")
    first = run(path, *options)

    again = run(path, *options)

    assert "passages: 0 still anchored" in first
    assert "0 created, 0 changed, 1 unchanged" in again and "passages" not in again
    assert ArticleVersion.objects.count() == 2


def test_a_reporter_registered_by_another_app_adds_to_each_changed_article(tmp_path):
    from sources import importing

    def count_everything(*, article_ids):
        return lambda: {article_id: ["a word from another app"] for article_id in article_ids}

    path = write(tmp_path, "a.txt", BODY)
    run(path, "--outlet", "The Courier", "--title", "T")
    write(tmp_path, "a.txt", BODY + "\n\nA correction.")
    importing.register_reimport_reporter(count_everything)
    try:
        output = run(path, "--outlet", "The Courier", "--title", "T")
    finally:
        importing._REIMPORT_REPORTERS.remove(count_everything)

    assert "0 orphaned; 0 verified facts withdrawn pending review; a word from" in output
