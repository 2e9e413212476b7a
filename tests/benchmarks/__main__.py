"""`make bench`: run every benchmark module, each in its own process and fresh database.

Usage: python -m tests.benchmarks [-k SUBSTRING] [--scale FRACTION] [--large]

Each figure prints as `bench: NAME: VALUE UNIT (target: TARGET)`; all are written to
`bench-results.json` as a list of objects with `name`, `value`, `unit`, `target`, `met`.
The databases are SQLite files in a temporary folder unless BENCH_DATABASE_URL names a
PostgreSQL database (which each module then empties and migrates afresh).
"""

import argparse
import importlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.benchmarks.harness import Bench, write_results

HERE = Path(__file__).resolve().parent


def run_module(name, scale, results_path):
    """In a child process: set up Django on a fresh database, run one module, save figures."""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    if os.environ.get("BENCH_FLUSH"):
        call_command("flush", interactive=False, verbosity=0)
    bench = Bench(scale=scale)
    module = importlib.import_module(f"tests.benchmarks.{name}")
    module.run(bench)
    Path(results_path).write_text(json.dumps([figure.__dict__ for figure in bench.figures]))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "-k", dest="select", default="", help="run only modules whose name contains this"
    )
    parser.add_argument(
        "--scale", type=float, default=1.0, help="shrink every data size by this factor"
    )
    parser.add_argument(
        "--large",
        action="store_true",
        help="the opt-in large sizes (bench_growth: 200,000 and 2,000,000 claims); the same "
        "as SOURCEBOOK_BENCH_LARGE=1",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--results", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        run_module(args.child, args.scale, args.results)
        return 0

    modules = sorted(path.stem for path in HERE.glob("bench_*.py") if args.select in path.stem)
    if not modules:
        print(f"no benchmark module matches {args.select!r}", file=sys.stderr)
        return 2
    figures, failures = [], []
    with tempfile.TemporaryDirectory(prefix="sourcebook-bench-") as folder:
        for name in modules:
            print(f"== {name}", flush=True)
            env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings.test")
            if args.large:
                env["SOURCEBOOK_BENCH_LARGE"] = "1"
            if env.get("BENCH_DATABASE_URL"):
                env["DATABASE_URL"], env["BENCH_FLUSH"] = env["BENCH_DATABASE_URL"], "1"
            else:
                env["DATABASE_URL"] = f"sqlite:///{folder}/{name}.sqlite3"
            results = Path(folder) / f"{name}.json"
            command = [
                sys.executable,
                "-m",
                "tests.benchmarks",
                "--child",
                name,
                "--scale",
                str(args.scale),
            ]
            completed = subprocess.run([*command, "--results", str(results)], env=env, check=False)
            if completed.returncode != 0 or not results.exists():
                failures.append(name)
                continue
            figures.extend(json.loads(results.read_text()))
    path = write_results(figures)
    unmet = [figure["name"] for figure in figures if not figure["met"]]
    met = len(figures) - len(unmet)
    print(f"bench: wrote {len(figures)} figures to {path}; targets met: {met}/{len(figures)}")
    if unmet:
        print("bench: targets not met: " + ", ".join(unmet))
    if failures:
        print("bench: modules that failed: " + ", ".join(failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
