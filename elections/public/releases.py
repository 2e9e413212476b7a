"""What a data release holds (the public record, table by table), and which releases the
public may download.

A release (`elections.datapackage`) is written from these querysets only, each read with
`.iterator()` in a fixed order, so two releases of the same record hold the same bytes:

- candidates: published ones; names: every form of their names; candidacies and their
  elections, and the places those are at with the places that contain them;
- status steps a public claim reported (`public_steps`); claims: the public ones
  (`public_claims`), with their passages and articles;
- disputes: the public ones (`public_disputes`), with the members of each value group that
  the public sees (verified and anchored: an overruled claim is a version found wrong);
- articles: those the public claims and the shown dispute members cite (their metadata, never
  their text); outlets: those of these articles.

A release is served while it is not withdrawn (`public_releases`).
"""

from collections.abc import Iterator

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from elections.models import (
    Candidacy,
    CandidacyStatus,
    Candidate,
    CandidateName,
    Claim,
    Contradiction,
    DataRelease,
    DataReleaseFile,
    DataReleasePart,
    DisputeClaim,
    Election,
    Place,
)
from sources.models import Article, Outlet

from .base import public_claim_filter, public_claims, public_disputes, shown_member_filter
from .candidates import public_places, public_steps

# Ancestors are read one level per query; China's divisions are four levels deep.
MAX_PLACE_DEPTH = 6
VERSION_PATTERN = r"\d{4}-\d{2}-\d{2}(?:\.\d{1,3})?"


def release_candidates() -> QuerySet[Candidate]:
    """Published candidates, by slug."""
    return (
        Candidate.objects.published()
        .only("slug", "display_name", "name_zh", "gender", "birth_year", "wikidata")
        .order_by("slug")
    )


def release_names() -> QuerySet[CandidateName, tuple]:
    """(candidate slug, name, kind) of every form of a published candidate's name."""
    return (
        CandidateName.objects.filter(candidate__in=Candidate.objects.published())
        .order_by("candidate__slug", "name")
        .values_list("candidate__slug", "name", "kind")
    )


def _published_candidacies() -> QuerySet[Candidacy]:
    return Candidacy.objects.filter(
        candidate__state=Candidate.State.PUBLISHED, candidate__merged_into__isnull=True
    )


def release_candidacies() -> QuerySet[Candidacy, tuple]:
    """Candidacies of published candidates, by id, with the latest status a public claim
    reported (`public_status`; the editors' stored status may count steps not yet public)."""
    latest = (
        CandidacyStatus.objects.filter(candidacy=OuterRef("pk"))
        .filter(Exists(Claim.objects.filter(public_claim_filter(), pk=OuterRef("claim_id"))))
        .order_by("-sequence", "-id")
        .values("status")[:1]
    )
    return (
        _published_candidacies()
        .annotate(public_status=Subquery(latest))
        .order_by("pk")
        .values_list("pk", "candidate__slug", "election__slug", "public_status")
    )


def release_elections() -> QuerySet[Election, tuple]:
    """Elections a published candidate stood in, by slug."""
    return (
        Election.objects.filter(pk__in=_published_candidacies().values("election"))
        .order_by("slug")
        .values_list(
            "slug", "name", "place__slug", "level", "cycle", "polling_on", "polling_precision"
        )
    )


def release_place_ids() -> set[int]:
    """The ids of the places the public record names (`public_places`) and of every place
    that contains one (one query a level)."""
    found: set[int] = set()
    wanted = set(public_places().values_list("pk", flat=True))
    for _ in range(MAX_PLACE_DEPTH):
        wanted -= found
        if not wanted:
            break
        found |= wanted
        wanted = set(
            Place.objects.filter(pk__in=wanted, parent__isnull=False).values_list(
                "parent_id", flat=True
            )
        )
    return found


def release_places(ids: set[int]) -> QuerySet[Place, tuple]:
    """The places of `ids` (`release_place_ids`), by slug."""
    return (
        Place.objects.filter(pk__in=ids)
        .order_by("slug")
        .values_list(
            "slug", "level", "name", "name_zh", "pinyin", "code", "wikidata", "parent__slug"
        )
    )


def release_steps() -> QuerySet[CandidacyStatus, tuple]:
    """Status steps a public claim reported, by candidacy and course."""
    return (
        public_steps()
        .order_by("candidacy_id", "sequence", "id")
        .values_list("pk", "candidacy_id", "status", "on", "precision", "sequence", "claim_id")
    )


def release_claims() -> QuerySet[Claim, tuple]:
    """Public claims with their citations, by id; `disputed` says whether the claim is a
    version of a public dispute."""
    from .base import disputed_fact

    return (
        public_claims()
        .annotate(disputed=disputed_fact())
        .order_by("pk")
        .values_list(
            "pk",
            "candidate__slug",
            "candidacy_id",
            "property",
            "value",
            "value_key",
            "as_of",
            "as_of_precision",
            "article_id",
            "passage__exact",
            "passage__prefix",
            "passage__suffix",
            "passage__start",
            "passage__end",
            "reviewed_at",
            "disputed",
        )
    )


def release_disputes() -> QuerySet[Contradiction, tuple]:
    """Public disputes, by id, with their verdicts."""
    return (
        public_disputes()
        .order_by("pk")
        .values_list(
            "pk",
            "candidate__slug",
            "candidacy_id",
            "property",
            "on_date",
            "status",
            "verdict",
            "verdict_note",
            "resolved_at",
            "reopened_at",
        )
    )


def _shown_members() -> QuerySet[DisputeClaim]:
    return DisputeClaim.objects.filter(
        shown_member_filter(), contradiction__in=public_disputes().values("pk")
    )


def release_dispute_versions() -> QuerySet[DisputeClaim, tuple]:
    """The shown members of public disputes' value groups, by dispute, group and claim."""
    return (
        _shown_members()
        .order_by("contradiction_id", "group", "claim_id")
        .values_list(
            "contradiction_id",
            "group",
            "claim_id",
            "claim__value",
            "claim__value_key",
            "claim__as_of",
            "claim__as_of_precision",
            "claim__article_id",
            "claim__passage__exact",
            "claim__overruled",
            "judged",
            "new",
        )
    )


def release_articles() -> QuerySet[Article, tuple]:
    """Articles the public claims and the shown dispute members cite, by id: metadata only."""
    cited = Exists(public_claims().filter(article=OuterRef("pk")).order_by())
    in_disputes = Q(pk__in=_shown_members().values("claim__article_id"))
    return (
        Article.objects.filter(Q(cited) | in_disputes)
        .order_by("pk")
        .values_list(
            "pk",
            "outlet__slug",
            "title",
            "url",
            "byline",
            "language",
            "published_on",
            "published_precision",
        )
    )


def release_outlets() -> QuerySet[Outlet, tuple]:
    """Outlets of the released articles, by slug."""
    return (
        Outlet.objects.filter(pk__in=release_articles().values("outlet_id"))
        .order_by("slug")
        .values_list("slug", "name", "kind", "homepage", "country", "language", "wikidata")
    )


# The releases themselves.


def public_releases() -> QuerySet[DataRelease]:
    """Releases the public may download (complete, not withdrawn), newest first."""
    return DataRelease.objects.filter(withdrawn_at__isnull=True).exclude(sha256="")


def release_named(version: str) -> DataRelease | None:
    """The public release `version`, or None (also for a version of an impossible form)."""
    import re

    if not re.fullmatch(VERSION_PATTERN, version or ""):
        return None
    return public_releases().filter(version=version).first()


def latest_release() -> DataRelease | None:
    return public_releases().order_by("-created", "-id").first()


def release_file(release: DataRelease, path: str) -> DataReleaseFile | None:
    return DataReleaseFile.objects.filter(release=release, path=path).first()


def release_file_bytes(file: DataReleaseFile) -> Iterator[bytes]:
    """The bytes of `file`, a part at a time (one query each: never the whole in memory)."""
    for number in range(file.parts_count):
        data = (
            DataReleasePart.objects.filter(file_id=file.pk, number=number)
            .values_list("data", flat=True)
            .first()
        )
        if data is None:
            return
        yield bytes(data)
