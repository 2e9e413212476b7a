from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords


class Outlet(models.Model):
    """A publisher: a newspaper, a news agency, a magazine, a blog or a social-media account.

    Every change is recorded in `history`, with the acting user and the reason.
    """

    class Kind(models.TextChoices):
        NEWSPAPER = "newspaper", "newspaper"
        AGENCY = "agency", "news agency"
        MAGAZINE = "magazine", "magazine"
        BROADCASTER = "broadcaster", "broadcaster"
        ONLINE = "online", "online publication"
        BLOG = "blog", "blog or personal site"
        SOCIAL = "social", "social-media account (Weibo, Twitter)"
        OTHER = "other", "other"

    name = models.CharField(
        max_length=200, unique=True, help_text="The outlet's name as it signs its work."
    )
    slug = models.SlugField(
        max_length=200, unique=True, allow_unicode=True, help_text="Its address on the public site."
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    homepage = models.URLField(blank=True, help_text="The outlet's own site or account page.")
    country = models.CharField(max_length=100, blank=True, help_text="Where it is published from.")
    language = models.CharField(
        max_length=20, blank=True, help_text="Its main language, as a BCP 47 code (en, zh-Hans)."
    )
    notes = models.TextField(
        blank=True, help_text="Internal notes for editors; never shown to the public."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("elections:outlet-detail", kwargs={"slug": self.slug})
