"""What the production-leg tests share: logged-in clients, admin actions, and reading back."""

import datetime

from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from elections.cache import public_generation


def client_of(user):
    """A test client logged in as `user`, raising instead of answering 500 on an error."""
    client = Client(raise_request_exception=True)
    client.force_login(user)
    return client


def changelist(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def run_action(client, model, action, objects, **confirm):
    """Run the admin action `action` on `objects` from `model`'s list.

    With `confirm` fields, the action's intermediate page is posted back as its Confirm
    button does (the same selection, `confirm=yes` and the fields).
    """
    data = {"action": action, ACTION_CHECKBOX_NAME: [obj.pk for obj in objects]}
    if confirm:
        data |= {"confirm": "yes", **confirm}
    return client.post(changelist(model), data)


def moment():
    """Now, a little before: history records written from here on are later than it."""
    return timezone.now() - datetime.timedelta(milliseconds=1)


def history_since(model, since, **filters):
    """The history records of `model` written since `since` (oldest first)."""
    return list(
        model.history.filter(history_date__gte=since, **filters).order_by("history_date", "pk")
    )


def assert_history_names(user, since, *models, **filters):
    """Each of `models` has history records since `since`, and every one names `user`."""
    for model in models:
        records = history_since(model, since, **filters)
        assert records, f"no history record of {model._meta.label} since the change"
        named = {record.history_user_id for record in records}
        assert named == {user.pk}, (
            f"{model._meta.label} history since the change names users {named}, "
            f"not only {user.username} (#{user.pk})"
        )


def messages_of(response):
    """The admin messages a response carries (after following its redirect)."""
    return [str(message) for message in response.context["messages"]]


class Generation:
    """The public-cache generation before a change, to compare with the one after."""

    def __init__(self):
        self.before = public_generation()

    def changed(self):
        return public_generation() != self.before


def reasons_since(model, since, **filters):
    """The reasons the history records of `model` since `since` give, oldest first."""
    return [record.history_change_reason for record in history_since(model, since, **filters)]
