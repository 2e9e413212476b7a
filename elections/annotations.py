"""Public facts as W3C Web Annotations (https://www.w3.org/TR/annotation-model/): the
passage a fact cites is the target (the article, with a TextQuoteSelector and a
TextPositionSelector), what the fact says the body (the property and value as text, and the
candidate's profile). Written by /api/annotations/ and by the data releases, in English (open
data stays in English).

Positions count Unicode code points of the article's text as this site normalized it
(DESIGN.md, "Passage"), so they hold for that text; on the outlet's own page, whose markup
differs, the quote with its prefix and suffix finds the words.
"""

import uuid
from collections.abc import Callable
from typing import Any

from django.urls import reverse

from elections.models import Claim, Property

CONTEXT = "http://www.w3.org/ns/anno.jsonld"
CONTENT_TYPE = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
CLAIM_NAMESPACE = uuid.UUID("6f0e2c55-7f3b-4c0e-8f61-5d1c8f2b4a90")
PROPERTY_LABELS = {value: str(label) for value, label in Property.choices}


def annotation_id(claim_id: int) -> str:
    """The annotation's IRI: the same for the same claim on every server and in every
    release."""
    return f"urn:uuid:{uuid.uuid5(CLAIM_NAMESPACE, f'claim/{claim_id}')}"


def _safe_url(url: str) -> str:
    return url if (url or "").lower().startswith(("https://", "http://")) else ""


def annotation_of(claim: Claim, build_url: Callable[[str], str]) -> dict[str, Any]:
    """The Web Annotation of the public claim `claim` (read by `public_annotations`);
    `build_url` makes this site's paths absolute."""
    passage, article = claim.passage, claim.article
    profile = build_url(reverse("elections:candidate-detail", args=[claim.candidate.slug]))
    source = _safe_url(article.url) or build_url(
        reverse("elections:article-detail", args=[article.pk])
    )
    label = PROPERTY_LABELS.get(claim.property, claim.property)
    body_text: dict[str, Any] = {
        "type": "TextualBody",
        "purpose": "describing",
        "format": "text/plain",
        "value": f"{claim.candidate.display_name}: {label}: {claim.value}",
    }
    if article.language:
        body_text["language"] = article.language
    annotation: dict[str, Any] = {
        "@context": CONTEXT,
        "id": annotation_id(claim.pk),
        "type": "Annotation",
        "motivation": "describing",
        "body": [
            body_text,
            {"type": "TextualBody", "purpose": "tagging", "value": claim.property},
            {"id": profile, "type": "SpecificResource", "purpose": "identifying"},
        ],
        "target": {
            "source": source,
            "selector": [
                {
                    "type": "TextQuoteSelector",
                    "exact": passage.exact,
                    "prefix": passage.prefix,
                    "suffix": passage.suffix,
                },
                {"type": "TextPositionSelector", "start": passage.start, "end": passage.end},
            ],
        },
    }
    if claim.reviewed_at:
        annotation["modified"] = claim.reviewed_at.isoformat()
    return annotation
