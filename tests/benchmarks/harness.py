"""What every benchmark module uses: a fresh database, timing, and reporting figures.

A benchmark module is a file `bench_*.py` in this folder with a function `run(bench)`. It
builds its data, times the work and its baseline in the same run, and calls
`bench.figure(...)` for each figure. Figures are ratios against the baseline wherever a
target is a ratio, so that they mean the same on a fast machine and a slow one.
"""

import gc
import json
import os
import time
from dataclasses import asdict, dataclass


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    target: str
    met: bool


class Bench:
    """The handle a benchmark module's `run` receives."""

    def __init__(self, scale=1.0):
        self.scale = scale
        self.figures = []

    def size(self, full):
        """`full` scaled down by --scale (for a quick try); never below 1."""
        return max(1, int(full * self.scale))

    def figure(self, name, value, unit, target, met):
        figure = Figure(name, round(float(value), 4), unit, target, bool(met))
        self.figures.append(figure)
        print(f"bench: {name}: {figure.value:g} {unit} (target: {target})", flush=True)
        return figure

    @staticmethod
    def best_of(function, repeat=3):
        """The shortest wall-clock time of `repeat` calls of `function`, in seconds."""
        best = float("inf")
        for _ in range(repeat):
            gc.collect()
            started = time.perf_counter()
            function()
            best = min(best, time.perf_counter() - started)
        return best

    @staticmethod
    def timed(function):
        """Call `function` once; return (its result, seconds taken)."""
        gc.collect()
        started = time.perf_counter()
        result = function()
        return result, time.perf_counter() - started


def write_results(figures, path="bench-results.json"):
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(
            [asdict(figure) if isinstance(figure, Figure) else figure for figure in figures],
            handle,
            indent=2,
        )
        handle.write("\n")
    return os.path.abspath(path)
