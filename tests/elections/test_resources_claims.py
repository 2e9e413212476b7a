"""The claim sheet: quotes become passages, the same results as the one-by-one services."""

import pytest
from django.db import transaction

from elections.models import Candidacy, CandidacyStatus, Claim, Contradiction
from elections.resources import CandidateResource, ClaimResource
from elections.services import claim_create_from_quote, claim_update, claim_verify
from sources.audit import system_user, unit_of_work
from sources.dates import PartialDate
from sources.models import Passage
from sources.resources.base import appended_notes
from tests.elections.fixtures_sheets import (
    CANDIDATE_HEADER,
    CLAIM_HEADER,
    csv_bytes,
    database_dump,
    import_sheet,
)
from tests.factories import make_article, make_candidate, make_user
from tests.newsroom import build

pytestmark = pytest.mark.django_db


@pytest.fixture
def newsroom(db):
    return build("sheets")


ROWS = [
    ["xu-yan", "age", "27", "Post report", "Xu Yan, 27, was described", "", ""],
    ["xu-yan", "city", "Hongzhou", "Post report", "a candidate in Hongzhou", "", "misprint"],
    ["Xu Yan", "province", "Zhejiang", "Post report", "in Zhejiang province", "", ""],
    ["xu-yan", "status", "declared", "Post report", "He declared his candidacy", "2011-05-26", ""],
    ["xu-yan", "age", "27", "Tanis feature", "Xu Yan, 27, a sales executive", "", ""],
    ["xu-yan", "city", "Hangzhou", "Tanis feature", "a district of Hangzhou", "", ""],
    ["xu-yan", "occupation", "sales executive", "Tanis feature", "a sales executive", "", ""],
    ["刘萍", "age", "47", "Tanis feature", "Liu Ping, 47, an independent", "", ""],
    [
        "liu-ping",
        "status",
        "barred",
        "Tanis feature",
        "was barred from the April vote",
        "2011-04",
        "",
    ],
    ["liu-ping", "status", "withdrew", "Tanis feature", "and withdrew", "2011", ""],
]


def _sheet(rows, header=CLAIM_HEADER):
    return csv_bytes([header, *rows])


def _state():
    """What the claims of the database say, without ids, creation times or revisions."""

    def claim_key(claim):
        passage = claim.passage
        return (
            claim.candidate.slug,
            claim.property,
            claim.value,
            claim.article.title,
            (passage.start, passage.end, passage.exact, passage.prefix, passage.suffix),
        )

    claims = Claim.objects.select_related("candidate", "article", "passage")
    keys = {claim.pk: claim_key(claim) for claim in claims}
    return {
        "claims": sorted(
            (
                keys[claim.pk],
                claim.value_key,
                claim.normalized,
                claim.as_of,
                claim.as_of_precision,
                claim.as_of_explicit,
                claim.candidacy_id,
                claim.note,
                claim.state,
                claim.overruled,
            )
            for claim in claims
        ),
        "passages": sorted(
            Passage.objects.values_list(
                "article__title", "start", "end", "exact", "prefix", "suffix", "anchor_status"
            )
        ),
        "contradictions": sorted(
            (
                c.property,
                c.status,
                c.origin,
                tuple(sorted((m.group, keys[m.claim_id]) for m in c.members.all())),
            )
            for c in Contradiction.objects.prefetch_related("members")
        ),
        "steps": sorted(
            (step.candidacy_id, step.status, step.on, step.precision, keys[step.claim_id])
            for step in CandidacyStatus.objects.exclude(claim=None)
        ),
        "candidacy_statuses": sorted(
            (candidacy.pk, candidacy.status) for candidacy in Candidacy.objects.all()
        ),
        "claim_history": Claim.history.count(),
        "passage_history": Passage.history.count(),
    }


def _one_by_one(newsroom, rows):
    articles = {"Post report": newsroom.post, "Tanis feature": newsroom.tanis}
    candidates = {
        "xu-yan": newsroom.xu,
        "Xu Yan": newsroom.xu,
        "liu-ping": newsroom.liu,
        "刘萍": newsroom.liu,
    }
    for candidate, prop, value, title, quote, as_of, note in rows:
        claim_create_from_quote(
            candidate=candidates[candidate],
            property=prop,
            value=value,
            article=articles[title],
            quote=quote,
            as_of=PartialDate.parse(as_of) if as_of else None,
            note=note,
            acting_user=system_user(),
        )


def _in_a_rolled_back_transaction(function):
    with unit_of_work():
        function()
        state = _state()
        transaction.set_rollback(True)
    return state


def test_an_import_gives_the_claims_passages_and_contradictions_the_services_give(newsroom):
    imported = _in_a_rolled_back_transaction(lambda: import_sheet(ClaimResource, _sheet(ROWS)))
    one_by_one = _in_a_rolled_back_transaction(lambda: _one_by_one(newsroom, ROWS))

    assert imported == one_by_one
    assert len(imported["claims"]) == 10
    assert {c[0] for c in imported["contradictions"]} == {"birth_year", "city"}
    assert len(imported["steps"]) == 3


def test_an_import_that_changes_claims_matches_claim_update(newsroom):
    reviewer = make_user("Reviewers")
    import_sheet(ClaimResource, _sheet(ROWS))
    for claim in Claim.objects.all():
        claim_verify(claim=claim, acting_user=reviewer)
    changed = [list(row) for row in ROWS]
    changed[5][2] = "Hongzhou"  # the Tanis city now agrees with the Post
    changed[4][5] = "2011"  # the Tanis age dated to 2011: no longer in conflict
    changed[7][6] = "an editor's note"

    def by_sheet():
        import_sheet(ClaimResource, _sheet(changed))

    def by_services():
        claims = {
            (c.candidate.slug, c.property, c.article.title, c.passage.exact): c
            for c in Claim.objects.select_related("candidate", "article", "passage")
        }
        tanis = "Tanis feature"
        claim_update(
            claim=claims["xu-yan", "city", tanis, "a district of Hangzhou"],
            acting_user=make_user(superuser=True),
            value="Hongzhou",
        )
        claim_update(
            claim=claims["xu-yan", "age", tanis, "Xu Yan, 27, a sales executive"],
            acting_user=make_user(superuser=True),
            as_of=PartialDate(2011),
        )
        # A sheet adds its note to the editors', dated and naming the importer.
        noted = claims["liu-ping", "age", tanis, "Liu Ping, 47, an independent"]
        claim_update(
            claim=noted,
            acting_user=make_user(superuser=True),
            note=appended_notes(noted.note, "an editor's note", user=system_user()),
        )

    imported = _in_a_rolled_back_transaction(by_sheet)
    updated = _in_a_rolled_back_transaction(by_services)

    assert imported == updated
    states = {claim[0][1:4]: claim[8] for claim in imported["claims"]}
    assert states["city", "Hongzhou", "Tanis feature"] == "unverified"
    assert states["age", "47", "Tanis feature"] == "verified"
    assert {(c[0], c[1]) for c in imported["contradictions"]} == {
        ("birth_year", "closed"),
        ("city", "closed"),
    }


def test_importing_the_same_claim_sheet_twice_skips_every_row(newsroom):
    import_sheet(ClaimResource, _sheet(ROWS))
    before = database_dump()

    result = import_sheet(ClaimResource, _sheet(ROWS))

    assert [row.import_type for row in result.rows] == ["skip"] * len(ROWS)
    assert database_dump() == before


def _said(result):
    return {row.diff[0]: (row.import_type, row.diff[-1]) for row in result.rows}


def test_a_row_quoting_other_words_around_a_recorded_claim_is_that_claim(newsroom):
    article = newsroom.post
    recorded = claim_create_from_quote(
        candidate=newsroom.xu,
        property="age",
        value="27",
        article=article,
        quote="Xu Yan, 27,",
        acting_user=make_user("Editors"),
    )
    before = database_dump()
    rows = [["xu-yan", "age", "27岁", "Post report", "27, was described", "", ""]]

    result = import_sheet(ClaimResource, _sheet(rows))

    assert not result.problems()
    assert _said(result) == {2: ("skip", f"the same claim as #{recorded.pk} (unverified)")}
    assert database_dump() == before


def test_a_row_with_another_value_from_overlapping_words_is_a_new_claim(newsroom):
    claim_create_from_quote(
        candidate=newsroom.xu,
        property="age",
        value="27",
        article=newsroom.post,
        quote="Xu Yan, 27,",
        acting_user=make_user("Editors"),
    )
    rows = [["xu-yan", "age", "28", "Post report", "27, was described", "", ""]]

    result = import_sheet(ClaimResource, _sheet(rows))

    assert [row.import_type for row in result.rows] == ["new"]
    assert Claim.objects.filter(candidate__slug="xu-yan", property="age").count() == 2


def test_two_rows_of_one_sheet_that_are_one_claim_make_one_claim(newsroom):
    rows = [
        ["xu-yan", "age", "27", "Post report", "Xu Yan, 27,", "", ""],
        ["xu-yan", "age", "27岁", "Post report", "27, was described", "", ""],
        ["xu-yan", "age", "27", "Post report", "Xu Yan, 27,", "", ""],
        ["xu-yan", "age", "27", "Tanis feature", "Xu Yan, 27,", "", ""],
    ]

    result = import_sheet(ClaimResource, _sheet(rows))

    assert not result.problems()
    said = _said(result)
    assert [said[number][0] for number in (2, 3, 4, 5)] == ["new", "skip", "skip", "new"]
    assert said[3] == said[4] == ("skip", "the same claim as row 2")
    assert Claim.objects.filter(candidate__slug="xu-yan", property="age").count() == 2

    rerun = import_sheet(ClaimResource, _sheet(rows))

    assert [row.import_type for row in rerun.rows] == ["skip"] * 4
    assert Claim.objects.filter(candidate__slug="xu-yan", property="age").count() == 2


def test_two_rows_quoting_the_same_words_with_different_values_remain_a_problem(newsroom):
    rows = [
        ["xu-yan", "age", "27", "Post report", "Xu Yan, 27,", "", ""],
        ["xu-yan", "age", "28", "Post report", "Xu Yan, 27,", "", ""],
    ]

    result = import_sheet(ClaimResource, _sheet(rows))

    assert result.problems() == [(3, "quote", "the same claim as row 2")]


def test_two_values_from_one_quote_are_two_claims_for_properties_with_many_values(newsroom):
    rows = [
        ["xu-yan", "platform", "cheaper homes", "Post report", "He declared his candidacy", "", ""],
        ["xu-yan", "platform", "parking", "Post report", "He declared his candidacy", "", ""],
    ]

    result = import_sheet(ClaimResource, _sheet(rows))

    assert [row.import_type for row in result.rows] == ["new", "new"]
    assert Passage.objects.count() == 1


def test_a_quote_not_in_its_article_is_an_error_quoting_the_closest_text(newsroom):
    before = database_dump()
    rows = [["xu-yan", "age", "27", "Post report", "Xu Yan, 28, was described", "", ""]]

    result = import_sheet(ClaimResource, _sheet(rows))

    ((number, column, message),) = result.problems()
    assert (number, column) == (2, "quote")
    assert "is not in the text; the closest is “Xu Yan, 27, was described”" in message
    assert database_dump() == before


def test_an_unknown_article_is_an_error_with_the_closest_titles(newsroom):
    rows = [["xu-yan", "age", "27", "Tanis featur", "Xu Yan, 27", "", ""]]

    result = import_sheet(ClaimResource, _sheet(rows))

    ((number, column, message),) = result.problems()
    assert (number, column) == (2, "article_title")
    assert "no article has the title “Tanis featur”; closest: “Tanis feature”" in message


def test_an_article_is_found_by_url_or_number_and_the_columns_must_agree(newsroom):
    header = ["candidate", "property", "value", "article_url", "article", "quote"]
    tanis, post = newsroom.tanis, newsroom.post
    rows = [
        ["xu-yan", "city", "Hangzhou", tanis.url, "", "a district of Hangzhou"],
        ["xu-yan", "age", "27", "", str(post.pk), "Xu Yan, 27, was described"],
        ["xu-yan", "province", "Zhejiang", tanis.url, str(post.pk), "in Zhejiang province"],
    ]

    result = import_sheet(ClaimResource, _sheet(rows, header))

    ((number, column, message),) = result.problems()
    assert (number, column) == (4, "article_url")
    assert f"article names #{post.pk}, article_url names #{tanis.pk}" in message


def test_a_candidate_name_that_could_be_two_people_is_an_error_naming_both(newsroom):
    make_candidate("Xu Yan", slug="xu-yan-2")
    rows = [["Xu Yan", "age", "27", "Post report", "Xu Yan, 27, was described", "", ""]]

    result = import_sheet(ClaimResource, _sheet(rows))

    ((number, column, message),) = result.problems()
    assert (number, column) == (2, "candidate")
    assert "Xu Yan (xu-yan)" in message and "Xu Yan (xu-yan-2)" in message


def test_a_status_claim_needs_a_candidacy(newsroom):
    make_candidate("Wu Danhong", slug="wu-danhong")
    rows = [["wu-danhong", "status", "declared", "Post report", "He declared", "", ""]]

    result = import_sheet(ClaimResource, _sheet(rows))

    ((_, column, message),) = result.problems()
    assert column == "candidate"
    assert "has no candidacy yet" in message


def test_an_unreadable_value_is_reported_on_its_column(newsroom):
    rows = [
        ["xu-yan", "age", "two hundred", "Post report", "Xu Yan, 27", "", ""],
        ["xu-yan", "gender", "unknown", "Post report", "Xu Yan, 27", "", ""],
        ["xu-yan", "colour", "red", "Post report", "Xu Yan, 27", "", ""],
    ]

    result = import_sheet(ClaimResource, _sheet(rows))

    assert [(number, column) for number, column, _ in result.problems()] == [
        (2, "value"),
        (3, "value"),
        (4, "property"),
    ]


def test_export_and_reimport_changes_nothing(newsroom):
    import_sheet(ClaimResource, _sheet(ROWS))
    from sources.sheets import SheetCSV

    exported = SheetCSV().export_data(ClaimResource().export())
    before = database_dump()

    result = import_sheet(ClaimResource, exported)

    assert [row.import_type for row in result.rows] == ["skip"] * len(ROWS)
    assert database_dump() == before


def _many_claims(count):
    """`count` claim rows about 50 candidates in 5 articles (candidates imported first)."""
    people = [f"Candidate {chr(65 + n // 26)}{chr(65 + n % 26)}" for n in range(50)]
    import_sheet(
        CandidateResource,
        csv_bytes(
            [CANDIDATE_HEADER, *[[f"c-{n}", name] + [""] * 11 for n, name in enumerate(people)]]
        ),
    )
    articles = [
        make_article(
            " ".join(
                f"{name} is {20 + n} and works as a teacher number {a}."
                for n, name in enumerate(people)
            ),
            title=f"Report {a}",
        )
        for a in range(5)
    ]
    rows = []
    for index in range(count):
        n, a = index % 50, (index // 50) % 5
        prop, value, quote = [
            ("age", str(20 + n), f"{people[n]} is {20 + n}"),
            ("occupation", "teacher", f"{people[n]} is {20 + n} and works as a teacher number {a}"),
        ][index // 250]
        rows.append([f"c-{n}", prop, value, articles[a].title, quote, "", ""])
    return rows


@pytest.mark.parametrize("count", [50, 500])
def test_queries_grow_with_batches_of_rows_not_with_rows(
    newsroom, monkeypatch, django_assert_max_num_queries, count
):
    monkeypatch.setattr(ClaimResource, "batch_size", 100)
    sheet = _sheet(_many_claims(count))
    batches = -(-count // 100)

    # A fixed part (the candidate index, savepoints, detection) and about eight queries a
    # batch of 100 rows: candidates, articles, their texts, stored claims, then passages and
    # claims inserted (SQLite's limit on parameters splits each insert into a few
    # statements) with one statement each for their history.
    # (22: two more settle the public tallies of the candidates written.)
    with django_assert_max_num_queries(22 + 8 * batches):
        result = import_sheet(ClaimResource, sheet)

    assert result.totals["new"] == count


def test_a_changed_claim_row_shows_value_date_and_note_old_and_new(newsroom):
    import_sheet(ClaimResource, _sheet(ROWS))
    changed = [list(row) for row in ROWS]
    changed[5][2] = "Hongzhou"
    changed[3][5] = "2011-05"
    changed[1][6] = "not a misprint after all"

    result = import_sheet(ClaimResource, _sheet(changed), dry_run=True)

    said = {row.diff[0]: row.diff[-1] for row in result.rows if row.import_type == "update"}
    assert "value: “Hangzhou” → “Hongzhou”" in said[7]
    assert "as_of: “2011-05-26” → “2011-05”" in said[5]
    # The sheet's note is added to the editor's, never in its place.
    assert "notes: “misprint” → adds “not a misprint after all”" in said[3]
