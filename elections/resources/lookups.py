"""Finding what sheet rows name: places by their columns, candidates by slug or by name.

Each finder answers a whole batch of rows from a few queries, and says what is close to a
name it cannot find.
"""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from elections.models import Candidacy, Candidate, Claim, Place, PlaceName, Property
from elections.names import fold_han, fold_latin, name_keys, pinyin_of, wade_giles_of
from elections.places import _at_level
from elections.services.bulk import PlaceCache, articles_for_quotes
from sources.models import Article
from sources.resources.base import did_you_mean
from sources.text import normalize_line

# The place columns of the candidate and election sheets, from the widest place down.
PLACE_COLUMNS = (
    ("province", Place.Level.PROVINCE),
    ("city", Place.Level.CITY),
    ("district", Place.Level.COUNTY),
    ("township", Place.Level.TOWNSHIP),
)
_LEVEL_NAMES = {
    Place.Level.PROVINCE: _("province"),
    Place.Level.CITY: _("city"),
    Place.Level.COUNTY: _("county or district"),
    Place.Level.TOWNSHIP: _("township"),
}
_PLACE_PROPERTIES = (Property.PROVINCE, Property.CITY, Property.DISTRICT)


def place_label(place):
    """A place as messages name it: Haidian (海淀区, 110108) in Beijing."""
    inside = place.province if place.province_id and place.province_id != place.pk else None
    where = f" in {inside.name}" if inside is not None else ""
    code = f", {place.code}" if place.code else ""
    return f"{place.name} ({place.name_zh}{code}){where}"


def _inside(place, chosen):
    """Whether `place` lies within every place already chosen from the wider columns."""
    for level, parent in chosen.items():
        if level == Place.Level.PROVINCE and place.province_id != parent.pk:
            return False
        if level == Place.Level.CITY and place.city_id != parent.pk:
            return False
        if level == Place.Level.COUNTY and place.parent_id != parent.pk:
            return False
    return True


class PlaceColumns:
    """Reads the province, city, district and township columns of a row as one place."""

    def __init__(self, cache=None, columns=PLACE_COLUMNS):
        self.cache = cache or PlaceCache()
        self.columns = columns

    def preload(self, rows):
        self.cache.preload(row[column] for row in rows for column, _level in self.columns)

    def resolve(self, row, report):
        """The most specific place the row names (None when it names none), or False after
        noting a problem: a name not found, ambiguous, or outside the wider place given."""
        chosen = {}
        for column, level in self.columns:
            text = row[column]
            if not text:
                continue
            named = self.cache.lookup(text)
            at_level = [place for place in named if _at_level(place, level)]
            inside = [place for place in at_level if _inside(place, chosen)]
            if len(inside) == 1:
                chosen[level] = inside[0]
                continue
            report.problem(row, column, self._why(text, level, named, at_level, inside, chosen))
            return False
        if not chosen:
            return None
        return chosen[max(chosen, key=[level for _column, level in self.columns].index)]

    def _why(self, text, level, named, at_level, inside, chosen):
        kind = _LEVEL_NAMES[level]
        if len(inside) > 1:
            listed = "; ".join(place_label(place) for place in inside)
            return gettext(
                "“%(text)s” could be more than one %(kind)s: %(listed)s; give the wider places"
            ) % {"text": text, "kind": kind, "listed": listed}
        wider = ", ".join(place.name for place in chosen.values())
        if at_level:
            listed = "; ".join(place_label(place) for place in at_level)
            return gettext("“%(text)s” is not in %(wider)s: there is %(listed)s") % {
                "text": text,
                "wider": wider,
                "listed": listed,
            }
        if named:
            listed = "; ".join(
                gettext("%(place)s is a %(kind)s")
                % {"place": place_label(place), "kind": _LEVEL_NAMES[place.level]}
                for place in named
            )
            return gettext("“%(text)s” is not a %(kind)s: %(listed)s; put it in its own column") % {
                "text": text,
                "kind": kind,
                "listed": listed,
            }
        names = PlaceName.objects.filter(place__level=level)
        if chosen:
            widest = chosen[min(chosen, key=[lv for _column, lv in self.columns].index)]
            names = names.filter(place__province_id=widest.province_id)
        hint = did_you_mean(text, list(names.values_list("name", flat=True)))
        if wider:
            return gettext("no %(kind)s called “%(text)s” is known in %(wider)s%(hint)s") % {
                "kind": kind,
                "text": text,
                "wider": wider,
                "hint": hint,
            }
        return gettext("no %(kind)s called “%(text)s” is known%(hint)s") % {
            "kind": kind,
            "text": text,
            "hint": hint,
        }


def _keys_of(search_text, *names):
    """A stored candidate's name keys: its search text holds them (the services keep it up
    to date); they are worked out from its names only when it is empty."""
    if search_text:
        return set(search_text.strip("|").split("|")) - {""}
    keys = set()
    for name in names:
        if name:
            keys |= name_keys(name)
    return keys


class CandidateIndex:
    """Every active candidate's name keys, read once per import, to match names in rows.

    A row's names are matched by their query keys (`elections.names.query_keys`): Chinese
    characters find the same characters only, Latin letters find Latin names and the pinyin
    of Chinese ones. Candidates planned by earlier rows of the same sheet are added with
    `add`, so that two rows about one new person are caught too.
    """

    def __init__(self):
        self.by_key = None
        self.labels = {}
        self.name_zh = {}
        self._forms = {}

    def forms(self, name):
        """(query keys, all keys) of one name: `query_keys` and `name_keys` of
        `elections.names`, worked out together and once per name."""
        if name not in self._forms:
            latin, han = fold_latin(name), fold_han(name)
            query = {latin, han} - {""}
            spelled = {pinyin_of(name), wade_giles_of(name)} - {""}
            self._forms[name] = (query, query | spelled)
        return self._forms[name]

    def _load(self):
        if self.by_key is not None:
            return
        self.by_key = {}
        rows = Candidate.objects.active().values_list(
            "pk", "slug", "display_name", "name_zh", "search_text"
        )
        for pk, slug, display_name, name_zh, text in rows.iterator(chunk_size=5000):
            self._index(pk, _keys_of(text, display_name, name_zh))
            self.labels[pk] = f"{display_name} ({slug})"
            self.name_zh[pk] = fold_han(name_zh)

    def _index(self, ref, keys):
        for key in keys:
            self.by_key.setdefault(key, set()).add(ref)

    def add(self, ref, names, label, name_zh=""):
        """Index a candidate a row plans (`ref` is any key the caller recognises); return the
        keys of its names."""
        self._load()
        keys = set()
        for name in names:
            if name:
                keys |= self.forms(name)[1]
        self._index(ref, keys)
        self.labels[ref] = label
        self.name_zh[ref] = fold_han(name_zh)
        return keys

    def matching(self, names, name_zh=""):
        """The refs of candidates any of `names` finds, less those whose Chinese name differs."""
        self._load()
        found = set()
        for name in names:
            for key in self.forms(name)[0] if name else ():
                found |= self.by_key.get(key, set())
        wanted = fold_han(name_zh)
        if wanted:
            found = {ref for ref in found if self.name_zh.get(ref) in ("", wanted)}
        return found

    def closest(self, text):
        self._load()
        return did_you_mean(text, list(self.labels.values()))


def candidate_provinces(candidate_ids):
    """{candidate id: province ids} from their candidacies and their place claims."""
    provinces = {}
    ids = sorted(candidate_ids)
    if not ids:
        return provinces
    rows = Candidacy.objects.filter(candidate_id__in=ids).values_list(
        "candidate_id", "election__place__province_id"
    )
    for candidate_id, province_id in rows:
        if province_id:
            provinces.setdefault(candidate_id, set()).add(province_id)
    places = {}
    claims = (
        Claim.objects.filter(candidate_id__in=ids, property__in=_PLACE_PROPERTIES)
        .exclude(state=Claim.State.REJECTED)
        .values_list("candidate_id", "normalized")
    )
    for candidate_id, normalized in claims:
        for place_id in (normalized or {}).get("place_ids", ()):
            places.setdefault(place_id, set()).add(candidate_id)
    if places:
        for place_id, province_id in Place.objects.filter(pk__in=places).values_list(
            "pk", "province_id"
        ):
            for candidate_id in places[place_id]:
                provinces.setdefault(candidate_id, set()).add(province_id or place_id)
    return provinces


def candidates_by_slug(slugs):
    """{slug: Candidate} for `slugs`, merged ones included (their `merged_into` loaded)."""
    slugs = sorted(set(slugs) - {""})
    found = {}
    for first in range(0, len(slugs), 500):
        for candidate in Candidate.objects.filter(
            slug__in=slugs[first : first + 500]
        ).select_related("merged_into"):
            found[candidate.slug] = candidate
    return found


def survivor(candidate):
    """The record a merged candidate now lives in (itself when not merged)."""
    seen = set()
    while candidate.merged_into_id and candidate.pk not in seen:
        seen.add(candidate.pk)
        candidate = candidate.merged_into or Candidate.objects.get(pk=candidate.merged_into_id)
    return candidate


class ArticleFinder:
    """The articles claim rows name by number, URL or title, a batch at a time.

    `load` reads a batch's articles (one query per kind of reference) and the current text
    of those not read yet, locked for the import (`articles_for_quotes`); `find` answers a
    row, noting a problem when an article is unknown, when a title is ambiguous, or when the
    row's article columns name different articles.
    """

    FIELDS = ("pk", "title", "url", "outlet__name")

    def __init__(self):
        self.articles = {}
        self.batch_ids = set()

    def load(self, items):
        ids = {item["article_id"] for item in items if item["article_id"]}
        urls = {item["row"]["article_url"] for item in items if item["row"]["article_url"]}
        titles = {
            normalize_line(item["row"]["article_title"])
            for item in items
            if item["row"]["article_title"]
        }
        self.by_id, self.by_url, self.by_title = {}, {}, {}
        if ids:
            for row in Article.objects.filter(pk__in=ids).values_list(*self.FIELDS):
                self.by_id[row[0]] = row
        if urls:
            for row in Article.objects.filter(url__in=urls).values_list(*self.FIELDS):
                self.by_url[row[2]] = row
        if titles:
            for row in Article.objects.filter(title__in=titles).values_list(*self.FIELDS):
                self.by_title.setdefault(row[1], []).append(row)
        named = {row[0] for row in (*self.by_id.values(), *self.by_url.values())}
        named |= {row[0] for rows in self.by_title.values() for row in rows}
        self.batch_ids = named
        wanted = named - set(self.articles)
        if wanted:
            self.articles.update(articles_for_quotes(article_ids=wanted))

    def find(self, item, report):
        """The article the row's article columns name (all that are given must agree)."""
        row, named = item["row"], []
        if item["article_id"]:
            found = self.by_id.get(item["article_id"])
            named.append(("article", row["article"], [found] if found else []))
        if row["article_url"]:
            found = self.by_url.get(row["article_url"])
            named.append(("article_url", row["article_url"], [found] if found else []))
        if row["article_title"]:
            title = normalize_line(row["article_title"])
            named.append(("article_title", title, self.by_title.get(title, [])))
        for column, text, found in named:
            if not found:
                report.problem(row, column, self._unknown(column, text))
                return None
        common = set.intersection(*({article[0] for article in found} for *_, found in named))
        if len(common) == 1:
            return self.articles[common.pop()]
        column, _text, found = named[-1]
        if common:
            listed = "; ".join(
                f"#{article[0]} ({article[3]}{', ' + article[2] if article[2] else ''})"
                for article in found
            )
            message = gettext(
                "more than one article has this title: %(listed)s; give its URL or number"
            ) % {"listed": listed}
        else:
            listed = ", ".join(
                gettext("%(column)s names #%(pk)s") % {"column": name, "pk": found[0][0]}
                for name, _text, found in named
            )
            message = gettext("the article columns name different articles: %(listed)s") % {
                "listed": listed
            }
        report.problem(row, column, message)
        return None

    def _unknown(self, column, text):
        if column == "article":
            return gettext("no article number %(number)s") % {"number": text}
        field = "url" if column == "article_url" else "title"
        choices = list(Article.objects.values_list(field, flat=True).exclude(**{field: ""}))
        hint = did_you_mean(text, choices)
        if field == "url":
            return gettext("no article has the URL “%(text)s”%(hint)s") % {
                "text": text,
                "hint": hint,
            }
        return gettext("no article has the title “%(text)s”%(hint)s") % {"text": text, "hint": hint}
