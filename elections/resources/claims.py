"""The claim sheet: one claim per row, its quote becoming the passage.

Each row names a candidate (slug, name or other name: ambiguous is a problem, never a
guess), a property, the value as printed, an article (`article` id, `article_url` or
`article_title`; when several are given they must agree) and the quote, words found in the
article's current text as `claim_create_from_quote` finds them: the quote becomes a new
exact passage, or reuses the passage already quoting those words there. `as_of` is the date
the claim holds for (default: the article's date), `note` the editor's note.

A row is the same claim as a stored one when the candidate, property, article and quote (read
the way quotes are matched: white space and quote marks folded) are the same, and, for the
properties that hold many values (occupation, employer, platform, pressure), the normalized
value too: one quote may give several. Such a row updates the claim as `claim_update` does
(a new value sends a verified claim back to review) or, when nothing differs, is skipped.
Blank `as_of` and `note` cells leave the stored claim's date and note as they are; a
`note` is appended to the stored one, dated and naming the importer, never put in its place.

A row whose quote is other words is still the same claim as a stored one when the candidate,
property and value (normalized: `Claim.value_key`, so "38" and "38岁" are one value) are the
same and its quote's span overlaps the stored claim's passage in the article's current text:
it is skipped as "the same claim as #N" (the annotate view's rule, `DuplicateClaim`). Two
rows of one sheet that are the same claim either way are one: the later is skipped as "the
same claim as row N" (rows quoting the same words with different values of a property that
holds one value remain a problem).
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from elections.models import Candidate, Claim, Property
from elections.normalizers import KIND, Kind
from elections.services.bulk import (
    ArticleDates,
    ClaimChange,
    ClaimDraft,
    ClaimReader,
    NewClaim,
    claims_import,
    require_import,
)
from elections.services.claims import _spans_overlap
from sources.anchoring import AnchoringError, find_quote, fold
from sources.dates import PartialDate, PartialDateError
from sources.models import AnchorStatus
from sources.resources.base import (
    NEW,
    SKIP,
    UPDATE,
    Column,
    SheetResource,
    appended_notes,
    batches,
    change,
    notes_change,
)

from .lookups import ArticleFinder, CandidateIndex, candidates_by_slug, survivor

PROPERTY_WORDS = {
    Property.NAME_ZH: ("中文名", "中文姓名"),
    Property.GENDER: ("性别",),
    Property.BIRTH_YEAR: ("出生年份", "birth year"),
    Property.AGE: ("年龄",),
    Property.PROVINCE: ("省份", "省"),
    Property.CITY: ("城市", "市"),
    Property.DISTRICT: ("区县", "district", "county"),
    Property.OCCUPATION: ("职业",),
    Property.EMPLOYER: ("雇主", "工作单位"),
    Property.PLATFORM: ("政见", "主张"),
    Property.PRESSURE: ("压力", "打压"),
    Property.FOLLOWERS: ("粉丝", "粉丝数", "followers"),
    Property.STATUS: ("状态", "status"),
    Property.VOTES: ("得票", "票数"),
}
_PROPERTIES = {
    " ".join(word.replace("_", " ").split()).casefold(): prop
    for prop in Property
    for word in (prop.value, prop.label, *PROPERTY_WORDS[prop])
}
_ARTICLE_FIELDS = ("pk", "title", "url", "outlet__name")
MAX_VALUE = Claim._meta.get_field("value").max_length


def read_property(text):
    """A Property from its name, its label or its Chinese word; ValueError otherwise."""
    prop = _PROPERTIES.get(" ".join(text.replace("_", " ").split()).casefold())
    if prop is None:
        choices = ", ".join(prop.value for prop in Property)
        raise ValueError(f"“{text}” is not a property (the properties are {choices})")
    return prop


def anchor(text, quote):
    """`find_quote(text, quote)`, answered at once when the words occur exactly once.

    That is find_quote's own answer for a quote without context that occurs once; every
    other case (repeated, folded, missing) goes to find_quote itself.
    """
    exact = quote.strip()
    first = text.find(exact) if exact else -1
    if first != -1 and text.find(exact, first + 1) == -1:
        return first, first + len(exact)
    return find_quote(text, quote)


def quote_key(quote):
    """A quote as claims are matched by it: white space and quote marks folded."""
    return fold(quote).strip(" ")


class ClaimResource(SheetResource):
    """Claims with their passages; see the module docstring."""

    columns = [
        Column("candidate", ("候选人",), _("slug, name or other name")),
        Column("property", ("属性",), _("age, city, status, 年龄, 城市 ...")),
        Column("value", ("值",), _("as the outlet printed it")),
        Column("article_url", ("文章链接",)),
        Column("article_title", ("文章标题",)),
        Column("article", ("article_id", "文章"), _("the article's number")),
        Column("quote", ("引文", "原文"), _("words found in the article")),
        Column("as_of", ("日期",), _("2011-11-08, 2011-11 or 2011; default: the article's date")),
        Column("note", ("备注",)),
    ]
    required = [
        ("candidate",),
        ("property",),
        ("value",),
        ("article_url", "article_title", "article"),
        ("quote",),
    ]

    class Meta:
        model = Claim
        fields = ()
        name = _("Claims")

    def import_rows(self, rows, *, report, user, dry_run):
        require_import(user)
        self.report, self.user = report, user
        self.reader = ClaimReader()
        self.index = CandidateIndex()
        self.finder = ArticleFinder()
        self.candidates, self.identities, self.dates = {}, {}, {}
        # Spans this sheet plans to cite, by (candidate, property, article, value key).
        self.planned = {}
        self.new, self.changes, self.new_rows, self.change_rows = [], [], [], []
        for batch in batches(rows, self.batch_size):
            self._plan_batch(batch)
        if report.problems or dry_run:
            return
        created, _changed, _edited = claims_import(
            new=self.new, changes=self.changes, articles=self.finder.articles, acting_user=user
        )
        if self.options.get("retain_instance_in_row_result"):
            self._attach(self.new_rows, created)
            self._attach(self.change_rows, [change.claim_id for change in self.changes])

    def _attach(self, rows, ids):
        claims = Claim.objects.select_related("candidate").in_bulk(ids)
        for number, pk in zip(rows, ids, strict=False):
            self.report.outcomes[number].instance = claims.get(pk)

    # Planning.

    def _plan_batch(self, batch):
        parsed = [item for item in (self._parse(row) for row in batch) if item is not None]
        self._load_candidates(parsed)
        self.finder.load(parsed)
        self.reader.preload((item["property"], item["value"]) for item in parsed)
        existing = self._existing(parsed)
        for item in parsed:
            self._plan_row(item, existing)

    def _parse(self, row):
        report, problems = self.report, len(self.report.problems)
        item = {"row": row}
        for name in ("candidate", "value", "quote"):
            if not row[name]:
                report.problem(
                    row, name, gettext("a claim needs its %(column)s") % {"column": name}
                )
        try:
            item["property"] = read_property(row["property"]) if row["property"] else ""
        except ValueError as error:
            report.problem(row, "property", str(error))
        if not row["property"]:
            report.problem(row, "property", gettext("a claim needs its property"))
        item["value"] = " ".join(row["value"].split())
        if len(item["value"]) > MAX_VALUE:
            report.problem(
                row,
                "value",
                gettext("a value holds at most %(count)s characters") % {"count": MAX_VALUE},
            )
        item["as_of"] = None
        if row["as_of"]:
            try:
                item["as_of"] = PartialDate.parse(row["as_of"])
            except PartialDateError as error:
                report.problem(
                    row,
                    "as_of",
                    gettext("%(error)s; write YYYY, YYYY-MM or YYYY-MM-DD") % {"error": error},
                )
        item["article_id"] = None
        if row["article"]:
            if row["article"].isdigit():
                item["article_id"] = int(row["article"])
            else:
                report.problem(
                    row, "article", gettext("the article column holds the article's number")
                )
        if not (row["article"] or row["article_url"] or row["article_title"]):
            report.problem(
                row, "article", gettext("a claim needs its article (number, URL or title)")
            )
        if len(report.problems) > problems:
            return None
        return item

    def _load_candidates(self, parsed):
        texts = {item["row"]["candidate"] for item in parsed}
        by_slug = candidates_by_slug(text.lower() for text in texts)
        found = {}
        for text in texts:
            candidate = by_slug.get(text.lower())
            if candidate is not None:
                found[text] = {survivor(candidate).pk}
            else:
                found[text] = {ref for ref in self.index.matching([text]) if isinstance(ref, int)}
        wanted = {pk for refs in found.values() for pk in refs} - set(self.candidates)
        if wanted:
            for candidate in Candidate.objects.filter(pk__in=wanted).prefetch_related(
                "candidacies"
            ):
                self.candidates[candidate.pk] = candidate
        self.found_candidates = found

    def _existing(self, parsed):
        """The batch's stored claims, in one query: by quote, and by value with their spans
        (under the key `("spans", candidate, property, article, value key)`)."""
        candidate_ids = {pk for refs in self.found_candidates.values() for pk in refs}
        article_ids = self.finder.batch_ids
        existing = {}
        if not parsed or not candidate_ids:
            return existing
        rows = Claim.objects.filter(
            candidate_id__in=candidate_ids, article_id__in=article_ids
        ).values_list(
            "pk",
            "candidate_id",
            "property",
            "article_id",
            "passage__exact",
            "value",
            "value_key",
            "as_of",
            "as_of_precision",
            "as_of_explicit",
            "note",
            "passage__start",
            "passage__end",
            "passage__anchor_status",
            "state",
        )
        for row in rows:
            existing.setdefault((row[1], row[2], row[3], quote_key(row[4])), []).append(row)
            if row[13] != AnchorStatus.ORPHANED:
                spans = existing.setdefault(("spans", row[1], row[2], row[3], row[6]), [])
                spans.append(row)
        return existing

    def _candidate(self, item):
        row = item["row"]
        text = row["candidate"]
        refs = self.found_candidates.get(text, set())
        if len(refs) == 1:
            return self.candidates[next(iter(refs))]
        if not refs:
            self.report.problem(
                row,
                "candidate",
                gettext("no candidate is called “%(text)s”%(hint)s")
                % {"text": text, "hint": self.index.closest(text)},
            )
        else:
            listed = "; ".join(sorted(self.index.labels.get(ref, str(ref)) for ref in refs))
            self.report.problem(
                row,
                "candidate",
                gettext(
                    "“%(text)s” could be more than one candidate: %(listed)s; "
                    "give the slug of the one meant"
                )
                % {"text": text, "listed": listed},
            )
        return None

    def _plan_row(self, item, existing):
        row = item["row"]
        candidate = self._candidate(item)
        article = self.finder.find(item, self.report)
        if candidate is None or article is None:
            return
        if article.pk not in self.dates:
            self.dates[article.pk] = ArticleDates(article)
        claim = ClaimDraft(
            candidate=candidate,
            property=item["property"],
            value=item["value"],
            article=self.dates[article.pk],
        )
        try:
            self.reader.read(claim, as_of=item["as_of"])
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                for message in messages:
                    if name == "candidacy":
                        message = gettext(
                            "%(error)s (import the candidate with a status and a place first)"
                        ) % {"error": message}
                    column = {"candidacy": "candidate"}.get(name, name)
                    self.report.problem(row, column if column in row.values else "", message)
            return
        many = KIND[claim.property] == Kind.MANY
        quote = quote_key(row["quote"])
        identity = (
            candidate.pk,
            claim.property,
            article.pk,
            quote,
            claim.value_key if many else "",
        )
        first, first_key = self.identities.setdefault(identity, (row.number, claim.value_key))
        if first != row.number:
            if first_key == claim.value_key:
                self.report.outcome(
                    row, SKIP, gettext("the same claim as row %(row)s") % {"row": first}
                )
            else:
                self.report.problem(
                    row, "quote", gettext("the same claim as row %(row)s") % {"row": first}
                )
            return
        stored = existing.get((candidate.pk, claim.property, article.pk, quote), [])
        if many:
            stored = [other for other in stored if other[6] == claim.value_key]
        if len(stored) > 1:
            stored = [other for other in stored if other[6] == claim.value_key] or stored
        if len(stored) > 1:
            listed = ", ".join(f"#{other[0]}" for other in stored)
            self.report.problem(
                row,
                "quote",
                gettext("more than one stored claim matches: %(listed)s") % {"listed": listed},
            )
            return
        if stored:
            self._plan_change(item, claim, stored[0])
        else:
            self._plan_new(item, claim, candidate, article, existing)

    def _plan_new(self, item, claim, candidate, article, existing):
        row = item["row"]
        try:
            start, end = anchor(article.text, row["quote"])
        except AnchoringError as error:
            self.report.problem(row, "quote", str(error))
            return
        same = (candidate.pk, claim.property, article.pk, claim.value_key)
        for other in existing.get(("spans", *same), []):
            if _spans_overlap((start, end), (other[11], other[12])):
                state = Claim.State(other[14]).label
                self.report.outcome(
                    row,
                    SKIP,
                    gettext("the same claim as #%(pk)s (%(state)s)")
                    % {"pk": other[0], "state": state},
                )
                return
        planned = self.planned.setdefault(same, [])
        for span, number in planned:
            if _spans_overlap((start, end), span):
                self.report.outcome(
                    row, SKIP, gettext("the same claim as row %(row)s") % {"row": number}
                )
                return
        planned.append(((start, end), row.number))
        self.new.append(
            NewClaim(
                candidate_id=candidate.pk,
                candidacy_id=claim.candidacy_id,
                property=claim.property,
                value=claim.value,
                value_key=claim.value_key,
                normalized=claim.normalized,
                article_id=article.pk,
                start=start,
                end=end,
                as_of=claim.as_of,
                as_of_precision=claim.as_of_precision,
                as_of_explicit=claim.as_of_explicit,
                note=row["note"],
            )
        )
        self.new_rows.append(row.number)
        label = Property(claim.property).label
        self.report.outcome(
            row,
            NEW,
            gettext("records %(name)s: %(property)s “%(value)s” (%(key)s)")
            % {
                "name": candidate.display_name,
                "property": label,
                "value": claim.value,
                "key": claim.value_key,
            },
        )

    def _plan_change(self, item, claim, stored):
        row, as_of = item["row"], item["as_of"]
        pk, value, value_key, note = stored[0], stored[5], stored[6], stored[10]
        differs = []
        if claim.value != value:
            differs.append(change("value", value, claim.value))
        if as_of is not None and not (
            stored[9] and stored[7] == as_of.earliest() and stored[8] == as_of.precision
        ):
            old = PartialDate.from_stored(stored[7], stored[8]).isoformat() if stored[9] else ""
            differs.append(change("as_of", old, as_of.isoformat()))
        # A sheet's note is added to the editors' note under a dated line naming the
        # importer, never in its place; a note already there adds nothing.
        appended = appended_notes(note, row["note"], user=self.user)
        if appended != note:
            differs.append(notes_change(note, appended))
        if not differs:
            self.report.outcome(row, SKIP, gettext("unchanged (claim #%(pk)s)") % {"pk": pk})
            return
        if claim.value_key != value_key:
            differs.append(gettext("a new value, so a verified claim goes back to review"))
        self.changes.append(
            ClaimChange(
                claim_id=pk,
                value=claim.value,
                as_of=as_of,
                note=appended if appended != note else None,
            )
        )
        self.change_rows.append(row.number)
        what = "; ".join(differs)
        self.report.outcome(
            row, UPDATE, gettext("changes claim #%(pk)s: %(changes)s") % {"pk": pk, "changes": what}
        )

    # Export.

    def export_records(self, queryset):
        rows = queryset.order_by("candidate__slug", "article_id", "property", "pk").values_list(
            "candidate__slug",
            "property",
            "value",
            "article__url",
            "article__title",
            "article_id",
            "passage__exact",
            "as_of",
            "as_of_precision",
            "as_of_explicit",
            "note",
        )
        for row in rows.iterator(chunk_size=2000):
            as_of = PartialDate.from_stored(row[7], row[8]) if row[9] else None
            yield {
                "candidate": row[0],
                "property": row[1],
                "value": row[2],
                "article_url": row[3],
                "article_title": row[4],
                "article": row[5],
                "quote": row[6],
                "as_of": as_of.isoformat() if as_of else "",
                "note": row[10],
            }
