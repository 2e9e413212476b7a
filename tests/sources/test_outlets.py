"""Outlets: created, changed and deleted through their services, from the admin or not, each
change in the outlet's history with who made it and why."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from sources.audit import Reason, system_user
from sources.models import Outlet
from sources.services import (
    article_create,
    outlet_create,
    outlet_delete,
    outlet_for_name,
    outlet_update,
)
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def last_record(outlet_pk):
    return Outlet.history.filter(id=outlet_pk).order_by("-history_date", "-history_id").first()


@pytest.fixture
def editor():
    return make_user("Editors", username="editor")


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_an_editor_creates_an_outlet_and_its_history_names_them(editor):
    outlet = outlet_create(name="  Harbour   Daily ", kind="newspaper", acting_user=editor)

    assert (outlet.name, outlet.slug, outlet.kind) == (
        "Harbour Daily",
        "harbour-daily",
        "newspaper",
    )
    record = last_record(outlet.pk)
    assert record.history_type == "+"
    assert record.history_user == editor
    assert record.history_change_reason == Reason.OUTLET_CREATED


def test_an_outlet_found_by_name_is_created_once_with_its_history():
    first = outlet_for_name(name="Harbour Daily", acting_user=system_user())
    again = outlet_for_name(name="harbour daily", acting_user=system_user())

    assert again == first
    assert [r.history_change_reason for r in Outlet.history.all()] == [Reason.OUTLET_CREATED]


def test_a_reader_may_not_create_an_outlet():
    reader = make_user("Reviewers")

    with pytest.raises(PermissionDenied, match="You may not add outlets"):
        outlet_create(name="Harbour Daily", acting_user=reader)
    assert not Outlet.objects.exists()


def test_a_name_another_outlet_has_in_another_case_is_refused(editor):
    outlet_create(name="Harbour Daily", acting_user=editor)

    with pytest.raises(ValidationError, match="“Harbour Daily” exists already"):
        outlet_create(name="HARBOUR DAILY", acting_user=editor)
    other = outlet_create(name="Harbour Weekly", acting_user=editor)
    with pytest.raises(ValidationError, match="exists already"):
        outlet_update(outlet=other, name="harbour daily", acting_user=editor)


def test_an_update_writes_the_fields_given_and_names_the_editor(editor):
    outlet = outlet_create(name="Harbour Daily", country="China", acting_user=system_user())

    changed = outlet_update(
        outlet=outlet, homepage="https://harbour.example", language="zh-Hans", acting_user=editor
    )

    stored = Outlet.objects.get()
    assert stored.homepage == "https://harbour.example"
    assert (stored.language, stored.country, stored.name) == ("zh-Hans", "China", "Harbour Daily")
    assert changed.homepage == stored.homepage
    record = last_record(outlet.pk)
    assert (record.history_type, record.history_user) == ("~", editor)
    assert record.history_change_reason == Reason.OUTLET_CHANGED


def test_an_update_that_changes_nothing_records_nothing(editor):
    outlet = outlet_create(name="Harbour Daily", acting_user=editor)

    outlet_update(outlet=outlet, name="Harbour  Daily", notes="", acting_user=editor)

    assert Outlet.history.count() == 1


def test_an_outlet_with_articles_is_kept_and_one_without_is_deleted_on_record():
    superuser = make_user(superuser=True, username="chief")
    used = outlet_for_name(name="Harbour Daily", acting_user=system_user())
    article_create(outlet=used, title="T", text="Words.", acting_user=system_user())
    typo = outlet_for_name(name="Harbuor Daily", acting_user=system_user())

    with pytest.raises(ValidationError, match="has 1 article"):
        outlet_delete(outlet=used, acting_user=superuser)
    outlet_delete(outlet=typo, acting_user=superuser)

    assert list(Outlet.objects.values_list("name", flat=True)) == ["Harbour Daily"]
    record = last_record(typo.pk)
    assert (record.history_type, record.history_user) == ("-", superuser)
    assert record.history_change_reason == Reason.OUTLET_DELETED


def test_no_role_may_delete_an_outlet(editor):
    typo = outlet_for_name(name="Harbuor Daily", acting_user=system_user())

    with pytest.raises(PermissionDenied, match="You may not delete outlets"):
        outlet_delete(outlet=typo, acting_user=editor)
    assert Outlet.objects.filter(pk=typo.pk).exists()


# The same through the admin.


def outlet_form(**fields):
    return {
        "name": "",
        "slug": "",
        "kind": "other",
        "homepage": "",
        "country": "",
        "language": "",
        "notes": "",
        **fields,
    }


def test_an_outlet_added_and_changed_in_the_admin_is_on_record_with_the_editor(editor):
    client = logged_in(editor)

    response = client.post(
        reverse("admin:sources_outlet_add"),
        outlet_form(name="Harbour Daily", slug="harbour-daily", kind="newspaper"),
    )
    assert response.status_code == 302
    outlet = Outlet.objects.get()
    response = client.post(
        reverse("admin:sources_outlet_change", args=[outlet.pk]),
        outlet_form(name="Harbour Daily", slug="harbour-daily", kind="newspaper", country="China"),
    )
    assert response.status_code == 302

    assert Outlet.objects.get().country == "China"
    assert [
        (r.history_type, r.history_user, r.history_change_reason)
        for r in Outlet.history.order_by("history_date", "history_id")
    ] == [("+", editor, Reason.OUTLET_CREATED), ("~", editor, Reason.OUTLET_CHANGED)]


def test_the_admin_shows_the_services_refusal_on_the_form_and_writes_nothing(editor):
    outlet_for_name(name="Harbour Daily", acting_user=system_user())

    response = logged_in(editor).post(
        reverse("admin:sources_outlet_add"),
        outlet_form(name="harbour daily", slug="harbour-daily-2"),
    )

    assert response.status_code == 200
    assert "exists already" in str(response.context["adminform"].form.errors["name"])
    assert Outlet.objects.count() == 1


def test_an_unused_outlet_deleted_in_the_admin_is_deleted_on_record(admin_client, admin_user):
    typo = outlet_for_name(name="Harbuor Daily", acting_user=system_user())

    response = admin_client.post(
        reverse("admin:sources_outlet_delete", args=[typo.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not Outlet.objects.exists()
    record = last_record(typo.pk)
    assert (record.history_type, record.history_user) == ("-", admin_user)


def test_outlets_deleted_from_the_list_go_through_the_service_one_by_one(admin_client, admin_user):
    typos = [
        outlet_for_name(name=name, acting_user=system_user()) for name in ("Harbuor", "Hrbour")
    ]

    response = admin_client.post(
        reverse("admin:sources_outlet_changelist"),
        {"action": "delete_selected", "_selected_action": [o.pk for o in typos], "post": "yes"},
    )

    assert response.status_code == 302
    assert not Outlet.objects.exists()
    deleted = Outlet.history.filter(history_type="-")
    assert {r.history_user for r in deleted} == {admin_user}
    assert deleted.count() == 2
