"""The claim panel's JSON endpoints: record a claim, find candidates, propose a value.

Every answer is JSON for the panel's script to show; errors come as {"errors": {field:
[messages]}} ("__all__" for the form as a whole) with status 400, or 403 when the user may
not do it. Recording is one transaction: the new candidate, the passage and the claim are
all written, or none of them. A claim already recorded (`DuplicateClaim`: the same candidate,
property and value citing overlapping words) is answered with status 409: the message naming
that claim, its state and its address as an error, and the claim itself as a recording would
answer it, with "existing": true; nothing is written.

A recorded claim's answer names the open dispute it is in, if any ("dispute": its number,
address, the claim's version and how many versions there are), and lists the dispute's other
versions ("contradictions", one entry per version, each with its claims).
"""

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, Prefetch, Q, Value, When
from django.http import Http404, HttpResponseNotAllowed, JsonResponse
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext

from elections.models import Candidacy, Candidate, Contradiction, DisputeClaim, Property
from elections.names import SEPARATOR, query_keys
from elections.normalizers import Normalized
from elections.services import candidate_create, claim_create
from elections.services.claims import DuplicateClaim
from sources.admin.annotate import can_annotate
from sources.anchoring import AnchoringError
from sources.dates import PartialDate, PartialDateError
from sources.models import AnchorStatus, Article
from sources.services import passage_create_from_span

from .forms import ClaimRecordForm
from .suggestions import describe_reading, read_value, suggest_value

RECORD_PERMISSION = "elections.add_claim"
NEW_CANDIDATE_PERMISSION = "elections.add_candidate"
# The article's texts, which a dispute's other versions need not load.
ARTICLE_TEXTS = ("text", "source_text", "boilerplate")
# Candidates one search shows, best first.
SEARCH_SHOWN = 12


def can_record_claims(user):
    """Whether `user` may select passages and record claims from them."""
    return can_annotate(user) and user.has_perm(RECORD_PERMISSION)


def _errors(errors, status):
    return JsonResponse({"errors": errors}, status=status)


def _refusal(user):
    if not can_annotate(user):
        return _errors({"__all__": [gettext("You may not select passages in articles.")]}, 403)
    if not user.has_perm(RECORD_PERMISSION):
        return _errors({"__all__": [gettext("You may not record claims.")]}, 403)
    return None


def change_url(obj):
    """The admin page of `obj`; its usual address when its admin is not registered (yet)."""
    opts = obj._meta
    try:
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    except NoReverseMatch:
        return f"{reverse('admin:index')}{opts.app_label}/{opts.model_name}/{obj.pk}/change/"


def contradictions_queue_url():
    try:
        return reverse("admin:elections_contradiction_changelist")
    except NoReverseMatch:
        return f"{reverse('admin:index')}elections/contradiction/"


def _candidacy_json(candidacy):
    election = candidacy.election
    status = f", {candidacy.get_status_display()}" if candidacy.status else ""
    polling = election.polling
    when = f" ({polling.display()})" if polling else ""
    return {"id": candidacy.pk, "label": f"{election.name}{when}{status}"}


def _candidate_json(candidate):
    return {
        "id": candidate.pk,
        "label": str(candidate),
        "other_names": [name.name for name in candidate.names.all()],
        "state": candidate.get_state_display(),
        "candidacies": [_candidacy_json(candidacy) for candidacy in candidate.candidacies.all()],
    }


def _with_runs(queryset):
    runs = Candidacy.objects.select_related("election").order_by("election__polling_on", "pk")
    return queryset.prefetch_related("names", Prefetch("candidacies", queryset=runs))


def _rank(keys):
    """0 when a whole name form is the query, 1 when one starts with it, else 2."""
    whole, start = Q(), Q()
    for key in keys:
        whole |= Q(search_text__contains=f"{SEPARATOR}{key}{SEPARATOR}")
        start |= Q(search_text__contains=f"{SEPARATOR}{key}")
    return Case(When(whole, then=Value(0)), When(start, then=Value(1)), default=Value(2))


def candidate_search_view(model_admin, request):
    """Candidates with a name form containing the query, whole-name matches first."""
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    refusal = _refusal(request.user)
    if refusal is not None:
        return refusal
    keys = query_keys(request.GET.get("q", ""))
    if not keys:
        return JsonResponse({"results": []})
    matching = Q()
    for key in keys:
        matching |= Q(search_text__contains=key)
    found = (
        Candidate.objects.active()
        .filter(matching)
        .annotate(rank=_rank(keys))
        .order_by("rank", "display_name", "pk")
    )
    results = [_candidate_json(candidate) for candidate in _with_runs(found)[:SEARCH_SHOWN]]
    return JsonResponse({"results": results})


def _article(model_admin, request, object_id):
    article = model_admin.get_object(request, unquote(object_id))
    if article is None:
        raise Http404("No such article.")
    return article


def value_suggestion_view(model_admin, request, object_id):
    """The value the selection gives for a property, or how a typed value reads."""
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    refusal = _refusal(request.user)
    if refusal is not None:
        return refusal
    article = _article(model_admin, request, object_id)
    property = request.GET.get("property", "")
    if property not in Property.values:
        return _errors({"property": [gettext("Choose what the passage says.")]}, 400)
    try:
        as_of = PartialDate.parse_iso(request.GET["as_of"])
    except (KeyError, PartialDateError):
        # Until the editor has typed a whole date, values read as of the article's date.
        as_of = article.published
    if "value" in request.GET:
        suggestion = read_value(property=property, value=request.GET["value"], as_of=as_of)
    else:
        suggestion = suggest_value(
            property=property, selection=request.GET.get("exact", ""), as_of=as_of
        )
    return JsonResponse(suggestion.as_dict())


def _passage_at(article, start, end, user):
    """(passage, created): the passage already at exactly this span, else a new one."""
    locked = Article.objects.select_for_update().get(pk=article.pk)
    if locked.version != article.version:
        raise AnchoringError(
            gettext(
                "the article's text changed while you were selecting; reload the page and "
                "select the words again"
            )
        )
    existing = (
        locked.passages.filter(
            start=start,
            end=end,
            exact=locked.text[start:end],
            anchored_version=locked.version,
            anchor_status__in=[AnchorStatus.EXACT, AnchorStatus.RELOCATED],
        )
        .order_by("pk")
        .first()
    )
    if existing is not None:
        return existing, False
    return passage_create_from_span(article=locked, start=start, end=end, acting_user=user), True


def _record(article, data, user):
    candidate, candidate_created = data["candidate"], False
    if data["new_candidate"]:
        if not user.has_perm(NEW_CANDIDATE_PERMISSION):
            raise PermissionDenied(gettext("You may not add candidates."))
        candidate = candidate_create(
            display_name=data["new_display_name"], name_zh=data["new_name_zh"], acting_user=user
        )
        candidate_created = True
    passage, passage_created = _passage_at(article, data["start"], data["end"], user)
    claim = claim_create(
        candidate=candidate,
        property=data["property"],
        value=data["value"],
        passage=passage,
        acting_user=user,
        as_of=data["as_of"],
        candidacy=data["candidacy"],
        note=data["note"],
    )
    return claim, candidate_created, passage_created


def _claim_json(claim):
    as_of = claim.as_of_date
    return {
        "id": claim.pk,
        "value": claim.value,
        "outlet": claim.article.outlet.name,
        "article": claim.article.title,
        "as_of": as_of.display() if as_of else "",
    }


def _dispute_json(claim):
    """The open dispute `claim` is in, and its other versions: (dispute, versions) as JSON.

    `dispute` is None when the claim is in no open dispute. `versions` is one entry per
    other version (value group), each with the dispute's id and address, its number, its
    claims, and the first of them as `other`, as the panel shows a disagreement.
    """
    membership = (
        DisputeClaim.objects.select_related("contradiction")
        .filter(claim=claim, contradiction__status=Contradiction.Status.OPEN)
        .first()
    )
    if membership is None:
        return None, []
    dispute = membership.contradiction
    url = change_url(dispute)
    groups = {}
    for member in (
        DisputeClaim.objects.filter(contradiction=dispute)
        .exclude(group=membership.group)
        .select_related("claim__article__outlet")
        .defer(*(f"claim__article__{name}" for name in ARTICLE_TEXTS))
        .order_by("group", "claim_id")
    ):
        groups.setdefault(member.group, []).append(_claim_json(member.claim))
    versions = [
        {"id": dispute.pk, "url": url, "group": number, "other": claims[0], "claims": claims}
        for number, claims in groups.items()
    ]
    summary = {
        "id": dispute.pk,
        "url": url,
        "group": membership.group,
        "group_count": dispute.group_count,
        "reopened": dispute.is_reopened,
    }
    return summary, versions


def _existing_json(article, claim):
    """The answer for a claim already recorded: it, and a message naming it with a link."""
    url = change_url(claim)
    message = gettext(
        "Already recorded as claim #%(number)s (%(state)s), the same value citing overlapping "
        "words; nothing new was saved. Open it: %(url)s"
    ) % {"number": claim.pk, "state": claim.get_state_display(), "url": url}
    return {
        **_recorded_json(article, claim, False, False),
        "existing": True,
        "errors": {"__all__": [message]},
    }


def _recorded_json(article, claim, candidate_created, passage_created):
    candidate, passage, as_of = claim.candidate, claim.passage, claim.as_of_date
    dispute, versions = _dispute_json(claim)
    reading = describe_reading(claim.property, Normalized(claim.value_key, claim.normalized))
    annotate = reverse("admin:sources_article_annotate", args=[article.pk])
    return {
        "claim": {
            "id": claim.pk,
            "url": change_url(claim),
            "property": claim.property,
            "property_label": claim.get_property_display(),
            "value": claim.value,
            "reading": reading,
            "as_of": as_of.display() if as_of else "",
            "state": claim.get_state_display(),
        },
        "candidate": {
            **_candidate_json(_with_runs(Candidate.objects.filter(pk=candidate.pk)).get()),
            "url": change_url(candidate),
            "created": candidate_created,
        },
        "passage": {
            "id": passage.pk,
            "exact": passage.exact,
            "start": passage.start,
            "end": passage.end,
            "created": passage_created,
            "url": f"{annotate}#passage-{passage.pk}",
        },
        "dispute": dispute,
        "contradictions": versions,
        "queue_url": contradictions_queue_url(),
    }


def _service_errors(error, form):
    """A service's ValidationError as the panel's errors, by field where the panel has it."""
    if not hasattr(error, "error_dict"):
        return {"__all__": error.messages}
    errors = {}
    for field, messages in error.message_dict.items():
        errors.setdefault(field if field in form.fields else "__all__", []).extend(messages)
    return errors


def record_claim_view(model_admin, request, object_id):
    """Save the passage at the selected span and the claim it makes, in one transaction."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    refusal = _refusal(request.user)
    if refusal is not None:
        return refusal
    article = _article(model_admin, request, object_id)
    form = ClaimRecordForm(request.POST, article=article)
    if not form.is_valid():
        data = form.errors.get_json_data()
        return _errors({field: [e["message"] for e in found] for field, found in data.items()}, 400)
    try:
        with transaction.atomic():
            claim, candidate_created, passage_created = _record(
                article, form.cleaned_data, request.user
            )
    except PermissionDenied as error:
        return _errors({"__all__": [str(error) or gettext("You may not do this.")]}, 403)
    except DuplicateClaim as error:
        return JsonResponse(_existing_json(article, error.existing), status=409)
    except ValidationError as error:
        return _errors(_service_errors(error, form), 400)
    except AnchoringError as error:
        return _errors(
            {"__all__": [gettext("The passage cannot be saved: %(why)s.") % {"why": error}]}, 400
        )
    return JsonResponse(
        _recorded_json(article, claim, candidate_created, passage_created), status=201
    )
