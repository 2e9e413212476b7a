"""The one path for every write: services, their acting user, and the audit record they leave.

A *service* is a function in `sources.services` or `elections.services` decorated with
`@service`. The decorator makes the rules hold for every one of them, so that no service can
forget one:

- it is called with keywords only and with `acting_user`, a real, active user: there is no
  default and `None` is refused (`PermissionDenied`), so nothing is written anonymously;
- the permission it declares is checked before its body runs (`perm=IN_BODY` when the body
  checks a permission that depends on its arguments, and then it must). A service called by
  another service is not checked again: it acts within the authority the outer one checked
  (a sheet import creates passages although importers do not annotate);
- it runs in one transaction. The outermost service opens a *durable* one
  (`transaction.atomic(durable=True)`), so its work is committed when it returns and a caller
  cannot silently widen it. It nests (a savepoint) in two documented cases only: inside
  another service, whose transaction it joins, and inside `unit_of_work()`, which the admin's
  forms and the sheet imports open so that one form with its inlines, or one sheet, is
  committed or rolled back whole.

Each history record (django-simple-history) a service writes names the acting user and a
`Reason` from the one enumeration below, so the audit trail reads the same whichever door a
change came through: the admin, a sheet, a command or a task.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, ParamSpec, TypeVar

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils.translation import gettext as _

P = ParamSpec("P")
R = TypeVar("R")

# Said by a service whose permission depends on its arguments: its body checks it.
IN_BODY = "checked in the service's body"

# The username of the account that commands and tasks act as when no `--as` is given.
SYSTEM_USERNAME = "system"

_depth: contextvars.ContextVar[int] = contextvars.ContextVar("service_depth", default=0)
_unit: contextvars.ContextVar[bool] = contextvars.ContextVar("unit_of_work", default=False)

# Every function of a services module, by its dotted name and kind: the contract tests read
# these. A public function there is a service, a step of one, or a read.
REGISTRY: dict[str, Callable[..., Any]] = {}
STEPS: dict[str, Callable[..., Any]] = {}
READERS: dict[str, Callable[..., Any]] = {}


class Reason(models.TextChoices):
    """Why a history record was written: one enumeration for every service of both apps."""

    # Outlets, articles and passages.
    OUTLET_CREATED = "outlet created"
    OUTLET_CHANGED = "outlet changed"
    OUTLET_DELETED = "outlet deleted"
    ARTICLE_IMPORTED = "article imported"
    ARTICLE_CREATED = "article created"
    ARTICLE_CHANGED = "article changed"
    ARTICLE_TEXT_CHANGED = "article text changed"
    PASSAGE_CREATED = "passage created"
    PASSAGE_CHANGED = "passage changed"
    PASSAGE_REANCHORED = "passage re-anchored"
    PASSAGE_CONFIRMED = "passage confirmed"
    PASSAGE_RESELECTED = "passage re-selected"
    PASSAGE_DELETED = "passage deleted"
    # Places and elections.
    PLACE_CREATED = "place created"
    PLACE_CHANGED = "place changed"
    PLACE_NAME_ADDED = "place name added"
    PLACE_NAME_REMOVED = "place name removed"
    PLACES_LOADED = "places loaded"
    ELECTION_CREATED = "election created"
    ELECTION_CHANGED = "election changed"
    # Candidates and candidacies.
    CANDIDATE_CREATED = "candidate created"
    CANDIDATE_CHANGED = "candidate changed"
    NAME_ADDED = "name added"
    NAME_CHANGED = "name changed"
    NAME_REMOVED = "name removed"
    CANDIDACY_RECORDED = "candidacy recorded"
    CANDIDACY_CHANGED = "candidacy changed"
    CANDIDACY_REMOVED = "candidacy removed"
    STATUS_REPORTED = "status reported"
    STATUS_ADDED = "status step added"
    STATUS_CHANGED = "status step changed"
    STATUS_REMOVED = "status step removed"
    PROPOSED = "change proposed for review"
    PROPOSAL_ACCEPTED = "proposed change accepted"
    PROPOSAL_REJECTED = "proposed change rejected"
    SUBMITTED = "submitted for review"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"
    MERGED = "merged"
    MERGE_UNDONE = "merge undone"
    # Claims and contradictions.
    CLAIM_RECORDED = "claim recorded"
    CLAIM_CHANGED = "claim changed"
    CLAIM_VERIFIED = "claim verified"
    CLAIM_REJECTED = "claim rejected"
    CLAIM_OVERRULED = "claim overruled"
    CLAIM_REINSTATED = "claim reinstated"
    CLAIM_RETURNED = "claim returned to review"
    CONTRADICTION_DETECTED = "contradiction detected"
    CONTRADICTION_FLAGGED = "contradiction flagged"
    CONTRADICTION_RESOLVED = "contradiction resolved"
    CONTRADICTION_CLOSED = "contradiction closed"
    CONTRADICTION_REOPENED = "contradiction reopened"
    # Sheets.
    SHEET_IMPORTED = "sheet imported"


def change_reason(reason: Reason, note: str = "") -> str:
    """The text a history record keeps: the reason, then the person's own words if any."""
    text = Reason(reason).value
    note = " ".join((note or "").split())
    return f"{text}: {note}"[:100] if note else text


def acting(instance: models.Model, user: Any, reason: Reason, note: str = "") -> models.Model:
    """Mark `instance` so that its next history record names `user` and `reason` (with the
    acting person's `note`, when they gave one)."""
    instance._history_user = user  # type: ignore[attr-defined]
    instance._change_reason = change_reason(reason, note)  # type: ignore[attr-defined]
    return instance


def require_perm(user: Any, perm: str, action: str) -> None:
    """Raise PermissionDenied naming `action` unless `user` holds `perm` (app_label.codename)."""
    if user is None or not user.has_perm(perm):
        raise PermissionDenied(_("You may not %(action)s.") % {"action": action})


def require_user(user: Any) -> None:
    """Refuse anything but a saved, active user account: services never act anonymously."""
    user_model = get_user_model()
    if not isinstance(user, user_model) or user.pk is None or not user.is_active:
        raise PermissionDenied(_("Every change needs an acting user with an active account."))


# Work every write transaction ends with, before it commits (registered by apps that keep
# data derived from the record: `elections.tallies.settle`). Sources never imports them.
BEFORE_COMMIT: list[Callable[[], Any]] = []


def before_commit(hook: Callable[[], Any]) -> None:
    """Run `hook` at the end of every outermost service and unit of work, inside its
    transaction, after its writes and before it commits (registered once per process)."""
    if hook not in BEFORE_COMMIT:
        BEFORE_COMMIT.append(hook)


def _before_commit() -> None:
    for hook in BEFORE_COMMIT:
        hook()


def in_service() -> bool:
    """True while a service runs in this thread (the write guard of the tests asks)."""
    return _depth.get() > 0


@contextmanager
def unit_of_work() -> Iterator[None]:
    """One transaction for several service calls that must commit or roll back together.

    The admin opens it around a form and its inlines, the sheet importers around a sheet:
    the services called inside nest in it instead of each committing on its own.
    """
    token = _unit.set(True)
    try:
        with transaction.atomic():
            yield
            if not transaction.get_rollback():  # a unit marked to roll back commits nothing
                _before_commit()
    finally:
        _unit.reset(token)


def service(*, perm: str, action: str = "") -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Declare a service: keyword-only, acting user required, `perm` checked, atomic.

    `perm` is an `app_label.codename` the acting user must hold (checked first, the refusal
    saying "You may not <action>."), or `IN_BODY` when the body checks it itself.
    """

    def decorate(func: Callable[P, R]) -> Callable[P, R]:
        parameters = inspect.signature(func).parameters
        acting_user = parameters.get("acting_user")
        if acting_user is None or acting_user.kind is not inspect.Parameter.KEYWORD_ONLY:
            raise TypeError(f"{func.__qualname__}: a service takes a keyword-only acting_user")
        if acting_user.default is not inspect.Parameter.empty:
            raise TypeError(f"{func.__qualname__}: acting_user must have no default")
        positional = [
            p.name
            for p in parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL)
        ]
        if positional:
            raise TypeError(f"{func.__qualname__}: a service is keyword-only ({positional})")
        described = action or func.__name__.replace("_", " ")

        @functools.wraps(func)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            user = kwargs.get("acting_user")
            require_user(user)
            outermost = _depth.get() == 0
            token = _depth.set(_depth.get() + 1)
            try:
                with transaction.atomic(durable=outermost and not _unit.get()):
                    # A service called by another acts within the authority the outer one
                    # checked: an importer's sheet creates passages without annotating.
                    if perm != IN_BODY and outermost:
                        require_perm(user, perm, described)
                    result = func(*args, **kwargs)
                    # Nothing to settle when the body chose to roll back (a dry run).
                    if outermost and not _unit.get() and not transaction.get_rollback():
                        _before_commit()
                    return result
            finally:
                _depth.reset(token)

        run.service_perm = perm  # type: ignore[attr-defined]
        REGISTRY[f"{func.__module__}.{func.__qualname__}"] = run
        return run

    return decorate


def service_step(func: Callable[P, R]) -> Callable[P, R]:
    """Declare a write that is a part of services (a shared batch insert, a status re-read):
    it runs only inside a service, which has checked the user and opened the transaction."""

    @functools.wraps(func)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        if not in_service():
            raise RuntimeError(f"{func.__qualname__} writes only inside a service")
        return func(*args, **kwargs)

    STEPS[f"{func.__module__}.{func.__qualname__}"] = run
    return run


def read_only(func: Callable[P, R]) -> Callable[P, R]:
    """Declare a function of a services module that only reads (a lookup, a comparison)."""
    READERS[f"{func.__module__}.{func.__qualname__}"] = func
    return func


def system_user() -> Any:
    """The account commands and tasks act as when no user is named (`--as`).

    It cannot log in (no usable password) and holds every permission, as whoever runs a
    command on the server already does; its name in the history says the change came from a
    command or a task, not from a person in the admin.
    """
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={"is_superuser": True, "is_staff": False, "is_active": True},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def user_named(username: str | None) -> Any:
    """The active user called `username`, or the system account when none is named."""
    from django.core.management.base import CommandError

    if not username:
        return system_user()
    user_model = get_user_model()
    try:
        return user_model.objects.get(username=username, is_active=True)
    except user_model.DoesNotExist:
        raise CommandError(f"--as {username}: no active user has that name.") from None
