"""The newsroom's roles, tried through the admin as each user would.

Editors annotate, record claims and candidates and flag disputes; Reviewers verify,
reject, resolve, publish, withdraw and merge; Importers read the lists and hold the import
permission; a staff member in no group sees nothing. The groups are those the roles migration
creates, so these tests also pin what it grants.
"""

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from elections.models import (
    Candidacy,
    CandidacyStatus,
    Candidate,
    CandidateMerge,
    CandidateName,
    Claim,
    Contradiction,
    DisputeClaim,
    Property,
)
from elections.services import candidate_add_name
from tests.factories import (
    make_article,
    make_candidacy,
    make_candidate,
    make_claim,
    make_election,
    make_place,
    make_user,
)
from tests.newsroom import build

pytestmark = pytest.mark.django_db

LISTS = [
    "admin:elections_candidate_changelist",
    "admin:elections_claim_changelist",
    "admin:elections_contradiction_changelist",
    "admin:elections_candidatemerge_changelist",
    "admin:elections_election_changelist",
    "admin:elections_candidacy_changelist",
    "admin:elections_place_changelist",
    "admin:sources_article_changelist",
    "admin:sources_outlet_changelist",
    "admin:sources_passage_changelist",
]


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def shown(response):
    return " ".join(str(message) for message in get_messages(response.wsgi_request))


def offered_actions(client, url_name):
    response = client.get(reverse(url_name))
    form = response.context.get("action_form")
    return {name for name, _ in form.fields["action"].choices if name} if form else set()


def act(client, url_name, action, objects, **data):
    return client.post(
        reverse(url_name),
        {"action": action, "_selected_action": [obj.pk for obj in objects], **data},
        follow=True,
    )


@pytest.fixture
def newsroom(db):
    """An editor's claims about Liu Ping from two outlets, disagreeing on her age."""
    return build("roles")


def claim_add_data(candidate, article):
    return {
        "candidate": candidate.pk,
        "property": Property.CITY,
        "value": "Xinyu",
        "source_article": article.pk,
        "quote": "registered in Xinyu",
        "prefix": "",
        "suffix": "",
        "as_of_date": "",
        "candidacy": "",
        "note": "",
    }


def candidate_add_data(name):
    return {
        "display_name": name,
        "name_zh": "",
        "gender": "",
        "birth_year": "",
        "slug": "",
        "weibo": "",
        "notes": "",
    }


# Editors


def test_editors_annotate_record_claims_add_candidates_and_flag(newsroom):
    editor = client_for(newsroom.editor)
    article = newsroom.article

    annotate = editor.get(reverse("admin:sources_article_annotate", args=[article.pk]))
    # Another article: the same words of this one would be the claim already recorded.
    added_claim = editor.post(
        reverse("admin:elections_claim_add"),
        claim_add_data(newsroom.liu, make_article("registered in Xinyu")),
    )
    added_candidate = editor.post(
        reverse("admin:elections_candidate_add"), candidate_add_data("Xu Yan")
    )
    act(
        editor,
        "admin:elections_claim_changelist",
        "flag_contradiction",
        [newsroom.age, newsroom.city],
        confirm="yes",
        note="x",
    )

    assert annotate.status_code == 200
    assert added_claim.status_code == 302
    assert Claim.objects.filter(value="Xinyu", created_by=newsroom.editor).count() == 2
    assert added_candidate.status_code == 302 and Candidate.objects.filter(slug="xu-yan")
    assert offered_actions(editor, "admin:elections_claim_changelist") == {"flag_contradiction"}
    assert offered_actions(editor, "admin:elections_candidate_changelist") == {"submit_for_review"}


def test_editors_flag_two_claims_about_one_thing(newsroom):
    liu, editor = newsroom.liu, newsroom.editor
    teacher = make_claim(liu, Property.OCCUPATION, "teacher", make_article("a teacher"), by=editor)
    worker = make_claim(
        liu,
        Property.OCCUPATION,
        "steelworker",
        make_article("a steelworker", outlet="B"),
        by=editor,
    )

    act(
        client_for(editor),
        "admin:elections_claim_changelist",
        "flag_contradiction",
        [teacher, worker],
        confirm="yes",
        note="Which one?",
    )

    assert Contradiction.objects.filter(origin="flagged", flagged_by=editor).count() == 1


def test_editors_cannot_verify_resolve_publish_or_merge(newsroom):
    editor = client_for(newsroom.editor)
    age, liu, contradiction = newsroom.age, newsroom.liu, newsroom.contradiction
    ruiyan = make_candidate("Liu Ping (second record)")

    verify_button = editor.post(reverse("admin:elections_claim_verify", args=[age.pk]))
    resolve = editor.post(
        reverse("admin:elections_contradiction_change", args=[contradiction.pk]),
        {"verdict": "one_right:1", "note": "because", "revision": contradiction.revision},
    )
    verify_action = act(editor, "admin:elections_claim_changelist", "verify_claims", [age])
    act(editor, "admin:elections_candidate_changelist", "publish", [liu])
    act(
        editor,
        "admin:elections_candidate_changelist",
        "merge_candidates",
        [liu, ruiyan],
        confirm="yes",
        survivor=liu.pk,
        note="same",
    )

    assert verify_button.status_code == 403 and resolve.status_code == 403
    assert "No action selected" in shown(verify_action)
    assert Claim.objects.get(pk=age.pk).state == Claim.State.UNVERIFIED
    assert Contradiction.objects.get(pk=contradiction.pk).status == Contradiction.Status.OPEN
    assert Candidate.objects.get(pk=liu.pk).state == Candidate.State.DRAFT
    assert not CandidateMerge.objects.exists()


# Reviewers


def test_reviewers_verify_reject_and_resolve(newsroom):
    reviewer = make_user("Reviewers")
    client = client_for(reviewer)
    age, city, contradiction = newsroom.age, newsroom.city, newsroom.contradiction

    act(client, "admin:elections_claim_changelist", "verify_claims", [age])
    client.post(reverse("admin:elections_claim_reject", args=[city.pk]), {"reason": "wrong"})
    membership = DisputeClaim.objects.select_related("contradiction").get(claim=age)
    client.post(
        reverse("admin:elections_contradiction_change", args=[contradiction.pk]),
        {
            "verdict": f"one_right:{membership.group}",
            "note": "The registration list says 47.",
            "revision": membership.contradiction.revision,
        },
    )

    assert Claim.objects.get(pk=age.pk).state == Claim.State.VERIFIED
    assert Claim.objects.get(pk=city.pk).state == Claim.State.REJECTED
    resolved = Contradiction.objects.get(pk=contradiction.pk)
    assert resolved.status == Contradiction.Status.RESOLVED and resolved.resolved_by == reviewer
    assert resolved.verdict == Contradiction.Verdict.ONE_RIGHT
    assert not Claim.objects.get(pk=age.pk).overruled
    assert Claim.objects.filter(dispute_membership__contradiction=resolved, overruled=True)
    assert offered_actions(client, "admin:elections_claim_changelist") == {
        "verify_claims",
        "reject_claims",
    }


def test_reviewers_publish_withdraw_and_merge(newsroom):
    client = client_for(make_user("Reviewers"))
    liu = newsroom.liu
    twin = make_candidate("Liu Ping (second record)")
    candidates = "admin:elections_candidate_changelist"

    act(client, candidates, "publish", [liu])
    assert Candidate.objects.get(pk=liu.pk).state == Candidate.State.PUBLISHED
    act(client, candidates, "withdraw", [liu], confirm="yes", reason="Checking her age.")
    assert Candidate.objects.get(pk=liu.pk).state == Candidate.State.WITHDRAWN
    act(
        client,
        candidates,
        "merge_candidates",
        [liu, twin],
        confirm="yes",
        survivor=liu.pk,
        note="One person.",
    )
    assert Candidate.objects.get(pk=twin.pk).merged_into_id == liu.pk
    assert offered_actions(client, candidates) == {"publish", "withdraw", "merge_candidates"}


def test_reviewers_neither_annotate_nor_record_claims_nor_add_candidates(newsroom):
    client = client_for(make_user("Reviewers"))
    article = newsroom.article

    annotate = client.get(reverse("admin:sources_article_annotate", args=[article.pk]))
    add_form = client.get(reverse("admin:elections_claim_add"))
    add_post = client.post(
        reverse("admin:elections_claim_add"), claim_add_data(newsroom.liu, article)
    )
    add_candidate = client.get(reverse("admin:elections_candidate_add"))

    assert annotate.status_code == 403
    assert add_form.status_code == 403 and add_post.status_code == 403
    assert add_candidate.status_code == 403
    assert Claim.objects.count() == 3


def test_a_reviewer_who_is_also_an_editor_cannot_verify_their_own_claim(newsroom):
    both = make_user("Editors", "Reviewers")
    client = client_for(both)
    client.post(
        reverse("admin:elections_claim_add"),
        claim_add_data(newsroom.liu, make_article("registered in Xinyu")),
    )
    own = Claim.objects.get(created_by=both)

    listed = act(client, "admin:elections_claim_changelist", "verify_claims", [own])
    button = client.post(reverse("admin:elections_claim_verify", args=[own.pk]), follow=True)

    assert f"Not verified: {own}" in shown(listed) and "four-eyes" in shown(listed)
    assert "four-eyes" in shown(button)
    assert Claim.objects.get(pk=own.pk).state == Claim.State.UNVERIFIED


# Importers and staff without a role


def test_importers_read_the_lists_and_hold_the_import_permission(newsroom):
    importer = make_user("Importers")
    client = client_for(importer)

    for url_name in LISTS:
        assert client.get(reverse(url_name)).status_code == 200, url_name
    assert importer.has_perm("elections.import_sheets")


def test_importers_change_nothing(newsroom):
    client = client_for(make_user("Importers"))
    age, liu, contradiction = newsroom.age, newsroom.liu, newsroom.contradiction

    refused = [
        client.get(reverse("admin:sources_article_annotate", args=[newsroom.article.pk])),
        client.get(reverse("admin:elections_claim_add")),
        client.get(reverse("admin:elections_candidate_add")),
        client.post(reverse("admin:elections_claim_verify", args=[age.pk])),
        client.post(
            reverse("admin:elections_contradiction_change", args=[contradiction.pk]),
            {"verdict": "a_right", "note": "x"},
        ),
    ]
    claim_page = client.get(reverse("admin:elections_claim_change", args=[age.pk]))

    assert [response.status_code for response in refused] == [403] * 5
    assert offered_actions(client, "admin:elections_candidate_changelist") == set()
    assert offered_actions(client, "admin:elections_claim_changelist") == set()
    assert 'name="_save"' not in claim_page.text
    assert Candidate.objects.get(pk=liu.pk).state == Candidate.State.DRAFT


def test_a_staff_member_without_a_role_sees_nothing(newsroom):
    client = client_for(make_user())

    index = client.get(reverse("admin:index"))

    assert "You don’t have permission to view or edit anything." in index.text
    for url_name in LISTS:
        assert client.get(reverse(url_name)).status_code == 403, url_name
    contradiction = newsroom.contradiction
    page = reverse("admin:elections_contradiction_change", args=[contradiction.pk])
    assert client.get(page).status_code == 403


# Merging and undoing through the admin


def snapshot(*candidates):
    """Everything a candidate record holds, to compare before a merge and after its undo."""
    return {
        candidate.pk: {
            "names": sorted(
                CandidateName.objects.filter(candidate=candidate).values_list("pk", "name")
            ),
            "runs": sorted(
                Candidacy.objects.filter(candidate=candidate).values_list(
                    "pk", "election", "status"
                )
            ),
            "steps": sorted(
                CandidacyStatus.objects.filter(candidacy__candidate=candidate).values_list(
                    "pk", "candidacy", "status"
                )
            ),
            "claims": sorted(
                Claim.objects.filter(candidate=candidate).values_list("pk", "candidacy")
            ),
            "contradictions": sorted(
                Contradiction.objects.filter(candidate=candidate).values_list("pk", "status")
            ),
            "dispute_groups": sorted(
                DisputeClaim.objects.filter(contradiction__candidate=candidate).values_list(
                    "contradiction", "claim", "group"
                )
            ),
            "state": Candidate.objects.get(pk=candidate.pk).state,
        }
        for candidate in candidates
    }


def test_a_merge_in_the_admin_loses_nothing_and_its_undo_restores_both(newsroom):
    editor, liu = newsroom.editor, newsroom.liu
    reviewer = make_user("Reviewers")
    client = client_for(reviewer)
    election = make_election(make_place("Xinyu", "新余市", code="360500"))
    make_candidacy(liu, election)
    twin = make_candidate("Liu Ping of Xinyu", name_zh="刘平")
    candidate_add_name(candidate=twin, name="Liu P.", acting_user=editor)
    make_candidacy(twin, election)
    status = make_claim(
        twin, Property.STATUS, "declared", make_article("She declared.", outlet="C"), by=editor
    )
    twin_age = make_claim(twin, Property.AGE, "60", make_article("aged 60", outlet="D"), by=editor)
    before = snapshot(liu, twin)

    act(
        client,
        "admin:elections_candidate_changelist",
        "merge_candidates",
        [liu, twin],
        confirm="yes",
        survivor=liu.pk,
        note="Same registration number.",
    )

    merged = snapshot(liu)[liu.pk]
    assert {status.pk, twin_age.pk} <= {pk for pk, _ in merged["claims"]}
    assert {"Liu P.", "Liu Ping of Xinyu", "刘平"} <= {name for _, name in merged["names"]}
    assert Claim.objects.get(pk=status.pk).candidacy.candidate == liu
    # Her age of 60 is a new version of the survivor's question of her year of birth.
    assert DisputeClaim.objects.filter(contradiction__candidate=liu, claim=twin_age).exists()

    record = CandidateMerge.objects.get()
    act(
        client,
        "admin:elections_candidatemerge_changelist",
        "undo_merges",
        [record],
        confirm="yes",
    )

    assert snapshot(liu, twin) == before
