"""The management commands that write, run on PostgreSQL outside a test transaction as an
operator runs them on the server, with the database read afterwards.

A command acts as the user named with `--as`, or else as the system account
(`sources.audit.SYSTEM_USERNAME`), and its history records say so: none is anonymous.
`contradictions` only reads, so it has no test here.
"""

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from elections.models import Candidate, Claim, Contradiction, Place
from sources.audit import SYSTEM_USERNAME
from sources.models import Article, ArticleVersion, Passage
from tests.elections.fixtures_sheets import CANDIDATE_HEADER, csv_bytes
from tests.factories import make_article, make_candidate, make_claim, make_place
from tests.production.checks import Generation, assert_history_names, moment

pytestmark = [pytest.mark.production, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

AUDITED = [Article, Passage, Candidate, Claim]


def run(*arguments):
    out = io.StringIO()
    call_command(*arguments, stdout=out, stderr=out)
    return out.getvalue()


def system_account():
    account = User.objects.filter(username=SYSTEM_USERNAME).first()
    assert account is not None, f"no {SYSTEM_USERNAME!r} account: the command acted as nobody"
    return account


def rows_of(*models):
    return [list(model.objects.order_by("pk").values_list()) for model in models]


def anonymous_history(*models):
    """Labels of `models` with a history record that names no user."""
    return [
        model._meta.label for model in models if model.history.filter(history_user=None).exists()
    ]


def test_import_articles_imports_once_as_the_system_account(tmp_path):
    report = tmp_path / "bookseller.txt"
    report.write_text("Wang Lin, 27, runs a bookshop in Hangzhou.\n", encoding="utf-8")
    arguments = ["--outlet", "Hangzhou Daily", "--title", "A bookseller stands"]
    since, generation = moment(), Generation()

    run("import_articles", str(report), *arguments, "--published", "2011-06-02")
    written = rows_of(Article, ArticleVersion, Article.history.model)
    run("import_articles", str(report), *arguments, "--published", "2011-06-02")

    assert rows_of(Article, ArticleVersion, Article.history.model) == written
    article = Article.objects.get()
    assert (article.outlet.name, article.title, article.text) == (
        "Hangzhou Daily",
        "A bookseller stands",
        "Wang Lin, 27, runs a bookshop in Hangzhou.",
    )
    assert_history_names(system_account(), since, Article)
    # A new article is seen only once a public claim cites it: the cached pages stay warm.
    assert not generation.changed()


def test_the_import_command_writes_a_sheet_as_the_user_it_names(tmp_path, importer):
    province = make_place("Zhejiang", "浙江省", level=Place.Level.PROVINCE, code="330000")
    make_place("Hangzhou", "杭州市", level=Place.Level.CITY, parent=province, code="330100")
    row = dict.fromkeys(CANDIDATE_HEADER, "") | {
        "name": "Xu Yan",
        "city": "Hangzhou",
        "status": "declared",
    }
    sheet = tmp_path / "candidates.csv"
    sheet.write_bytes(csv_bytes([CANDIDATE_HEADER, list(row.values())]))
    since = moment()

    run("import", "elections.resources.CandidateResource", str(sheet), "--as", importer.username)

    candidate = Candidate.objects.get()
    assert candidate.candidacies.get().status == "declared"
    assert_history_names(importer, since, Candidate)


def test_load_places_loads_the_divisions_once():
    generation = Generation()

    run("load_places")
    loaded = Place.objects.count()
    again = Generation()
    run("load_places")

    assert loaded > 3000
    assert Place.objects.filter(code="330106", name_zh="西湖区").exists()
    assert Place.objects.count() == loaded
    assert generation.changed() and not again.changed()
    if hasattr(Place, "history"):
        assert set(Place.history.values_list("history_user__username", flat=True)) == {
            SYSTEM_USERNAME
        }


def test_load_demo_loads_a_reviewed_newsroom_with_no_anonymous_history():
    generation = Generation()

    run("load_demo", "--no-logins")

    assert Candidate.objects.published().exists()
    assert Claim.objects.filter(state=Claim.State.VERIFIED).exists()
    assert Article.objects.count() >= 5
    # The disputes its sheets opened and its reviewer settled, one verdict per question.
    resolved = Contradiction.objects.filter(status=Contradiction.Status.RESOLVED)
    assert resolved.exists() and not resolved.filter(verdict="").exists()
    assert anonymous_history(*AUDITED, Contradiction) == []
    assert generation.changed()


def test_restore_brings_back_the_backup_under_a_fresh_public_generation(tmp_path, editor):
    xu = make_candidate("Xu Yan", name_zh="徐琰")
    make_claim(xu, "age", "27", make_article("Xu Yan, 27, registered."), by=editor)
    backup = tmp_path / "sourcebook.backup"
    run("backup", str(backup))
    at_backup = Generation().before
    make_candidate("Someone added after the backup")
    after_backup = Generation().before

    run("restore", str(backup), "--yes")

    assert list(Candidate.objects.values_list("display_name", flat=True)) == ["Xu Yan"]
    assert Claim.objects.get().value == "27"
    restored = Generation().before
    assert restored not in (at_backup, after_backup), (
        "the restore rewound the public generation: pages cached before the backup would be "
        "served again"
    )
