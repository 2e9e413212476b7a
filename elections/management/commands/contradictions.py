"""`python manage.py contradictions [--status open|resolved|all] [--format text|json]`."""

import json

from django.core.management.base import BaseCommand

from elections.selectors import contradictions_for_report


class Command(BaseCommand):
    help = "List contradictions: candidate, property, both values, outlets and URLs, status."

    def add_arguments(self, parser):
        parser.add_argument(
            "--status", choices=["open", "resolved", "closed", "all"], default="open"
        )
        parser.add_argument(
            "--format", choices=["text", "json"], default="text", dest="output_format"
        )

    def handle(self, *args, status, output_format, **options):
        records = [
            _record(contradiction) for contradiction in contradictions_for_report(status=status)
        ]
        if output_format == "json":
            self.stdout.write(json.dumps(records, ensure_ascii=False, indent=2))
            return
        if not records:
            self.stdout.write(
                f"No {status if status != 'all' else ''} contradictions.".replace("  ", " ")
            )
            return
        for record in records:
            sides = " vs ".join(
                f"“{record[f'value_{side}']}” ({record[f'outlet_{side}']}, "
                f"{record[f'article_url_{side}'] or 'no URL'})"
                for side in "ab"
            )
            self.stdout.write(
                f"#{record['id']} [{record['status']}] {record['candidate_slug']} "
                f"({record['candidate_name']}) {record['property']}: {sides}"
            )
        self.stdout.write(f"{len(records)} contradiction{'s' if len(records) != 1 else ''}.")


def _record(contradiction):
    a, b = contradiction.claim_a, contradiction.claim_b
    return {
        "id": contradiction.pk,
        "candidate_slug": contradiction.candidate.slug,
        "candidate_name": contradiction.candidate.display_name,
        "property": contradiction.property,
        "value_a": a.value,
        "value_b": b.value,
        "outlet_a": a.article.outlet.name,
        "outlet_b": b.article.outlet.name,
        "article_url_a": a.article.url,
        "article_url_b": b.article.url,
        "status": contradiction.status,
        "verdict": contradiction.verdict,
    }
