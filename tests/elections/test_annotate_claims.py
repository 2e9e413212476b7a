"""Recording claims from the annotate view: the panel, its endpoints, and what they write."""

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission, User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from elections.models import Candidate, Claim, Contradiction, DisputeClaim, Place
from elections.services import candidate_add_name, candidate_merge
from sources.audit import system_user
from sources.models import Passage
from sources.services import passage_create_from_span
from tests.factories import (
    make_article,
    make_candidacy,
    make_candidate,
    make_claim,
    make_election,
    make_place,
    make_user,
)

# Written for these tests; no sentence comes from a press report.
TEXT = (
    "Our reporter met Xu Yan, 27, who keeps a busy microblog read by more than 10,000 "
    "followers. He hopes to stand for the district congress in Hongzhou this autumn.\n\n"
    "Liu Ping was barred from the race once officials turned down her papers."
)
ZH_TEXT = "😀记者手记：徐琰今年二十七岁，在杭州市报名参选。刘萍被取消资格，她是女性。"
PANEL_JS = Path(__file__).resolve().parents[2] / "elections/static/elections/claim_panel.js"


@pytest.fixture
def editor(db):
    return make_user("Editors")


@pytest.fixture
def editor_client(editor):
    client = Client()
    client.force_login(editor)
    return client


@pytest.fixture
def article(db):
    return make_article(
        TEXT, outlet="Harbour Ledger", title="Two independents", published="2011-06-02"
    )


@pytest.fixture
def zh_article(db):
    return make_article(ZH_TEXT, outlet="示例新闻", title="独立候选人", published="2011-11-02")


@pytest.fixture
def xu(db):
    candidate = make_candidate("Xu Yan", name_zh="徐琰")
    candidate_add_name(candidate=candidate, name="Xu Ruiyan", acting_user=system_user())
    return candidate


@pytest.fixture
def liu(db):
    return make_candidate("Liu Ping", name_zh="刘萍", gender="female")


@pytest.fixture
def places(db):
    zhejiang = make_place("Zhejiang", "浙江省", level=Place.Level.PROVINCE, code="330000")
    beijing = make_place("Beijing", "北京市", level=Place.Level.PROVINCE, code="110000")
    return {
        "zhejiang": zhejiang,
        "hangzhou": make_place("Hangzhou", "杭州市", parent=zhejiang, code="330100"),
        "beijing": beijing,
        "haidian": make_place(
            "Haidian", "海淀区", level=Place.Level.COUNTY, parent=beijing, code="110108"
        ),
    }


def span(text, words):
    start = text.index(words)
    return {"start": start, "end": start + len(words), "exact": words}


def record(client, article, words, **fields):
    """Post the claim panel's form for `words` of the article, as the panel's script does."""
    data = {"version": article.version, "new_candidate": "false", **span(article.text, words)}
    data.update({key: value for key, value in fields.items() if value is not None})
    url = reverse("admin:sources_article_annotate_claim", args=[article.pk])
    return client.post(url, data, HTTP_ACCEPT="application/json")


def suggest(client, article, **params):
    url = reverse("admin:sources_article_annotate_suggest", args=[article.pk])
    return client.get(url, params)


def search(client, query):
    return client.get(reverse("admin:sources_article_annotate_candidates"), {"q": query})


def annotate_page(client, article):
    return client.get(reverse("admin:sources_article_annotate", args=[article.pk]))


def groups_of(dispute):
    """The dispute's value groups as lists of claim ids."""
    groups = {}
    for member in DisputeClaim.objects.filter(contradiction=dispute).order_by("group", "claim"):
        groups.setdefault(member.group, []).append(member.claim_id)
    return [groups[number] for number in sorted(groups)]


def written():
    return (Candidate.objects.count(), Passage.objects.count(), Claim.objects.count())


# The panel in the annotate view


def test_editors_see_the_panel_beside_the_selection_without_inline_script(editor_client, article):
    response = annotate_page(editor_client, article)

    content = response.content.decode()
    assert response.status_code == 200
    assert 'id="claim-panel"' in content
    assert reverse("admin:sources_article_annotate_claim", args=[article.pk]) in content
    assert "elections/claim_panel.js" in content
    assert 'name="csrfmiddlewaretoken"' in content.split('id="claim-panel"')[1]
    for chunk in content.split("<script")[1:]:
        tag = chunk.split(">", 1)[0]
        assert " src=" in tag, f"inline script: <script{tag}>"
    assert not re.search(r"\son[a-z]+=", content)
    # The passage form of the sources app is still there and still works on its own.
    assert 'id="annotate-form"' in content


def test_annotators_who_may_not_record_claims_see_no_panel(db, article):
    user = User.objects.create_user("annotator", password="pw", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(codename__in=["annotate_article", "view_article"])
    )
    client = Client()
    client.force_login(user)

    content = annotate_page(client, article).content.decode()

    assert 'id="annotate-form"' in content
    assert 'id="claim-panel"' not in content


def test_the_panel_adds_no_query_to_the_annotate_view(
    editor_client, article, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        response = annotate_page(editor_client, article)

    assert 'id="claim-panel"' in response.content.decode()


def test_the_panel_stays_out_of_the_way_while_a_passage_is_reselected(editor_client, article):
    passage = passage_create_from_span(article=article, start=0, end=12, acting_user=system_user())
    url = reverse("admin:sources_article_annotate", args=[article.pk])

    content = editor_client.get(url, {"reselect": passage.pk}).content.decode()

    assert f"Re-select passage {passage.pk}" in content
    assert 'id="claim-panel"' not in content


def test_the_panel_script_never_writes_html():
    script = PANEL_JS.read_text(encoding="utf-8")

    assert "innerHTML" not in script
    assert "outerHTML" not in script
    assert "insertAdjacentHTML" not in script
    assert "document.write" not in script


# Recording a claim


def test_a_claim_is_recorded_with_its_passage_at_exactly_the_selected_span(
    editor, editor_client, article, xu
):
    response = record(
        editor_client, article, "Xu Yan, 27,", candidate=xu.pk, property="age", value="27"
    )

    assert response.status_code == 201, response.json()
    claim = Claim.objects.get()
    passage = claim.passage
    assert (passage.start, passage.end) == (TEXT.index("Xu Yan, 27,"), TEXT.index(" who"))
    assert passage.exact == "Xu Yan, 27,"
    assert passage.created_by == editor
    assert (claim.candidate, claim.property, claim.value) == (xu, "age", "27")
    assert claim.created_by == editor and claim.state == Claim.State.UNVERIFIED
    assert claim.as_of.isoformat() == "2011-06-02" and not claim.as_of_explicit
    data = response.json()
    assert data["claim"]["id"] == claim.pk
    assert data["claim"]["reading"] == "27 (born 1983–1984)"
    assert data["passage"] == {
        "id": passage.pk,
        "exact": "Xu Yan, 27,",
        "start": passage.start,
        "end": passage.end,
        "created": True,
        "url": reverse("admin:sources_article_annotate", args=[article.pk])
        + f"#passage-{passage.pk}",
    }
    assert data["candidate"]["id"] == xu.pk and not data["candidate"]["created"]
    assert data["contradictions"] == []


def test_a_claim_is_recorded_from_chinese_text_counting_code_points(editor_client, zh_article, xu):
    response = record(
        editor_client,
        zh_article,
        "徐琰今年二十七岁",
        candidate=xu.pk,
        property="age",
        value="二十七岁",
    )

    assert response.status_code == 201, response.json()
    passage = Claim.objects.get().passage
    # The emoji before the words is one code point, as the server counts.
    assert (passage.start, passage.end) == (6, 14)
    assert zh_article.text[passage.start : passage.end] == "徐琰今年二十七岁"


def test_a_second_claim_from_the_same_words_reuses_their_passage(editor_client, article, xu):
    words = "Xu Yan, 27, who keeps a busy microblog"
    record(editor_client, article, words, candidate=xu.pk, property="age", value="27")

    response = record(
        editor_client, article, words, candidate=xu.pk, property="platform", value="microblog"
    )

    assert response.status_code == 201
    assert response.json()["passage"]["created"] is False
    assert Passage.objects.count() == 1
    assert Claim.objects.filter(passage=Passage.objects.get()).count() == 2


def test_an_explicit_as_of_date_is_kept_with_its_precision(editor_client, article, xu):
    response = record(
        editor_client, article, "27", candidate=xu.pk, property="age", value="27", as_of="2011-05"
    )

    assert response.status_code == 201
    claim = Claim.objects.get()
    assert claim.as_of_explicit and str(claim.as_of_date) == "2011-05"


def test_a_new_candidate_is_created_and_the_claim_recorded_about_them(editor_client, article):
    response = record(
        editor_client,
        article,
        "Liu Ping was barred",
        new_candidate="true",
        new_display_name="Liu  Ping",
        new_name_zh="刘 萍",
        property="gender",
        value="her",
    )

    assert response.status_code == 201, response.json()
    candidate = Candidate.objects.get()
    assert (candidate.display_name, candidate.name_zh, candidate.state) == (
        "Liu Ping",
        "刘萍",
        "draft",
    )
    claim = Claim.objects.get()
    assert claim.candidate == candidate and claim.value_key == "female"
    data = response.json()["candidate"]
    assert data["created"] is True and data["id"] == candidate.pk
    assert data["label"] == "Liu Ping (刘萍)"


def test_a_status_claim_goes_to_the_candidacy_chosen_among_several(
    editor_client, article, liu, places
):
    first = make_candidacy(liu, make_election(places["haidian"], polling="2011-11-08"))
    second = make_candidacy(liu, make_election(places["hangzhou"], polling="2011-11-16"))

    refused = record(
        editor_client, article, "barred", candidate=liu.pk, property="status", value="barred"
    )
    chosen = record(
        editor_client,
        article,
        "barred",
        candidate=liu.pk,
        property="status",
        value="barred",
        candidacy=second.pk,
    )

    assert refused.status_code == 400
    assert "choose the candidacy" in refused.json()["errors"]["candidacy"][0]
    assert chosen.status_code == 201
    assert Claim.objects.get().candidacy == second
    assert first.claims.count() == 0


# Contradictions


def test_a_claim_contradicting_another_outlet_opens_a_dispute_and_links_it(
    editor_client, article, xu, places
):
    other = make_article(
        "Xu Yan is standing in Hangzhou.",
        outlet="Lakeside Weekly",
        title="A candidate",
        published="2011-06-10",
    )
    earlier = make_claim(xu, "city", "Hangzhou", other)

    response = record(
        editor_client, article, "Hongzhou", candidate=xu.pk, property="city", value="Hongzhou"
    )

    assert response.status_code == 201, response.json()
    dispute = Contradiction.objects.get()
    claim = Claim.objects.get(value="Hongzhou")
    assert groups_of(dispute) == [[earlier.pk], [claim.pk]]
    assert dispute.status == Contradiction.Status.OPEN
    data = response.json()
    url = f"/admin/elections/contradiction/{dispute.pk}/change/"
    assert data["dispute"] == {
        "id": dispute.pk,
        "url": url,
        "group": 2,
        "group_count": 2,
        "reopened": False,
    }
    other_claim = {
        "id": earlier.pk,
        "value": "Hangzhou",
        "outlet": "Lakeside Weekly",
        "article": "A candidate",
        "as_of": "10 June 2011",
    }
    assert data["contradictions"] == [
        {"id": dispute.pk, "url": url, "group": 1, "other": other_claim, "claims": [other_claim]}
    ]
    assert data["queue_url"] == "/admin/elections/contradiction/"
    assert data["claim"]["reading"] == "not a known place: compared as written (hongzhou)"


def test_a_claim_making_a_third_version_lists_the_two_others(editor_client, article, xu):
    for value, outlet in (("31", "Lakeside Weekly"), ("31", "Harbour Weekly"), ("45", "Coast")):
        make_claim(xu, "age", value, make_article(f"Xu Yan is {value}.", outlet=outlet))
    dispute = Contradiction.objects.get()

    response = record(editor_client, article, "27", candidate=xu.pk, property="age", value="27")

    data = response.json()
    assert data["dispute"]["id"] == dispute.pk
    assert (data["dispute"]["group"], data["dispute"]["group_count"]) == (3, 3)
    versions = data["contradictions"]
    assert [version["group"] for version in versions] == [1, 2]
    assert [[c["outlet"] for c in version["claims"]] for version in versions] == [
        ["Lakeside Weekly", "Harbour Weekly"],
        ["Coast"],
    ]
    assert {version["other"]["value"] for version in versions} == {"31", "45"}


def test_a_claim_agreeing_with_a_version_of_an_open_dispute_lists_the_others(
    editor_client, article, xu
):
    make_claim(xu, "age", "27", make_article("Xu Yan is 27.", outlet="Lakeside Weekly"))
    make_claim(xu, "age", "45", make_article("Xu Yan is 45.", outlet="Coast"))

    response = record(editor_client, article, "27", candidate=xu.pk, property="age", value="27")

    data = response.json()
    assert data["dispute"]["group"] == 1
    assert [version["other"]["value"] for version in data["contradictions"]] == ["45"]


def test_a_claim_agreeing_with_another_outlet_opens_nothing(editor_client, article, xu):
    other = make_article(
        "Xu Yan turned 27 this year.", outlet="Lakeside Weekly", published="2011-06-10"
    )
    make_claim(xu, "age", "27", other)

    response = record(editor_client, article, "27", candidate=xu.pk, property="age", value="27")

    assert response.status_code == 201
    assert response.json()["contradictions"] == []
    assert response.json()["dispute"] is None
    assert not Contradiction.objects.exists()


def test_recording_costs_the_same_queries_however_many_claims_are_on_record(
    editor_client, article, xu
):
    notes = " ".join(f"note{number}" for number in range(10))
    other = make_article(f"Xu Yan is 28, or 29. {notes}", outlet="Lakeside Weekly")

    def record_counting_queries(words):
        with CaptureQueriesContext(connection) as captured:
            response = record(
                editor_client, article, words, candidate=xu.pk, property="age", value="27"
            )
        assert response.status_code == 201
        versions = response.json()["contradictions"]
        return len(captured), sum(len(version["claims"]) for version in versions)

    make_claim(xu, "age", "28", other, quote="28")
    # The dispute is open before either recording: each new claim joins its version of 27.
    make_claim(xu, "age", "27", make_article("Xu Yan, 27, ran.", outlet="Third Wire"))
    few = record_counting_queries("Our reporter met")
    for number in range(10):
        # Other words of the other article each time: the same words would be the same claim.
        make_claim(xu, "age", str(28 + number % 2), other, quote=f"note{number}")
    # Words apart from the first claim's: overlapping ones would be that claim again.
    many = record_counting_queries("Xu Yan, 27")

    # Both times the new claim's dispute lists every age the other outlet printed.
    assert (few[1], many[1]) == (1, 11)
    assert many[0] == few[0]


# The same claim, not a second one


def test_the_same_value_selected_with_other_boundaries_answers_with_the_recorded_claim(
    editor_client, article, xu
):
    first = record(
        editor_client, article, "Xu Yan, 27,", candidate=xu.pk, property="age", value="27"
    )
    claim_id = first.json()["claim"]["id"]
    before = written()

    response = record(
        editor_client, article, "27, who keeps", candidate=xu.pk, property="age", value="27"
    )

    assert response.status_code == 409
    answer = response.json()
    assert answer["existing"] is True
    assert answer["claim"]["id"] == claim_id and answer["claim"]["state"] == "unverified"
    assert answer["claim"]["url"] == f"/admin/elections/claim/{claim_id}/change/"
    (message,) = answer["errors"]["__all__"]
    assert f"claim #{claim_id} (unverified)" in message and answer["claim"]["url"] in message
    assert written() == before


def test_the_same_claim_recorded_first_by_a_sheet_is_answered_too(editor_client, article, xu):
    sheet_claim = make_claim(xu, "age", "27", article, quote="met Xu Yan, 27, who")

    response = record(
        editor_client, article, "Xu Yan, 27", candidate=xu.pk, property="age", value="27岁"
    )

    assert response.status_code == 409
    assert response.json()["claim"]["id"] == sheet_claim.pk


def test_another_value_from_overlapping_words_is_another_claim(editor_client, article, xu):
    record(editor_client, article, "Xu Yan, 27,", candidate=xu.pk, property="age", value="27")

    response = record(
        editor_client, article, "Xu Yan, 27", candidate=xu.pk, property="age", value="28"
    )

    assert response.status_code == 201
    assert Claim.objects.filter(candidate=xu).count() == 2


# Errors leave nothing written


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"property": "age", "value": "lots"}, "value", "not an age"),
        ({"property": "votes", "value": "1,234"}, "candidacy", "no candidacy yet"),
        ({"property": "age", "value": "27", "as_of": "June 2011"}, "as_of", "YYYY"),
        ({"property": "", "value": "27"}, "property", "required"),
        ({"property": "age", "value": "27", "candidate": ""}, "candidate", "Choose the candidate"),
        ({"property": "age", "value": "27", "candidate": 999999}, "candidate", "no longer exists"),
        ({"property": "age", "value": "27", "exact": "Xu Yan"}, "__all__", "do not match"),
        ({"property": "age", "value": "27", "version": 7}, "version", "reload the page"),
    ],
    ids=[
        "unreadable-value",
        "missing-candidacy",
        "bad-date",
        "no-property",
        "no-candidate",
        "unknown-candidate",
        "shifted-span",
        "stale-text",
    ],
)
def test_a_refused_claim_writes_nothing_and_says_why(
    editor_client, article, xu, fields, field, message
):
    fields = {"candidate": xu.pk, **fields}
    before = written()

    response = record(editor_client, article, "Xu Yan, 27,", **fields)

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert any(message in text for text in errors[field]), errors
    assert written() == before


def test_a_new_candidate_is_not_left_behind_when_the_claim_is_refused(editor_client, article):
    before = written()

    response = record(
        editor_client,
        article,
        "Liu Ping was barred",
        new_candidate="true",
        new_display_name="Liu Ping",
        property="status",
        value="barred",
    )

    assert response.status_code == 400
    assert "no candidacy yet" in response.json()["errors"]["candidacy"][0]
    assert written() == before


def test_a_claim_about_a_merged_record_is_refused(editor_client, article, xu):
    reviewer = make_user("Reviewers")
    duplicate = make_candidate("Xu Ruiyan")
    candidate_merge(survivor=xu, absorbed=duplicate, acting_user=reviewer)

    response = record(
        editor_client, article, "27", candidate=duplicate.pk, property="age", value="27"
    )

    assert response.status_code == 400
    assert "was merged into Xu Yan (徐琰)" in response.json()["errors"]["candidate"][0]
    assert not Claim.objects.exists()


# Permissions and CSRF


def test_a_reviewer_cannot_record_claims_nor_use_the_panels_endpoints(db, article, xu):
    client = Client()
    client.force_login(make_user("Reviewers"))
    before = written()

    recorded = record(client, article, "27", candidate=xu.pk, property="age", value="27")
    suggested = suggest(client, article, property="age", exact="27")
    found = search(client, "Xu")

    assert recorded.status_code == 403
    assert recorded.json()["errors"]["__all__"] == ["You may not select passages in articles."]
    assert suggested.status_code == 403 and found.status_code == 403
    assert annotate_page(client, article).status_code == 403
    assert written() == before


def test_an_annotator_without_the_claim_permission_cannot_record(db, article, xu):
    user = User.objects.create_user("annotator", password="pw", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=["annotate_article"]))
    client = Client()
    client.force_login(user)

    response = record(client, article, "27", candidate=xu.pk, property="age", value="27")

    assert response.status_code == 403
    assert response.json()["errors"]["__all__"] == ["You may not record claims."]
    assert not Passage.objects.exists()


def test_a_new_candidate_needs_the_permission_to_add_candidates(db, article):
    user = User.objects.create_user("recorder", password="pw", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(codename__in=["annotate_article", "add_claim", "view_article"])
    )
    client = Client()
    client.force_login(user)

    response = record(
        client,
        article,
        "Liu Ping",
        new_candidate="true",
        new_display_name="Liu Ping",
        property="gender",
        value="female",
    )

    assert response.status_code == 403
    assert response.json()["errors"]["__all__"] == ["You may not add candidates."]
    assert written() == (0, 0, 0)
    assert 'id="claim-mode-new" disabled' in annotate_page(client, article).content.decode()


def test_anonymous_visitors_are_sent_to_the_login_page(client, article):
    response = client.post(reverse("admin:sources_article_annotate_claim", args=[article.pk]))

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_recording_without_the_csrf_token_is_refused(editor, article, xu):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)

    response = record(client, article, "27", candidate=xu.pk, property="age", value="27")

    assert response.status_code == 403
    assert not Claim.objects.exists()


def test_only_posts_record(editor_client, article):
    url = reverse("admin:sources_article_annotate_claim", args=[article.pk])

    assert editor_client.get(url).status_code == 405


# Finding candidates by any name form


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("徐", ["Xu Yan"]),
        ("刘萍", ["Liu Ping"]),
        ("劉萍", ["Liu Ping"]),
        ("liu ping", ["Liu Ping"]),
        ("Liú Píng", ["Liu Ping"]),
        ("LIUPING", ["Liu Ping"]),
        ("xu ruiyan", ["Xu Yan"]),
        ("刘平", []),
        ("  ", []),
    ],
)
def test_candidates_are_found_by_any_name_form(editor_client, xu, liu, query, expected):
    response = search(editor_client, query)

    assert response.status_code == 200
    assert [result["label"].split(" (")[0] for result in response.json()["results"]] == expected


def test_a_search_result_carries_names_state_and_runs(editor_client, xu, places):
    election = make_election(places["hangzhou"], polling="2011-11-16")
    candidacy = make_candidacy(xu, election)

    result = search(editor_client, "徐琰").json()["results"][0]

    assert result == {
        "id": xu.pk,
        "label": "Xu Yan (徐琰)",
        "other_names": ["Xu Ruiyan"],
        "state": "draft",
        "candidacies": [{"id": candidacy.pk, "label": f"{election.name} (16 November 2011)"}],
    }


def test_a_whole_name_comes_first_then_names_that_start_with_the_query(editor_client, db):
    for name in ("Li Pingxu", "Xu Ping", "Xu"):
        make_candidate(name)

    names = [result["label"] for result in search(editor_client, "xu").json()["results"]]

    assert names == ["Xu", "Xu Ping", "Li Pingxu"]


def test_a_whole_name_is_offered_however_many_names_contain_it(editor_client, db):
    for number in range(20):
        make_candidate(f"Ah Xuan {number}")
    make_candidate("Xu")

    results = search(editor_client, "xu").json()["results"]

    assert len(results) == 12
    assert results[0]["label"] == "Xu"


def test_merged_records_are_not_offered(editor_client, xu):
    duplicate = make_candidate("Xu Yan", name_zh="徐琰")
    candidate_merge(survivor=xu, absorbed=duplicate, acting_user=make_user("Reviewers"))

    results = search(editor_client, "徐琰").json()["results"]

    assert [result["id"] for result in results] == [xu.pk]


def test_a_search_costs_the_same_queries_however_many_candidates_match(
    editor_client, places, django_assert_max_num_queries
):
    election = make_election(places["hangzhou"])
    for number in range(20):
        candidate = make_candidate(f"Wang Wei {number}", name_zh="王伟")
        candidate_add_name(
            candidate=candidate, name=f"Wang Wei the {number}th", acting_user=system_user()
        )
        make_candidacy(candidate, election)

    # The session, the user, two for the user's permissions, then the candidates, their other
    # names and their runs.
    with django_assert_max_num_queries(7):
        response = search(editor_client, "王伟")

    assert len(response.json()["results"]) == 12


# Values proposed from the selected words


@pytest.mark.parametrize(
    ("property", "words", "value", "reading"),
    [
        ("age", "Xu Yan, 27, who keeps", "27", "27 (born 1983–1984)"),
        ("age", "徐琰今年二十七岁", "今年二十七岁", "27 (born 1983–1984)"),
        ("gender", "He hopes to stand", "He", "male"),
        ("gender", "她是女性", "女性", "female"),
        ("followers", "read by more than 10,000 followers", "more than 10,000", "at least 10,000"),
        ("status", "Liu Ping was barred from the race", "barred", "barred (2011-06-02)"),
        ("status", "刘萍被取消资格", "被取消资格", "barred (2011-06-02)"),
        ("name_zh", "记者手记：徐琰今年", "徐琰", "徐琰"),
        (
            "occupation",
            " keeps a busy microblog.",
            "keeps a busy microblog",
            "keeps a busy microblog",
        ),
        # A many-valued property proposes what the free-text reading finds, not the whole
        # selection: names, ages and what introduces or follows the value are left out.
        ("occupation", "Liu Ping, 47, a steelworker from Xinyu", "steelworker", "steelworker"),
        ("occupation", "Aged 52, she is a retired worker.", "retired worker", "retired worker"),
        ("occupation", "刘萍今年四十七岁，是新余市的参选人。", "参选人", "参选人"),
        ("occupation", "她是一名退休教师", "退休教师", "退休教师"),
        ("city", "在杭州市报名参选", "杭州市", "Hangzhou (杭州市) (prefecture-level city)"),
        (
            "province",
            "Hangzhou, Zhejiang",
            "Zhejiang",
            "Zhejiang (浙江省) (province-level division)",
        ),
        (
            "district",
            "She lives in Haidian District.",
            "Haidian District",
            "Haidian (海淀区) (county or district)",
        ),
        (
            "city",
            "in Hongzhou",
            "in Hongzhou",
            "not a known place: compared as written (inhongzhou)",
        ),
    ],
)
def test_the_selected_words_propose_a_value_the_property_can_read(
    editor_client, article, places, xu, property, words, value, reading
):
    response = suggest(editor_client, article, property=property, exact=words)

    assert response.status_code == 200
    assert response.json() == {"value": value, "reading": reading, "error": "", "hint": ""}


@pytest.mark.parametrize(
    ("property", "words", "hint"),
    [
        ("gender", "he said she would", "a man and of a woman"),
        ("age", "no number here", "No age found"),
        ("name_zh", "Xu Yan", "Select just the name"),
        ("city", "a candidate in a city nobody has heard of", "select just the place"),
        ("age", "", "Select the words"),
    ],
)
def test_no_value_is_proposed_where_the_words_do_not_give_one(
    editor_client, article, property, words, hint
):
    data = suggest(editor_client, article, property=property, exact=words).json()

    assert data["value"] == "" and hint in data["hint"]


def test_an_age_is_read_as_of_the_date_the_editor_typed(editor_client, article):
    data = suggest(editor_client, article, property="age", exact="27", as_of="2020").json()

    assert data["reading"] == "27 (born 1992–1993)"


def test_a_typed_value_is_checked_and_an_unreadable_one_explained(editor_client, article):
    good = suggest(editor_client, article, property="votes", value="3.74 million").json()
    bad = suggest(editor_client, article, property="gender", value="unknown").json()

    assert good == {"value": "3.74 million", "reading": "3,740,000", "error": "", "hint": ""}
    assert bad["reading"] == "" and "not a gender" in bad["error"]


def test_an_unknown_property_is_refused(editor_client, article):
    response = suggest(editor_client, article, property="shoe_size", exact="27")

    assert response.status_code == 400
