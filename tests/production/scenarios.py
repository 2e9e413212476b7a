"""The newsroom data the production-leg tests start from: made by the factories, or through
the admin as an editor makes it where no factory does (a passage the re-anchoring proposes)."""

from django.urls import reverse

from elections.models import Property
from sources.models import AnchorStatus, Passage
from tests.factories import (
    make_article,
    make_candidacy,
    make_candidate,
    make_claim,
    make_election,
    make_place,
)


def one_person_twice(editor):
    """Xu Yan and Xu Ruiyan, one person recorded twice, each with a run and a claim.

    Returns (xu, ruiyan, claims).
    """
    election = make_election(make_place("Xihu", "西湖区", level="county", code="330106"))
    xu = make_candidate("Xu Yan", name_zh="徐琰")
    ruiyan = make_candidate("Xu Ruiyan", name_zh="徐瑞琰")
    make_candidacy(xu, election)
    make_candidacy(ruiyan, election)
    claims = [
        make_claim(
            xu,
            Property.AGE,
            "27",
            make_article("Xu Yan, 27, registered.", outlet="Outlet A", published="2011"),
            by=editor,
        ),
        make_claim(
            ruiyan,
            Property.OCCUPATION,
            "shop owner",
            make_article("Xu Ruiyan, a shop owner.", outlet="Outlet B", published="2011"),
            by=editor,
        ),
    ]
    return xu, ruiyan, claims


def disagreeing_claims(editor):
    """Two outlets printing different ages for one candidate: (candidate, claim_a, claim_b)."""
    liu = make_candidate("Liu Ping", name_zh="刘萍")
    first = make_claim(
        liu,
        Property.AGE,
        "47",
        make_article("Liu Ping, 47, stood in Xinyu.", outlet="Outlet A", published="2011-06"),
        by=editor,
    )
    second = make_claim(
        liu,
        Property.AGE,
        "35",
        make_article("Liu Ping, 35, stood in Xinyu.", outlet="Outlet B", published="2011-06"),
        by=editor,
    )
    return liu, first, second


# A report with a typo the outlet later corrects ("landlrod"), from the anchoring tests.
REPORT = (
    "Wang Lin, 27, runs a bookshop in Hangzhou and told readers of her microblog in May that "
    "she would stand for the district people's congress.\n\n"
    "Police have called on her three times since then, she said, and her landlrod wants the "
    "shop back by autumn.\n\n"
    "Zhao Feng, 27, an engineer, is standing in the same district as an independent."
)
TYPO = "her landlrod wants the shop back"


def changeform_data(response):
    """What a change page posts back unchanged: its form and every inline, as shown."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context.get("inline_admin_formsets", []):
        formset = inline.formset
        forms += [formset.management_form, *formset.forms]
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            data[form.add_prefix(name)] = "on" if value is True else value
    return data


def select_passage(client, article, words):
    """The editor selects `words` in the annotate view; returns the saved passage."""
    start = article.text.index(words)
    url = reverse("admin:sources_article_annotate", args=[article.pk])
    response = client.post(
        url, {"start": start, "end": start + len(words), "exact": words, "note": ""}
    )
    assert response.status_code == 302, response.content[:500]
    return Passage.objects.get(article=article, start=start, exact=words)


def edit_article_text(client, article, text):
    """The editor replaces the article's text on its change page."""
    url = reverse("admin:sources_article_change", args=[article.pk])
    data = changeform_data(client.get(url))
    response = client.post(url, {**data, "source_text": text})
    assert response.status_code == 302, response.content[:500]


def fuzzy_passage(client):
    """A passage whose words the outlet corrected: the re-anchoring proposes the new words."""
    article = make_article(REPORT, outlet="Hangzhou Daily", title="A bookseller stands")
    passage = select_passage(client, article, TYPO)
    edit_article_text(client, article, REPORT.replace("landlrod", "landlord"))
    passage.refresh_from_db()
    assert passage.anchor_status == AnchorStatus.FUZZY
    return passage


def inline_prefix(response, inline_class):
    """The form prefix of the change page's inline of class `inline_class`."""
    for inline in response.context["inline_admin_formsets"]:
        if isinstance(inline.opts, inline_class):
            return inline.formset.prefix
    raise AssertionError(f"the page shows no {inline_class.__name__}")


def with_new_row(data, prefix, **fields):
    """Change-page `data` with one more row of the inline `prefix`, holding `fields`."""
    index = int(data[f"{prefix}-TOTAL_FORMS"])
    added = {f"{prefix}-{index}-{name}": value for name, value in fields.items()}
    return {**data, f"{prefix}-TOTAL_FORMS": index + 1, **added}


def with_row_edited(data, prefix, pk, **fields):
    """Change-page `data` with the inline `prefix`'s row of record `pk` given `fields`
    (`DELETE="on"` ticks its delete box)."""
    total = int(data[f"{prefix}-TOTAL_FORMS"])
    rows = [index for index in range(total) if str(data.get(f"{prefix}-{index}-id")) == str(pk)]
    assert rows, f"the inline {prefix} shows no row #{pk}"
    return {**data, **{f"{prefix}-{rows[0]}-{name}": value for name, value in fields.items()}}
