"""Every string of the project in 简体中文 and 繁體中文: the catalogs hold every string the code
and templates mark (makemessages finds nothing new and nothing gone), each is translated, its
placeholders are kept, and the compiled catalogs say what the sources say.

makemessages and msgfmt are GNU gettext's; where they are absent the tests that need them skip
(CI installs gettext and turns the skip into a failure).
"""

import ast
import gettext
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import missing

ROOT = Path(__file__).resolve().parent.parent
CATALOG_DIRS = ["config", "elections", "sources"]
LANGUAGES = ["zh_Hans", "zh_Hant"]
CATALOGS = [
    ROOT / folder / "locale" / language / "LC_MESSAGES" / "django.po"
    for folder in CATALOG_DIRS
    for language in LANGUAGES
]
# What makemessages reads, as `make messages` runs it.
TREE = ["manage.py", "config", "elections", "sources", "templates"]
MAKEMESSAGES = [
    "makemessages",
    *(f"--locale={language}" for language in LANGUAGES),
    "--no-obsolete",
    "--ignore=.venv",
    "--ignore=tests",
    "--ignore=staticfiles",
    "-v0",
]


def entries(path):
    """The entries of the .po file at `path` (entries are blocks between blank lines): dicts
    of msgctxt, msgid, msgid_plural, msgstr (one item, or one per plural form) and flags; the
    header and obsolete entries left out."""
    found = []
    for block in Path(path).read_text(encoding="utf-8").split("\n\n"):
        entry, field = {"flags": set(), "msgstr": []}, None
        for line in block.strip().splitlines():
            if line.startswith("#,"):
                entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                if field == "msgstr":
                    entry["msgstr"][-1] += ast.literal_eval(line)
                else:
                    entry[field] += ast.literal_eval(line)
            else:
                keyword, _space, rest = line.partition(" ")
                if keyword.startswith("msgstr"):
                    entry["msgstr"].append(ast.literal_eval(rest))
                    field = "msgstr"
                else:
                    entry[keyword] = ast.literal_eval(rest)
                    field = keyword
        if entry.get("msgid"):
            found.append(entry)
    return found


def key(entry):
    return (entry.get("msgctxt"), entry["msgid"], entry.get("msgid_plural"))


def need_gettext():
    if not (shutil.which("xgettext") and shutil.which("msgfmt")):
        missing("needs GNU gettext's xgettext and msgfmt (apt-get install gettext)")


@pytest.mark.parametrize("catalog", CATALOGS, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_string_is_translated(catalog):
    untranslated = [
        entry["msgid"]
        for entry in entries(catalog)
        if "fuzzy" in entry["flags"] or not all(entry.get("msgstr", [""]))
    ]
    assert untranslated == []


def test_makemessages_finds_nothing_new_and_nothing_gone(tmp_path):
    need_gettext()
    for name in TREE:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(
                source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "*.mo")
            )
        else:
            shutil.copy(source, tmp_path / name)
    subprocess.run(
        [sys.executable, "manage.py", *MAKEMESSAGES],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "config.settings.test"},
    )
    for catalog in CATALOGS:
        fresh = tmp_path / catalog.relative_to(ROOT)
        committed = {key(entry) for entry in entries(catalog)}
        found = {key(entry) for entry in entries(fresh)}
        assert sorted(found - committed, key=str) == [], f"new strings for {catalog}"
        assert sorted(committed - found, key=str) == [], f"strings gone from {catalog}"


@pytest.mark.parametrize("catalog", CATALOGS, ids=lambda path: str(path.relative_to(ROOT)))
def test_placeholders_and_plurals_are_kept(catalog):
    need_gettext()
    checked = subprocess.run(
        ["msgfmt", "--check-format", "--check-domain", "-o", "/dev/null", str(catalog)],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stderr


@pytest.mark.parametrize("catalog", CATALOGS, ids=lambda path: str(path.relative_to(ROOT)))
def test_the_compiled_catalog_says_what_its_source_says(catalog):
    with catalog.with_suffix(".mo").open("rb") as compiled:
        translations = gettext.GNUTranslations(compiled)
    for entry in entries(catalog):
        context = entry.get("msgctxt")
        if "msgid_plural" in entry:
            shown = (
                translations.npgettext(context, entry["msgid"], entry["msgid_plural"], 1)
                if context
                else translations.ngettext(entry["msgid"], entry["msgid_plural"], 1)
            )
        elif context:
            shown = translations.pgettext(context, entry["msgid"])
        else:
            shown = translations.gettext(entry["msgid"])
        assert shown == entry["msgstr"][0], entry["msgid"]
