"""Identifiers other databases give the same things: Wikidata QIDs on candidates, places and
outlets, checked for their form and unique; GB/T 2260 codes on places."""

import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from elections.models import Candidate, CandidateProposal, Contradiction, Place
from elections.services import (
    candidate_publish,
    candidate_update,
    claim_verify,
    contradiction_resolve,
    place_update,
)
from elections.services.proposals import proposal_accept
from sources.identifiers import wikidata_qid, wikidata_url
from sources.models import Article, Outlet
from sources.services import outlet_create, outlet_update
from tests.elections import test_popolo
from tests.elections.test_admin_candidates import change_url, client_for, profile_data
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
popolo_validators = test_popolo.popolo_validators


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


# The doors: API, Popolo, the profile's JSON-LD, QuickStatements.


@pytest.fixture
def published_with_items(editor, reviewer):
    """Xu Zhiyong (Q1336930), published, who stood in Haidian (Q393525, 110108), with a
    gender, a year of birth and a district reported by two outlets."""
    admin = make_user(superuser=True)
    beijing = make_place("Beijing", "北京市", level="province", code="110000")
    haidian = make_place("Haidian", "海淀区", level="county", parent=beijing, code="110108")
    place_update(place=haidian, wikidata="Q393525", acting_user=admin)
    xu = make_candidate("Xu Zhiyong", name_zh="许志永", wikidata="Q1336930")
    make_candidacy(xu, make_election(haidian))
    ledger = make_article(
        'Xu Zhiyong, a man born in 1973, "stands" in Haidian.',
        outlet="Evening Ledger",
        url="https://ledger.example/xu",
    )
    outlet_update(outlet=ledger.outlet, wikidata="Q7000001", acting_user=admin)
    wire = make_article("许志永1973年出生，在海淀区参选。", outlet="示例日报")
    Article.objects.filter(pk=wire.pk).update(language="zh-Hans")
    claims = [
        make_claim(xu, "gender", "male", ledger, "a man", by=editor),
        make_claim(xu, "birth_year", "1973", ledger, "born in 1973", by=editor),
        make_claim(xu, "district", "Haidian", ledger, '"stands" in Haidian', by=editor),
        make_claim(xu, "birth_year", "1973", wire, "1973年出生", by=editor),
        make_claim(xu, "district", "海淀区", wire, "在海淀区参选", by=editor),
    ]
    for claim in claims:
        claim_verify(claim=claim, acting_user=reviewer)
    candidate_publish(candidate=xu, acting_user=reviewer)
    return {"xu": xu, "haidian": haidian, "ledger": ledger, "wire": wire}


def test_the_api_gives_a_candidates_item_and_a_places_codes(client, published_with_items):
    detail = client.get("/api/candidates/xu-zhiyong/").json()
    listed = client.get("/api/candidates/").json()["results"][0]

    assert detail["wikidata"] == listed["wikidata"] == "Q1336930"
    assert detail["wikidata_url"] == "https://www.wikidata.org/wiki/Q1336930"
    place = detail["candidacies"][0]["election"]["place"]
    assert (place["code"], place["wikidata"]) == ("110108", "Q393525")


def test_popolo_identifiers_carry_the_item_and_the_division_code(
    client, published_with_items, popolo_validators
):
    document = client.get("/export/popolo.json").json()

    (person,) = document["persons"]
    assert person["identifiers"] == [
        {"scheme": "sourcebook", "identifier": "xu-zhiyong"},
        {"scheme": "wikidata", "identifier": "Q1336930"},
    ]
    areas = {area["name"]: area for area in document["areas"]}
    assert areas["Haidian"]["identifiers"] == [
        {"scheme": "gb-t-2260", "identifier": "110108"},
        {"scheme": "wikidata", "identifier": "Q393525"},
    ]
    assert areas["Beijing"]["identifiers"] == [{"scheme": "gb-t-2260", "identifier": "110000"}]
    assert test_popolo.schema_errors(document, popolo_validators) == []


def test_the_profiles_json_ld_says_the_person_is_the_wikidata_item(client, published_with_items):
    page = client.get("/candidates/xu-zhiyong/").content.decode()

    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page)[1])
    assert data["sameAs"] == ["https://www.wikidata.org/wiki/Q1336930"]


def quickstatements(client):
    response = client.get("/export/quickstatements.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    return [line.split("\t") for line in response.content.decode().splitlines()]


def test_quickstatements_write_each_fact_once_per_article_with_its_references(
    client, published_with_items
):
    wire = published_with_items["wire"]
    wire_page = f"http://testserver/articles/{wire.pk}/"

    lines = quickstatements(client)

    ledger_refs = ["S248", "Q7000001", "S854", '"https://ledger.example/xu"']
    assert [line[:3] for line in lines] == [
        ["Q1336930", "P569", "+1973-00-00T00:00:00Z/9"],
        ["Q1336930", "P569", "+1973-00-00T00:00:00Z/9"],
        ["Q1336930", "P768", "Q393525"],
        ["Q1336930", "P768", "Q393525"],
        ["Q1336930", "P21", "Q6581097"],
    ]
    assert lines[0][3:9] == [*ledger_refs, "S1683", 'en:"born in 1973"']
    assert lines[1][3:7] == ["S854", f'"{wire_page}"', "S1683", 'zh-hans:"1973年出生"']
    # QuickStatements has no escape for a double quote: it is written as a single one.
    assert lines[2][8] == "en:\"'stands' in Haidian\""
    assert lines[3][3:7] == ["S854", f'"{wire_page}"', "S1683", 'zh-hans:"在海淀区参选"']
    assert lines[4][3:9] == [*ledger_refs, "S1683", 'en:"a man"']
    assert all(
        line[-2] == "S813" and re.fullmatch(r"\+\d{4}-\d\d-\d\dT00:00:00Z/11", line[-1])
        for line in lines
    )


def test_quickstatements_leave_out_what_is_not_a_public_fact(
    client, published_with_items, editor, reviewer
):
    xu = published_with_items["xu"]
    other = make_article("Xu Zhiyong was born in 1975.", outlet="Third Paper")
    wrong = make_claim(xu, "birth_year", "1975", other, "born in 1975", by=editor)
    claim_verify(claim=wrong, acting_user=reviewer)
    dispute = Contradiction.objects.get(candidate=xu, property="birth_year")
    contradiction_resolve(
        contradiction=dispute,
        verdict=Contradiction.Verdict.ONE_RIGHT,
        right_group=1,
        note="The registration notice says 1973.",
        acting_user=reviewer,
    )
    make_claim(xu, "gender", "female", other, "Xu", by=editor)  # unverified
    draft = make_candidate("Xu Yan", wikidata="Q9999999")
    claim_verify(
        claim=make_claim(draft, "gender", "male", other, "was", by=editor), acting_user=reviewer
    )
    no_item = make_candidate("Liu Ping")
    claim_verify(
        claim=make_claim(no_item, "birth_year", "1975", other, "1975", by=editor),
        acting_user=reviewer,
    )
    candidate_publish(candidate=no_item, acting_user=reviewer)

    lines = quickstatements(client)

    assert not [line for line in lines if "1975" in "".join(line) or line[0] != "Q1336930"]
    assert len(lines) == 5
