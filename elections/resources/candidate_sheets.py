"""The candidate sheet as exported: names, the place and status of the candidacy of the
cycle, and the occupations the candidate's standing claims give."""

from elections.models import Candidacy, CandidateName, Claim
from elections.services.bulk import CYCLE


class CandidateExport:
    """CandidateResource's export, in a few queries per 1,000 candidates."""

    def export_records(self, queryset):
        """Each candidate with its other names, the place and status of its candidacy of the
        cycle, and the occupations its standing claims give (a few queries per 1,000)."""
        candidates = queryset.order_by("display_name", "pk")
        for chunk in _chunks(candidates.iterator(chunk_size=1000), 1000):
            ids = [candidate.pk for candidate in chunk]
            names, occupations, runs = {}, {}, {}
            for candidate_id, name in (
                CandidateName.objects.filter(candidate_id__in=ids)
                .order_by("candidate_id", "name")
                .values_list("candidate_id", "name")
            ):
                names.setdefault(candidate_id, []).append(name)
            for candidate_id, value in (
                Claim.objects.filter(candidate_id__in=ids, property="occupation", overruled=False)
                .exclude(state=Claim.State.REJECTED)
                .order_by("candidate_id", "id")
                .values_list("candidate_id", "value")
            ):
                occupations.setdefault(candidate_id, []).append(value)
            for candidacy in (
                Candidacy.objects.filter(candidate_id__in=ids, election__cycle=CYCLE)
                .select_related(
                    "election__place__province",
                    "election__place__city",
                    "election__place__parent",
                )
                .order_by("candidate_id", "pk")
            ):
                runs.setdefault(candidacy.candidate_id, candidacy)
            for candidate in chunk:
                yield self._record(candidate, names, occupations, runs.get(candidate.pk))

    def _record(self, candidate, names, occupations, candidacy):
        shown = {candidate.display_name, candidate.name_zh}
        record = {
            "slug": candidate.slug,
            "name": candidate.display_name,
            "name_zh": candidate.name_zh,
            "aliases": "; ".join(n for n in names.get(candidate.pk, []) if n not in shown),
            "gender": candidate.gender,
            "birth_year": candidate.birth_year,
            "occupation": "; ".join(dict.fromkeys(occupations.get(candidate.pk, []))),
            "weibo": candidate.weibo,
            "notes": candidate.notes,
        }
        if candidacy is not None:
            record.update(place_columns(candidacy.election.place))
            record["status"] = candidacy.status
        return record


def place_columns(place):
    """The province, city, district and township columns that name `place`."""
    columns = {}
    if place.province is not None:
        columns["province"] = place.province.name
    if place.city is not None:
        columns["city"] = place.city.name
    if place.level == "county":
        columns["district"] = place.name
    elif place.level == "township":
        columns["township"] = place.name
        if place.parent is not None:
            columns["district"] = place.parent.name
    return columns


def _chunks(iterable, size):
    chunk = []
    for item in iterable:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
