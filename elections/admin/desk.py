"""The review pages' "next": once an item of a desk's queue is done, the next one.

After a claim is verified or rejected, a dispute resolved or a proposal decided, the reviewer
is taken to the next item of the same queue of their desk (`elections.desk`), told how many
remain; when the queue is empty, back to the desk, told so.
"""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext, ngettext

from elections.desk import QUEUES, next_in


def to_next(request, key, *, done=None):
    """A redirect to the next item of queue `key` for the person asking, with a message
    saying what it is and how many remain (that one included), or to the desk when none is
    left. `done` is the record just worked on."""
    item, remaining = next_in(key, request.user, done=done)
    queue = str(QUEUES[key].title)
    if item is None:
        messages.info(
            request,
            gettext("Nothing left in “%(queue)s”: back to your desk.") % {"queue": queue},
        )
        return HttpResponseRedirect(reverse("admin:index"))
    messages.info(
        request,
        ngettext(
            "Next in “%(queue)s”: %(item)s (%(count)d left, this one included).",
            "Next in “%(queue)s”: %(item)s (%(count)d left, this one included).",
            remaining,
        )
        % {"queue": queue, "item": item.label, "count": remaining},
    )
    return HttpResponseRedirect(item.url)
