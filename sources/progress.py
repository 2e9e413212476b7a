"""How far a long import has got, told to whoever listens: a task's progress bar.

The sheet resources report each batch of rows they have checked (`"checked"`), and the bulk
services each batch they have written (`"written"`), with `report`. Nothing listens but a
task that imports a sheet (`sources.tasks.sheet_confirm`, `sheet_preview`), which counts
both on its run's bar (`listening`): a big import spends as long writing as checking, and
its bar moves through both. Elsewhere a report costs a context-variable lookup.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager

Listener = Callable[[str, int], None]

_listener: contextvars.ContextVar[Listener | None] = contextvars.ContextVar(
    "sourcebook_progress_listener", default=None
)


def report(phase: str, count: int) -> None:
    """Say that `count` more rows went through `phase` ("checked" or "written")."""
    listener = _listener.get()
    if listener is not None and count:
        listener(phase, count)


@contextmanager
def listening(listener: Listener) -> Iterator[None]:
    """Call `listener(phase, count)` for each report made in this context."""
    token = _listener.set(listener)
    try:
        yield
    finally:
        _listener.reset(token)
