"""Repairs made on the admin's change and delete pages, on PostgreSQL outside a test
transaction: status steps entered by hand on a candidacy's page, a candidacy removed (or
refused) from its delete page, a candidate's other names, a place's aliases, an election's
polling date re-ordering its candidates' steps, and an article's stale save refused.

Each change is posted as the page's own form would post it (every inline's rows and
management fields, as the page showed them), and the database is read afterwards.
"""

import pytest
from django.urls import reverse

from elections.admin.inlines import CandidateNameInline, StatusStepsByHandInline
from elections.admin.places import PlaceNameInline
from elections.models import Candidacy, CandidacyStatus, CandidateName, PlaceName, Property
from elections.services import candidacy_step_add, candidate_add_name
from sources.audit import system_user
from sources.dates import PartialDate
from sources.models import Article, ArticleVersion
from tests.factories import (
    make_article,
    make_candidacy,
    make_candidate,
    make_claim,
    make_election,
    make_place,
    make_user,
)
from tests.production.checks import assert_history_names, client_of, moment, reasons_since
from tests.production.scenarios import (
    REPORT,
    changeform_data,
    inline_prefix,
    with_new_row,
    with_row_edited,
)

pytestmark = [pytest.mark.production, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def change_url(obj):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def errors_of(response):
    """What a change page that did not save shows as its errors (for an assertion message)."""
    if response.context is None or "errors" not in response.context:
        return response.content[:500]
    return response.context["errors"]


def save_page(client, obj, inline, edit):
    """Open `obj`'s change page, apply `edit(data, prefix)` to what it would post (`prefix`:
    the form prefix of its `inline`), post it, and require that it saved."""
    page = client.get(change_url(obj))
    assert page.status_code == 200
    data = edit(changeform_data(page), inline_prefix(page, inline))
    response = client.post(change_url(obj), data)
    assert response.status_code == 302, errors_of(response)


def step(candidacy, status, on):
    """A status step entered by hand, recorded by the system account."""
    return candidacy_step_add(
        candidacy=candidacy, status=status, on=PartialDate.parse(on), acting_user=system_user()
    )


def a_run(candidate="Liu Ping", polling="2011-11-08"):
    """A candidacy of `candidate` (a record, or a name to make one) in an election of its
    own place, polled on `polling`."""
    if isinstance(candidate, str):
        candidate = make_candidate(candidate)
    place = make_place(f"Xinyu {polling}", "新余市")
    return make_candidacy(candidate, make_election(place, polling=polling))


def course(candidate):
    """The statuses of `candidate`'s steps, in the course order the services store."""
    steps = CandidacyStatus.objects.filter(candidacy__candidate=candidate)
    return list(steps.order_by("sequence").values_list("status", flat=True))


def test_an_editor_adds_changes_and_removes_a_status_step_and_the_status_follows(editor):
    run = a_run()
    step(run, "declared", "2011-06")
    client = client_of(editor)
    since = moment()
    shown = []

    def status_after(edit):
        save_page(client, run, StatusStepsByHandInline, edit)
        run.refresh_from_db()
        shown.append(run.status)

    status_after(
        lambda data, prefix: with_new_row(
            data, prefix, status="official", when="2011-10", note="On the official list."
        )
    )
    official = CandidacyStatus.objects.get(candidacy=run, status="official")
    assert (official.created_by, official.date.isoformat()) == (editor, "2011-10")
    status_after(
        lambda data, prefix: with_row_edited(
            data, prefix, official.pk, status="elected", when="2011-11-08"
        )
    )
    assert CandidacyStatus.objects.get(pk=official.pk).status == "elected"
    status_after(lambda data, prefix: with_row_edited(data, prefix, official.pk, DELETE="on"))

    assert shown == ["official", "elected", "declared"]
    assert course(run.candidate) == ["declared"]
    assert reasons_since(CandidacyStatus, since) == [
        "status step added",
        "status step changed",
        "status step removed",
    ]
    assert_history_names(editor, since, CandidacyStatus, Candidacy)


def test_a_superuser_removes_a_candidacy_recorded_by_mistake(editor, superuser):
    run = a_run()
    kept = a_run(run.candidate, polling="2012-05-10")
    step(run, "declared", "2011-06")
    url = reverse("admin:elections_candidacy_delete", args=[run.pk])
    client = client_of(superuser)
    since = moment()

    asked = client.get(url)
    response = client.post(url, {"post": "yes"})

    assert asked.status_code == 200
    assert response.status_code == 302
    assert list(Candidacy.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not CandidacyStatus.objects.filter(candidacy_id=run.pk).exists()
    for model in (Candidacy, CandidacyStatus):
        assert reasons_since(model, since, history_type="-") == ["candidacy removed"], model
        assert_history_names(superuser, since, model, history_type="-")


def test_a_candidacy_a_claim_is_about_is_not_removed_and_the_page_says_why(editor, superuser):
    run = a_run()
    claim = make_claim(
        run.candidate,
        Property.STATUS,
        "declared",
        make_article("Liu Ping declared her candidacy.", outlet="Outlet A"),
        by=editor,
    )
    assert claim.candidacy_id == run.pk
    url = reverse("admin:elections_candidacy_delete", args=[run.pk])
    since = moment()

    response = client_of(superuser).post(url, {"post": "yes"}, follow=True)

    assert response.status_code == 200
    assert f"Claim #{claim.pk}" in response.content.decode()
    assert Candidacy.objects.filter(pk=run.pk).exists()
    assert CandidacyStatus.objects.filter(claim=claim).exists()
    assert reasons_since(Candidacy, since) == reasons_since(CandidacyStatus, since) == []


def test_an_editor_changes_one_other_name_and_removes_another(editor):
    xu = make_candidate("Xu Yan", name_zh="徐琰")
    misspelt = candidate_add_name(candidate=xu, name="Hsu Yen", acting_user=system_user())
    mistaken = candidate_add_name(candidate=xu, name="Xu Yang", acting_user=system_user())
    since = moment()

    save_page(
        client_of(editor),
        xu,
        CandidateNameInline,
        lambda data, prefix: with_row_edited(
            with_row_edited(data, prefix, misspelt.pk, name="Hsü Yen"),
            prefix,
            mistaken.pk,
            DELETE="on",
        ),
    )

    assert list(CandidateName.objects.filter(candidate=xu).values_list("pk", "name")) == [
        (misspelt.pk, "Hsü Yen")
    ]
    xu.refresh_from_db()
    assert "yen" in xu.search_text.casefold() and "yang" not in xu.search_text.casefold()
    assert sorted(reasons_since(CandidateName, since)) == ["name changed", "name removed"]
    assert_history_names(editor, since, CandidateName)


# Editors keep a place's aliases on its page (its own fields read-only to them); a superuser
# changes the place too.
@pytest.mark.parametrize("role", ["editor", "superuser"])
def test_a_place_alias_is_added_and_removed_on_the_place_page(role, request):
    user = request.getfixturevalue(role)
    place = make_place("Xihu", "西湖区", level="county", code="330106")
    client = client_of(user)
    since = moment()

    save_page(
        client,
        place,
        PlaceNameInline,
        lambda data, prefix: with_new_row(data, prefix, name="Sai Wu", kind=PlaceName.Kind.ALIAS),
    )
    alias = PlaceName.objects.get(place=place, name="Sai Wu")
    assert alias.kind == PlaceName.Kind.ALIAS
    save_page(
        client,
        place,
        PlaceNameInline,
        lambda data, prefix: with_row_edited(data, prefix, alias.pk, DELETE="on"),
    )

    assert not PlaceName.objects.filter(place=place, name="Sai Wu").exists()
    assert PlaceName.objects.filter(place=place, name="西湖区").exists()
    assert reasons_since(PlaceName, since) == ["place name added", "place name removed"]
    assert_history_names(user, since, PlaceName)


def test_a_new_polling_date_on_the_election_page_reorders_steps_and_rereads_statuses(editor):
    first = a_run(polling="2011-11-08")
    second = a_run(first.candidate, polling="2012-05-10")
    liu = first.candidate
    # Overlapping dates in two candidacies: the elections' polling days order the steps.
    step(first, "defeated", "2011")
    step(second, "declared", "2011-12")
    assert course(liu) == ["defeated", "declared"]
    # A stored status gone stale, as an edit of the polling date used to leave it.
    Candidacy.objects.filter(candidate=liu).update(status="")
    election = first.election
    client = client_of(editor)
    data = changeform_data(client.get(change_url(election)))
    since = moment()

    response = client.post(change_url(election), {**data, "polling": "2012-06-01"})

    assert response.status_code == 302, errors_of(response)
    election.refresh_from_db()
    assert election.polling.isoformat() == "2012-06-01"
    assert course(liu) == ["declared", "defeated"]
    statuses = dict(Candidacy.objects.filter(candidate=liu).values_list("pk", "status"))
    assert statuses == {first.pk: "defeated", second.pk: "declared"}
    assert reasons_since(type(election), since) == ["election changed"]
    assert_history_names(editor, since, type(election))


def test_the_second_of_two_editors_saving_one_article_is_refused_with_what_changed(editor):
    latecomer = make_user("Editors")
    article = make_article(REPORT, outlet="Hangzhou Daily", title="A bookseller stands")
    url = change_url(article)
    first_editor, second_editor = client_of(editor), client_of(latecomer)
    opened_first = changeform_data(first_editor.get(url))
    opened_second = changeform_data(second_editor.get(url))
    since = moment()

    first = first_editor.post(
        url, {**opened_first, "source_text": REPORT.replace("landlrod", "landlord")}
    )
    second = second_editor.post(url, {**opened_second, "title": "A bookseller stands again"})

    assert first.status_code == 302, errors_of(first)
    assert second.status_code == 200
    refusal = " ".join(second.context["adminform"].form.non_field_errors())
    assert "Someone else saved this article" in refusal and "“1” → “2”" in refusal
    article.refresh_from_db()
    assert (article.title, article.version) == ("A bookseller stands", 2)
    assert "her landlord wants" in article.text
    assert not ArticleVersion.objects.filter(created_by=latecomer).exists()
    assert_history_names(editor, since, Article)
