"""Reports that are not text files: Word documents, PDFs with a text layer, and scans read
by Tesseract; each through `import_articles` as a text file goes, or refused saying why."""

import io
import shutil
import subprocess
import zipfile

import pytest
from django.core.management import CommandError, call_command

from elections.models import Property
from sources import documents
from sources.extract import ExtractionError, extract_text
from sources.models import Article
from tests.conftest import missing
from tests.factories import make_candidate, make_claim

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def docx(paragraphs, *, extra=None, title=""):
    """A minimal Word document: its body's paragraphs (each a list of runs), its title."""
    if title:
        extra = {
            **(extra or {}),
            "docProps/core.xml": "<cp:coreProperties xmlns:cp='http://schemas.openxmlformats.org/"
            "package/2006/metadata/core-properties' xmlns:dc='http://purl.org/dc/elements/1.1/'>"
            f"<dc:title>{title}</dc:title></cp:coreProperties>",
        }
    body = "".join(
        "<w:p>"
        + "".join(f"<w:r><w:t xml:space='preserve'>{run}</w:t></w:r>" for run in runs)
        + "</w:p>"
        for runs in paragraphs
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(
            "word/document.xml",
            f"<?xml version='1.0' encoding='UTF-8'?><w:document xmlns:w='{W}'>"
            f"<w:body>{body}</w:body></w:document>",
        )
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return out.getvalue()


def pdf(lines, *, title=""):
    """A one-page PDF whose text layer holds `lines` (ASCII, Helvetica), and its title."""
    stream = "BT /F1 12 Tf 72 720 Td 14 TL " + " ".join(f"({line}) '" for line in lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        "/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    if title:
        objects.append(f"<< /Title ({title}) >>")
    out, offsets = io.BytesIO(), []
    out.write(b"%PDF-1.4\n")
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n{body}\nendobj\n".encode())
    xref = out.tell()
    info = f" /Info {len(objects)} 0 R" if title else ""
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R{info} >>\nstartxref\n{xref}\n"
        "%%EOF\n".encode()
    )
    return out.getvalue()


def test_a_word_document_gives_its_paragraphs():
    data = docx([["刘萍，", "新余市的教师，"], ["宣布参选。"], ["Liu Ping ", "stands again."]])

    extracted = extract_text(data, name="report.docx")

    assert extracted.source_format == "docx"
    assert extracted.text == "刘萍，新余市的教师，\n\n宣布参选。\n\nLiu Ping stands again."


def test_a_word_document_is_recognized_whatever_its_name():
    assert extract_text(docx([["Hello there."]]), name="report.bin").source_format == "docx"


def test_a_word_bomb_is_refused_before_it_is_decompressed():
    bomb = docx([["x"]], extra={"word/media/huge.bin": b"\0" * (80 * 1024 * 1024)})

    with pytest.raises(ExtractionError, match=r"expands too much|more than a document"):
        extract_text(bomb, name="bomb.docx")


def test_a_zip_that_is_no_word_document_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/other.xml", "<x/>")
    with pytest.raises(ExtractionError, match="not a Word document"):
        extract_text(out.getvalue(), name="odd.docx")


def test_a_document_s_own_title_is_read():
    assert extract_text(pdf(["Some text here."], title="A teacher stands"), name="a.pdf").title == (
        "A teacher stands"
    )
    assert extract_text(docx([["正文。"]], title="律师参选"), name="b.docx").title == "律师参选"
    assert extract_text(pdf(["Some text here."]), name="c.pdf").title == ""


def test_a_pdf_gives_its_text_layer_not_its_syntax():
    data = pdf(["Liu Ping, a teacher in Xinyu,", "said on Friday that she would stand."])

    extracted = extract_text(data, name="report.pdf")

    assert extracted.source_format == "pdf"
    assert extracted.text == "Liu Ping, a teacher in Xinyu, said on Friday that she would stand."
    assert "endobj" not in extracted.text and "/Type" not in extracted.text


def test_a_damaged_pdf_is_refused():
    with pytest.raises(ExtractionError, match=r"not a readable PDF|no text"):
        extract_text(b"%PDF-1.4\n1 0 obj garbage", name="broken.pdf")


def test_lines_of_a_paragraph_are_joined_as_chinese_and_english_want():
    text = "刘萍是新余市\n的一名教师。\nShe said on\nFriday.\n\n第二段。"

    assert documents.paragraphs(text) == "刘萍是新余市的一名教师。 She said on Friday.\n\n第二段。"


def test_a_scan_without_tesseract_is_refused_naming_the_package(monkeypatch):
    monkeypatch.setattr(documents.shutil, "which", lambda name: None)

    with pytest.raises(ExtractionError, match="apt-get install tesseract-ocr"):
        extract_text(b"\x89PNG\r\n\x1a\n" + b"\0" * 100, name="scan.png")


@pytest.mark.django_db
def test_import_articles_reads_a_pdf_and_a_word_document(tmp_path):
    (tmp_path / "a.pdf").write_bytes(pdf(["Liu Ping, a teacher in Xinyu, will stand."]))
    (tmp_path / "b.docx").write_bytes(docx([["徐琰，杭州的律师，宣布参选。"]]))
    out = io.StringIO()

    for name, title in (("a.pdf", "A teacher stands"), ("b.docx", "律师参选")):
        call_command(
            "import_articles",
            str(tmp_path / name),
            "--outlet",
            "Harbour Daily",
            "--title",
            title,
            stdout=out,
        )

    texts = dict(Article.objects.values_list("title", "text"))
    assert texts == {
        "A teacher stands": "Liu Ping, a teacher in Xinyu, will stand.",
        "律师参选": "徐琰，杭州的律师，宣布参选。",
    }
    assert set(Article.objects.values_list("source_format", flat=True)) == {"pdf", "docx"}


@pytest.mark.django_db
def test_import_articles_refuses_a_scan_it_cannot_read_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(documents.shutil, "which", lambda name: None)
    (tmp_path / "scan.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 100)

    with pytest.raises(CommandError, match="Tesseract"):
        call_command(
            "import_articles", str(tmp_path / "scan.png"), "--outlet", "X", "--title", "Scan"
        )
    assert not Article.objects.exists()


PAGE = (
    "<html><body style='margin:40px;background:#fff'>"
    "<p style=\"font:48px 'Noto Sans CJK SC';color:#000\">刘萍是新余市的一名教师。</p>"
    "</body></html>"
)


def scanned_page(tmp_path):
    """A PNG of a page of Chinese text, as a scanner gives it: rendered by Chromium."""
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not shutil.which("tesseract") or not shutil.which(chromium):
        missing("needs Tesseract (tesseract-ocr, tesseract-ocr-chi-sim) and Chromium")
    page = tmp_path / "page.html"
    page.write_text(PAGE, encoding="utf-8")
    image = tmp_path / "scan.png"
    subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--screenshot={image}",
            "--window-size=900,200",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return image


@pytest.mark.browser
@pytest.mark.django_db
def test_a_scanned_page_in_chinese_is_read_by_ocr_and_can_be_annotated(tmp_path):
    image = scanned_page(tmp_path)

    call_command(
        "import_articles",
        str(image),
        "--outlet",
        "新余日报",
        "--title",
        "扫描件",
        stdout=io.StringIO(),
    )

    article = Article.objects.get()
    assert article.source_format == "ocr"
    text = "".join(article.text.split())
    assert "新余市" in text and "教师" in text
    # An editor selects words of it and records a claim, as in any article.
    claim = make_claim(make_candidate("刘萍"), Property.OCCUPATION, "教师", article)
    assert claim.passage.exact == "教师"
