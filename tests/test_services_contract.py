"""The one path for every write, kept: what the services promise, and the guard that holds
every other module to it.

- Every public function of a services module is declared: a service (`@service`), a step of
  one (`@service_step`) or a read (`@read_only`). A function added there undeclared fails.
- Every service is keyword-only, takes a required `acting_user` (None is refused), declares
  its permission and runs in a transaction of its own: durable when it is the outermost.
- Project code that writes a record outside every service fails the test that ran it
  (tests/write_guard.py); the last tests here add such code on purpose.
"""

import importlib
import inspect
import pkgutil
import sys
import types

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction

import elections.services
import sources.services
from sources.audit import (
    IN_BODY,
    READERS,
    REGISTRY,
    STEPS,
    Reason,
    service,
    service_step,
    system_user,
    unit_of_work,
)
from sources.models import Outlet
from tests.write_guard import DirectWrite

PACKAGES = (sources.services, elections.services)


def service_modules(packages=PACKAGES):
    for package in packages:
        yield package
        for info in pkgutil.walk_packages(package.__path__, prefix=package.__name__ + "."):
            yield importlib.import_module(info.name)


def undeclared(modules):
    """Public functions defined in `modules` that are neither services, steps nor reads."""
    found = []
    for module in modules:
        for name, value in vars(module).items():
            if name.startswith("_") or not inspect.isfunction(value):
                continue
            if value.__module__ != module.__name__:
                continue
            qualified = f"{module.__name__}.{value.__qualname__}"
            if qualified not in REGISTRY and qualified not in STEPS and qualified not in READERS:
                found.append(qualified)
    return found


def test_every_public_function_of_the_services_is_declared():
    assert undeclared(service_modules()) == []


def test_an_undeclared_function_added_to_a_services_module_is_found():
    added = types.ModuleType("elections.services.added_in_a_hurry")
    code = "def candidate_rename(*, candidate, name):\n    candidate.save()\n"
    exec(compile(code, "<added>", "exec"), added.__dict__)  # noqa: S102
    assert undeclared([added]) == ["elections.services.added_in_a_hurry.candidate_rename"]


SERVICES = sorted(REGISTRY.items())


def test_the_services_are_many():
    # Guards the parametrized tests below against an empty registry.
    assert len(SERVICES) >= 40


@pytest.mark.parametrize(("name", "function"), SERVICES, ids=[name for name, _ in SERVICES])
def test_a_service_is_keyword_only_and_needs_an_acting_user(name, function):
    parameters = inspect.signature(function).parameters
    assert all(p.kind in (p.KEYWORD_ONLY, p.VAR_KEYWORD) for p in parameters.values()), name
    acting_user = parameters["acting_user"]
    assert acting_user.default is inspect.Parameter.empty, name
    assert function.service_perm == IN_BODY or "." in function.service_perm, name
    assert all(p.annotation is not inspect.Parameter.empty for p in parameters.values()), name


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "function"), SERVICES, ids=[name for name, _ in SERVICES])
def test_a_service_refuses_to_act_for_nobody(name, function):
    with pytest.raises(PermissionDenied, match="acting user"):
        function(acting_user=None)
    with pytest.raises(PermissionDenied, match="acting user"):
        function(acting_user=AnonymousUser())


def test_a_service_declared_without_an_acting_user_is_refused_at_import():
    with pytest.raises(TypeError, match="acting_user"):

        @service(perm="sources.add_outlet")
        def outlet_rename(*, outlet, name):
            raise AssertionError("never called")

    with pytest.raises(TypeError, match="no default"):

        @service(perm="sources.add_outlet")
        def outlet_retitle(*, outlet, name, acting_user=None):
            raise AssertionError("never called")


@service(perm="sources.add_outlet", action="add outlets")
def _outlet_then_fail(*, name: str, fail: bool, acting_user: object) -> Outlet:
    outlet = Outlet.objects.create(name=name, slug=name.lower())
    if fail:
        raise RuntimeError("refused after the first write")
    return outlet


@pytest.mark.django_db
def test_a_service_checks_the_permission_it_declares(django_user_model):
    nobody = django_user_model.objects.create_user("nobody")
    with pytest.raises(PermissionDenied, match="You may not add outlets"):
        _outlet_then_fail(name="Daily", fail=False, acting_user=nobody)
    assert not Outlet.objects.exists()


@pytest.mark.django_db
def test_a_failing_service_writes_nothing():
    with pytest.raises(RuntimeError):
        _outlet_then_fail(name="Daily", fail=True, acting_user=system_user())
    assert not Outlet.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_outermost_service_commits_durably_and_refuses_a_callers_transaction():
    user = system_user()
    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        _outlet_then_fail(name="Inside", fail=False, acting_user=user)
    assert not Outlet.objects.filter(name="Inside").exists()

    assert not connection.in_atomic_block
    _outlet_then_fail(name="Alone", fail=False, acting_user=user)
    assert Outlet.objects.filter(name="Alone").exists()

    with unit_of_work():
        _outlet_then_fail(name="In a unit", fail=False, acting_user=user)
        transaction.set_rollback(True)
    assert not Outlet.objects.filter(name="In a unit").exists()


@service_step
def _step_that_writes() -> None:
    Outlet.objects.create(name="Step", slug="step")


@pytest.mark.django_db
def test_a_step_runs_only_inside_a_service():
    with pytest.raises(RuntimeError, match="only inside a service"):
        _step_that_writes()


def test_every_reason_reads_as_words():
    assert all(len(reason.value) <= 60 and reason.value.islower() for reason in Reason)


GUARDED_CODE = """
from sources.models import Outlet

def save_outlet_directly(name):
    Outlet.objects.create(name=name, slug=name.lower())

def rename_outlets_directly(name):
    Outlet.objects.update(name=name)
"""


def project_module(name):
    """A module of project code (by its name) added for the test, written with GUARDED_CODE."""
    module = types.ModuleType(name)
    exec(compile(GUARDED_CODE, f"<{name}>", "exec"), module.__dict__)  # noqa: S102
    sys.modules[name] = module
    return module


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", ["elections.admin.added_in_a_hurry", "sources.management.commands.added_in_a_hurry"]
)
def test_a_direct_write_added_to_project_code_fails_the_test_that_runs_it(name):
    module = project_module(name)
    try:
        with pytest.raises(DirectWrite, match=f"{name}.*sources_outlet outside a service"):
            module.save_outlet_directly("Daily")
        with pytest.raises(DirectWrite, match="outside a service"):
            module.rename_outlets_directly("Weekly")
    finally:
        del sys.modules[name]


@pytest.mark.django_db
def test_the_same_write_inside_a_service_passes():
    module = project_module("elections.admin.added_in_a_hurry")

    @service(perm="sources.add_outlet")
    def outlet_save(*, name: str, acting_user: object) -> None:
        module.save_outlet_directly(name)

    try:
        outlet_save(name="Daily", acting_user=system_user())
    finally:
        del sys.modules["elections.admin.added_in_a_hurry"]
    assert Outlet.objects.filter(name="Daily").exists()
