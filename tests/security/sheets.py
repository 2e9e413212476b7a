"""Sheets full of payloads, uploaded to the admin's import, and the admin's exports.

Each function returns the (URL, POST data) of one request: an upload of a CSV sheet to a
model's import page (which answers with its preview, or with the rows it refuses), or the
export of a model's whole list with every column chosen.
"""

import csv
import io

from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse

from .payloads import PAYLOADS

CANDIDATE_SHEET = ["slug", "name", "name_zh", "aliases", "occupation", "weibo", "notes"]
CLAIM_SHEET = ["candidate", "property", "value", "article_url", "quote", "note"]
OUTLET_SHEET = ["name", "kind", "homepage", "country", "language", "notes"]


def _csv_upload(name, header, rows):
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return SimpleUploadedFile(name, out.getvalue().encode("utf-8"), content_type="text/csv")


def _upload(model, sheet):
    return reverse(f"admin:{model}_import"), {"resource": "0", "format": "0", "import_file": sheet}


def candidate_sheet(world):
    """New candidates named after the payloads (each with a slug of its own, so that every
    row is previewed as new rather than refused as the same person as another)."""
    rows = [
        [
            f"sheet-{n}",
            f"{p.text} (sheet)",
            "",
            f"{p.text} sheet alias",
            p.text,
            p.text[:150],
            p.text,
        ]
        for n, p in enumerate(PAYLOADS, start=1)
    ]
    return _upload("elections_candidate", _csv_upload("candidates.csv", CANDIDATE_SHEET, rows))


def refused_candidate_sheet(world):
    """Payloads where a gender belongs: every row refused, and shown with why."""
    rows = [[p.text, p.text, "", "", "", ""] for p in PAYLOADS]
    header = ["name", "gender", "birth_year", "province", "status", "notes"]
    return _upload("elections_candidate", _csv_upload("refused.csv", header, rows))


def claim_sheet(world):
    """A claim per payload, quoting the payload's passage in its own article."""
    rows = []
    for payload in PAYLOADS:
        subject = world.subjects[payload.name]
        rows.append(
            [
                subject.candidate.slug,
                "employer",
                payload.text,
                subject.article.url,
                subject.passage.exact,
                payload.text,
            ]
        )
    return _upload("elections_claim", _csv_upload("claims.csv", CLAIM_SHEET, rows))


def export(world, model):
    """The admin's export of `model`'s whole list as CSV, every column chosen."""
    request = RequestFactory().get("/")
    request.user = world.admin
    model_admin = admin.site._registry[model]
    form = model_admin.get_export_form_class()(
        model_admin.get_export_formats(), model_admin.get_export_resource_classes(request)
    )
    columns = {
        name: "on" for name in form.fields if name not in ("format", "resource", "export_items")
    }
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_export")
    return url, {"resource": "0", "format": "0", **columns}


def outlet_sheet(world):
    """Outlets named after the payloads, with the payloads as their homepages (refused)."""
    rows = [[f"{p.text} sheet", "blog", p.text, p.text[:100], "en", p.text] for p in PAYLOADS]
    return _upload("sources_outlet", _csv_upload("outlets.csv", OUTLET_SHEET, rows))
