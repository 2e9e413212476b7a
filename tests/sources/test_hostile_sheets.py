"""Sheets from hostile hands: bombs, millions of rows, gaps of blank rows, encodings.

Each bad file of issue 11 is built here, byte by byte where a spreadsheet library would not
write it, and read the way the `import` command and the admin read it (`read_sheet`). The
ones that once took gigabytes are read in a child process that reports its peak resident
memory, which must stay under the bound the README states (`MEMORY_BOUND`): one child reads
them all, so the fast loop pays for one Python start. The files at the caps' very edge,
which take seconds to build and read, are marked `security_matrix` and run in that leg.
"""

import csv
import io
import json
import os
import re
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from sources.audit import system_user
from sources.models import Outlet
from sources.resources import OutletResource
from sources.sheets import IMPORT_FORMATS, SheetError, read_sheet
from sources.sheets.encodings import CANDIDATES
from tests.elections.fixtures_sheets import csv_bytes
from tests.factories import make_user

ROOT = Path(__file__).resolve().parents[2]
MB = 1024 * 1024
# The README's bound on a process reading any sheet up to the caps (peak resident memory,
# the interpreter and Django included).
MEMORY_BOUND = 768 * MB
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHEET_HEAD = f'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="{MAIN}"><sheetData>'
SHEET_TAIL = "</sheetData></worksheet>"
RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
PACKAGE = "http://schemas.openxmlformats.org/package/2006/content-types"
RELATIONSHIPS_TYPE = "application/vnd.openxmlformats-package.relationships+xml"


# Writing workbooks by hand -------------------------------------------------------------


class Member:
    """A ZIP member: its name, its deflated bytes, and the checksum and size of its content."""

    def __init__(self, name, chunks=None, *, level=1, deflated=None, crc=0, size=0):
        self.name = name
        if deflated is None:
            compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
            parts = []
            for chunk in chunks:
                chunk = chunk.encode() if isinstance(chunk, str) else chunk
                crc, size = zlib.crc32(chunk, crc), size + len(chunk)
                parts.append(compressor.compress(chunk))
            parts.append(compressor.flush())
            deflated = b"".join(parts)
        self.deflated, self.crc, self.size = deflated, crc, size

    @classmethod
    def repeated(cls, name, head, block, times, tail):
        """`head`, then `block` `times` times, then `tail`, compressed without compressing
        the repetitions one by one: a full flush resets the compressor, so every repetition
        of the block deflates to the same bytes."""
        head, block, tail = (
            part.encode() if isinstance(part, str) else part for part in (head, block, tail)
        )
        compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
        start = compressor.compress(head) + compressor.flush(zlib.Z_FULL_FLUSH)
        once = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
        assert compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH) == once
        end = compressor.compress(tail) + compressor.flush()
        crc = zlib.crc32(head)
        for _ in range(times):
            crc = zlib.crc32(block, crc)
        crc = zlib.crc32(tail, crc)
        deflated = start + once * times + end
        return cls(
            name, deflated=deflated, crc=crc, size=len(head) + len(block) * times + len(tail)
        )


def zip_bytes(members):
    """A ZIP of deflated `members`, written as any ZIP program writes one."""
    out = io.BytesIO()
    directory = []
    for member in members:
        name, offset = member.name.encode(), out.tell()
        sizes = (member.crc, len(member.deflated), member.size, len(name))
        out.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0x21, *sizes, 0))
        out.write(name)
        out.write(member.deflated)
        entry = struct.pack(
            "<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, 0x21, *sizes, 0, 0, 0, 0, 0, offset
        )
        directory.append(entry + name)
    start = out.tell()
    listing = b"".join(directory)
    out.write(listing)
    out.write(
        struct.pack(
            "<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members), len(listing), start, 0
        )
    )
    return out.getvalue()


def workbook(sheet, strings=None):
    """An XLSX whose first sheet is the Member `sheet` and shared strings the Member
    `strings`, with the few other parts a spreadsheet program needs."""
    overrides = [
        ("/xl/workbook.xml", f"{TYPE}.sheet.main+xml"),
        ("/xl/worksheets/sheet1.xml", f"{TYPE}.worksheet+xml"),
    ]
    if strings is not None:
        overrides.append(("/xl/sharedStrings.xml", f"{TYPE}.sharedStrings+xml"))
    types = "".join(
        f'<Override PartName="{part}" ContentType="{kind}"/>' for part, kind in overrides
    )
    parts = [
        Member(
            "[Content_Types].xml",
            [
                f'<Types xmlns="{PACKAGE}">'
                f'<Default Extension="rels" ContentType="{RELATIONSHIPS_TYPE}"/>'
                f'<Default Extension="xml" ContentType="application/xml"/>{types}</Types>'
            ],
        ),
        Member(
            "_rels/.rels",
            [
                f'<Relationships xmlns="{RELATIONSHIPS}"><Relationship Id="rId1" '
                f'Type="{OFFICE}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
            ],
        ),
        Member(
            "xl/workbook.xml",
            [
                f'<workbook xmlns="{MAIN}" xmlns:r="{OFFICE}"><sheets>'
                '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
            ],
        ),
        Member(
            "xl/_rels/workbook.xml.rels",
            [
                f'<Relationships xmlns="{RELATIONSHIPS}"><Relationship Id="rId1" '
                f'Type="{OFFICE}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
            ],
        ),
        sheet,
    ]
    if strings is not None:
        parts.append(strings)
    return zip_bytes(parts)


def letters(column):
    name = ""
    while column:
        column, rest = divmod(column - 1, 26)
        name = chr(65 + rest) + name
    return name


def row_xml(number, values):
    cells = "".join(
        f'<c r="{letters(column)}{number}" t="inlineStr"><is><t>{value}</t></is></c>'
        for column, value in enumerate(values, start=1)
        if value != ""
    )
    return f'<row r="{number}">{cells}</row>'


def sheet_member(rows):
    """The Member of a sheet holding `rows`, (row number, values) pairs."""
    return Member(
        "xl/worksheets/sheet1.xml",
        [SHEET_HEAD, *(row_xml(number, values) for number, values in rows), SHEET_TAIL],
    )


# The bad files of issue 11 -------------------------------------------------------------

OUTLETS = [["name", "kind", "country"], ["Harbour Daily", "newspaper", ""]]


def huge_cell():
    """1.5 MB: one cell of 1.5 GB of text (the command went to 3.25 GB, the admin to 7.6)."""
    head = SHEET_HEAD + row_xml(1, ["name"]) + '<row r="2"><c r="A2" t="inlineStr"><is><t>'
    sheet = Member.repeated(
        "xl/worksheets/sheet1.xml", head, b"a" * MB, 1500, "</t></is></c></row>" + SHEET_TAIL
    )
    return workbook(sheet)


def shared_strings_bomb():
    """6 MB: a shared-strings table of 4,000 MB of empty strings (one of 5.2 MB ran out of a
    6 GB limit; the ZIP format without its 64-bit extension stops at 4 GB)."""
    strings = Member.repeated(
        "xl/sharedStrings.xml",
        f'<?xml version="1.0" encoding="UTF-8"?>\n<sst xmlns="{MAIN}">',
        b"<si/>" * (MB // 5),
        4000,
        "</sst>",
    )
    sheet = Member(
        "xl/worksheets/sheet1.xml",
        [SHEET_HEAD, '<row r="1"><c r="A1" t="s"><v>0</v></c></row>', SHEET_TAIL],
    )
    return workbook(sheet, strings)


def three_million_rows(count=3_000_000):
    """A sheet of `count` numbered rows of one number each (14 MB: one of 15 MB ran out of
    6 GB)."""

    def rows():
        yield SHEET_HEAD + row_xml(1, ["name"])
        for start in range(2, count + 1, 10_000):
            stop = min(start + 10_000, count + 1)
            yield "".join(f'<row r="{n}"><c><v>{n}</v></c></row>' for n in range(start, stop))
        yield SHEET_TAIL

    return workbook(Member("xl/worksheets/sheet1.xml", rows(), level=6))


def gap_of_blank_rows(blank=1000):
    """An outlet in row 2 and, after `blank` empty rows (saved as rows, as Excel does for
    formatted ones), two more: the reading once stopped at the gap and reported "1 new"."""
    rows = [(1, OUTLETS[0]), (2, ["Harbour Daily", "newspaper", ""])]
    empty = "".join(f'<row r="{n}" s="1" customFormat="1" ht="15"/>' for n in range(3, 3 + blank))
    after = [
        (3 + blank, ["Lakeside Courier", "online", ""]),
        (4 + blank, ["Ridge Post", "blog", ""]),
    ]
    sheet = Member(
        "xl/worksheets/sheet1.xml",
        [
            SHEET_HEAD,
            *(row_xml(n, v) for n, v in rows),
            empty,
            *(row_xml(n, v) for n, v in after),
            SHEET_TAIL,
        ],
    )
    return workbook(sheet)


def formatted_rows_to_the_end():
    """A sheet as LibreOffice saves a formatted one: every one of its 1,048,576 rows present,
    each with its format, and a value in the very last (openpyxl kept a dictionary per
    formatted row, and reading once stopped 1,000 empty rows after the data)."""

    def rows():
        yield SHEET_HEAD + row_xml(1, OUTLETS[0]) + row_xml(2, OUTLETS[1])
        for start in range(3, 1_048_576, 50_000):
            stop = min(start + 50_000, 1_048_576)
            yield "".join(
                f'<row r="{n}" s="1" customFormat="true" ht="12.8" customHeight="false"/>'
                for n in range(start, stop)
            )
        yield row_xml(1_048_576, ["Far Below Gazette", "online", ""]) + SHEET_TAIL

    return workbook(Member("xl/worksheets/sheet1.xml", rows(), level=6))


JAPANESE = [
    ["name", "kind", "country"],
    ["山田太郎新聞", "newspaper", "日本"],
    ["佐藤花子", "blog", "東京都"],
]
TAIWANESE = [
    ["name", "kind", "country"],
    ["陳建仁日報", "newspaper", "臺灣"],
    ["林佳龍", "blog", "臺北市"],
]
WESTERN = [
    ["name", "kind", "country"],
    ["Zoë Müller", "blog", "Österreich"],
    ["José Peña", "online", "España"],
]
CHINESE = [
    ["name", "kind", "country"],
    ["示例新闻", "online", "中国"],
    ["张伟", "blog", "杭州"],
    ["王芳", "newspaper", "北京"],
    ["刘萍", "blog", "新余"],
]
# Each bad file, and what reading it must give: a refusal matching a pattern, or every row.
BAD_FILES = {
    "huge-cell.xlsx": (
        huge_cell,
        r"sheet1.xml is 1500.0 MB uncompressed, more than the 256.0 MB an import reads",
    ),
    "shared-strings-bomb.xlsx": (
        shared_strings_bomb,
        r"sharedStrings.xml is 4000.0 MB uncompressed, more than the 256.0 MB",
    ),
    "three-million-rows.xlsx": (
        three_million_rows,
        r"more than the 300,000 rows an import reads .*row 300,002 is the first beyond it",
    ),
    "gap-of-blank-rows.xlsx": (
        gap_of_blank_rows,
        [
            ["Harbour Daily", "newspaper", ""],
            ["Lakeside Courier", "online", ""],
            ["Ridge Post", "blog", ""],
        ],
    ),
    "formatted-to-the-end.xlsx": (
        formatted_rows_to_the_end,
        [["Harbour Daily", "newspaper", ""], ["Far Below Gazette", "online", ""]],
    ),
    "shift-jis.csv": (lambda: csv_bytes(JAPANESE, encoding="shift_jis"), JAPANESE[1:]),
    "big5.csv": (lambda: csv_bytes(TAIWANESE, encoding="big5"), TAIWANESE[1:]),
    "latin-1.csv": (lambda: csv_bytes(WESTERN, encoding="latin-1"), WESTERN[1:]),
}


# Reading in a child process --------------------------------------------------------------

CHILD = """
import json, resource, sys
import django
django.setup()
from sources.sheets import SheetError, read_sheet_file
# A ceiling on the child's address space: a regression fails here (MemoryError) rather than
# taking the machine's memory.
ceiling = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_AS, (ceiling, ceiling))
for path in sys.argv[2:]:
    try:
        sheet = read_sheet_file(path)
        outcome = {"rows": [list(row) for row in sheet[:5]], "count": len(sheet)}
        del sheet
    except SheetError as error:
        outcome = {"refused": str(error)}
    except MemoryError:
        outcome = {"refused": "MemoryError"}
    outcome["peak"] = peak()
    print(json.dumps({"path": path, **outcome}), flush=True)
"""
# The child's own peak: Linux keeps ru_maxrss across exec, so a child of a big test process
# would report its parent's size; VmHWM belongs to the new program alone.
CHILD = CHILD.replace(
    "for path in sys.argv[2:]:",
    """def peak():
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
for path in sys.argv[2:]:""",
)


def read_in_child(paths):
    """Each file read by `read_sheet_file` in one child process, in turn: {file name:
    {"refused": message} or {"rows": the first five, "count"}, with "peak", the child's
    peak resident memory so far (so at least the peak while reading that file)}."""
    completed = subprocess.run(
        [sys.executable, "-c", CHILD, str(4 * MEMORY_BOUND), *map(str, paths)],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    outcomes = [json.loads(line) for line in completed.stdout.splitlines()]
    return {Path(outcome.pop("path")).name: outcome for outcome in outcomes}


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bad")
    sizes = {}
    for name, (build, _expected) in BAD_FILES.items():
        data = build()
        (folder / name).write_bytes(data)
        sizes[name] = len(data)
    return sizes, read_in_child([folder / name for name in BAD_FILES])


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_each_bad_file_is_refused_clearly_or_read_whole_under_the_memory_bound(bad_files, name):
    sizes, outcomes = bad_files
    expected, outcome = BAD_FILES[name][1], outcomes[name]

    # Under the upload cap: the size of the file alone never stops them.
    assert sizes[name] < 20 * MB
    assert outcome["peak"] < MEMORY_BOUND, f"{outcome['peak'] / MB:.0f} MB"
    if isinstance(expected, str):
        assert re.search(expected, outcome.get("refused", "")), outcome
    else:
        assert outcome.get("rows") == expected, outcome


def test_the_bad_files_are_those_of_the_issue(bad_files):
    sizes = {name: size / MB for name, size in bad_files[0].items()}

    assert 1.4 < sizes["huge-cell.xlsx"] < 1.7
    assert sizes["shared-strings-bomb.xlsx"] < 8
    assert 10 < sizes["three-million-rows.xlsx"] < 20


# The worst files within the caps, read whole: what the memory bound is for. Each takes
# from seconds to a minute to build and read, so they run in the security matrix's leg.

CJK = [chr(code) for code in range(0x4E00, 0x4E00 + 2000)]


def narrowest_cells_csv(rows=300_000, width=13):
    """The most cells the caps let a CSV hold (3.9 million), each one character: a Chinese
    character takes more memory than any ASCII text a CSV could hold in as many bytes."""
    lines = [",".join(f"h{column}" for column in range(width))]
    lines += [
        ",".join(CJK[(row * width + column) % 2000] for column in range(width))
        for row in range(rows)
    ]
    return "\n".join(lines).encode()


def narrowest_cells_xlsx(rows=300_000, width=13):
    """The same cells in a workbook, each an inline string (a new text object per cell)."""

    def chunks():
        yield SHEET_HEAD + row_xml(1, [f"h{column}" for column in range(width)])
        for start in range(2, rows + 2, 2000):
            yield "".join(
                f'<row r="{row}">'
                + "".join(
                    f'<c t="inlineStr"><is><t>{CJK[(row * width + column) % 2000]}</t></is></c>'
                    for column in range(width)
                )
                + "</row>"
                for row in range(start, min(rows + 2, start + 2000))
            )
        yield SHEET_TAIL

    return workbook(Member("xl/worksheets/sheet1.xml", chunks(), level=6))


def most_shared_strings(count=4_000_001):
    """A shared-strings table of more distinct strings than the cells cap, under the other
    caps: read up to the cap, then refused."""

    def chunks():
        yield f'<?xml version="1.0" encoding="UTF-8"?>\n<sst xmlns="{MAIN}">'
        for start in range(0, count, 10_000):
            yield "".join(
                f"<si><t>{n:x}</t></si>" for n in range(start, min(count, start + 10_000))
            )
        yield "</sst>"

    sheet = Member(
        "xl/worksheets/sheet1.xml",
        [SHEET_HEAD, '<row r="1"><c r="A1" t="s"><v>0</v></c></row>', SHEET_TAIL],
    )
    return workbook(sheet, Member("xl/sharedStrings.xml", chunks(), level=6))


@pytest.mark.security_matrix
def test_the_worst_files_within_the_caps_stay_under_the_memory_bound(tmp_path):
    files = {
        "cells.csv": narrowest_cells_csv(),
        "cells.xlsx": narrowest_cells_xlsx(),
        "strings.xlsx": most_shared_strings(),
    }
    for name, data in files.items():
        assert len(data) < 20 * MB
        (tmp_path / name).write_bytes(data)

    outcomes = read_in_child([tmp_path / name for name in files])

    assert outcomes["cells.csv"]["count"] == outcomes["cells.xlsx"]["count"] == 300_000
    assert "more than the 4,000,000 cells" in outcomes["strings.xlsx"]["refused"]
    peaks = {name: outcome["peak"] / MB for name, outcome in outcomes.items()}
    assert max(peaks.values()) < MEMORY_BOUND / MB, peaks


# The ZIP, checked before anything is decompressed ------------------------------------------


def test_a_member_that_expands_too_many_times_is_refused():
    sheet = Member.repeated("xl/worksheets/sheet1.xml", SHEET_HEAD, b" " * MB, 50, SHEET_TAIL)

    with pytest.raises(
        SheetError, match=r"sheet1.xml expands [0-9,]+ times when uncompressed \(50.0 MB\)"
    ):
        read_sheet(workbook(sheet), name="bomb.xlsx")


def test_each_member_and_their_total_uncompressed_size_are_capped(settings):
    settings.SOURCEBOOK_IMPORT_MAX_UNCOMPRESSED = 64 * 1024
    rows = [(n, [f"Outlet {n}", "blog", "somewhere"]) for n in range(1, 2000)]
    strings = Member(
        "xl/sharedStrings.xml", [f'<sst xmlns="{MAIN}">', "<si><t>x</t></si>" * 2000, "</sst>"]
    )

    with pytest.raises(
        SheetError, match=r"sheet1.xml is 356 KB uncompressed, more than the 64 KB an import reads"
    ):
        read_sheet(workbook(sheet_member(rows)), name="big.xlsx")
    # About 34 KB of strings, and 34 KB of sheet.
    with pytest.raises(SheetError, match=r"big.xlsx: is more than 64 KB uncompressed"):
        read_sheet(workbook(sheet_member(rows[:190]), strings), name="big.xlsx")


def test_a_zip_listing_thousands_of_members_is_refused_before_they_are_listed():
    members = [Member(f"xl/media/{n:08d}-{'x' * 60}.bin", [b""]) for n in range(12_000)]
    data = zip_bytes([*members, Member("xl/worksheets/sheet1.xml", [SHEET_HEAD, SHEET_TAIL])])

    with pytest.raises(SheetError, match=r"its ZIP lists 1.\d MB of members"):
        read_sheet(data, name="many.xlsx")


def test_a_part_openpyxl_reads_whole_is_small():
    noise = os.urandom(3 * MB).hex()
    styles = Member("xl/styles.xml", [f'<styleSheet xmlns="{MAIN}"><!-- {noise} --></styleSheet>'])
    data = workbook(sheet_member([(1, OUTLETS[0])]))
    data = zip_bytes([*_members(data), styles])

    with pytest.raises(
        SheetError, match=r"its part xl/styles.xml is 6.0 MB uncompressed, more than the 4.0 MB"
    ):
        read_sheet(data, name="styled.xlsx")


def _members(data):
    """The Members of the ZIP `data`, recompressed."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [Member(name, [archive.read(name)]) for name in archive.namelist()]


# Streaming: each cap met as soon as it is passed ------------------------------------------


def _truncated_after(rows):
    """A sheet of `rows` followed by XML cut off mid-tag: a reader that went on would fail
    on it, one that stopped at a cap never sees it."""
    return workbook(
        Member(
            "xl/worksheets/sheet1.xml", [SHEET_HEAD, *(row_xml(n, v) for n, v in rows), "<row r="]
        )
    )


def test_the_row_cap_stops_the_reading_at_the_first_row_beyond_it(settings):
    settings.SOURCEBOOK_IMPORT_MAX_ROWS = 3
    rows = [(1, OUTLETS[0]), *((n, [f"Outlet {n}", "blog", ""]) for n in range(2, 6))]

    with pytest.raises(
        SheetError,
        match=r"more than the 3 rows an import reads \(SOURCEBOOK_IMPORT_MAX_ROWS; row 5 is",
    ):
        read_sheet(_truncated_after(rows), name="outlets.xlsx")
    with pytest.raises(SheetError, match=r"row 5 is the first beyond it"):
        read_sheet(csv_bytes([v for _, v in rows]), name="outlets.csv")


def test_the_cells_cap_counts_rows_times_columns_and_shared_strings(settings):
    settings.SOURCEBOOK_IMPORT_MAX_CELLS = 10
    rows = [(1, OUTLETS[0]), *((n, [f"Outlet {n}", "", ""]) for n in range(2, 6))]

    # Three columns: row 4 makes nine cells, row 5 twelve.
    with pytest.raises(SheetError, match=r"more than the 10 cells .* passed at row 5"):
        read_sheet(_truncated_after(rows), name="outlets.xlsx")
    strings = Member(
        "xl/sharedStrings.xml",
        [f'<sst xmlns="{MAIN}">', "<si><t>x</t></si>" * 8, "</sst>"],
    )
    # Eight shared strings and three cells of the header's width make eleven at row 2.
    with pytest.raises(SheetError, match=r"more than the 10 cells .* passed at row 2"):
        read_sheet(workbook(sheet_member(rows[:2]), strings), name="outlets.xlsx")


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "shared string"])
def test_a_cell_over_the_length_cap_is_refused_naming_its_row_and_column(settings, fmt):
    settings.SOURCEBOOK_IMPORT_MAX_CELL = 50
    rows = [OUTLETS[0], ["Harbour Daily", "newspaper", ""], ["Ridge Post", "blog", "x" * 51]]
    name = "outlets.csv" if fmt == "csv" else "outlets.xlsx"
    if fmt == "csv":
        data = csv_bytes(rows)
    elif fmt == "xlsx":
        data = workbook(sheet_member(enumerate(rows, start=1)))
    else:
        long_string = f'<sst xmlns="{MAIN}"><si><t>{"x" * 51}</t></si></sst>'
        uses_it = '<row r="3"><c r="C3" t="s"><v>0</v></c></row>'
        sheet = Member(
            "xl/worksheets/sheet1.xml",
            [SHEET_HEAD, row_xml(1, rows[0]), row_xml(2, rows[1]), uses_it, SHEET_TAIL],
        )
        data = workbook(sheet, Member("xl/sharedStrings.xml", [long_string]))

    with pytest.raises(SheetError) as refused:
        read_sheet(data, name=name)

    assert str(refused.value) == (
        f"{name}: row 3, column C: the cell holds 51 characters, more than the 50 characters "
        "a cell may hold (SOURCEBOOK_IMPORT_MAX_CELL)"
    )


def test_an_xlsx_text_too_long_to_be_a_cell_is_refused_before_it_is_parsed(settings):
    settings.SOURCEBOOK_IMPORT_MAX_CELL = 1000
    text = "".join(chr(0x4E00 + n % 2000) for n in range(40_000))
    sheet = Member(
        "xl/worksheets/sheet1.xml",
        [SHEET_HEAD, row_xml(1, OUTLETS[0]), row_xml(2, ["Harbour Daily", text]), SHEET_TAIL],
    )
    strings = Member(
        "xl/sharedStrings.xml",
        [f'<sst xmlns="{MAIN}"><si><t>a</t></si><si><t>{text}</t></si></sst>'],
    )

    with pytest.raises(
        SheetError, match=r"row 2, column B: the cell holds more than the 1,000 characters"
    ):
        read_sheet(workbook(sheet), name="long.xlsx")
    with pytest.raises(SheetError, match=r"shared string 2 holds more than the 1,000 characters"):
        read_sheet(workbook(sheet_member([(1, ["name"])]), strings), name="long.xlsx")


def test_a_csv_cell_longer_than_the_csv_module_reads_is_refused_naming_its_column():
    rows = [
        OUTLETS[0],
        ["Harbour Daily", "newspaper", ""],
        ["Ridge Post", "blog, or not", "x" * 140_000],
    ]

    # The csv module's own limit (131,072), as Python sets it: a library imported by another
    # test (frictionless) may have raised it for the whole process.
    limit = csv.field_size_limit(131_072)
    try:
        with pytest.raises(
            SheetError, match=r"row 3, column C: the cell holds more than the 100,000 characters"
        ):
            read_sheet(csv_bytes(rows), name="long.csv")
    finally:
        csv.field_size_limit(limit)


@pytest.mark.parametrize(
    ("xml", "message"),
    [
        (
            '<row r="5"><c r="A5" t="inlineStr"><is><t>a</t></is></c></row><row r="3"/>',
            "row 3 comes after row 5",
        ),
        ('<row r="1048577"/>', "holds a row 1,048,577, beyond the 1,048,576 rows of a sheet"),
        (
            '<row r="1"><c r="XFE1" t="inlineStr"><is><t>a</t></is></c></row>',
            "a cell in column XFE, beyond the 16,384 columns",
        ),
        (
            '<row r="1">' + "<c/>" * 16_385 + "</row>",
            "row 1: more than the 16,384 cells a row",
        ),
        (
            '<row r="1"><c r="A1" t="inlineStr"><is><t>'
            + "<b>" * 40
            + "</b>" * 40
            + "</t></is></c></row>",
            "row 1, column A: its XML nests deeper or holds more elements than any",
        ),
    ],
    ids=["out of order", "beyond the grid", "beyond the columns", "too many cells", "too deep"],
)
def test_rows_no_spreadsheet_program_saves_are_refused(xml, message):
    data = workbook(Member("xl/worksheets/sheet1.xml", [SHEET_HEAD, xml, SHEET_TAIL]))

    with pytest.raises(SheetError, match=message):
        read_sheet(data, name="odd.xlsx")


def test_a_document_type_is_refused_before_the_parser_sees_it():
    laughs = '<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
    head = SHEET_HEAD.replace("<worksheet", laughs + "<worksheet")
    in_utf16 = (head.replace('encoding="UTF-8"', 'encoding="UTF-16"') + SHEET_TAIL).encode("utf-16")

    with pytest.raises(SheetError, match="holds a document type, entity or CDATA section"):
        read_sheet(workbook(Member("xl/worksheets/sheet1.xml", [head, SHEET_TAIL])), name="a.xlsx")
    with pytest.raises(SheetError, match="its XML is not in UTF-8"):
        read_sheet(workbook(Member("xl/worksheets/sheet1.xml", [in_utf16])), name="b.xlsx")


def test_a_csv_numbering_rows_beyond_a_sheet_is_refused():
    data = b"name\n" + b"\n" * 1_048_576 + b"Far Below Gazette\n"

    with pytest.raises(SheetError, match=r"holds a row 1,048,577, beyond the 1,048,576 rows"):
        read_sheet(data, name="far.csv")


# Blank rows never hide the rows after them ------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_rows_after_a_gap_of_a_thousand_blank_rows_are_imported(fmt):
    if fmt == "xlsx":
        data = gap_of_blank_rows()
    else:
        data = csv_bytes(
            [
                OUTLETS[0],
                OUTLETS[1],
                *[[""] * 3] * 1000,
                ["Lakeside Courier", "online", ""],
                ["Ridge Post", "blog", ""],
            ]
        )

    dataset = read_sheet(data, name=f"outlets.{fmt}")
    result = OutletResource().import_data(dataset, user=system_user())

    assert result.totals["new"] == 3
    assert dataset.row_numbers == [2, 1003, 1004]
    assert sorted(Outlet.objects.values_list("name", flat=True)) == [
        "Harbour Daily",
        "Lakeside Courier",
        "Ridge Post",
    ]


# Encodings: decoded only when one reading is beyond doubt ----------------------------------


@pytest.mark.parametrize(
    ("rows", "encoding", "codec"),
    [
        (CHINESE, "gb18030", "gb18030"),
        (JAPANESE, "shift_jis", "cp932"),
        (JAPANESE, "euc_jp", None),
        (TAIWANESE, "big5", "cp950"),
        (WESTERN, "latin-1", "cp1252"),
        (WESTERN, "cp1252", "cp1252"),
    ],
)
def test_a_csv_is_read_in_the_one_encoding_it_reads_as_ordinary_text(rows, encoding, codec):
    data = csv_bytes(rows, encoding=encoding)

    if codec is None:
        # EUC-JP reads as common hanzi in GB18030 too: refused, never read as Chinese.
        with pytest.raises(SheetError, match=r"GB18030 .* reads .*EUC-JP .* reads “山田太郎新聞"):
            read_sheet(data, name="outlets.csv")
        return
    sheet = read_sheet(data, name="outlets.csv")

    assert (sheet.encoding, [list(row) for row in sheet]) == (codec, rows[1:])


def test_a_shift_jis_sheet_never_becomes_gb18030():
    data = csv_bytes([["name"], ["山田太郎"]], encoding="shift_jis")
    assert data.decode("gb18030").endswith("嶳揷懢榊\r\n")

    sheet = read_sheet(data, name="names.csv")

    assert list(sheet) == [("山田太郎",)]


def test_an_ambiguous_sheet_is_refused_with_each_reading_and_read_once_named():
    # Two common names in GB18030 are two common characters in Big5 too.
    data = csv_bytes([["name"], ["李明"]], encoding="gb18030")

    with pytest.raises(SheetError) as refused:
        read_sheet(data, name="names.csv")

    message = str(refused.value)
    assert "more than one encoding reads it as ordinary text" in message
    assert "GB18030 (Simplified Chinese) reads “李明”" in message
    assert f"Big5 (Traditional Chinese) reads “{data[6:].decode('cp950').strip()}”" in message
    assert "“csv (GB18030)”" in message and "--encoding gb18030" in message
    assert list(read_sheet(data, name="names.csv", encoding="gb18030")) == [("李明",)]


def test_a_sheet_in_no_encoding_tried_is_refused_asking_for_its_name():
    data = "name\nΑθήνα\n".encode("iso-8859-7")

    with pytest.raises(SheetError, match=r"reads as ordinary text in none of .*Name its encoding"):
        read_sheet(data, name="greek.csv")
    assert list(read_sheet(data, name="greek.csv", encoding="iso-8859-7")) == [("Αθήνα",)]


def test_text_with_a_byte_order_mark_is_read_in_what_the_mark_says():
    for encoding in ("utf-16", "utf-32"):
        sheet = read_sheet(csv_bytes(CHINESE, encoding=encoding), name="outlets.csv")

        assert (sheet.encoding, sheet[0]) == (encoding, tuple(CHINESE[1]))


def test_every_encoding_tried_can_be_named_in_the_admin():
    named = {
        format_class.ENCODING
        for format_class in IMPORT_FORMATS
        if hasattr(format_class, "ENCODING")
    }
    titles = {
        format_class.TITLE for format_class in IMPORT_FORMATS if hasattr(format_class, "TITLE")
    }

    assert {candidate.codec for candidate in CANDIDATES} <= named
    assert {candidate.format_title for candidate in CANDIDATES} <= titles


# The command and the admin give the same refusals ------------------------------------------


@pytest.mark.django_db
def test_the_command_refuses_an_ambiguous_sheet_and_reads_it_once_named(tmp_path):
    path = tmp_path / "outlets.csv"
    path.write_bytes(csv_bytes([["name", "kind"], ["李明", "blog"]], encoding="gb18030"))

    with pytest.raises(
        CommandError,
        match=r"nothing was imported: outlets.csv: is not UTF-8, and more than one encoding",
    ):
        call_command("import", "sources.resources.OutletResource", str(path), stdout=io.StringIO())
    call_command(
        "import",
        "sources.resources.OutletResource",
        str(path),
        "--encoding",
        "gb18030",
        stdout=io.StringIO(),
    )

    assert list(Outlet.objects.values_list("name", flat=True)) == ["李明"]


@pytest.mark.django_db
def test_the_command_refuses_a_bomb_naming_the_cap(tmp_path):
    path = tmp_path / "outlets.xlsx"
    path.write_bytes(huge_cell())

    with pytest.raises(CommandError, match=r"SOURCEBOOK_IMPORT_MAX_UNCOMPRESSED"):
        call_command("import", "sources.resources.OutletResource", str(path), stdout=io.StringIO())


@pytest.mark.django_db
def test_the_admin_shows_the_refusal_on_the_form_and_reads_the_named_encoding(client):
    client.force_login(make_user("Importers"))
    url = reverse("admin:sources_outlet_import")
    data = csv_bytes([["name", "kind"], ["李明", "blog"]], encoding="gb18030")

    def upload(format_title):
        index = next(n for n, f in enumerate(IMPORT_FORMATS) if f().get_title() == format_title)
        sheet = SimpleUploadedFile("outlets.csv", data, content_type="text/csv")
        return client.post(url, {"resource": "0", "format": str(index), "import_file": sheet})

    refused = upload("csv")
    named = upload("csv (GB18030)")

    errors = refused.context["form"].errors["import_file"]
    assert "more than one encoding reads it as ordinary text" in errors[0]
    assert "“csv (GB18030)”" in errors[0]
    assert [row.import_type for row in named.context["result"].rows] == ["new"]
    assert not Outlet.objects.exists()
