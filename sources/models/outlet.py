from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from sources.identifiers import wikidata_field, wikidata_unique


class Outlet(models.Model):
    """A publisher: a newspaper, a news agency, a magazine, a blog or a social-media account.

    Every change is recorded in `history`, with the acting user and the reason.
    """

    class Kind(models.TextChoices):
        NEWSPAPER = "newspaper", _("newspaper")
        AGENCY = "agency", _("news agency")
        MAGAZINE = "magazine", _("magazine")
        BROADCASTER = "broadcaster", _("broadcaster")
        ONLINE = "online", _("online publication")
        BLOG = "blog", _("blog or personal site")
        SOCIAL = "social", _("social-media account (Weibo, Twitter)")
        OTHER = "other", pgettext_lazy("outlet kind", "other")

    name = models.CharField(
        max_length=200,
        unique=True,
        help_text=_("The outlet's name as it signs its work."),
        verbose_name=_("name"),
    )
    slug = models.SlugField(
        max_length=200,
        unique=True,
        allow_unicode=True,
        help_text=_("Its address on the public site."),
        verbose_name=_("slug"),
    )
    kind = models.CharField(
        max_length=20, choices=Kind.choices, default=Kind.OTHER, verbose_name=_("kind")
    )
    homepage = models.URLField(
        blank=True,
        help_text=_("The outlet's own site or account page."),
        verbose_name=_("homepage"),
    )
    country = models.CharField(
        max_length=100,
        blank=True,
        help_text=_("Where it is published from."),
        verbose_name=_("country"),
    )
    language = models.CharField(
        max_length=20,
        blank=True,
        help_text=_("Its main language, as a BCP 47 code (en, zh-Hans)."),
        verbose_name=_("language"),
    )
    notes = models.TextField(
        blank=True,
        help_text=_("Internal notes for editors; never shown to the public."),
        verbose_name=_("notes"),
    )
    wikidata = wikidata_field()
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("outlet")
        verbose_name_plural = _("outlets")
        ordering = ["name"]
        constraints = [wikidata_unique("outlet")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("elections:outlet-detail", kwargs={"slug": self.slug})
