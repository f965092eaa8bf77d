"""A time limit per document, so one pathological report becomes a reported failure and the
batch goes on.

``with time_limit():`` arms a real-time interval timer (``signal.setitimer`` with ``SIGALRM``);
when it fires, ``DocumentTimeout`` is raised inside the body. The default limit is
``$TRUCEWATCH_DOC_TIMEOUT`` seconds (60 when unset; 0 or less turns the limit off).

Limits of the mechanism:

- It only works in the main thread of a process (Python delivers signals there, and only the
  main thread may install a handler). Elsewhere - e.g. the batch runner's worker *threads* -
  ``time_limit`` is a no-op and the body runs unbounded. Worker *processes* run their work in
  their own main thread, so they are covered. It is also a no-op where there is no ``SIGALRM``
  (Windows).
- The exception is raised between Python bytecodes: a single long call into C code (an lxml
  parse, one spaCy Cython loop) is interrupted only when it returns to Python. The regular
  expression engine does check for signals, so catastrophic backtracking is interrupted.
- An exception raised while Python runs a garbage-collector callback or a ``__del__`` method is
  printed ("Exception ignored in ...") and dropped; the alarm therefore repeats every 0.25 s
  after the deadline until the DocumentTimeout reaches the body.
- Limits nest: an inner limit never outlives an outer one, and the outer timer is re-armed with
  its remaining time when the inner block ends.
"""

from __future__ import annotations

import math
import os
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

__all__ = ["DEFAULT_SECONDS", "ENV_VAR", "DocumentTimeout", "default_limit", "time_limit"]

ENV_VAR = "TRUCEWATCH_DOC_TIMEOUT"
DEFAULT_SECONDS = 60.0
_MIN_REARM = 1e-4  # an outer timer already due fires (almost) at once when re-armed
_REFIRE = 0.25
"""Seconds between repeated alarms after the deadline: an exception raised while Python runs a
garbage-collector callback or a ``__del__`` is printed and dropped, so the alarm repeats until
the DocumentTimeout reaches the body."""


class DocumentTimeout(Exception):
    """A document's processing took longer than its time limit."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"extraction took longer than {seconds:g} s")
        self.seconds = seconds


def default_limit() -> float | None:
    """The limit from ``$TRUCEWATCH_DOC_TIMEOUT`` (60 s when unset or blank), None when it is 0
    or negative (no limit). A value that is not a number raises ValueError."""
    raw = os.environ.get(ENV_VAR, "").strip()
    if not raw:
        return DEFAULT_SECONDS
    try:
        seconds = float(raw)
    except ValueError:
        raise ValueError(f"{ENV_VAR} must be a number of seconds, not {raw!r}") from None
    if math.isnan(seconds):
        raise ValueError(f"{ENV_VAR} must be a number of seconds, not {raw!r}")
    return seconds if seconds > 0 else None


def _can_alarm() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def time_limit(seconds: float | None = None) -> Iterator[None]:
    """Raise DocumentTimeout in the body when it runs longer than `seconds` (default:
    `default_limit()`; None or <= 0 after that: no limit). Main thread only, see the module
    docstring; elsewhere the body simply runs."""
    limit = default_limit() if seconds is None else seconds
    if limit is None or not limit > 0 or math.isinf(limit) or not _can_alarm():
        yield
        return
    started = time.monotonic()
    deadline = started + limit
    outer_fired = False

    def on_alarm(signum: int, frame: FrameType | None) -> None:
        nonlocal outer_fired
        if time.monotonic() < deadline and callable(previous):
            outer_fired = True  # an outer limit (or another alarm user) that is due first
            previous(signum, frame)
            return
        raise DocumentTimeout(limit)

    previous = signal.signal(signal.SIGALRM, on_alarm)
    outer, interval = signal.setitimer(signal.ITIMER_REAL, limit, _REFIRE)
    if 0 < outer < limit and callable(previous):  # an outer timer is due first: keep it
        signal.setitimer(signal.ITIMER_REAL, outer, _REFIRE)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer > 0 and not outer_fired:
            remaining = outer - (time.monotonic() - started)
            signal.setitimer(signal.ITIMER_REAL, max(remaining, _MIN_REARM), interval)
