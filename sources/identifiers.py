"""Identifiers other databases give the same things: Wikidata items (QIDs).

A QID is `Q` and a number without leading zeros (Q6581097). Stored without its address, so
that it is written the same way whether an editor pasted "Q42", " q42 " or the item's page
address (`wikidata_qid` folds those); the page is `wikidata_url`.
"""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

QID = re.compile(r"Q[1-9][0-9]{0,11}")
# What an editor may paste: the QID itself or the address of the item's page.
_PASTED = re.compile(
    r"(?:https?://(?:www\.|m\.)?wikidata\.org/(?:wiki|entity)/)?(q[1-9][0-9]{0,11})/?",
    re.IGNORECASE,
)
WIKIDATA_PAGE = "https://www.wikidata.org/wiki/"


def wikidata_qid(value):
    """`value` as a QID ("Q42") when it is one, pasted as a QID or an item's address; else
    `value` stripped (for the validator to refuse)."""
    text = (value or "").strip()
    match = _PASTED.fullmatch(text)
    return match.group(1).upper() if match else text


def validate_wikidata_qid(value):
    """Refuse anything but a Wikidata item identifier: Q followed by digits (Q42)."""
    if value and not QID.fullmatch(value):
        raise ValidationError(
            _("A Wikidata identifier is Q followed by digits, such as Q42."),
            code="invalid_qid",
        )


def wikidata_url(qid):
    """The address of the Wikidata item `qid`, or "" when there is none."""
    return f"{WIKIDATA_PAGE}{qid}" if qid else ""


def wikidata_field():
    """The `wikidata` field that candidates, places and outlets carry (unique when set: see
    `wikidata_unique`)."""
    return models.CharField(
        max_length=20,
        blank=True,
        default="",
        # In the table too: rows written by code that predates the field (an older
        # migration's models, raw SQL) start blank instead of failing.
        db_default="",
        validators=[validate_wikidata_qid],
        help_text=_("Its Wikidata item, when it has one: Q followed by digits (Q42)."),
        verbose_name=_("Wikidata QID"),
    )


def wikidata_unique(model_name):
    """A constraint keeping a QID to one row of the model, blanks aside."""
    return models.UniqueConstraint(
        fields=["wikidata"],
        condition=~models.Q(wikidata=""),
        name=f"{model_name}_wikidata_unique",
        violation_error_message=_("Another record already has this Wikidata identifier."),
    )
