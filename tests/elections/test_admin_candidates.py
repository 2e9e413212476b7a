"""The candidate admin: list, search, profiles, names and runs, publication, merges; and the
election and candidacy pages."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from elections.models import (
    Candidacy,
    CandidacyStatus,
    Candidate,
    CandidateMerge,
    CandidateName,
    Claim,
    Contradiction,
    Election,
    Property,
)
from elections.services import (
    candidate_add_name,
    candidate_merge,
    candidate_submit_for_review,
    claim_verify,
)
from sources.audit import system_user
from sources.services import passage_create_from_quote
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

CHANGELIST = reverse("admin:elections_candidate_changelist")
ADD = reverse("admin:elections_candidate_add")


def change_url(candidate):
    return reverse("admin:elections_candidate_change", args=[candidate.pk])


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def shown(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def listed(response):
    return [candidate.pk for candidate in response.context["cl"].result_list]


def act(client, action, candidates, url=CHANGELIST, **data):
    return client.post(
        url,
        {"action": action, "_selected_action": [c.pk for c in candidates], **data},
        follow=True,
    )


@pytest.fixture
def xu():
    xu = make_candidate("Xu Yan", name_zh="徐琰")
    candidate_add_name(candidate=xu, name="Xu Ruiyan", acting_user=system_user())
    return xu


def conflicting_ages(candidate, editor, reviewer):
    """Two verified claims of `candidate` from two outlets that disagree on the age."""
    first = make_claim(
        candidate, Property.AGE, "27", make_article("He is 27.", outlet="A"), by=editor
    )
    second = make_claim(
        candidate, Property.AGE, "35", make_article("He is 35.", outlet="B"), by=editor
    )
    for claim in (first, second):
        claim_verify(claim=claim, acting_user=reviewer)
    return first, second


# The list


@pytest.mark.parametrize("term", ["刘萍", "liu ping", "liuping", "LIU-PING", "Ping Liu"])
def test_search_finds_a_candidate_by_any_form_of_the_name(editor, liu, xu, term):
    make_candidate("Liu Pingyang")  # a longer name holding the query is found too

    found = listed(client_for(editor).get(CHANGELIST, {"q": term}))

    assert liu.pk in found and xu.pk not in found


def test_search_finds_an_other_name_and_never_a_homophone(editor, liu, xu):
    homophone = make_candidate("Liu Ping", name_zh="刘平")
    client = client_for(editor)

    assert listed(client.get(CHANGELIST, {"q": "Xu Ruiyan"})) == [xu.pk]
    assert listed(client.get(CHANGELIST, {"q": "刘萍"})) == [liu.pk]
    assert homophone.pk in listed(client.get(CHANGELIST, {"q": "liu ping"}))


def test_autocomplete_finds_candidates_by_name_but_not_merged_records(reviewer, liu, xu):
    ruiyan = make_candidate("Xu Ruiyan (second record)")
    candidate_merge(survivor=xu, absorbed=ruiyan, acting_user=reviewer)
    url = reverse("admin:autocomplete")
    client = client_for(make_user("Editors"))
    query = {"app_label": "elections", "model_name": "claim", "field_name": "candidate"}

    by_chinese = client.get(url, {**query, "term": "刘萍"}).json()
    by_pinyin = client.get(url, {**query, "term": "xu ruiyan"}).json()

    assert [row["id"] for row in by_chinese["results"]] == [str(liu.pk)]
    assert [row["id"] for row in by_pinyin["results"]] == [str(xu.pk)]


def test_the_list_counts_claims_by_state_and_open_disputes(editor, reviewer, xu):
    conflicting_ages(xu, editor, reviewer)
    make_claim(xu, Property.CITY, "Hangzhou", make_article("He lives in Hangzhou."), by=editor)

    response = client_for(reviewer).get(CHANGELIST)

    row = response.context["cl"].result_list[0]
    assert (row.verified_count, row.unverified_count, row.open_contradiction_count) == (2, 1, 1)
    assert f"?candidate__id__exact={xu.pk}" in response.text


def test_the_filters_find_open_disputes_and_provinces(editor, reviewer, xu, liu):
    conflicting_ages(xu, editor, reviewer)
    jiangxi = make_place("Jiangxi", "江西省", level="province", code="360000")
    xinyu = make_place("Xinyu", "新余市", parent=jiangxi, code="360500")
    make_candidacy(liu, make_election(xinyu))
    client = client_for(reviewer)

    assert listed(client.get(CHANGELIST, {"contradicted": "yes"})) == [xu.pk]
    assert listed(client.get(CHANGELIST, {"contradicted": "no"})) == [liu.pk]
    assert listed(client.get(CHANGELIST, {"province": jiangxi.pk})) == [liu.pk]
    assert "Jiangxi (江西省)" in client.get(CHANGELIST).text


def test_the_list_takes_the_same_queries_however_many_candidates(
    editor, monkeypatch, django_assert_max_num_queries
):
    from sources.admin import paging

    # Past this many rows a count is PostgreSQL's estimate (exact, in the same query, on
    # SQLite): the larger list below crosses it, as a big table does.
    monkeypatch.setattr(paging, "EXACT_UP_TO", 5)
    election = make_election(make_place("Haidian", "海淀区", level="county", code="110108"))

    def add_candidates(count, start=0):
        for number in range(start, start + count):
            candidate = make_candidate(f"Candidate {number}")
            make_candidacy(candidate, election)
            make_claim(candidate, Property.AGE, "40", make_article("aged 40"), by=editor)

    add_candidates(2)
    client = client_for(editor)
    client.get(CHANGELIST)
    with CaptureQueriesContext(connection) as few:
        response = client.get(CHANGELIST)
    assert len(response.context["cl"].result_list) == 2
    # The session, the user and its permissions, the count in review, the list's filters
    # and count, the page's candidates and their runs.
    assert len(few.captured_queries) <= 12

    add_candidates(8, start=2)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(CHANGELIST)
    assert len(response.context["cl"].result_list) == 10


# Profiles: adding and changing


def test_adding_a_candidate_goes_through_candidate_create(editor):
    response = client_for(editor).post(
        ADD,
        {
            "display_name": "Liu  Ping",
            "name_zh": "刘 萍",
            "gender": "female",
            "birth_year": "1964",
            "slug": "",
            "weibo": "",
            "notes": "",
        },
    )

    assert response.status_code == 302
    liu = Candidate.objects.get()
    assert (liu.display_name, liu.name_zh, liu.slug) == ("Liu Ping", "刘萍", "liu-ping")
    assert "|liuping|" in liu.search_text and "刘萍" in liu.search_text
    assert liu.history.first().history_user == editor


def profile_data(candidate, **changes):
    data = {
        "display_name": candidate.display_name,
        "name_zh": candidate.name_zh,
        "gender": candidate.gender,
        "birth_year": candidate.birth_year or "",
        "slug": candidate.slug,
        "weibo": candidate.weibo,
        "notes": candidate.notes,
        "opened_revision": candidate.revision,
    }
    for prefix in ("names", "candidacies", "claims"):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    data.update(changes)
    return data


def test_an_edit_counts_a_revision_and_refreshes_the_search(editor, liu):
    client = client_for(editor)

    response = client.post(change_url(liu), profile_data(liu, display_name="Liu Ping (Xinyu)"))

    assert response.status_code == 302
    liu.refresh_from_db()
    assert liu.revision == 2 and "liupingxinyu" in liu.search_text
    assert liu.history.first().history_user == editor


def test_a_save_after_someone_elses_is_refused_saying_what_changed(editor, liu):
    opened = profile_data(liu, display_name="Liu Ping of Xinyu")
    candidate_submit_for_review(candidate=liu, acting_user=make_user("Editors"))

    response = client_for(editor).post(change_url(liu), opened)

    assert response.status_code == 200
    errors = " ".join(response.context["adminform"].form.non_field_errors())
    assert "Someone else saved this candidate" in errors
    assert "state: “draft” → “in review”" in errors
    liu.refresh_from_db()
    assert liu.display_name == "Liu Ping" and liu.state == Candidate.State.REVIEW


def test_a_name_added_inline_is_recorded_with_its_passage_and_searchable(editor, liu):
    article = make_article("Liu Ping (also written Liu Pin) ran.")
    passage = passage_create_from_quote(
        article=article, exact="Liu Pin)", acting_user=system_user()
    )
    data = profile_data(
        liu,
        **{
            "names-TOTAL_FORMS": "1",
            "names-0-name": "Liu Pin",
            "names-0-kind": CandidateName.Kind.OTHER,
            "names-0-passage": passage.pk,
            "names-0-note": "misspelt",
        },
    )

    response = client_for(editor).post(change_url(liu), data)

    assert response.status_code == 302
    name = CandidateName.objects.get(candidate=liu)
    assert (name.name, name.kind, name.passage) == ("Liu Pin", "other", passage)
    assert listed(client_for(editor).get(CHANGELIST, {"q": "liupin"})) == [liu.pk]


def test_a_run_added_inline_goes_through_candidacy_create(editor, liu):
    election = make_election(make_place("Xinyu", "新余市", code="360500"))
    data = profile_data(
        liu,
        **{
            "candidacies-TOTAL_FORMS": "1",
            "candidacies-0-election": election.pk,
            "candidacies-0-votes": "",
            "candidacies-0-notes": "independent",
        },
    )

    client_for(editor).post(change_url(liu), data)

    run = Candidacy.objects.get(candidate=liu)
    assert run.election == election and run.notes == "independent"
    record = run.history.first()
    assert (record.history_user, record.history_change_reason) == (editor, "candidacy recorded")


def test_an_other_name_removed_inline_goes_through_its_service(editor, liu):
    name = candidate_add_name(candidate=liu, name="Lau Peng", acting_user=editor)
    assert listed(client_for(editor).get(CHANGELIST, {"q": "laupeng"})) == [liu.pk]
    data = profile_data(
        liu,
        **{
            "names-TOTAL_FORMS": "1",
            "names-INITIAL_FORMS": "1",
            "names-0-id": name.pk,
            "names-0-candidate": liu.pk,
            "names-0-name": "Lau Peng",
            "names-0-kind": name.kind,
            "names-0-DELETE": "on",
        },
    )

    response = client_for(editor).post(change_url(liu), data)

    assert response.status_code == 302
    assert not CandidateName.objects.filter(candidate=liu).exists()
    removed = CandidateName.history.get(id=name.pk, history_type="-")
    assert (removed.history_user, removed.history_change_reason) == (editor, "name removed")
    assert listed(client_for(editor).get(CHANGELIST, {"q": "laupeng"})) == []


def test_a_candidate_is_never_deleted_in_the_admin(liu):
    superuser = client_for(make_user(superuser=True))

    assert (
        superuser.post(
            reverse("admin:elections_candidate_delete", args=[liu.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    response = act(superuser, "delete_selected", [liu], post="yes")

    assert Candidate.objects.filter(pk=liu.pk).exists()
    assert "No action selected." in shown(response)


def test_the_profile_shows_runs_with_their_history_and_claims_with_citations(editor, liu):
    election = make_election(make_place("Xinyu", "新余市", code="360500"))
    make_candidacy(liu, election)
    article = make_article(
        "Liu Ping <b>declared</b> her run in May.",
        outlet="Ballot Notes",
        published="2011-05-20",
        url="https://example.org/declared",
    )
    make_claim(liu, Property.STATUS, "declared", article, by=editor)

    response = client_for(editor).get(change_url(liu))

    assert "declared · 20 May 2011" in response.text
    assert "Ballot Notes, 20 May 2011" in response.text
    assert 'href="https://example.org/declared"' in response.text
    assert "&lt;b&gt;<mark>declared</mark>&lt;/b&gt;" in response.text


# Publication: the actions


def test_submitting_for_review_and_publishing(editor, reviewer, liu):
    act(client_for(editor), "submit_for_review", [liu])
    liu.refresh_from_db()
    assert liu.state == Candidate.State.REVIEW

    response = act(client_for(reviewer), "publish", [liu])

    liu.refresh_from_db()
    assert liu.state == Candidate.State.PUBLISHED and liu.published_at is not None
    assert "1 candidate(s) published." in shown(response)


def test_a_refused_publication_lists_the_blocking_disputes(editor, reviewer, xu):
    conflicting_ages(xu, editor, reviewer)
    blocking = Contradiction.objects.get()

    response = act(client_for(reviewer), "publish", [xu])

    xu.refresh_from_db()
    assert xu.state == Candidate.State.DRAFT
    [message] = shown(response)
    # Ages are asked as the year of birth: the dispute's question.
    assert "cannot be published" in message and f"#{blocking.pk} (year of birth)" in message


def test_the_profile_lists_the_candidates_disputes_with_their_versions(editor, reviewer, xu):
    conflicting_ages(xu, editor, reviewer)
    make_claim(xu, Property.AGE, "52", make_article("He is 52.", outlet="C"), by=editor)
    make_claim(xu, Property.CITY, "Hangzhou", make_article("in Hangzhou", outlet="D"), by=editor)
    make_claim(xu, Property.CITY, "<b>Ningbo</b>", make_article("<b>Ningbo</b>", outlet="E"))
    by_age = Contradiction.objects.get(property=Property.BIRTH_YEAR)
    by_city = Contradiction.objects.get(property=Property.CITY)

    text = client_for(editor).get(change_url(xu)).text

    assert (
        f'<a href="/admin/elections/contradiction/{by_age.pk}/change/">Dispute #{by_age.pk}' in text
    )
    assert "year of birth (and age)" in text
    assert "3 versions:" in text
    assert "1: “27”" in text and "2: “35”" in text and "3: “52”" in text
    assert f"Dispute #{by_city.pk}</a>: city" in text
    assert "2: “&lt;b&gt;Ningbo&lt;/b&gt;”" in text and "<b>Ningbo" not in text
    assert f"?candidate__id__exact={xu.pk}&amp;status=all" in text


def test_the_profile_shows_no_disputes_to_who_may_not_read_them(xu):
    reader = make_user()
    reader.user_permissions.add(Permission.objects.get(codename="view_candidate"))

    response = client_for(reader).get(change_url(xu))

    assert response.status_code == 200
    assert response.context["disputes"] is None and "sb-candidate-disputes" not in response.text


def test_withdrawing_asks_for_a_reason(reviewer, liu):
    client = client_for(reviewer)
    act(client, "publish", [liu])

    asked = act(client, "withdraw", [liu])
    assert "Withdraw 1 candidate(s)" in asked.text

    act(client, "withdraw", [liu], confirm="yes", reason="Identity in doubt.")
    liu.refresh_from_db()
    assert liu.state == Candidate.State.WITHDRAWN
    record = liu.history.first()
    assert record.history_change_reason == "withdrawn: Identity in doubt."
    assert record.history_user == reviewer


def test_the_history_names_who_published(reviewer, liu):
    act(client_for(reviewer), "publish", [liu])

    client = client_for(reviewer)
    record = liu.history.first()

    response = client.get(reverse("admin:elections_candidate_history", args=[liu.pk]))
    version = client.get(
        reverse("admin:elections_candidate_simple_history", args=[liu.pk, record.history_id])
    )

    assert reviewer.username in response.text and "published" in response.text
    assert version.status_code == 200


# Merges


def merge(client, survivor, absorbed, note="Same person: same age and district."):
    return act(
        client,
        "merge_candidates",
        [survivor, absorbed],
        confirm="yes",
        survivor=survivor.pk,
        note=note,
    )


def test_merging_asks_which_record_survives_then_moves_everything(editor, reviewer, xu):
    ruiyan = make_candidate("Xu Ruiyan", name_zh="徐瑞琰")
    claim = make_claim(ruiyan, Property.AGE, "35", make_article("aged 35"), by=editor)
    client = client_for(reviewer)

    asked = act(client, "merge_candidates", [xu, ruiyan])
    assert "Record that survives" in asked.text and "徐瑞琰" in asked.text

    response = merge(client, xu, ruiyan)

    ruiyan.refresh_from_db()
    assert ruiyan.merged_into == xu
    assert Claim.objects.get(pk=claim.pk).candidate == xu
    assert set(xu.names.values_list("name", flat=True)) >= {"Xu Ruiyan", "徐瑞琰"}
    record = CandidateMerge.objects.get()
    assert record.performed_by == reviewer and record.note.startswith("Same person")
    assert response.redirect_chain[-1][0] == change_url(xu)


def test_merging_needs_exactly_two_records(reviewer, xu, liu):
    response = act(client_for(reviewer), "merge_candidates", [xu])

    assert "Select exactly two candidates" in " ".join(shown(response))
    assert not CandidateMerge.objects.exists()


def test_undoing_a_merge_restores_both_records(editor, reviewer, xu):
    ruiyan = make_candidate("Xu Ruiyan", name_zh="徐瑞琰")
    claim = make_claim(ruiyan, Property.AGE, "35", make_article("aged 35"), by=editor)
    client = client_for(reviewer)
    merge(client, xu, ruiyan)
    record = CandidateMerge.objects.get()
    listing = client.get(reverse("admin:elections_candidatemerge_changelist"))
    assert "1 claim(s)" in listing.text

    act(
        client,
        "undo_merges",
        [record],
        url=reverse("admin:elections_candidatemerge_changelist"),
        confirm="yes",
    )

    ruiyan.refresh_from_db()
    record.refresh_from_db()
    assert ruiyan.merged_into is None and record.undone_by == reviewer
    assert Claim.objects.get(pk=claim.pk).candidate == ruiyan
    assert not xu.names.filter(name="徐瑞琰").exists()


def test_a_merge_lists_the_disputes_it_opened_and_undoing_it_removes_them(editor, reviewer, xu):
    make_claim(xu, Property.AGE, "27", make_article("He is 27.", outlet="A"), by=editor)
    ruiyan = make_candidate("Xu Ruiyan", name_zh="徐瑞琰")
    make_claim(ruiyan, Property.AGE, "35", make_article("He is 35.", outlet="B"), by=editor)
    client = client_for(reviewer)
    merge(client, xu, ruiyan)
    record = CandidateMerge.objects.get()
    opened = Contradiction.objects.get(status=Contradiction.Status.OPEN)
    link = f'<a href="/admin/elections/contradiction/{opened.pk}/change/">#{opened.pk}</a>'

    page = client.get(reverse("admin:elections_candidatemerge_change", args=[record.pk]))
    asked = act(
        client, "undo_merges", [record], url=reverse("admin:elections_candidatemerge_changelist")
    )

    assert f"opened by the merge: {link}" in page.text
    assert f"Disputes the merge opened, which are removed: {link}" in asked.text
    act(
        client,
        "undo_merges",
        [record],
        url=reverse("admin:elections_candidatemerge_changelist"),
        confirm="yes",
    )
    # The question it asked is of claims that stand apart again.
    assert not Contradiction.objects.filter(pk=opened.pk).exists()


def test_the_merges_page_undoes_its_merge(reviewer, xu):
    ruiyan = make_candidate("Xu Ruiyan")
    record = candidate_merge(survivor=xu, absorbed=ruiyan, acting_user=reviewer)
    client = client_for(reviewer)
    page = client.get(reverse("admin:elections_candidatemerge_change", args=[record.pk]))
    undo = reverse("admin:elections_candidatemerge_undo", args=[record.pk])
    assert undo in page.text

    # It asks first: neither opening the page nor a post without the confirmation undoes.
    asked = client.get(undo)
    assert asked.status_code == 200 and "Undo 1 merge(s)" in asked.text
    client.post(undo)
    ruiyan.refresh_from_db()
    assert ruiyan.merged_into == xu

    client.post(undo, {"confirm": "yes"})

    ruiyan.refresh_from_db()
    assert ruiyan.merged_into is None


def test_a_merge_record_lists_the_names_it_moved_after_its_undo(reviewer, xu):
    hsu = make_candidate("Hsu Jui-yen")
    record = candidate_merge(survivor=xu, absorbed=hsu, acting_user=reviewer)
    client = client_for(reviewer)
    client.post(
        reverse("admin:elections_candidatemerge_undo", args=[record.pk]), {"confirm": "yes"}
    )

    # Undoing removed the name the merge added to the survivor; the record still says it.
    detail = client.get(reverse("admin:elections_candidatemerge_change", args=[record.pk]))
    assert "Names:</strong> Hsu Jui-yen" in detail.text


def test_an_editor_cannot_undo_a_merge(reviewer, editor, xu):
    ruiyan = make_candidate("Xu Ruiyan")
    record = candidate_merge(survivor=xu, absorbed=ruiyan, acting_user=reviewer)

    response = client_for(editor).post(
        reverse("admin:elections_candidatemerge_undo", args=[record.pk]), {"confirm": "yes"}
    )

    assert response.status_code == 403
    ruiyan.refresh_from_db()
    assert ruiyan.merged_into == xu


@pytest.mark.parametrize("rows", [1, 6])
def test_the_merges_list_takes_the_same_queries_however_many(
    rows, reviewer, django_assert_max_num_queries
):
    for number in range(rows):
        merged = make_candidate(f"Second record {number}")
        candidate_merge(
            survivor=make_candidate(f"Record {number}"), absorbed=merged, acting_user=reviewer
        )
    client = client_for(reviewer)
    client.get(reverse("admin:elections_candidatemerge_changelist"))

    with django_assert_max_num_queries(7):
        response = client.get(reverse("admin:elections_candidatemerge_changelist"))

    assert len(response.context["cl"].result_list) == rows


# Elections and candidacies


@pytest.mark.parametrize("rows", [1, 6])
@pytest.mark.parametrize("model", ["election", "candidacy"])
def test_the_election_and_candidacy_lists_take_the_same_queries_however_many(
    model, rows, editor, django_assert_max_num_queries
):
    for number in range(rows):
        place = make_place(
            f"County {number}", f"县{number}", level="county", code=f"1101{number:02d}"
        )
        make_candidacy(make_candidate(f"Candidate {number}"), make_election(place))
    url = reverse(f"admin:elections_{model}_changelist")
    client = client_for(editor)
    client.get(url)

    with django_assert_max_num_queries(8):
        response = client.get(url)

    assert len(response.context["cl"].result_list) == rows


def test_an_election_takes_its_polling_date_with_its_precision(editor):
    admin = client_for(make_user(superuser=True))
    haidian = make_place("Haidian", "海淀区", level="county", code="110108")

    response = admin.post(
        reverse("admin:elections_election_add"),
        {
            "name": "Haidian District People's Congress, 2011",
            "slug": "haidian-2011",
            "place": haidian.pk,
            "level": Election.Level.COUNTY,
            "cycle": "2011-2012",
            "polling": "2011-11",
            "notes": "",
        },
    )

    assert response.status_code == 302
    election = Election.objects.get()
    assert election.polling.isoformat() == "2011-11" and election.polling_precision == "month"


def test_a_candidacys_page_shows_claimed_steps_read_only_and_takes_steps_by_hand(editor, liu):
    run = make_candidacy(liu, make_election(make_place("Xinyu", "新余市", code="360500")))
    article = make_article("Liu Ping declared.", published="2011-05-20")
    make_claim(liu, Property.STATUS, "declared", article, by=editor)
    admin = client_for(make_user(superuser=True))
    url = reverse("admin:elections_candidacy_change", args=[run.pk])

    page = admin.get(url)
    assert "status history reported by claims" in page.text.lower()

    response = admin.post(
        url,
        {
            "votes": "",
            "notes": "",
            "statuses-TOTAL_FORMS": "0",
            "statuses-INITIAL_FORMS": "0",
            "statuses-2-TOTAL_FORMS": "1",
            "statuses-2-INITIAL_FORMS": "0",
            "statuses-2-0-status": "defeated",
            "statuses-2-0-when": "2011-11-08",
            "statuses-2-0-note": "official result",
        },
    )

    assert response.status_code == 302
    step = CandidacyStatus.objects.get(claim__isnull=True)
    assert step.date.isoformat() == "2011-11-08"
    run.refresh_from_db()
    assert run.status == "defeated"


def test_a_candidacy_is_deleted_from_its_page_through_candidacy_remove(liu):
    superuser = make_user(superuser=True)
    run = make_candidacy(liu, make_election(make_place("Xinyu", "新余市", code="360500")))
    url = reverse("admin:elections_candidacy_delete", args=[run.pk])

    response = client_for(superuser).post(url, {"post": "yes"})

    assert response.status_code == 302
    assert not Candidacy.objects.filter(pk=run.pk).exists()
    removed = Candidacy.history.get(id=run.pk, history_type="-")
    assert (removed.history_user, removed.history_change_reason) == (
        superuser,
        "candidacy removed",
    )


def test_a_candidacy_with_claims_is_not_deleted_and_the_page_says_why(editor, liu):
    run = make_candidacy(liu, make_election(make_place("Xinyu", "新余市", code="360500")))
    claim = make_claim(
        liu, Property.STATUS, "declared", make_article("Liu Ping declared."), by=editor
    )
    client = client_for(make_user(superuser=True))

    response = client.post(
        reverse("admin:elections_candidacy_delete", args=[run.pk]), {"post": "yes"}
    )

    assert response.status_code == 200
    assert "Cannot delete candidacy" in response.text
    assert f"Claim #{claim.pk}: " in response.text
    assert Candidacy.objects.filter(pk=run.pk).exists()
    assert Claim.objects.filter(candidacy=run).count() == 1


def test_editors_are_not_offered_to_delete_a_candidacy(editor, liu):
    run = make_candidacy(liu, make_election(make_place("Xinyu", "新余市", code="360500")))
    url = reverse("admin:elections_candidacy_delete", args=[run.pk])
    assert client_for(editor).post(url, {"post": "yes"}).status_code == 403


# A candidate's page is bounded however many claims the candidate has.


def test_a_candidates_page_shows_a_bounded_number_of_claims_in_constant_queries(
    editor, monkeypatch, django_assert_num_queries
):
    import elections.admin.candidate_claims

    monkeypatch.setattr(elections.admin.candidate_claims, "CLAIMS_SHOWN", 3)
    person = make_candidate("Many Claims", by=editor)
    client = client_for(editor)

    def add_claims(count):
        for number in range(count):
            article = make_article(
                f"Many Claims works as trade{number}.", outlet=f"Outlet {number}"
            )
            make_claim(person, Property.OCCUPATION, f"trade{number}", article, by=editor)

    add_claims(2)
    with CaptureQueriesContext(connection) as few:
        page = client.get(change_url(person)).content.decode()
    assert "The page shows" not in page
    add_claims(6)
    person.refresh_from_db()
    with django_assert_num_queries(len(few.captured_queries)):
        page = client.get(change_url(person)).content.decode()
    assert page.count("/admin/elections/claim/") >= 3
    # Three rows, each linking to its claim's page, and no form fields for them.
    assert page.count('class="inlineviewlink"') == 3
    assert 'name="claims-' not in page
    assert "The page shows 3 of the candidate's 8 claims." in page
    assert f"?candidate__id__exact={person.pk}" in page
