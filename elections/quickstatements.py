"""The public facts that Wikidata has properties for, as QuickStatements (version 1 syntax).

Only candidates with a Wikidata item (`Candidate.wikidata`) are written, and only their public
facts (`elections.public.public_claims()`: verified, standing, citing words their article
still holds, of a published candidate; a claim a verdict overruled is no fact and is left
out). Each fact that maps to a Wikidata property becomes a statement:

- `birth_year` -> P569 (date of birth) at year precision, `+1973-00-00T00:00:00Z/9`; a
  decade ("born in the 1970s") at decade precision, `/8`;
- `gender` -> P21 (sex or gender): Q6581097 (male) or Q6581072 (female);
- `province`, `city` and `district` -> P768 (electoral district): the place where the
  candidate stood, when the claim names one known place and that place has a Wikidata item.

Each line of the export is one statement with one set of references (tab-separated):
S248 (stated in) the outlet's item when it has one, S854 (reference URL) the article's address
(this site's page of it when it has none), S1683 (quote) the passage as monolingual text in
the article's language, S813 (retrieved) the day the article was archived, else the day the
claim was verified. When several outlets (or articles) give the same value, the statement is
written once per article, each time with that article's references: QuickStatements adds a
statement only once and the references of every repeat to it, so Wikidata gets one statement
with several references. Lines come in the order of item, property, value and article.
"""

import datetime
from collections.abc import Callable, Iterator

from django.urls import reverse

from elections import public
from elections.models import Place, Property
from elections.public import text_lang
from elections.views.pages import safe_url

P_BIRTH = "P569"
P_GENDER = "P21"
P_ELECTORAL_DISTRICT = "P768"
GENDERS = {"male": "Q6581097", "female": "Q6581072"}
PLACE_PROPERTIES = (Property.PROVINCE, Property.CITY, Property.DISTRICT)
PROPERTIES = (Property.BIRTH_YEAR, Property.GENDER, *PLACE_PROPERTIES)
# Wikidata keeps a monolingual text of up to 1,500 characters.
MAX_QUOTE = 1500
ROWS_PER_FETCH = 2000
COLUMNS = (
    "candidate__wikidata",
    "property",
    "value_key",
    "article_id",
    "article__url",
    "article__language",
    "article__archived_at",
    "article__outlet__wikidata",
    "passage__exact",
    "reviewed_at",
)


def _time(day: datetime.date, precision: int) -> str:
    return f"+{day.isoformat()}T00:00:00Z/{precision}"


def _birth(key: str) -> str | None:
    if key.isdigit() and len(key) == 4:
        return f"+{key}-00-00T00:00:00Z/9"
    if key.endswith("s") and key[:-1].isdigit() and len(key) == 5:
        return f"+{key[:-1]}-00-00T00:00:00Z/8"
    return None


def _place_id(key: str) -> int | None:
    ids = key.removeprefix("place:")
    return int(ids) if key.startswith("place:") and ids.isdigit() else None


def _text(value: str) -> str:
    """A string value: QuickStatements has no escape for its quotes, tabs or line ends."""
    return '"' + " ".join(value.replace('"', "'").split()) + '"'


def _language(article_language: str, quote: str) -> str:
    """The Wikimedia language code of a quote: the article's, else read from its script."""
    code = (article_language or text_lang(quote, "en")).lower()
    return code if code.replace("-", "").isalpha() else "en"


def quickstatements_lines(build_url: Callable[[str], str]) -> Iterator[str]:
    """The export's lines, each ending in a line feed, written as the claims are read."""
    claims = (
        public.public_claims()
        .filter(property__in=PROPERTIES)
        .exclude(candidate__wikidata="")
        .order_by("candidate__wikidata", "property", "value_key", "article_id", "id")
        .values_list(*COLUMNS)
    )
    # A place a public fact names is public with it; its item is read once per place.
    place_items: dict[int | None, str | None] = {None: None}

    def place_item(key: str) -> str | None:
        pk = _place_id(key)
        if pk not in place_items:
            found = Place.objects.filter(pk=pk).values_list("wikidata", flat=True).first()
            place_items[pk] = found or None
        return place_items[pk]

    head, _, tail = build_url(reverse("elections:article-detail", args=[0])).rpartition("/0/")
    written = set()
    for row in claims.iterator(chunk_size=ROWS_PER_FETCH):
        qid, prop, key, article_id, url, language, archived, outlet, quote, reviewed = row
        if prop == Property.BIRTH_YEAR:
            statement, value = P_BIRTH, _birth(key)
        elif prop == Property.GENDER:
            statement, value = P_GENDER, GENDERS.get(key)
        else:
            statement, value = P_ELECTORAL_DISTRICT, place_item(key)
        if value is None or (qid, statement, value, article_id) in written:
            continue
        written.add((qid, statement, value, article_id))
        retrieved = archived or reviewed
        references = [
            *(("S248", outlet),) * bool(outlet),
            ("S854", _text(safe_url(url) or f"{head}/{article_id}/{tail}")),
            ("S1683", f"{_language(language, quote)}:{_text(quote[:MAX_QUOTE])}"),
            *(("S813", _time(retrieved.date(), 11)),) * bool(retrieved),
        ]
        cells = [qid, statement, value, *(cell for pair in references for cell in pair)]
        yield "\t".join(cells) + "\n"
