"""English, 简体中文 and 繁體中文 at the same addresses: from the browser, or by the switch."""

import pytest
from django.conf import settings
from django.core.cache import caches

from tests.newsroom import fixtures

pytestmark = pytest.mark.django_db

_built, world = fixtures("public site", name="world")


@pytest.fixture(autouse=True)
def _fresh_caches():
    for cache in caches.all():
        cache.clear()


@pytest.mark.parametrize(
    ("accept", "language"),
    [
        ("zh-CN,zh;q=0.9,en;q=0.5", "zh-hans"),
        ("zh-SG", "zh-hans"),
        ("zh-TW,zh;q=0.8", "zh-hant"),
        ("zh-HK", "zh-hant"),
        ("zh-Hant-TW", "zh-hant"),
        ("fr-FR,fr;q=0.9", "en"),
        ("", "en"),
    ],
)
def test_the_browsers_language_chooses_the_sites(client, world, accept, language):
    response = client.get("/candidates/", HTTP_ACCEPT_LANGUAGE=accept)
    assert response.status_code == 200
    assert response["Content-Language"] == language
    assert f'<html lang="{language}"' in response.content.decode()
    vary = {part.strip().lower() for part in response["Vary"].split(",")}
    assert {"accept-language", "cookie"} <= vary


def test_the_switch_keeps_the_choice_and_goes_back_to_the_page(client, world):
    response = client.get("/language/zh-hant/", HTTP_REFERER="http://testserver/outlets/?q=x")
    assert response.status_code == 302
    assert response["Location"] == "http://testserver/outlets/?q=x"
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "zh-hant"
    assert cookie["samesite"] == "Lax"
    # The cookie wins over the browser's languages.
    page = client.get("/candidates/", HTTP_ACCEPT_LANGUAGE="en")
    assert page["Content-Language"] == "zh-hant"
    assert client.get("/language/en/?next=/candidates/")["Location"] == "/candidates/"


@pytest.mark.parametrize(
    "target",
    ["https://elsewhere.example/", "//elsewhere.example/", "javascript:alert(1)"],
)
def test_the_switch_never_sends_the_reader_to_another_site(client, target):
    assert client.get("/language/en/", {"next": target})["Location"] == "/"
    assert client.get("/language/en/", HTTP_REFERER=target)["Location"] == "/"


def test_an_unknown_language_is_not_found_and_the_switch_only_reads(client):
    assert client.get("/language/fr/").status_code == 404
    assert client.post("/language/en/").status_code == 405


def test_every_page_carries_the_same_switch_naming_each_language_in_itself(client, world):
    pages = [client.get(path).content.decode() for path in ("/", "/candidates/liu-ping/")]
    for page in pages:
        assert '<a href="/language/zh-hans/" lang="zh-hans" hreflang="zh-hans"' in page
        assert ">简体中文</a>" in page
        assert ">繁體中文</a>" in page
        assert ">English</a>" in page
    # A missing page repeats nothing of its address in the switch.
    missing = client.get("/candidates/quxv-nobody/").content.decode()
    assert "quxv-nobody" not in missing


def test_the_page_cache_keeps_each_language_apart(client, world):
    english = client.get("/outlets/", HTTP_ACCEPT_LANGUAGE="en")
    chinese = client.get("/outlets/", HTTP_ACCEPT_LANGUAGE="zh-CN")
    again = client.get("/outlets/", HTTP_ACCEPT_LANGUAGE="en")
    assert english["Content-Language"] == again["Content-Language"] == "en"
    assert chinese["Content-Language"] == "zh-hans"
    assert english.content == again.content
    assert chinese.content != english.content


def test_names_keep_their_script_whatever_the_language(client, world):
    for accept in ("en", "zh-CN", "zh-TW"):
        page = client.get("/candidates/liu-ping/", HTTP_ACCEPT_LANGUAGE=accept)
        text = page.content.decode()
        assert "Liu Ping" in text
        assert "刘萍" in text  # never turned into 劉萍 for a traditional-Chinese reader
