"""`python manage.py contradictions [--status open|resolved|all] [--format text|json]`.

One record per dispute (DESIGN.md, "Stable outsides"): its candidate, property and status, and
for each of its value groups the values as printed, the normalized value, the outlets, the
article URLs and the claim ids. `--status closed` lists the disputes that no longer hold.
"""

import json

from django.core.management.base import BaseCommand

from elections.models import Contradiction
from elections.selectors import REPORT_STATUSES, contradictions_for_report


def _distinct(values):
    return list(dict.fromkeys(value for value in values if value))


def _group_record(number, members):
    claims = [member.claim for member in members]
    judged = {member.judged for member in members if member.judged}
    return {
        "group": number,
        "printed": _distinct(claim.value for claim in claims),
        "normalized": claims[0].value_key,
        "outlets": _distinct(claim.article.outlet.name for claim in claims),
        "article_urls": _distinct(claim.article.url for claim in claims),
        "claim_ids": [claim.pk for claim in claims],
        # What the verdict found of the version: "right", "wrong", or "" when none judged it.
        "judged": judged.pop() if len(judged) == 1 else "",
        "new": any(member.new for member in members),
    }


def dispute_record(dispute: Contradiction) -> dict:
    """The report's record of `dispute`, whose members are prefetched in group order."""
    groups: dict[int, list] = {}
    for member in dispute.members.all():
        groups.setdefault(member.group, []).append(member)
    return {
        "id": dispute.pk,
        "candidate_slug": dispute.candidate.slug,
        "candidate_name": dispute.candidate.display_name,
        "property": dispute.property,
        "on_date": dispute.on_date,
        "question": dispute.question,
        "status": dispute.status,
        "reopened": dispute.is_reopened,
        "origin": dispute.origin,
        "verdict": dispute.verdict,
        "verdict_note": dispute.verdict_note,
        "values": [_group_record(number, groups[number]) for number in sorted(groups)],
    }


def _text(record: dict) -> list[str]:
    state = record["status"] + (", reopened" if record["reopened"] else "")
    on_date = f" on {record['on_date']}" if record["on_date"] else ""
    count = len(record["values"])
    lines = [
        f"#{record['id']} [{state}] {record['candidate_slug']} ({record['candidate_name']}) "
        f"{record['property']}{on_date}: {count} version{'s' if count != 1 else ''}"
    ]
    for value in record["values"]:
        printed = " / ".join(f"“{text}”" for text in value["printed"])
        marks = [f"found {value['judged']}"] if value["judged"] else []
        if value["new"]:
            marks.append("new")
        mark = f" [{', '.join(marks)}]" if marks else ""
        lines.append(f"  {value['group']}. {printed}: {', '.join(value['outlets'])}{mark}")
        lines.append(f"     {', '.join(value['article_urls']) or 'no URL'}")
    if record["verdict"]:
        verdict = Contradiction.Verdict(record["verdict"]).label
        previous = "previous verdict" if record["reopened"] else "verdict"
        lines.append(f"  {previous}: {verdict}: {record['verdict_note']}")
    return lines


class Command(BaseCommand):
    help = (
        "List disputes, one record each: candidate, property, status, and every version "
        "with its outlets, article URLs and claims."
    )

    def add_arguments(self, parser):
        parser.add_argument("--status", choices=REPORT_STATUSES, default="open")
        parser.add_argument(
            "--format", choices=["text", "json"], default="text", dest="output_format"
        )

    def handle(self, *args, status, output_format, **options):
        records = [dispute_record(dispute) for dispute in contradictions_for_report(status=status)]
        if output_format == "json":
            self.stdout.write(json.dumps(records, ensure_ascii=False, indent=2))
            return
        if not records:
            self.stdout.write("No disputes." if status == "all" else f"No {status} disputes.")
            return
        for record in records:
            self.stdout.write("\n".join(_text(record)))
        self.stdout.write(f"{len(records)} dispute{'s' if len(records) != 1 else ''}.")
