"""Reports into the admin: files uploaded (several at once) and text pasted, read as
`import_articles` reads files, all or nothing; pasted HTML becomes its text, never its tags."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sources.models import Article, Outlet
from tests.factories import make_user
from tests.sources.test_documents import docx, pdf

pytestmark = pytest.mark.django_db

INTAKE = reverse("admin:sources_article_intake")
PAGE = (
    "<!DOCTYPE html><html><head><title>Engineer stands | Harbour Daily</title>"
    "<meta property='og:site_name' content='Harbour Daily'></head><body>"
    "<nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
    "<article><h1>Engineer stands</h1><p>Chen Bo, an engineer in Hangzhou, said on Monday "
    "that he would stand for the district people's congress.</p>"
    "<p>He has collected the signatures the rules ask for.</p></article>"
    "<footer>Copyright Harbour Daily</footer></body></html>"
)


@pytest.fixture
def editor(client):
    client.force_login(make_user("Editors"))
    return client


def test_an_editor_uploads_several_reports_at_once(editor):
    files = [
        SimpleUploadedFile("engineer.html", PAGE.encode(), content_type="text/html"),
        SimpleUploadedFile(
            "teacher.pdf",
            pdf(["Liu Ping, a teacher in Xinyu, will stand."], title="A teacher stands"),
        ),
        SimpleUploadedFile(
            "lawyer.docx", docx([["徐琰，杭州的律师，宣布参选。"]], title="律师参选")
        ),
    ]

    response = editor.post(
        INTAKE, {"files": files, "outlet": "Harbour Daily", "title": "", "pasted_format": "html"}
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == reverse("admin:sources_article_changelist")
    titles = set(Article.objects.values_list("title", flat=True))
    assert titles == {"Engineer stands", "A teacher stands", "律师参选"}
    texts = sorted(Article.objects.values_list("text", flat=True))
    assert any("Chen Bo, an engineer in Hangzhou" in text for text in texts)
    assert "Liu Ping, a teacher in Xinyu, will stand." in texts
    assert "徐琰，杭州的律师，宣布参选。" in texts
    assert not any("<" in text or "Copyright" in text for text in texts)
    assert set(Article.objects.values_list("source_format", flat=True)) == {"html", "pdf", "docx"}


def test_pasted_html_is_a_page_and_one_report_opens_for_annotation(editor):
    response = editor.post(
        INTAKE, {"pasted": PAGE, "pasted_format": "html", "outlet": "Harbour Daily"}
    )

    article = Article.objects.get()
    assert response["Location"] == reverse("admin:sources_article_annotate", args=[article.pk])
    assert article.title == "Engineer stands"
    assert "Chen Bo, an engineer in Hangzhou" in article.text
    assert "<p>" not in article.text and "Home" not in article.text


def test_one_bad_report_and_nothing_is_imported_every_problem_listed(editor):
    files = [
        SimpleUploadedFile("engineer.html", PAGE.encode()),
        SimpleUploadedFile("broken.pdf", b"%PDF-1.4 not really"),
        SimpleUploadedFile("blank.txt", b"   \n"),
    ]

    response = editor.post(INTAKE, {"files": files, "outlet": "Harbour Daily"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was imported: 2 problems" in page
    assert "broken.pdf: is not a readable PDF" in page and "blank.txt: holds no text" in page
    assert not Article.objects.exists() and not Outlet.objects.exists()


def test_the_same_report_twice_is_not_duplicated(editor):
    upload = {"pasted": PAGE, "pasted_format": "html", "outlet": "Harbour Daily"}
    editor.post(INTAKE, upload)
    editor.post(INTAKE, upload)

    assert Article.objects.count() == 1


def test_nothing_to_import_is_said(editor):
    response = editor.post(INTAKE, {"pasted": "  ", "pasted_format": "text"})

    assert "Choose files to upload, give an address to fetch, or paste a report." in (
        response.content.decode()
    )


def test_a_reviewer_without_the_permission_to_add_articles_is_refused(client):
    client.force_login(make_user("Reviewers"))
    assert client.get(INTAKE).status_code == 403


def test_the_list_offers_the_intake(editor):
    page = editor.get(reverse("admin:sources_article_changelist")).content.decode()

    assert f'href="{INTAKE}"' in page


def test_pasting_html_in_the_add_form_stores_its_text_not_its_tags(editor):
    outlet = Outlet.objects.create(name="Harbour Daily", slug="harbour-daily")

    response = editor.post(
        reverse("admin:sources_article_add"),
        {
            "outlet": outlet.pk,
            "title": "Engineer stands",
            "source_text": PAGE,
            "source_format": "html",
            "boilerplate": "",
            "language": "en",
            "published_precision": "day",
        },
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    article = Article.objects.get()
    assert "Chen Bo, an engineer in Hangzhou" in article.text
    assert "<" not in article.text


# A batch too big for a request is imported by a task.


def reports(count):
    return [
        SimpleUploadedFile(
            f"report-{number}.html",
            (
                f"<html><head><title>Report {number}</title></head><body><article>"
                f"<h1>Report {number}</h1><p>Candidate {number} will stand in Xinyu, the "
                "district's residents were told at a meeting on Monday evening.</p>"
                "</article></body></html>"
            ).encode(),
            content_type="text/html",
        )
        for number in range(count)
    ]


def test_a_big_batch_is_imported_by_a_task_whose_page_shows_it(editor, settings):
    from sources.models import SheetUpload, TaskRun

    settings.SOURCEBOOK_INTAKE_INLINE_FILES = 2
    response = editor.post(
        INTAKE, {"files": reports(3), "outlet": "Harbour Daily", "pasted_format": "html"}
    )

    run = TaskRun.objects.get(kind="articles_intake")
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:sources_taskrun_change", args=[run.pk])
    # Under the embedded default the run has ended by now.
    assert run.state == TaskRun.State.SUCCEEDED, run.error
    assert (run.done, run.total) == (3, 3)
    assert run.result["created"] == 3
    assert Article.objects.count() == 3
    assert not SheetUpload.objects.exists()  # the packed files are gone once imported
    page = editor.get(response["Location"]).content.decode()
    assert "imported by a task" in page


def test_a_big_batch_with_one_bad_report_imports_nothing_and_its_run_says_why(editor, settings):
    from sources.models import TaskRun

    settings.SOURCEBOOK_INTAKE_INLINE_FILES = 2
    bad = SimpleUploadedFile(
        "broken.pdf", b"%PDF-1.4 not really a pdf", content_type="application/pdf"
    )
    editor.post(
        INTAKE, {"files": [*reports(2), bad], "outlet": "Harbour Daily", "pasted_format": "html"}
    )

    run = TaskRun.objects.get(kind="articles_intake")
    assert run.state == TaskRun.State.FAILED
    assert "Nothing was imported: 1 problem(s)." in run.error
    assert "broken.pdf" in run.error
    assert not Article.objects.exists()


def test_a_batch_re_imported_by_a_task_duplicates_nothing(editor, settings):
    settings.SOURCEBOOK_INTAKE_INLINE_FILES = 1
    for _attempt in range(2):
        editor.post(
            INTAKE, {"files": reports(2), "outlet": "Harbour Daily", "pasted_format": "html"}
        )
    assert Article.objects.count() == 2


def test_an_uploaded_report_is_kept_as_its_archived_original(editor):
    from sources.models import ArchivedCopy

    data = PAGE.encode()
    editor.post(
        INTAKE,
        {
            "files": [SimpleUploadedFile("engineer.html", data, content_type="text/html")],
            "outlet": "Harbour Daily",
            "url": "https://harbour.example/engineer",
            "pasted_format": "html",
        },
    )
    copy = ArchivedCopy.objects.get()
    assert bytes(copy.data) == data
    assert copy.content_type == "text/html"
    assert copy.url == "https://harbour.example/engineer"
    assert copy.article.archived_at == copy.fetched_at
    # Uploading the same file again keeps no second copy.
    editor.post(
        INTAKE,
        {
            "files": [SimpleUploadedFile("engineer.html", data, content_type="text/html")],
            "outlet": "Harbour Daily",
            "url": "https://harbour.example/engineer",
            "pasted_format": "html",
        },
    )
    assert ArchivedCopy.objects.count() == 1
