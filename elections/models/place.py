import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from sources.identifiers import wikidata_field, wikidata_unique

# An administrative division code: six digits of GB/T 2260 (province, city, county), or
# the nine or twelve of the statistical codes that extend it to townships (GB/T 10114).
DIVISION_CODE = re.compile(r"[0-9]{6}(?:[0-9]{3}){0,2}")
validate_division_code = RegexValidator(
    f"^{DIVISION_CODE.pattern}$",
    _("A division code is 6 digits (GB/T 2260), or 9 or 12 for a township."),
    code="invalid_code",
)
GB_T_2260 = re.compile(r"[0-9]{6}")


class Place(models.Model):
    """An administrative division of China: province, city, county or district, township.

    `province` and `city` point at the place's own ancestors (or itself at that level), so that
    "everything in Zhejiang" is one indexed filter rather than a walk up the tree.
    """

    class Level(models.TextChoices):
        PROVINCE = "province", _("province-level division")
        CITY = "city", _("prefecture-level city")
        COUNTY = "county", _("county or district")
        TOWNSHIP = "township", _("township or subdistrict")

    level = models.CharField(max_length=10, choices=Level.choices, verbose_name=_("level"))
    name = models.CharField(
        max_length=200,
        help_text=_("The English form, usually pinyin without tones: Hangzhou."),
        verbose_name=_("name"),
    )
    name_zh = models.CharField(
        max_length=100, help_text=_("The official Chinese name: 杭州市."), verbose_name=_("name zh")
    )
    short_zh = models.CharField(
        max_length=100,
        blank=True,
        help_text=_("The name without its suffix: 杭州."),
        verbose_name=_("short zh"),
    )
    pinyin = models.CharField(
        max_length=200,
        blank=True,
        help_text=_("Hanyu pinyin with tone marks: Hángzhōu."),
        verbose_name=_("pinyin"),
    )
    code = models.CharField(
        max_length=12,
        null=True,
        blank=True,
        unique=True,
        validators=[validate_division_code],
        help_text=_("The official administrative division code (GB/T 2260), when it has one."),
        verbose_name=_("code"),
    )
    wikidata = wikidata_field()
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent"),
    )
    province = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The province this place is in (itself for a province)."),
        verbose_name=_("province"),
    )
    city = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The prefecture-level city this place is in (itself for a city)."),
        verbose_name=_("city"),
    )
    slug = models.SlugField(max_length=200, unique=True, verbose_name=_("slug"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("place")
        verbose_name_plural = _("places")
        ordering = ["code", "name"]
        indexes = [models.Index(fields=["level"])]
        constraints = [wikidata_unique("place")]

    def __str__(self):
        return f"{self.name} ({self.name_zh})" if self.name_zh else self.name

    @property
    def gb_t_2260(self):
        """The place's GB/T 2260 code (six digits), or "" (a township's longer code is not one)."""
        return self.code if self.code and GB_T_2260.fullmatch(self.code) else ""


class PlaceName(models.Model):
    """One way of writing a place, with its folded `key` for lookups (see `elections.places`)."""

    class Kind(models.TextChoices):
        OFFICIAL_ZH = "official_zh", _("official Chinese name")
        SHORT_ZH = "short_zh", _("Chinese name without suffix")
        PINYIN = "pinyin", _("pinyin")
        ENGLISH = "english", _("English name")
        TRADITIONAL = "traditional", _("traditional characters")
        ALIAS = "alias", _("other spelling")

    place = models.ForeignKey(
        Place, on_delete=models.CASCADE, related_name="names", verbose_name=_("place")
    )
    name = models.CharField(max_length=200, verbose_name=_("name"))
    kind = models.CharField(
        max_length=20, choices=Kind.choices, default=Kind.ALIAS, verbose_name=_("kind")
    )
    key = models.CharField(max_length=200, db_index=True, editable=False, verbose_name=_("key"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("place name")
        verbose_name_plural = _("place names")
        ordering = ["place", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["place", "name"], name="place_name_unique"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.key = self.folded_key()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "key"}
        super().save(*args, **kwargs)

    def clean_fields(self, exclude=None):
        # The key is derived from the name, so it is brought up to date before it is checked.
        self.key = self.folded_key()
        super().clean_fields(exclude=exclude)

    def clean(self):
        if self.name and not self.key:
            raise ValidationError(
                {"name": _("A place name needs at least one letter or character.")}
            )

    def folded_key(self):
        """The name folded for lookups (see `elections.places.fold_place_name`)."""
        from elections.places import fold_place_name  # places imports the models

        return fold_place_name(self.name)
