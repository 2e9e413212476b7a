from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from sources.dates import PartialDate, Precision


class Election(models.Model):
    """A people's congress election at a place and level, with its polling date."""

    class Level(models.TextChoices):
        TOWNSHIP = "township", _("township people's congress")
        COUNTY = "county", _("county or district people's congress")

    name = models.CharField(
        max_length=300,
        help_text=_("Haidian District People's Congress, 2011."),
        verbose_name=_("name"),
    )
    slug = models.SlugField(max_length=200, unique=True, verbose_name=_("slug"))
    place = models.ForeignKey(
        "elections.Place",
        on_delete=models.PROTECT,
        related_name="elections",
        verbose_name=_("place"),
    )
    level = models.CharField(
        max_length=10, choices=Level.choices, default=Level.COUNTY, verbose_name=_("level")
    )
    cycle = models.CharField(
        max_length=20,
        default="2011-2012",
        help_text=_("The national round of local elections."),
        verbose_name=_("cycle"),
    )
    polling_on = models.DateField(
        null=True,
        blank=True,
        help_text=_("Polling day, or the first day of the period it is known to."),
        verbose_name=_("polling on"),
    )
    polling_precision = models.CharField(
        max_length=5,
        choices=Precision.choices,
        default=Precision.DAY,
        verbose_name=_("polling precision"),
    )
    notes = models.TextField(blank=True, verbose_name=_("notes"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("election")
        verbose_name_plural = _("elections")
        ordering = ["-polling_on", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["place", "level", "cycle"], name="election_place_level_cycle_unique"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def polling(self):
        return PartialDate.from_stored(self.polling_on, self.polling_precision)
