"""Every model registered in the admin opens for a superuser: list, add form and search.

The models are read from `admin.site._registry` when the tests are collected, so a model
that any app registers later is covered without touching this file.
"""

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

REGISTERED = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


def registered(function):
    return pytest.mark.parametrize(
        ("model", "model_admin"),
        REGISTERED,
        ids=[model._meta.label_lower for model, _ in REGISTERED],
    )(function)


def url_of(model, view):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}")


def test_the_sources_models_are_registered():
    labels = {model._meta.label for model, _ in REGISTERED}

    assert {"sources.Outlet", "sources.Article", "sources.Passage"} <= labels


@registered
@pytest.mark.django_db
def test_changelist_opens(admin_client, model, model_admin):
    response = admin_client.get(url_of(model, "changelist"))

    assert response.status_code == 200


@registered
@pytest.mark.django_db
def test_changelist_search_opens(admin_client, model, model_admin):
    response = admin_client.get(url_of(model, "changelist"), {"q": "x"})

    assert response.status_code == 200


@registered
@pytest.mark.django_db
def test_add_form_opens_or_is_deliberately_refused(admin_client, admin_user, model, model_admin):
    request = RequestFactory().get("/")
    request.user = admin_user
    can_add = model_admin.has_add_permission(request)

    response = admin_client.get(url_of(model, "add"))

    assert response.status_code == (200 if can_add else 403)
