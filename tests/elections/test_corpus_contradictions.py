"""The three real reports of ../shared/corpus imported, and claims recorded through the services."""

import pytest
from django.core.management import call_command

from elections.models import Contradiction, Property
from elections.services import claim_update
from sources.dates import PartialDate
from sources.models import Article
from tests.factories import make_candidate, make_claim, make_place, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def reports(corpus):
    call_command("import_articles", "--manifest", str(corpus / "manifest.csv"), verbosity=0)
    return {
        "post": Article.objects.get(outlet__name="The Washington Post"),
        "tanis": Article.objects.get(outlet__name__startswith="Remko Tanis"),
    }


def test_xu_yans_city_and_age_across_the_post_and_the_republished_piece(reports):
    zhejiang = make_place("Zhejiang", "浙江省", level="province", code="330000")
    make_place("Hangzhou", "杭州市", parent=zhejiang, code="330100")
    editor = make_user("Editors")
    xu = make_candidate("Xu Yan")
    post, tanis = reports["post"], reports["tanis"]

    make_claim(xu, Property.CITY, "Hongzhou", post, quote="a candidate in Hongzhou city", by=editor)
    make_claim(xu, Property.CITY, "Hangzhou", tanis, quote="his Hangzhou city district", by=editor)
    city = Contradiction.objects.get(candidate=xu, property="city")
    assert city.status == Contradiction.Status.OPEN

    make_claim(
        xu, Property.AGE, "27", post, quote="Xu Yan, 27, the candidate in Hongzhou", by=editor
    )
    late = make_claim(
        xu, Property.AGE, "27", tanis, quote="a 27-year-old sales executive", by=editor
    )
    age = Contradiction.objects.get(candidate=xu, property="birth_year")
    assert age.status == Contradiction.Status.OPEN
    assert late.as_of_date == PartialDate(2018, 9, 25)

    claim_update(claim=late, as_of=PartialDate(2011), acting_user=editor)
    age.refresh_from_db()
    assert age.status == Contradiction.Status.CLOSED
    assert Contradiction.objects.get(pk=city.pk).status == Contradiction.Status.OPEN
