"""Each sheet resource imported through the admin, preview then confirm, on PostgreSQL outside a
test transaction: the confirm writes the whole sheet, with history naming the importer."""

import pytest
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from elections.models import Candidate, Claim, Election, Place, Property
from sources.models import Article, Outlet
from tests.elections.fixtures_sheets import CANDIDATE_HEADER, CLAIM_HEADER, csv_bytes
from tests.factories import make_article, make_candidate, make_place
from tests.production.checks import Generation, assert_history_names, client_of, moment

pytestmark = [pytest.mark.production, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def zhejiang():
    province = make_place("Zhejiang", "浙江省", level=Place.Level.PROVINCE, code="330000")
    return make_place("Hangzhou", "杭州市", level=Place.Level.CITY, parent=province, code="330100")


def outlets():
    return [["name", "kind", "country"], ["Harbour Daily", "报纸", "中国"]], {
        "name": "Harbour Daily"
    }


def articles():
    make_article("Earlier words.", outlet="Harbour Daily")
    sheet = [
        ["outlet", "title", "url", "published_on", "language", "text"],
        [
            "Harbour Daily",
            "A bookseller stands",
            "https://example.org/b",
            "2011-06-02",
            "en",
            "Wang Lin, 27.",
        ],
    ]
    return sheet, {"url": "https://example.org/b"}


def places():
    zhejiang()
    sheet = [["level", "name_zh", "parent", "aliases"], ["区县", "西湖区", "330100", "Xihu"]]
    return sheet, {"name_zh": "西湖区"}


def elections():
    zhejiang()
    return [["city", "polling_on"], ["Hangzhou", "2011-11"]], {"place__name": "Hangzhou"}


def candidates():
    zhejiang()
    row = dict.fromkeys(CANDIDATE_HEADER, "") | {
        "name": "Xu Yan",
        "name_zh": "徐琰",
        "city": "Hangzhou",
        "status": "declared",
    }
    return [CANDIDATE_HEADER, list(row.values())], {"display_name": "Xu Yan"}


def claims():
    make_candidate("Wang Lin", slug="wang-lin")
    make_article("Wang Lin, 27, runs a bookshop.", title="A bookseller stands")
    row = ["wang-lin", Property.AGE, "27", "A bookseller stands", "Wang Lin, 27", "", ""]
    return [CLAIM_HEADER, row], {"value": "27"}


# Each model the admin imports sheets of, and the sheet (with what it writes) the test sends.
UNSEEN_WHEN_NEW = {Outlet, Article, Claim}
SHEETS = {
    Outlet: outlets,
    Article: articles,
    Place: places,
    Election: elections,
    Candidate: candidates,
    Claim: claims,
}


def test_every_sheet_the_admin_imports_has_a_production_test():
    imported = {
        model
        for model, model_admin in admin.site._registry.items()
        if getattr(model_admin, "resource_classes", None)
    }

    assert imported == set(SHEETS)


@pytest.mark.parametrize("model", SHEETS, ids=lambda model: model.__name__)
def test_an_importer_previews_and_confirms_a_sheet_in_the_admin(model, importer):
    rows, written = SHEETS[model]()
    info = model._meta.app_label, model._meta.model_name
    client = client_of(importer)
    upload = SimpleUploadedFile("sheet.csv", csv_bytes(rows), content_type="text/csv")
    since, generation = moment(), Generation()

    preview = client.post(
        reverse("admin:{}_{}_import".format(*info)),
        {"resource": "0", "format": "0", "import_file": upload},
    )

    assert preview.status_code == 200
    assert preview.context.get("confirm_form"), preview.context["result"].problems()
    assert not model.objects.filter(**written).exists()

    confirm = preview.context["confirm_form"].initial
    response = client.post(
        reverse("admin:{}_{}_process_import".format(*info)),
        {**confirm, "format": str(confirm["format"])},
    )

    assert response.status_code == 302
    row = model.objects.get(**written)
    assert LogEntry.objects.filter(user=importer, object_id=str(row.pk)).exists()
    if hasattr(model, "history"):
        assert_history_names(importer, since, model)
    # New outlets, articles and unverified claims are nothing the public sees yet: the cached
    # pages stay warm. Places, elections and candidates' names are public at once.
    assert generation.changed() == (model not in UNSEEN_WHEN_NEW)
