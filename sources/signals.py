"""Signals of the sources app, for the apps that build on it (sources never imports them).

`passages_moved` is sent, inside the service that made the change, when passages stop
quoting what they quoted: re-anchoring left them fuzzy or orphaned (the article's words at
the span changed or went), or an editor confirmed a fuzzy match or selected the words again.
Its arguments: `passage_ids` (a list of ids), `acting_user` (who changed the article or the
passages) and `change`, one of the `PassageChange` values. Whatever cites those passages was
checked against other words and is for a person to look at again.
"""

from django.db import models
from django.dispatch import Signal
from django.utils.translation import gettext_lazy as _


class PassageChange(models.TextChoices):
    """What moved the passages of a `passages_moved` signal."""

    REANCHORED = "reanchored", _("the article's words at the passage changed")
    CONFIRMED = "confirmed", _("an editor confirmed a new span for the passage")
    RESELECTED = "reselected", _("an editor selected the passage's words again")


passages_moved = Signal()
