"""`python manage.py prune_static [--keep 2] [--dry-run]`: remove the static files of old releases.

Releases share STATIC_ROOT and `collectstatic` never clears it, so that during a rolling
deploy both releases' hashed files are there (`config.static`). Run after a release's servers
have all restarted: the current manifest (`staticfiles.json`) is recorded under
`.releases/`, and every file that none of the newest `--keep` recorded manifests names
(hashed or not, with its compressed copies) is removed. With the default of 2, the previous
release's files stay until the release after it.
"""

import hashlib
import json
import os
import shutil
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

MANIFEST = "staticfiles.json"
RELEASES = ".releases"
COMPRESSED = (".gz", ".br")


def _names(manifest_path):
    paths = json.loads(manifest_path.read_text(encoding="utf-8")).get("paths", {})
    return set(paths) | set(paths.values())


class Command(BaseCommand):
    help = "Remove the static files no release among the newest --keep uses."

    def add_arguments(self, parser):
        parser.add_argument("--keep", type=int, default=2, help="Releases kept (default 2).")
        parser.add_argument("--dry-run", action="store_true", help="Say what would go.")

    def handle(self, *args, keep, dry_run, **options):
        if keep < 1:
            raise CommandError("--keep must be at least 1.")
        root = Path(settings.STATIC_ROOT)
        manifest = root / MANIFEST
        if not manifest.is_file():
            raise CommandError(f"No {MANIFEST} in {root}: run collectstatic first.")
        releases = root / RELEASES
        releases.mkdir(exist_ok=True)
        digest = hashlib.sha256(manifest.read_bytes()).hexdigest()[:16]
        recorded = releases / f"{digest}.json"
        if not recorded.exists():
            shutil.copyfile(manifest, recorded)
        os.utime(recorded)  # the current release is the newest
        kept = sorted(releases.glob("*.json"), key=lambda path: path.stat().st_mtime)[-keep:]
        wanted = set().union(*(_names(path) for path in kept))
        removed = 0
        for path in sorted(root.rglob("*")):
            if not path.is_file() or path == manifest or releases in path.parents:
                continue
            name = path.relative_to(root).as_posix()
            base = next((name[: -len(end)] for end in COMPRESSED if name.endswith(end)), name)
            if base in wanted:
                continue
            removed += 1
            if dry_run:
                self.stdout.write(f"would remove {name}")
            else:
                path.unlink()
        for old in set(releases.glob("*.json")) - set(kept):
            if not dry_run:
                old.unlink()
        verb = "would remove" if dry_run else "removed"
        self.stdout.write(
            f"{len(kept)} release(s) kept in {root}; {verb} {removed} file(s) of older ones."
        )
