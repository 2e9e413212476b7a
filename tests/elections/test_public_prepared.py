"""Queries compiled once per process (`elections.public.outlets.rows.prepared`) read each
request's own rows: the values fill the kept SQL's parameters, and a value the SQL would
hold as text (a slice's bounds) makes the query compiled on each call instead."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from elections.models import Candidate
from elections.public.outlets.rows import _prepared, prepared
from tests.factories import make_candidate

pytestmark = pytest.mark.django_db


def _names(*pks):
    return Candidate.objects.filter(pk__in=pks).order_by("pk").values_list("display_name", "slug")


def _first(count, display_name):
    return Candidate.objects.filter(display_name=display_name).order_by("pk")[:count]


def test_each_call_reads_its_own_values():
    xu, liu, wang = (make_candidate(name) for name in ("Xu Yan", "Liu Ping", "Wang Li"))
    with CaptureQueriesContext(connection) as queries:
        for chosen in ((xu,), (liu,), (wang,), (liu, wang), (xu, wang)):
            key = ("test names", len(chosen))
            rows = prepared(key, _names, [candidate.pk for candidate in chosen])
            assert list(rows) == [(c.display_name, c.slug) for c in chosen]
    assert len(queries) == 5
    assert _prepared[(("test names", 1), connection.vendor)] is not None
    # The same SQL, filled with other values.
    assert queries[0]["sql"] != queries[1]["sql"]  # the values are in the logged SQL
    assert queries[0]["sql"].replace(str(xu.pk), str(liu.pk)) == queries[1]["sql"]


def test_a_value_written_into_the_sql_is_compiled_each_time():
    for _ in range(3):
        make_candidate("Xu Yan")
    assert len(list(prepared(("test first",), _first, (1, "Xu Yan")))) == 1
    assert len(list(prepared(("test first",), _first, (2, "Xu Yan")))) == 2
    assert _prepared[(("test first",), connection.vendor)] is None


def test_models_and_their_related_rows_are_made_as_by_the_queryset():
    xu = make_candidate("Xu Yan")

    def build(pk):
        return Candidate.objects.filter(pk=pk).defer("wikidata")

    for _ in range(2):
        [read] = prepared(("test model",), build, (xu.pk,))
        assert read == xu and read.display_name == "Xu Yan"
        assert read.get_deferred_fields() == {"wikidata"}
