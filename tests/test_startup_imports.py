"""What a process loads at start: not the libraries that only reading or writing a file needs
(issue 14: a worker's memory within 2× a bare Django project's).

The admin's modules are imported with the URLs, and they import the modules that read sheets,
articles and documents; those load openpyxl (and numpy with it), PyYAML, lxml and
charset_normalizer when a file is read, not at import. Each check runs in a fresh process,
this one having loaded everything already.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AT_USE = ("openpyxl", "numpy", "yaml", "lxml", "charset_normalizer")

STARTED = """\
import json, sys
import django
django.setup()
from django.urls import resolve
resolve("/")
from import_export.formats import base_formats
from tablib.formats import registry
print(json.dumps({
    "loaded": sorted(name for name in sys.argv[1:] if name in sys.modules),
    "formats": [f.__name__ for f in base_formats.DEFAULT_FORMATS],
    "binary": [f.__name__ for f in base_formats.BINARY_FORMATS],
    "xlsx": registry._formats["xlsx"],
}))
"""

# django-import-export's formats imported on their own, tablib loading each format as it checks.
EAGER = """\
import json
from import_export.formats import base_formats
print(json.dumps({
    "formats": [f.__name__ for f in base_formats.DEFAULT_FORMATS],
    "binary": [f.__name__ for f in base_formats.BINARY_FORMATS],
}))
"""


def run(code, *args):
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings.test")
    completed = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(completed.stdout.splitlines()[-1])


def test_a_started_process_with_its_urls_has_not_loaded_the_file_libraries():
    assert run(STARTED, *AT_USE)["loaded"] == []


def test_the_sheet_formats_offered_are_those_of_tablib_loading_each_format():
    started, eager = run(STARTED), run(EAGER)
    assert started["formats"] == eager["formats"]
    assert "XLSX" in started["formats"]
    assert started["binary"] == eager["binary"] == ["XLSX"]
    # tablib's registry holds the format's path again, loading it at first use as it does.
    assert started["xlsx"] == "tablib.formats._xlsx.XLSXFormat"
