"""Importers in the load run: claim sheets uploaded through the admin's import, then confirmed."""

import csv
import io
import random
import re
import threading
import time

from elections.models import Candidate, Property
from tests.load.client import Client

HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')
ROWS_PER_SHEET = 20
IMPORT = "/admin/elections/claim/import/"
CONFIRM = "/admin/elections/claim/process_import/"
# A row with the candidate, article and quote of an earlier row is that claim again (the
# import updates it): each importer row names a claim no other row names.
_USED, _USED_LOCK = set(), threading.Lock()


def _claim_new(identity):
    with _USED_LOCK:
        if identity in _USED:
            return False
        _USED.add(identity)
        return True


def _quotes(text, rng, count):
    """Runs of a few words that occur exactly once in `text`, as an importer would copy them."""
    words = text.split()
    found = []
    for _ in range(count * 20):
        if len(found) == count or len(words) < 6:
            break
        first = rng.randrange(len(words) - 5)
        quote = " ".join(words[first : first + rng.randrange(4, 7)])
        position = text.find(quote)
        if position != -1 and text.find(quote, position + 1) == -1:
            found.append(quote)
    return found


def _sheet(world, rng, token_prefix, titles, slugs):
    rows, writes = (
        [["candidate", "property", "value", "article_title", "quote", "as_of", "note"]],
        [],
    )
    for number in range(ROWS_PER_SHEET):
        article, _version, text = rng.choice(world.articles)
        quotes = _quotes(text, rng, 1)
        if not quotes:
            continue
        slug = rng.choice(slugs)
        if not _claim_new((slug, article, quotes[0])):
            continue
        token = f"{token_prefix}-{number}"
        value = quotes[0][:200]
        rows.append([slug, Property.OCCUPATION, value, titles[article], quotes[0], "", token])
        writes.append({"token": token, "value": " ".join(value.split())})
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8"), writes


def import_sheets(world, results, port, deadline, number):
    """Upload claim sheets and confirm each, until the deadline."""
    from sources.models import Article

    rng = random.Random(5000 + number)
    titles = dict(Article.objects.values_list("pk", "title"))
    slugs = list(
        Candidate.objects.active().exclude(slug="xu-ruiyan").values_list("slug", flat=True)
    )
    username, password = world.importers[number]
    client = Client("127.0.0.1", port, timeout=120)
    sheet_number = 0
    try:
        client.login(username, password)
        while time.monotonic() < deadline:
            data, writes = _sheet(world, rng, f"load-{username}-sheet{sheet_number}", titles, slugs)
            sheet_number += 1
            status, _, _, seconds = client.get(IMPORT)
            results.request("import form", status, seconds)
            status, _, content, seconds = client.post_multipart(
                IMPORT,
                {"resource": "0", "format": "0"},
                {"import_file": (f"claims-{sheet_number}.csv", data, "text/csv")},
                referer=IMPORT,
            )
            results.request("import preview", status, seconds)
            page = content.decode("utf-8", "replace")
            if status != 200 or 'name="confirm"' not in page:
                results.error(username, f"preview answered {status}: {page[:300]!r}")
                continue
            confirm = {
                name: value
                for name, value in HIDDEN.findall(page)
                if name in ("import_file_name", "original_file_name", "format", "resource")
            }
            status, _, content, seconds = client.post_form(CONFIRM, confirm, referer=IMPORT)
            results.request("import confirm", status, seconds)
            if status != 302:
                results.error(username, f"confirm answered {status}: {content[:300]!r}")
                continue
            for write in writes:
                results.wrote(**write)
    except Exception as error:
        results.error(username, f"{type(error).__name__}: {error}")
    finally:
        client.close()
