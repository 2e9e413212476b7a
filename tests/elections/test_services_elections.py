"""Elections and places through their services: who may change them, the history they
leave, and a polling date that puts the candidates' status steps in order again."""

import io

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from elections.models import (
    Candidacy,
    CandidacyStatus,
    Candidate,
    Election,
    Place,
    Property,
)
from elections.public import latest_public_status
from elections.resources import ElectionResource
from elections.services import (
    claim_verify,
    election_create,
    election_update,
    place_create,
    place_name_add,
    place_name_remove,
    place_update,
)
from sources.audit import Reason, system_user
from sources.dates import PartialDate
from tests.elections.fixtures_sheets import csv_bytes, import_sheet
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


def latest_record(instance):
    return type(instance).history.filter(id=instance.pk).order_by("-history_date", "-pk").first()


@pytest.fixture
def haidian():
    beijing = make_place("Beijing", "北京市", level="province", code="110000")
    return make_place("Haidian", "海淀区", level="county", parent=beijing, code="110108")


# Elections.


def test_an_election_is_recorded_with_the_editor_and_the_reason(editor, haidian):
    election = election_create(
        name="Haidian District People's Congress, 2011",
        place=haidian,
        polling=PartialDate.parse("2011-11-08"),
        acting_user=editor,
    )

    assert (election.slug, election.level) == ("haidian-district-peoples-congress-2011", "county")
    record = latest_record(election)
    assert (record.history_user, record.history_change_reason) == (editor, "election created")


def test_only_those_who_may_change_elections_do(haidian):
    election = make_election(haidian)
    with pytest.raises(PermissionDenied, match="You may not change elections"):
        election_update(election=election, notes="x", acting_user=make_user("Reviewers"))
    with pytest.raises(PermissionDenied, match="acting user"):
        election_update(election=election, notes="x", acting_user=None)
    election.refresh_from_db()
    assert election.notes == ""


def test_an_election_needs_its_slug(editor, haidian):
    election = make_election(haidian)
    with pytest.raises(ValidationError):
        election_update(election=election, slug="", acting_user=editor)


@pytest.fixture
def two_runs(editor, reviewer):
    """Liu Ping defeated "in 2011" in one election, declared in December 2011 in another.

    The two steps overlap in time and belong to different candidacies, so their order is
    their elections' polling days: the Xinyu election first, so "declared" is the latest.
    """
    jiangxi = make_place("Jiangxi", "江西省", level="province", code="360000")
    xinyu = make_place("Xinyu", "新余市", parent=jiangxi, code="360500")
    yushui = make_place("Yushui", "渝水区", level="county", parent=xinyu, code="360502")
    liu = make_candidate("Liu Ping")
    first = make_candidacy(liu, make_election(xinyu, polling="2011-11-08"))
    second = make_candidacy(liu, make_election(yushui, polling="2012-05-10"))
    for run, status, as_of in ((first, "defeated", "2011"), (second, "declared", "2011-12")):
        claim = make_claim(
            liu,
            Property.STATUS,
            status,
            make_article(f"Liu Ping {status}.", outlet=f"Outlet {status}", published="2012-01"),
            by=editor,
            candidacy=run,
            as_of=PartialDate.parse_iso(as_of),
        )
        claim_verify(claim=claim, acting_user=reviewer)
    return liu, first, second


def course(candidate):
    steps = CandidacyStatus.objects.filter(candidacy__candidate=candidate).order_by("sequence")
    return [step.status for step in steps]


def latest_public(candidate):
    return Candidate.objects.annotate(latest=latest_public_status()).get(pk=candidate.pk).latest


def test_a_new_polling_date_puts_the_steps_in_order_and_rereads_the_statuses(editor, two_runs):
    liu, first, second = two_runs
    assert course(liu) == ["defeated", "declared"] and latest_public(liu) == "declared"
    # A stored status gone stale (as an edit of the polling date used to leave it).
    Candidacy.objects.filter(candidate=liu).update(status="")

    election_update(
        election=first.election, polling=PartialDate.parse("2012-06-01"), acting_user=editor
    )

    assert course(liu) == ["declared", "defeated"]
    assert latest_public(liu) == "defeated"
    statuses = dict(Candidacy.objects.filter(candidate=liu).values_list("pk", "status"))
    assert statuses == {first.pk: "defeated", second.pk: "declared"}
    record = latest_record(first.election)
    assert (record.history_user, record.history_change_reason) == (editor, "election changed")


def test_a_change_that_keeps_the_polling_date_leaves_the_steps_alone(editor, two_runs):
    liu, first, _second = two_runs
    Candidacy.objects.filter(candidate=liu).update(status="")

    election_update(
        election=first.election, notes="Results from the official notice.", acting_user=editor
    )

    assert set(Candidacy.objects.filter(candidate=liu).values_list("status", flat=True)) == {""}


def test_an_election_sheet_that_moves_a_polling_date_reorders_the_steps(two_runs):
    liu, first, _second = two_runs
    sheet = csv_bytes([["slug", "polling_on"], [first.election.slug, "2012-06-01"]])

    result = import_sheet(ElectionResource, sheet)

    assert not result.problems()
    assert course(liu) == ["declared", "defeated"]
    record = latest_record(first.election)
    assert record.history_change_reason == Reason.SHEET_IMPORTED
    assert record.history_user == system_user()


def test_the_election_admin_saves_a_new_polling_date_through_its_service(editor, two_runs):
    liu, first, _second = two_runs
    election = first.election
    client = Client()
    client.force_login(editor)

    response = client.post(
        reverse("admin:elections_election_change", args=[election.pk]),
        {
            "name": election.name,
            "slug": election.slug,
            "place": election.place_id,
            "level": election.level,
            "cycle": election.cycle,
            "polling": "2012-06",
            "notes": "",
        },
    )

    assert response.status_code == 302
    election.refresh_from_db()
    assert (election.polling.isoformat(), election.polling_precision) == ("2012-06", "month")
    assert course(liu) == ["declared", "defeated"]
    record = latest_record(election)
    assert (record.history_user, record.history_change_reason) == (editor, "election changed")


def test_the_admin_offers_no_delete_of_an_election(two_runs):
    _liu, first, _second = two_runs
    client = Client()
    client.force_login(make_user(superuser=True))
    url = reverse("admin:elections_election_delete", args=[first.election_id])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert Election.objects.filter(pk=first.election_id).exists()


# Places.


def test_a_township_added_by_hand_is_recorded_with_its_names(haidian):
    admin = make_user(superuser=True)

    township = place_create(
        level=Place.Level.TOWNSHIP, name_zh="学院路街道", parent=haidian, acting_user=admin
    )

    assert (township.name, township.province.code) == ("Xueyuanlu", "110000")
    assert (
        latest_record(township).history_user,
        latest_record(township).history_change_reason,
    ) == (
        admin,
        "place created",
    )
    generated = township.names.get(name="学院路")
    assert latest_record(generated).history_user == admin


def test_editors_add_aliases_but_not_places(editor, haidian):
    with pytest.raises(PermissionDenied, match="You may not add places"):
        place_create(
            level=Place.Level.TOWNSHIP, name_zh="学院路街道", parent=haidian, acting_user=editor
        )
    with pytest.raises(PermissionDenied, match="You may not change places"):
        place_update(place=haidian, pinyin="Hǎidiàn", acting_user=editor)

    alias = place_name_add(place=haidian, name="Hai Tien", acting_user=editor)

    record = latest_record(alias)
    assert (record.history_user, record.history_change_reason) == (editor, "place name added")


def test_an_alias_is_removed_with_its_record_and_a_generated_name_is_not(haidian):
    remover = make_user("Editors")
    remover.user_permissions.add(Permission.objects.get(codename="delete_placename"))
    alias = place_name_add(place=haidian, name="Haitien", acting_user=remover)
    alias_id = alias.pk

    place_name_remove(place_name=alias, acting_user=remover)

    assert not haidian.names.filter(name="Haitien").exists()
    removed = type(alias).history.filter(id=alias_id, history_type="-").get()
    assert (removed.history_user, removed.history_change_reason) == (
        remover,
        "place name removed",
    )
    with pytest.raises(ValidationError, match="made from the place's own names"):
        place_name_remove(place_name=haidian.names.get(name="海淀区"), acting_user=remover)


def test_editors_take_back_an_alias_and_reviewers_may_not(editor, reviewer, haidian):
    alias = place_name_add(place=haidian, name="Haitien", acting_user=editor)
    with pytest.raises(PermissionDenied):
        place_name_remove(place_name=alias, acting_user=reviewer)

    place_name_remove(place_name=alias, acting_user=editor)

    assert not haidian.names.filter(name="Haitien").exists()


def test_a_place_changed_by_hand_gets_the_names_of_its_new_spelling(haidian):
    admin = make_user(superuser=True)

    place_update(place=haidian, name="Haidian District", acting_user=admin)

    assert haidian.names.filter(name="Haidian District").exists()
    assert latest_record(haidian).history_change_reason == "place changed"


# The load_places command.


def test_load_places_records_the_user_named_with_as():
    loader = make_user(superuser=True, username="gazetteer")

    call_command("load_places", "--province", "11", "--as", "gazetteer", stdout=io.StringIO())

    beijing = Place.objects.get(code="110000")
    record = beijing.history.earliest("history_date")
    assert (record.history_user, record.history_change_reason) == (loader, "places loaded")
    assert beijing.names.first().history.first().history_user == loader


def test_load_places_acts_as_the_system_account_by_default_and_refuses_unknown_users():
    with pytest.raises(CommandError, match="--as nobody"):
        call_command("load_places", "--province", "11", "--as", "nobody", stdout=io.StringIO())
    assert not Place.objects.exists()

    call_command("load_places", "--province", "11", stdout=io.StringIO())

    assert Place.objects.get(code="110000").history.first().history_user.username == "system"


def test_load_places_as_a_user_who_may_not_add_places_is_refused(editor):
    with pytest.raises(PermissionDenied, match="You may not load places"):
        call_command(
            "load_places", "--province", "11", "--as", editor.username, stdout=io.StringIO()
        )
    assert not Place.objects.exists()
