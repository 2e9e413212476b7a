"""Wikidata QIDs on PostgreSQL, outside any test transaction: an editor sets a draft's QID in
the admin; on a published candidate it waits for a second reviewer, who accepts it, and the
public answers (API, reconciliation, QuickStatements) carry it; a QID another record holds is
refused by the database's own constraint too; a place's and an outlet's are saved through
their admin pages."""

import json

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from elections.models import Candidate, CandidateProposal, Place
from elections.services import candidate_publish, claim_verify
from sources.models import Outlet
from sources.services import outlet_create
from tests.factories import make_article, make_candidate, make_claim, make_place, make_user
from tests.production.checks import Generation, assert_history_names, client_of, moment
from tests.production.scenarios import changeform_data

pytestmark = [pytest.mark.production, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_published_candidates_qid_waits_for_a_reviewer_then_reaches_every_door(editor, reviewer):
    xu = make_candidate("Xu Zhiyong", name_zh="许志永", gender="male")
    article = make_article("Xu Zhiyong, a man of the law, stands.", url="https://x.example/1")
    claim_verify(
        claim=make_claim(xu, "gender", "male", article, "a man", by=editor), acting_user=reviewer
    )
    candidate_publish(candidate=xu, acting_user=reviewer)
    url = reverse("admin:elections_candidate_change", args=[xu.pk])
    client = client_of(editor)

    response = client.post(
        url,
        {**changeform_data(client.get(url)), "wikidata": "https://www.wikidata.org/wiki/Q1336930"},
    )

    assert response.status_code == 302
    assert Candidate.objects.get(pk=xu.pk).wikidata == ""
    proposal = CandidateProposal.objects.get(candidate=xu)
    generation, since = Generation(), moment()
    second = make_user("Reviewers")
    answer = client_of(second).post(
        reverse("admin:elections_candidateproposal_review", args=[proposal.pk]),
        {"decision": "accept", "note": "The item of this person."},
    )
    assert answer.status_code == 302
    assert Candidate.objects.get(pk=xu.pk).wikidata == "Q1336930"
    assert generation.changed()
    assert_history_names(second, since, Candidate)

    public = Client(raise_request_exception=True)
    assert public.get("/api/candidates/xu-zhiyong/").json()["wikidata"] == "Q1336930"
    queries = json.dumps(
        {"q0": {"query": "Hsu Chih-yung", "properties": [{"pid": "wikidata", "v": "Q1336930"}]}}
    )
    result = public.get("/reconcile", {"queries": queries}).json()["q0"]["result"][0]
    assert result["id"] == "candidate/xu-zhiyong" and result["match"] is True
    lines = public.get("/export/quickstatements.txt").content.decode().splitlines()
    assert lines[0].startswith('Q1336930\tP21\tQ6581097\tS854\t"https://x.example/1"')


def test_one_qid_per_record_is_kept_by_the_database(editor):
    make_candidate("Xu Zhiyong", wikidata="Q1336930")
    other = make_candidate("Xu Yan")
    with pytest.raises(IntegrityError), transaction.atomic():
        Candidate.objects.filter(pk=other.pk).update(wikidata="Q1336930")
    Candidate.objects.filter(pk=other.pk).update(wikidata="")  # blanks side by side


def test_a_place_and_an_outlet_take_their_qid_in_the_admin():
    admin = make_user(superuser=True)
    hangzhou = make_place("Hangzhou", "杭州市", code="330100")
    outlet = outlet_create(name="Ming Pao", acting_user=admin)
    client, since = client_of(admin), moment()

    for url, qid in (
        (reverse("admin:elections_place_change", args=[hangzhou.pk]), "Q4970"),
        (reverse("admin:sources_outlet_change", args=[outlet.pk]), "Q1151419"),
    ):
        response = client.post(url, {**changeform_data(client.get(url)), "wikidata": qid})
        assert response.status_code == 302, url

    assert Place.objects.get(pk=hangzhou.pk).wikidata == "Q4970"
    assert Outlet.objects.get(pk=outlet.pk).wikidata == "Q1151419"
    assert_history_names(admin, since, Place, Outlet)
