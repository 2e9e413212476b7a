"""Identifiers other databases give the same things: Wikidata QIDs on candidates, places and
outlets, checked for their form and unique; GB/T 2260 codes on places."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from elections.models import Candidate, CandidateProposal, Place
from elections.services import candidate_publish, candidate_update, place_update
from elections.services.proposals import proposal_accept
from sources.identifiers import wikidata_qid, wikidata_url
from sources.models import Outlet
from sources.services import outlet_create
from tests.elections.test_admin_candidates import change_url, client_for, profile_data
from tests.factories import make_candidate, make_place, make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("pasted", "qid"),
    [
        ("Q42", "Q42"),
        (" q42 ", "Q42"),
        ("https://www.wikidata.org/wiki/Q42", "Q42"),
        ("http://www.wikidata.org/entity/Q42", "Q42"),
        ("Q042", "Q042"),  # not a QID: left for the validator to refuse
        ("P569", "P569"),
    ],
)
def test_a_pasted_qid_or_item_address_is_read_as_its_qid(pasted, qid):
    assert wikidata_qid(pasted) == qid


def test_the_item_address_is_made_from_the_qid():
    assert wikidata_url("Q42") == "https://www.wikidata.org/wiki/Q42"
    assert wikidata_url("") == ""


@pytest.mark.parametrize("bad", ["Q", "Q0", "Q042", "P569", "Q12a", "42", "Q" + "1" * 13])
def test_anything_but_a_qid_is_refused(editor, bad):
    candidate = make_candidate("Xu Zhiyong", name_zh="许志永")
    with pytest.raises(ValidationError) as refused:
        candidate_update(candidate=candidate, wikidata=bad, acting_user=editor)
    assert "wikidata" in refused.value.message_dict


def test_a_qid_belongs_to_one_record_of_a_kind_and_blanks_to_many(editor):
    first = make_candidate("Xu Zhiyong", name_zh="许志永", wikidata="Q1336930")
    second = make_candidate("Xu Yan")
    make_candidate("Liu Ping")  # two blanks side by side
    with pytest.raises(ValidationError):
        candidate_update(candidate=second, wikidata="Q1336930", acting_user=editor)
    assert Candidate.objects.get(pk=first.pk).wikidata == "Q1336930"
    assert Candidate.objects.filter(wikidata="").count() == 2


def test_an_editor_sets_a_drafts_qid_in_the_admin_pasting_its_address(editor):
    candidate = make_candidate("Xu Zhiyong", name_zh="许志永")
    data = profile_data(candidate, wikidata="https://www.wikidata.org/wiki/Q1336930")

    response = client_for(editor).post(change_url(candidate), data)

    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.wikidata == "Q1336930"
    assert candidate.history.first().wikidata == "Q1336930"


def test_the_admin_refuses_a_malformed_qid(editor):
    candidate = make_candidate("Xu Zhiyong", name_zh="许志永")

    response = client_for(editor).post(
        change_url(candidate), profile_data(candidate, wikidata="X9")
    )

    assert response.status_code == 200
    assert "wikidata" in response.context["adminform"].form.errors
    assert Candidate.objects.get(pk=candidate.pk).wikidata == ""


def test_a_published_candidates_qid_is_a_proposal_until_another_reviewer_accepts_it(
    editor, reviewer
):
    candidate = make_candidate("Xu Zhiyong", name_zh="许志永")
    candidate_publish(candidate=candidate, acting_user=reviewer)
    data = profile_data(Candidate.objects.get(pk=candidate.pk), wikidata="Q1336930")

    response = client_for(editor).post(change_url(candidate), data)

    assert response.status_code == 302
    assert Candidate.objects.get(pk=candidate.pk).wikidata == ""
    proposal = CandidateProposal.objects.get(candidate=candidate)
    assert proposal.changes == [
        {"field": "Wikidata QID", "name": "wikidata", "old": "", "new": "Q1336930"}
    ]
    proposal_accept(proposal=proposal, acting_user=make_user("Reviewers"))
    assert Candidate.objects.get(pk=candidate.pk).wikidata == "Q1336930"


def test_places_and_outlets_carry_a_qid_set_in_the_admin():
    admin = make_user(superuser=True)
    hangzhou = make_place("Hangzhou", "杭州市", code="330100")
    outlet = outlet_create(name="Ming Pao", acting_user=admin)
    client = client_for(admin)

    place_form = {
        "level": hangzhou.level,
        "name_zh": hangzhou.name_zh,
        "short_zh": hangzhou.short_zh,
        "name": hangzhou.name,
        "pinyin": hangzhou.pinyin,
        "slug": hangzhou.slug,
        "code": hangzhou.code,
        "wikidata": "Q4970",
        "parent": "",
        "names-TOTAL_FORMS": "0",
        "names-INITIAL_FORMS": "0",
        "names-MIN_NUM_FORMS": "0",
        "names-MAX_NUM_FORMS": "1000",
    }
    response = client.post(reverse("admin:elections_place_change", args=[hangzhou.pk]), place_form)
    assert response.status_code == 302, response.context["adminform"].form.errors
    outlet_form = {
        "name": outlet.name,
        "slug": outlet.slug,
        "kind": outlet.kind,
        "homepage": "",
        "country": "",
        "language": "",
        "wikidata": "Q1151419",
        "notes": "",
    }
    response = client.post(reverse("admin:sources_outlet_change", args=[outlet.pk]), outlet_form)
    assert response.status_code == 302, response.context["adminform"].form.errors

    assert Place.objects.get(pk=hangzhou.pk).wikidata == "Q4970"
    assert Outlet.objects.get(pk=outlet.pk).wikidata == "Q1151419"
    assert Outlet.objects.get(pk=outlet.pk).history.first().wikidata == "Q1151419"


@pytest.mark.parametrize("code", ["330100", "330106001", "330106001001"])
def test_a_place_code_is_six_digits_or_a_townships_nine_or_twelve(code):
    place = make_place("Somewhere", "某地", code=code)
    assert place.code == code
    assert place.gb_t_2260 == (code if len(code) == 6 else "")


@pytest.mark.parametrize("code", ["1", "33010", "3301000", "33O100"])
def test_a_place_code_of_another_form_is_refused(code):
    place = make_place("Hangzhou", "杭州市", code="330100")
    with pytest.raises(ValidationError) as refused:
        place_update(place=place, code=code, acting_user=make_user(superuser=True))
    assert "code" in refused.value.message_dict
