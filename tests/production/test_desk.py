"""The desk's writes on PostgreSQL outside a test transaction: publishing a candidate from its
page (then on to the next one ready), flagging a dispute from one claim's page, and a batch
of reports too big for a request imported by its task, all or nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from elections.models import Candidate, Claim, Contradiction, Property
from elections.services import candidate_submit_for_review
from sources.models import ArchivedCopy, Article, SheetUpload, TaskRun
from tests.factories import make_article, make_candidate, make_claim
from tests.production.checks import Generation, assert_history_names, client_of, moment

pytestmark = [pytest.mark.production, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_reviewer_publishes_from_a_candidates_page_then_the_next(editor, reviewer):
    first, second = (make_candidate(name, by=editor) for name in ("First Ready", "Second Ready"))
    for candidate in (first, second):
        candidate_submit_for_review(candidate=candidate, acting_user=editor)
    client = client_of(reviewer)
    since, generation = moment(), Generation()

    response = client.post(reverse("admin:elections_candidate_publish", args=[first.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:elections_candidate_change", args=[second.pk])
    first.refresh_from_db()
    assert first.state == Candidate.State.PUBLISHED
    assert_history_names(reviewer, since, Candidate)
    assert generation.changed()


def test_an_editor_flags_a_dispute_from_one_claims_page(editor):
    person = make_candidate("Chen Bo", by=editor)
    lawyer = make_claim(
        person,
        Property.OCCUPATION,
        "lawyer",
        make_article("Chen Bo, a lawyer.", outlet="A"),
        by=editor,
    )
    teacher = make_claim(
        person,
        Property.OCCUPATION,
        "teacher",
        make_article("Chen Bo, a teacher.", outlet="B"),
        by=editor,
    )
    since = moment()

    response = client_of(editor).post(
        reverse("admin:elections_claim_flag", args=[lawyer.pk]),
        {"others": [teacher.pk], "note": "A lawyer or a teacher, not both."},
    )

    dispute = Contradiction.objects.get()
    assert response["Location"] == reverse(
        "admin:elections_contradiction_change", args=[dispute.pk]
    )
    assert (dispute.origin, dispute.flagged_by) == ("flagged", editor)
    assert sorted(dispute.flagged_claims) == sorted([lawyer.pk, teacher.pk])
    assert set(Claim.objects.values_list("state", flat=True)) == {Claim.State.UNVERIFIED}
    assert_history_names(editor, since, Contradiction)


def reports(count, *, bad=False):
    files = [
        SimpleUploadedFile(
            f"report-{number}.html",
            (
                f"<html><head><title>Report {number}</title></head><body><article>"
                f"<h1>Report {number}</h1><p>Candidate {number} will stand in Xinyu, the "
                "district's residents were told at a meeting on Monday evening.</p>"
                "</article></body></html>"
            ).encode(),
            content_type="text/html",
        )
        for number in range(count)
    ]
    if bad:
        files.append(SimpleUploadedFile("broken.pdf", b"%PDF-1.4 not really", "application/pdf"))
    return files


def test_a_big_batch_of_reports_is_imported_by_its_task_all_or_nothing(editor, settings):
    settings.SOURCEBOOK_INTAKE_INLINE_FILES = 2
    client = client_of(editor)
    url = reverse("admin:sources_article_intake")
    since = moment()

    refused = client.post(url, {"files": reports(2, bad=True), "outlet": "Harbour Daily"})
    imported = client.post(url, {"files": reports(3), "outlet": "Harbour Daily"})
    again = client.post(url, {"files": reports(3), "outlet": "Harbour Daily"})

    assert refused.status_code == imported.status_code == again.status_code == 302
    runs = list(TaskRun.objects.filter(kind="articles_intake").order_by("pk"))
    assert [run.state for run in runs] == [
        TaskRun.State.FAILED,
        TaskRun.State.SUCCEEDED,
        TaskRun.State.SUCCEEDED,
    ]
    assert "broken.pdf" in runs[0].error
    assert (runs[1].result["created"], runs[2].result["created"]) == (3, 0)
    assert Article.objects.count() == ArchivedCopy.objects.count() == 3
    # The refused batch keeps its upload until it expires; imported ones are gone.
    assert SheetUpload.objects.count() == 1
    assert_history_names(editor, since, Article)
