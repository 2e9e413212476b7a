"""Every candidate's search text made again, to hold the Wade–Giles key of its Chinese names
(elections.names.wade_giles_of), so that the public search and the reconciliation service
find "Hsu Chih-yung" as they find "Xu Zhiyong"."""

from django.db import migrations

BATCH = 1000


def refresh_search_text(apps, schema_editor):
    from elections.names import search_text

    Candidate = apps.get_model("elections", "Candidate")
    CandidateName = apps.get_model("elections", "CandidateName")
    last = 0
    while True:
        batch = list(
            Candidate.objects.filter(pk__gt=last)
            .order_by("pk")
            .only("pk", "display_name", "name_zh", "search_text")[:BATCH]
        )
        if not batch:
            return
        last = batch[-1].pk
        forms = {}
        for candidate_id, name in CandidateName.objects.filter(
            candidate_id__in=[candidate.pk for candidate in batch]
        ).values_list("candidate_id", "name"):
            forms.setdefault(candidate_id, []).append(name)
        changed = []
        for candidate in batch:
            names = [candidate.display_name, candidate.name_zh, *forms.get(candidate.pk, [])]
            text = search_text(name for name in names if name)
            if text != candidate.search_text:
                candidate.search_text = text
                changed.append(candidate)
        Candidate.objects.bulk_update(changed, ["search_text"], batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [("elections", "0017_wikidata")]

    operations = [migrations.RunPython(refresh_search_text, migrations.RunPython.noop)]
