"""What a re-imported article costs the public record: verified facts withdrawn for review.

`sources.importing` reports how the passages of each changed article re-anchored; it does
not know claims (the sources app never imports elections). This module adds the count of
facts withdrawn pending review, through `sources.importing.register_reimport_reporter`,
registered when the elections sheets are loaded (`elections.resources`, which the admin
loads in every process).

A fact withdrawn is a claim verified before the import that, after it, is no longer
verified (the claim services send it back to review when its passage moves) or cites a
passage that is now fuzzy or orphaned: counted either way, so the report holds whichever of
the two the claim services do.
"""

from django.db.models import Q
from django.utils.translation import ngettext

from elections.models import Claim
from sources.models import AnchorStatus


def withdrawn_facts(*, article_ids):
    """Note the verified claims of `article_ids`; return what counts the withdrawn after.

    Two queries whatever the number of articles: one before the import, one after.
    """
    verified = dict(
        Claim.objects.filter(
            state=Claim.State.VERIFIED, passage__article_id__in=article_ids
        ).values_list("pk", "passage__article_id")
    )

    def withdrawn():
        gone = Claim.objects.filter(pk__in=verified).filter(
            ~Q(state=Claim.State.VERIFIED)
            | Q(passage__anchor_status__in=[AnchorStatus.FUZZY, AnchorStatus.ORPHANED])
        )
        counts = dict.fromkeys(article_ids, 0)
        for pk in gone.values_list("pk", flat=True):
            counts[verified[pk]] += 1
        return {
            article_id: [
                ngettext(
                    "%(count)d verified fact withdrawn pending review",
                    "%(count)d verified facts withdrawn pending review",
                    count,
                )
                % {"count": count}
            ]
            for article_id, count in counts.items()
        }

    return withdrawn
