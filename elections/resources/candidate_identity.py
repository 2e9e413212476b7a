"""How a row of the candidate sheet finds its candidate (see `elections.resources.candidates`).

By slug when the row has one (a new slug makes a new candidate, with a notice when its
name is a known candidate's in the same province); otherwise by its names among the
candidates of the same province (or of no known province) and among the new candidates
earlier rows plan. One match is the candidate; none is a new one; more than one is a
problem that names them all.
"""

from django.utils.translation import gettext


class CandidateIdentity:
    """The identity rules of CandidateResource, which keeps their state per import:
    `index` (a CandidateIndex), `row_provinces`, `by_slug_row`, `by_candidate_row`."""

    def _identify(self, item, existing, matches, provinces):
        """The candidate's id, None for a new one, or False after noting a problem."""
        row, slug = item["row"], item["slug"]
        if slug:
            first = self.by_slug_row.setdefault(slug, row.number)
            if first != row.number:
                self.report.problem(
                    row, "slug", gettext("the same slug as row %(row)s") % {"row": first}
                )
                return False
            candidate = existing.get(slug)
            if candidate is None:
                self._notice_lookalikes(item, matches, provinces)
                return self._register(item)
            if candidate.merged_into_id:
                self.report.problem(
                    row,
                    "slug",
                    gettext("%(slug)s was merged into %(into)s: use that slug")
                    % {"slug": slug, "into": candidate.merged_into.slug},
                )
                return False
            return self._claim_candidate(row, candidate.pk)
        # Rows planned earlier in this batch are in the index by now; those of the database
        # and of earlier batches were matched with the batch.
        planned = {
            ref
            for ref in self.index.matching(item["names"], item["name_zh"])
            if not isinstance(ref, int)
        }
        possible = self._in_province(matches[row.number] | planned, item["place"], provinces)
        if not possible:
            return self._register(item)
        if len(possible) > 1:
            listed = "; ".join(sorted(self._label(ref, provinces) for ref in possible))
            self.report.problem(
                row,
                "name",
                gettext(
                    "could be more than one candidate: %(listed)s; give the slug of the one "
                    "meant (or a new slug for a different person)"
                )
                % {"listed": listed},
            )
            return False
        (ref,) = possible
        if not isinstance(ref, int):
            self.report.problem(
                row, "name", gettext("the same candidate as row %(row)s") % {"row": ref[1]}
            )
            return False
        return self._claim_candidate(row, ref)

    def _register(self, item):
        """Index a row that makes a new candidate, so that later rows are matched with it."""
        ref = ("row", item["row"].number)
        label = item["name"] or item["name_zh"]
        item["keys"] = self.index.add(ref, item["names"], label, item["name_zh"])
        if item["place"]:
            self.row_provinces[ref] = {item["place"].province_id or item["place"].pk}
        return None

    def _claim_candidate(self, row, pk):
        first = self.by_candidate_row.setdefault(pk, row.number)
        if first != row.number:
            self.report.problem(
                row, "", gettext("the same candidate as row %(row)s") % {"row": first}
            )
            return False
        return pk

    def _in_province(self, refs, place, provinces):
        if not place:
            return refs
        province = place.province_id or place.pk
        return {
            ref
            for ref in refs
            if province in (provinces.get(ref) or self.row_provinces.get(ref) or {province})
        }

    def _label(self, ref, provinces):
        label = self.index.labels[ref]
        if not isinstance(ref, int):
            return gettext("%(label)s, new in row %(row)s") % {"label": label, "row": ref[1]}
        return label

    def _notice_lookalikes(self, item, matches, provinces):
        possible = self._in_province(matches[item["row"].number], item["place"], provinces)
        if possible:
            listed = "; ".join(sorted(self._label(ref, provinces) for ref in possible))
            self.report.notices.append(
                gettext(
                    "Row %(row)s: the new candidate %(slug)s has the name of %(listed)s; "
                    "check that they are different people."
                )
                % {"row": item["row"].number, "slug": item["slug"], "listed": listed}
            )
