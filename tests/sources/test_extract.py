"""Reading article files: encodings, plain text, Markdown and saved HTML pages."""

import pytest

from sources.dates import PartialDate, Precision
from sources.extract import (
    HTML,
    MARKDOWN,
    TEXT,
    ExtractionError,
    decode_bytes,
    extract_file,
    extract_text,
    guess_format,
)

CHINESE = (
    "许艳，二十七岁，宣布以独立候选人身份参加杭州的区人大代表选举。\n\n第二段：“我想让选民有选择。”"
)

# A made-up saved page: navigation and a footer around the article, entities in the text,
# and the metadata a news site puts in its <head>.
PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Retired teacher enters district race &ndash; The Lakeside Courier</title>
<meta name="author" content="Dana Example">
<meta property="article:published_time" content="2011-10-14T08:00:00Z">
<meta property="og:site_name" content="The Lakeside Courier">
<link rel="canonical" href="https://courier.example/2011/10/teacher-enters-race">
</head>
<body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World news</a></li>
<li><a href="/subscribe">Subscribe today and save</a></li></ul></nav>
<article>
<h1>Retired teacher enters district race</h1>
<p>A retired chemistry teacher in an invented lakeside town said on Tuesday that she
would stand as an independent in the district&rsquo;s people&rsquo;s congress election,
the first person in her neighbourhood to try.</p>
<p>&ldquo;Residents deserve a real choice,&rdquo; she said &mdash; adding that she had
gathered more than forty signatures from neighbours within two weeks of deciding.</p>
<p>Local officials did not answer questions sent on Wednesday. Voting is due in November,
and nominations close a month before, according to the town&rsquo;s election office.</p>
</article>
<footer><p>Copyright 2011 The Lakeside Courier. All rights reserved.</p>
<a href="/privacy">Privacy policy</a></footer>
</body>
</html>
"""


def test_utf8_with_a_byte_order_mark_is_read_without_the_mark():
    extracted = extract_text(b"\xef\xbb\xbf" + CHINESE.encode("utf-8"), name="bom.txt")
    assert extracted.text == CHINESE
    assert extracted.encoding == "utf-8-sig"


def test_gb18030_chinese_text_is_recognised_without_being_named():
    extracted = extract_text(CHINESE.encode("gb18030"), name="gbk.txt")
    assert extracted.text == CHINESE
    assert extracted.encoding == "gb18030"


def test_gb18030_keeps_characters_outside_gbk():
    text = "候选人 𠀀 😀 €"
    assert decode_bytes(text.encode("gb18030"), name="wide.txt") == (text, "gb18030")


def test_an_explicit_encoding_is_used():
    text = "臺灣的選舉"
    assert decode_bytes(text.encode("big5"), name="tw.txt", encoding="big5") == (text, "big5")


def test_an_explicit_encoding_that_does_not_fit_names_the_file():
    with pytest.raises(ExtractionError, match=r"^tw\.txt: is not valid ascii \(byte 0"):
        decode_bytes("選舉".encode("big5"), name="tw.txt", encoding="ascii")


def test_an_unknown_encoding_name_is_an_error():
    with pytest.raises(ExtractionError, match="'klingon' is not a known encoding"):
        decode_bytes(b"text", name="a.txt", encoding="klingon")


def test_latin1_text_is_refused_even_though_gb18030_would_decode_it():
    data = "Die Größe der Wähler ist für Bürgermeister überraschend.".encode("latin-1")
    data.decode("gb18030")
    with pytest.raises(ExtractionError) as raised:
        extract_text(data, name="german.txt")
    assert str(raised.value).startswith("german.txt: is neither UTF-8 nor GB18030")
    assert raised.value.name == "german.txt"


def test_utf16_is_refused_with_advice():
    with pytest.raises(ExtractionError, match=r"wide\.txt: is UTF-16; save it as UTF-8"):
        extract_text("text".encode("utf-16"), name="wide.txt")


def test_a_binary_file_is_refused():
    with pytest.raises(ExtractionError, match="not a text file"):
        extract_text(b"GIF89a\x00\x01\x02", name="picture.gif")
    # A PDF is read as one (sources.documents), and one that is not readable says so.
    with pytest.raises(ExtractionError, match="not a readable PDF"):
        extract_text(b"%PDF-1.4\x00\x01\x02", name="scan.pdf")


def test_an_empty_file_holds_no_text():
    with pytest.raises(ExtractionError, match=r"empty\.txt: holds no text"):
        extract_text(b"  \n\n ", name="empty.txt")


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(ExtractionError, match=r"gone\.txt: no such file"):
        extract_file(tmp_path / "gone.txt", name="gone.txt")


def test_plain_text_is_normalized_and_carries_no_metadata():
    extracted = extract_text(b"Headline?\r\n\r\nBody &mdash; text.  \n", name="a.txt")
    assert extracted.text == "Headline?\n\nBody — text."
    assert (extracted.source_format, extracted.title, extracted.outlet) == (TEXT, "", "")


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("page.html", "plain words", HTML),
        ("page.HTM", "plain words", HTML),
        ("notes.md", "<html>", MARKDOWN),
        ("saved.txt", "<!-- saved from url=(0022)https://a.example/ -->\n<!DOCTYPE html>", HTML),
        ("report", "  <html lang='zh'><body></body></html>", HTML),
        ("report.txt", "Plain words about <html> tags.", TEXT),
    ],
)
def test_format_follows_the_suffix_then_the_content(name, content, expected):
    assert guess_format(name, content) == expected


def test_a_saved_page_keeps_its_paragraphs_and_drops_the_navigation():
    extracted = extract_text(PAGE.encode("utf-8"), name="page.html")
    paragraphs = extracted.text.split("\n\n")
    assert paragraphs[0] == "Retired teacher enters district race"
    assert paragraphs[1].startswith("A retired chemistry teacher")
    assert paragraphs[2].startswith("“Residents deserve a real choice,” she said — adding")
    assert paragraphs[3].endswith("according to the town’s election office.")
    assert len(paragraphs) == 4
    for boilerplate in ("Home", "World news", "Subscribe", "All rights reserved", "Privacy"):
        assert boilerplate not in extracted.text
    assert "&" not in extracted.text
    # The page's own line breaks inside a paragraph are not kept.
    assert "\n" not in paragraphs[1]


def test_a_saved_page_gives_its_metadata():
    extracted = extract_text(PAGE.encode("utf-8"), name="page.html")
    assert extracted.source_format == HTML
    assert extracted.title == "Retired teacher enters district race"
    assert extracted.byline == "Dana Example"
    assert extracted.published == PartialDate(2011, 10, 14)
    assert extracted.outlet == "The Lakeside Courier"
    assert extracted.url == "https://courier.example/2011/10/teacher-enters-race"
    assert extracted.language == "en"


def test_a_page_date_is_never_guessed_from_its_address():
    page = PAGE.replace(
        '<meta property="article:published_time" content="2011-10-14T08:00:00Z">', ""
    )
    assert extract_text(page.encode("utf-8"), name="page.html").published is None


def test_a_page_saved_by_a_browser_gives_its_address():
    page = "<!-- saved from url=(0040)https://courier.example/saved-article -->\n" + PAGE
    page = page.replace('<link rel="canonical" href="https://courier.example/2011/10/', "<x ")
    extracted = extract_text(page.encode("utf-8"), name="saved.htm")
    assert extracted.url == "https://courier.example/saved-article"


def test_a_chinese_page_in_gb18030_is_read():
    page = (
        '<html lang="zh-CN"><head><meta charset="gb2312"><title>区人大代表选举</title></head>'
        "<body><nav>首页 新闻 订阅</nav><article><h1>区人大代表选举</h1>"
        + "".join(f"<p>{CHINESE}第{number}段。</p>" for number in range(1, 4))
        + "</article></body></html>"
    )
    extracted = extract_text(page.encode("gb18030"), name="zh.html")
    assert extracted.encoding == "gb18030"
    assert extracted.language == "zh-CN"
    assert "第1段。" in extracted.text and "杭州" in extracted.text
    assert "订阅" not in extracted.text


def test_a_page_without_article_text_is_an_error():
    with pytest.raises(ExtractionError, match="no article text was found"):
        extract_text(b"<html><head><title>T</title></head><body></body></html>", name="x.html")


MARKDOWN_ARTICLE = """---
title: "Teacher enters district race"
date: 2011-10-14 08:00:00
author: Dana Example
outlet: The Lakeside Courier
url: https://courier.example/teacher
language: en
layout: post
---

# A heading that is not the title

A paragraph with *emphasis* and a soft
line break, and an entity&rsquo;s apostrophe.

- first item
- second item

A hard break\x20\x20
ends this line.

中文第一行
第二行。
"""


def test_markdown_is_rendered_to_plain_paragraphs():
    extracted = extract_text(MARKDOWN_ARTICLE.encode("utf-8"), name="teacher.md")
    assert extracted.source_format == MARKDOWN
    assert extracted.text.split("\n\n") == [
        "A heading that is not the title",
        "A paragraph with emphasis and a soft line break, and an entity’s apostrophe.",
        "first item\nsecond item",
        "A hard break\nends this line.",
        "中文第一行第二行。",
    ]


def test_markdown_front_matter_gives_the_metadata():
    extracted = extract_text(MARKDOWN_ARTICLE.encode("utf-8"), name="teacher.md")
    assert extracted.title == "Teacher enters district race"
    assert extracted.published == PartialDate(2011, 10, 14)
    assert extracted.byline == "Dana Example"
    assert extracted.outlet == "The Lakeside Courier"
    assert extracted.url == "https://courier.example/teacher"
    assert extracted.language == "en"


def test_markdown_title_comes_from_the_first_heading_without_front_matter():
    extracted = extract_text(b"Intro line.\n\n## The real title\n\nBody.", name="a.markdown")
    assert extracted.title == "The real title"
    assert extracted.published is None


def test_markdown_front_matter_date_keeps_its_precision():
    extracted = extract_text(b"---\ndate: 2011-06\n---\n\n# T\n\nBody.", name="a.md")
    assert extracted.published.precision == Precision.MONTH


def test_markdown_front_matter_with_a_bad_date_names_the_file():
    with pytest.raises(ExtractionError, match=r"^bad\.md: front matter date"):
        extract_text(b"---\ndate: someday\n---\n\nBody.", name="bad.md")


def test_markdown_without_front_matter_keeps_a_leading_colon_line():
    extracted = extract_text(b"BEIJING: officials said so.\n\nMore.", name="a.md")
    assert extracted.text == "BEIJING: officials said so.\n\nMore."
