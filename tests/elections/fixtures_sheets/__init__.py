"""Sheets for the import tests, written by the tests themselves, and what they check with.

`csv_bytes` and `xlsx_bytes` make a sheet from rows of cells, in the encodings and formats
importers really send; `import_sheet` reads one as the `import` command does and runs it
through a resource; `database_dump` lists every row of every table of both apps (history
included), to show that a refused import left the database exactly as it was.
"""

import csv
import io

from django.apps import apps

from elections.models import Place
from sources.audit import system_user
from sources.sheets import read_sheet
from tests.factories import make_place

CANDIDATE_HEADER = [
    "slug",
    "name",
    "name_zh",
    "aliases",
    "gender",
    "birth_year",
    "province",
    "city",
    "district",
    "occupation",
    "weibo",
    "status",
    "notes",
]
CLAIM_HEADER = ["candidate", "property", "value", "article_title", "quote", "as_of", "note"]


def csv_bytes(rows, *, encoding="utf-8", bom=False):
    """The rows as CSV in `encoding`, with a UTF-8 byte-order mark when `bom`."""
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    data = out.getvalue().encode(encoding)
    return b"\xef\xbb\xbf" + data if bom else data


def xlsx_bytes(rows):
    """The rows as the first sheet of an XLSX workbook."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def import_sheet(resource_class, data, *, name="sheet.csv", user=None, dry_run=False, **options):
    """Read `data` as the import command does and import it through `resource_class`, as
    `user` or, like the command without `--as`, as the system account."""
    dataset = read_sheet(data, name=name, encoding=options.pop("encoding", None))
    return resource_class().import_data(
        dataset, dry_run=dry_run, user=user or system_user(), **options
    )


def problems(result):
    """Every (row, column, reason) of a result, for assertions."""
    return result.problems()


def database_dump():
    """Every row of every table of the sources and elections apps, history included."""
    dump = {}
    for label in ("sources", "elections"):
        for model in apps.get_app_config(label).get_models():
            dump[model._meta.label] = list(model.objects.order_by("pk").values_list())
    return dump


def make_places():
    """Provinces and cities the candidate sheets name, with Beijing as a municipality."""
    places = {}
    for province, province_zh, code, cities in (
        ("Zhejiang", "浙江省", "330000", [("Hangzhou", "杭州市", "330100")]),
        ("Jiangxi", "江西省", "360000", [("Xinyu", "新余市", "360500")]),
        ("Sichuan", "四川省", "510000", [("Chengdu", "成都市", "510100")]),
        ("Jiangsu", "江苏省", "320000", [("Changzhou", "常州市", "320400")]),
    ):
        places[province] = make_place(province, province_zh, level=Place.Level.PROVINCE, code=code)
        for city, city_zh, city_code in cities:
            places[city] = make_place(
                city, city_zh, level=Place.Level.CITY, parent=places[province], code=city_code
            )
    beijing = make_place("Beijing", "北京市", level=Place.Level.PROVINCE, code="110000")
    beijing.city = beijing
    beijing.save(update_fields=["city"])
    places["Beijing"] = beijing
    places["Haidian"] = make_place(
        "Haidian", "海淀区", level=Place.Level.COUNTY, parent=beijing, code="110108"
    )
    return places
