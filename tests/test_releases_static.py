"""Static files across releases: a server finds the next release's files added after it
started, and `prune_static` removes only the files of releases before the previous one."""

import io
import json
import os
import time

import pytest
from django.core.management import CommandError, call_command
from django.http import HttpResponse
from django.test import RequestFactory

from config.static import ReleaseStaticMiddleware


def _release(root, names, *, age):
    """Files of a release (hashed names, with a .gz copy) and its manifest."""
    paths = {}
    for name in names:
        stem, ext = name.rsplit(".", 1)
        hashed = f"{stem}.{abs(hash((name, age))) % 10**12:012x}.{ext}"
        for file in (name, hashed, f"{hashed}.gz"):
            path = root / file
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f"/* {file} */")
        paths[name] = hashed
    manifest = root / "staticfiles.json"
    manifest.write_text(json.dumps({"paths": paths, "version": "1.1"}))
    return paths


def test_a_server_serves_files_collected_after_it_started(tmp_path, settings):
    settings.STATIC_ROOT = str(tmp_path)
    settings.STATIC_URL = "/static/"
    (tmp_path / "site.old0123456789.css").write_text("old")
    middleware = ReleaseStaticMiddleware(lambda request: HttpResponse(status=404))
    # The next release's collectstatic, after this server started.
    (tmp_path / "site.new0123456789.css").write_text("new")

    old = middleware(RequestFactory().get("/static/site.old0123456789.css"))
    new = middleware(RequestFactory().get("/static/site.new0123456789.css"))
    missing = middleware(RequestFactory().get("/static/nothing.css"))
    outside = middleware(RequestFactory().get("/static/../settings.py"))

    assert (old.status_code, new.status_code) == (200, 200)
    assert b"".join(new.streaming_content) == b"new"
    assert (missing.status_code, outside.status_code) == (404, 404)


def test_prune_static_keeps_the_current_and_the_previous_release(tmp_path, settings):
    settings.STATIC_ROOT = str(tmp_path)
    first = _release(tmp_path, ["site.css", "admin/base.css", "gone.js"], age=1)
    call_command("prune_static", stdout=io.StringIO())
    second = _release(tmp_path, ["site.css", "admin/base.css"], age=2)
    os.utime(tmp_path / ".releases", None)
    time.sleep(0.01)
    call_command("prune_static", stdout=io.StringIO())
    third = _release(tmp_path, ["site.css", "admin/base.css"], age=3)
    time.sleep(0.01)
    out = io.StringIO()

    call_command("prune_static", stdout=out)

    present = {path.relative_to(tmp_path).as_posix() for path in tmp_path.rglob("*")}
    for release in (second, third):
        assert set(release.values()) <= present
        assert {f"{hashed}.gz" for hashed in release.values()} <= present
    assert not set(first.values()) & present
    assert "gone.js" not in present  # no kept release names it
    assert {"site.css", "admin/base.css", "staticfiles.json"} <= present
    assert "2 release(s) kept" in out.getvalue()


def test_prune_static_needs_a_manifest(tmp_path, settings):
    settings.STATIC_ROOT = str(tmp_path)
    with pytest.raises(CommandError, match="collectstatic"):
        call_command("prune_static")
