"""The disputes queue: one row per question, every version of a dispute on its page, and one
verdict for the whole question."""

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils.html import strip_tags

from elections.admin.display import sentences_around
from elections.models import Claim, Contradiction, DisputeClaim, Property
from elections.services import contradiction_flag, contradiction_resolve
from sources.models import AnchorStatus
from sources.services import article_set_text
from tests.factories import (
    make_article,
    make_candidacy,
    make_candidate,
    make_claim,
    make_election,
    make_place,
    make_user,
)

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:elections_contradiction_changelist")
# Written for these tests: three sentences on each side of the one that matters.
POST_TEXT = (
    "Polling stations opened early. Turnout was said to be high. Voters queued outside. "
    "Xu Yan, 27, stood in Hongzhou. "
    "He quit his job to campaign. Police visited his flat. He kept going."
)
ELSEVIER_TEXT = "Xu Yan was 35 when he stood in his home district of Hangzhou."


def detail_url(dispute):
    return reverse("admin:elections_contradiction_change", args=[dispute.pk])


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def shown(response):
    return [strip_tags(str(message)) for message in get_messages(response.wsgi_request)]


def rows(response):
    return [row.pk for row in response.context["cl"].result_list]


def overruled():
    return set(Claim.objects.filter(overruled=True).values_list("pk", flat=True))


@pytest.fixture
def ages(editor):
    """Xu Yan is 27 in one outlet and 35 in another: one open dispute of two versions."""
    xu = make_candidate("Xu Yan", name_zh="徐琰")
    post = make_article(
        POST_TEXT,
        outlet="The Washington Post",
        published="2011-06-01",
        url="https://example.org/post",
    )
    tanis = make_article(ELSEVIER_TEXT, outlet="Elsevier", published="2011-06-03")
    first = make_claim(xu, Property.AGE, "27", post, quote="Xu Yan, 27,", by=editor)
    second = make_claim(xu, Property.AGE, "35", tanis, by=editor)
    return Contradiction.objects.get(candidate=xu), first, second


@pytest.fixture
def cities(editor):
    """Xu Yan's city in three versions: "Hongzhou" (one outlet), Hangzhou / 杭州市 (three),
    "Ningbo" (one): one dispute."""
    zhejiang = make_place("Zhejiang", "浙江省", level="province", code="330000")
    make_place("Hangzhou", "杭州市", parent=zhejiang, code="330100")
    make_place("Ningbo", "宁波市", parent=zhejiang, code="330200")
    xu = make_candidate("Xu Yan", name_zh="徐琰")

    def city(value, outlet, text):
        article = make_article(text, outlet=outlet, published="2011-06-01", title=f"{outlet} on Xu")
        return make_claim(xu, Property.CITY, value, article, by=editor)

    claims = {
        "Hongzhou": city("Hongzhou", "Evening Ledger", "Xu Yan stood in Hongzhou."),
        "Hangzhou": city("Hangzhou", "Harbour Weekly", "Xu Yan stood in Hangzhou."),
        "杭州市": city("杭州市", "Zhejiang Daily", "徐琰在杭州市参选。"),
        "Hangzhou again": city("Hangzhou", "Lakeside Weekly", "He ran in Hangzhou."),
        "Ningbo": city("Ningbo", "Coastal Post", "Xu Yan stood in Ningbo."),
    }
    return Contradiction.objects.get(candidate=xu), claims


def resolve(client, dispute, **data):
    dispute.refresh_from_db()
    return client.post(detail_url(dispute), {"revision": dispute.revision, **data}, follow=True)


# The list


def test_the_queue_shows_open_disputes_unless_asked_otherwise(reviewer, editor, ages):
    dispute = ages[0]
    other = make_candidate("Liu Ping")
    make_claim(other, Property.CITY, "Xinyu", make_article("in Xinyu", outlet="C"), by=editor)
    make_claim(other, Property.CITY, "Xinyuu", make_article("in Xinyuu", outlet="D"), by=editor)
    resolved = Contradiction.objects.get(candidate=other)
    contradiction_resolve(
        contradiction=resolved,
        verdict="one_right",
        right_group=1,
        note="a misprint",
        acting_user=reviewer,
    )
    client = client_for(reviewer)

    assert rows(client.get(CHANGELIST)) == [dispute.pk]
    assert set(rows(client.get(CHANGELIST, {"status": "all"}))) == {dispute.pk, resolved.pk}
    assert rows(client.get(CHANGELIST, {"status": "resolved"})) == [resolved.pk]
    assert rows(client.get(CHANGELIST, {"status": "reopened"})) == []


def test_the_queue_has_one_row_per_question_with_its_versions(reviewer, cities):
    dispute, _ = cities

    response = client_for(reviewer).get(CHANGELIST)

    assert rows(response) == [dispute.pk]
    (row,) = response.context["cl"].result_list
    assert row.group_count == 3
    text = response.text
    assert '<td class="field-version_count">3</td>' in text
    assert "1: “Hongzhou”" in text
    assert "2: “Hangzhou”, “杭州市”" in text
    assert "3: “Ningbo”" in text
    for fact in ("Xu Yan", "city", "detected automatically"):
        assert fact in text


def test_a_reopened_dispute_is_marked_in_the_queue(reviewer, editor, ages):
    dispute, first, _ = ages
    contradiction_resolve(
        contradiction=dispute,
        verdict="one_right",
        right_group=1,
        note="His registration says 27.",
        acting_user=reviewer,
    )
    make_claim(
        first.candidate, Property.AGE, "52", make_article("Xu, 52.", outlet="Third"), by=editor
    )
    client = client_for(reviewer)

    default = client.get(CHANGELIST)
    reopened = client.get(CHANGELIST, {"status": "reopened"})

    assert rows(default) == rows(reopened) == [dispute.pk]
    assert "reopened: new version since the verdict" in default.text


def test_a_status_dispute_names_its_date(reviewer, editor):
    xu = make_candidate("Xu Yan")
    make_candidacy(
        xu, make_election(make_place("Haidian", "海淀区", level="county", code="110108"))
    )
    on = "2011-11-08"
    make_claim(xu, Property.STATUS, "won", make_article("won", outlet="A", published=on))
    make_claim(xu, Property.STATUS, "lost", make_article("lost", outlet="B", published=on))

    response = client_for(reviewer).get(CHANGELIST)

    assert len(rows(response)) == 1
    assert "candidacy status on 8 November 2011" in response.text


def test_the_queue_filters_by_outlet_property_and_origin(reviewer, cities, ages):
    by_city, claims = cities
    by_age = ages[0]
    ningbo_outlet = claims["Ningbo"].article.outlet
    client = client_for(reviewer)

    assert rows(client.get(CHANGELIST, {"outlet": ningbo_outlet.pk})) == [by_city.pk]
    assert rows(client.get(CHANGELIST, {"property": "city"})) == [by_city.pk]
    assert rows(client.get(CHANGELIST, {"property": "birth_year"})) == [by_age.pk]
    assert rows(client.get(CHANGELIST, {"origin__exact": "flagged"})) == []
    # The outlets offered are those of claims in disputes, each once.
    outlets = client.get(CHANGELIST).context["cl"].filter_specs[-1].lookup_choices
    assert sorted(name for _, name in outlets) == sorted(
        {claim.article.outlet.name for claim in (*claims.values(), ages[1], ages[2])}
    )


def test_the_queue_is_searched_by_any_form_of_the_name_and_by_values(reviewer, cities):
    dispute, _ = cities
    client = client_for(reviewer)

    for term in ("徐琰", "xu yan", "xuyan", "Ningbo", "杭州"):
        assert rows(client.get(CHANGELIST, {"q": term})) == [dispute.pk], term
    assert rows(client.get(CHANGELIST, {"q": "liu"})) == []


@pytest.mark.parametrize("count", [1, 8])
def test_the_queue_takes_the_same_queries_however_many_disputes(
    count, reviewer, editor, django_assert_max_num_queries
):
    for number in range(count):
        candidate = make_candidate(f"Candidate {number}")
        for age, outlet in (("30", "A"), ("50", "B"), ("70", "C"), ("30", "D")):
            make_claim(
                candidate, Property.AGE, age, make_article(f"aged {age}", outlet=outlet), by=editor
            )
    client = client_for(reviewer)
    client.get(CHANGELIST)

    with django_assert_max_num_queries(10):
        response = client.get(CHANGELIST)

    assert len(rows(response)) == count
    assert response.text.count("3: “70”") == count


# A dispute's page


def test_the_page_shows_every_version_with_its_claims_and_passages(reviewer, cities):
    dispute, claims = cities

    response = client_for(reviewer).get(detail_url(dispute))

    assert response.status_code == 200
    versions = response.context["versions"]
    assert [version.number for version in versions] == [1, 2, 3]
    assert [version.values for version in versions] == [
        ["Hongzhou"],
        ["Hangzhou", "杭州市"],
        ["Ningbo"],
    ]
    assert [len(version.claims) for version in versions] == [1, 3, 1]
    text = response.text
    assert "Version 2: “Hangzhou”, “杭州市”" in text
    for outlet in ("Evening Ledger", "Harbour Weekly", "Zhejiang Daily", "Lakeside Weekly"):
        assert f"{outlet} on Xu</a>" in text
    assert "徐琰在<mark>杭州市</mark>参选。" in text
    assert "Xu Yan stood in <mark>Ningbo</mark>." in text
    assert f'href="/admin/elections/claim/{claims["Ningbo"].pk}/change/"' in text
    assert "<code>text:hongzhou</code>" in text
    assert text.count("sb-badge-unverified") == 5
    for choice in ("Version 1 is right", "Version 2 is right", "Version 3 is right"):
        assert choice in text
    assert "Every version is wrong" in text and "All true, at different times" in text
    assert f'name="revision" value="{dispute.revision}"' in text


def test_the_page_shows_the_passage_in_its_sentences(reviewer, ages):
    dispute = ages[0]

    text = client_for(reviewer).get(detail_url(dispute)).text

    assert (
        "Turnout was said to be high. Voters queued outside. <mark>Xu Yan, 27,</mark> stood "
        "in Hongzhou. He quit his job to campaign. Police visited his flat."
    ) in text
    assert "Polling stations opened early." not in text
    assert "Xu Yan was <mark>35</mark> when he stood" in text
    for fact in ("The Washington Post", "Elsevier", "1 June 2011", "3 June 2011"):
        assert fact in text
    assert 'href="https://example.org/post"' in text


def test_untrusted_text_on_the_page_is_escaped(reviewer, editor):
    xu = make_candidate("Xu <em>Yan</em>")
    evil = make_article("<img src=x onerror=alert(1)> He is 27.", outlet="A <i>wire</i>")
    first = make_claim(
        xu, Property.OCCUPATION, "<b>teacher</b>", evil, quote="He is 27.", by=editor
    )
    second = make_claim(xu, Property.OCCUPATION, "worker", make_article("a worker"), by=editor)
    contradiction_flag(
        claim_a=first, claim_b=second, note="<script>alert(2)</script>", acting_user=editor
    )

    text = client_for(reviewer).get(detail_url(Contradiction.objects.get())).text

    for raw in ("<img src=x", "<em>Yan</em>", "<b>teacher</b>", "<script>alert(2)", "<i>wire"):
        assert raw not in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text
    assert "“&lt;b&gt;teacher&lt;/b&gt;”" in text
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in text


def test_a_passage_no_longer_in_the_text_is_shown_as_quoted(reviewer, ages, editor):
    dispute, first, _ = ages
    article_set_text(article=first.article, text="A different text entirely.", acting_user=editor)
    first.passage.refresh_from_db()
    assert first.passage.anchor_status == AnchorStatus.ORPHANED

    response = client_for(reviewer).get(detail_url(dispute))

    assert "were not found again. As quoted:" in response.text
    assert "<mark>Xu Yan, 27,</mark>" in response.text


def test_version_n_is_right_resolves_and_overrules_the_other_versions(reviewer, cities):
    dispute, claims = cities

    response = resolve(
        client_for(reviewer),
        dispute,
        verdict="one_right:2",
        note="The election notice names Hangzhou.",
    )

    dispute.refresh_from_db()
    assert dispute.status == Contradiction.Status.RESOLVED
    assert (dispute.verdict, dispute.resolved_by) == ("one_right", reviewer)
    assert overruled() == {claims["Hongzhou"].pk, claims["Ningbo"].pk}
    # No other dispute is open: "next" takes the reviewer back to the desk.
    assert response.redirect_chain[-1][0] == reverse("admin:index")
    assert (
        f"Resolved dispute #{dispute.pk} (Xu Yan, city): version 2 (“Hangzhou”, “杭州市”) is right."
        in (shown(response))
    )


def test_every_version_is_wrong_overrules_them_all(reviewer, ages):
    dispute, first, second = ages

    resolve(client_for(reviewer), dispute, verdict="all_wrong", note="Born in 1980.")

    dispute.refresh_from_db()
    assert (dispute.status, dispute.verdict) == ("resolved", "all_wrong")
    assert overruled() == {first.pk, second.pk}


def test_a_verdict_without_a_note_is_refused_on_the_form(reviewer, ages):
    dispute = ages[0]

    response = client_for(reviewer).post(
        detail_url(dispute), {"verdict": "one_right:1", "note": " ", "revision": dispute.revision}
    )

    assert response.status_code == 400
    assert response.context["form"].errors["note"]
    assert response.context["form"]["verdict"].value() == "one_right:1"
    dispute.refresh_from_db()
    assert dispute.status == Contradiction.Status.OPEN and not overruled()


def test_a_verdict_on_a_version_the_page_does_not_have_is_refused(reviewer, ages):
    dispute = ages[0]

    response = client_for(reviewer).post(
        detail_url(dispute), {"verdict": "one_right:7", "note": "x", "revision": dispute.revision}
    )

    assert response.status_code == 400 and response.context["form"].errors["verdict"]
    dispute.refresh_from_db()
    assert dispute.status == Contradiction.Status.OPEN


def test_a_verdict_without_the_revision_seen_is_refused(reviewer, ages):
    dispute = ages[0]

    response = client_for(reviewer).post(
        detail_url(dispute), {"verdict": "all_wrong", "note": "Born in 1980."}
    )

    assert response.status_code == 400
    assert "which versions you saw" in " ".join(response.context["form"].errors["revision"])
    dispute.refresh_from_db()
    assert dispute.status == Contradiction.Status.OPEN and not overruled()


def test_a_verdict_on_versions_that_changed_since_is_refused_and_nothing_changes(
    reviewer, editor, ages
):
    dispute, first, _ = ages
    client = client_for(reviewer)
    opened = client.get(detail_url(dispute))
    seen = opened.context["form"]["revision"].value()
    # Meanwhile an editor records a third version.
    third = make_claim(
        first.candidate, Property.AGE, "52", make_article("Xu, 52.", outlet="Third"), by=editor
    )
    dispute.refresh_from_db()
    assert dispute.revision != seen and dispute.group_count == 3

    response = client.post(
        detail_url(dispute),
        {"verdict": "one_right:1", "note": "His registration says 27.", "revision": seen},
    )

    assert response.status_code == 400
    errors = " ".join(response.context["form"].non_field_errors())
    assert f"Dispute #{dispute.pk} changed since you opened it" in errors
    assert "changed since you opened it" in response.text
    # What the reviewer typed is kept, and the page now shows the three versions it refers to.
    assert "His registration says 27." in response.text
    assert [version.number for version in response.context["versions"]] == [1, 2, 3]
    assert f'href="/admin/elections/claim/{third.pk}/change/"' in response.text
    assert response.context["form"]["revision"].value() == str(dispute.revision)
    before = dispute.revision
    dispute.refresh_from_db()
    assert dispute.status == Contradiction.Status.OPEN and dispute.verdict == ""
    assert dispute.revision == before and not overruled()


def test_a_verdict_on_a_dispute_resolved_meanwhile_is_refused_saying_so(reviewer, ages):
    dispute = ages[0]
    seen = dispute.revision
    contradiction_resolve(
        contradiction=dispute, verdict="all_wrong", note="Born in 1980.", acting_user=reviewer
    )

    response = client_for(reviewer).post(
        detail_url(dispute), {"verdict": "one_right:1", "note": "27.", "revision": seen}
    )

    assert response.status_code == 400
    assert f"Dispute #{dispute.pk} is resolved, not open." in response.text
    dispute.refresh_from_db()
    assert dispute.verdict == "all_wrong" and len(overruled()) == 2


def test_a_resolved_dispute_shows_its_verdict_who_and_when(reviewer, ages):
    dispute = ages[0]
    contradiction_resolve(
        contradiction=dispute,
        verdict="different_times",
        note="He had a birthday <b>in between</b>.",
        acting_user=reviewer,
    )

    response = client_for(make_user("Editors")).get(detail_url(dispute))

    assert "all true, at different times" in response.text
    assert "He had a birthday &lt;b&gt;in between&lt;/b&gt;." in response.text
    assert reviewer.username in response.text
    assert 'name="verdict"' not in response.text


def test_a_reopened_dispute_shows_the_previous_verdict_and_what_is_new(reviewer, editor, ages):
    dispute, first, _ = ages
    contradiction_resolve(
        contradiction=dispute,
        verdict="one_right",
        right_group=1,
        note="His registration says 27.",
        acting_user=reviewer,
    )
    third = make_claim(
        first.candidate, Property.AGE, "52", make_article("Xu, 52.", outlet="Third"), by=editor
    )

    response = client_for(reviewer).get(detail_url(dispute))

    text = response.text
    assert "Reopened: a new version since the verdict" in text
    assert "one version is right" in text and "His registration says 27." in text
    versions = response.context["versions"]
    assert [(version.new, version.judged) for version in versions] == [
        (False, "right"),
        (False, "wrong"),
        (True, ""),
    ]
    assert versions[2].claims[0]["claim"].pk == third.pk
    assert text.count("new since the verdict") == 1
    assert 'name="verdict"' in text


def test_an_editor_sees_the_page_but_cannot_resolve(editor, ages):
    dispute = ages[0]
    client = client_for(editor)

    page = client.get(detail_url(dispute))
    refused = client.post(
        detail_url(dispute), {"verdict": "one_right:1", "note": "mine", "revision": 1}
    )

    assert page.status_code == 200 and 'name="verdict"' not in page.text
    assert "A reviewer resolves this dispute." in page.text
    assert refused.status_code == 403
    dispute.refresh_from_db()
    assert dispute.status == Contradiction.Status.OPEN


def test_someone_without_view_permission_cannot_see_the_page(ages):
    response = client_for(make_user()).get(detail_url(ages[0]))

    assert response.status_code == 403


@pytest.mark.parametrize("others", [0, 6])
def test_the_page_takes_the_same_queries_however_many_versions(
    others, reviewer, editor, ages, django_assert_max_num_queries
):
    dispute, first, _ = ages
    for number in range(others):
        article = make_article(f"He is {40 + 3 * number}.", outlet=f"Outlet {number}")
        make_claim(first.candidate, Property.AGE, str(40 + 3 * number), article, by=editor)
    client = client_for(reviewer)
    client.get(detail_url(dispute))

    with django_assert_max_num_queries(6):
        response = client.get(detail_url(dispute))

    assert response.status_code == 200
    assert len(response.context["versions"]) == 2 + others
    assert DisputeClaim.objects.filter(contradiction=dispute).count() == 2 + others


def test_there_is_no_add_form(reviewer):
    response = client_for(make_user(superuser=True)).get(
        reverse("admin:elections_contradiction_add")
    )

    assert response.status_code == 403


# Context around a passage


def test_context_takes_whole_sentences_on_each_side():
    text = "One. Two. Three is here. Four. Five."
    start = text.index("is here")

    before, words, after = sentences_around(text, start, start + len("is here"), sentences=1)

    assert (before, words, after) == ("Two. Three ", "is here", ". Four.")


def test_context_reads_chinese_full_stops():
    text = "第一句。第二句。许艳参选。第四句。第五句。"
    start = text.index("许艳")

    before, _, after = sentences_around(text, start, start + 2, sentences=1)

    assert before == "第二句。" and after == "参选。第四句。"


def test_context_is_cut_when_sentences_run_long():
    text = "x" * 2000 + " target " + "y" * 2000
    start = text.index("target")

    before, _, after = sentences_around(text, start, start + 6, limit=50)

    assert before == "…" + ("x" * 2000 + " ")[-50:] and len(after) == 51
