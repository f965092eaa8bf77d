"""A time limit per document, so one pathological report becomes a reported failure and the
batch, the feed poller or the web request goes on.

``with time_limit():`` sets a deadline for the code in its body; the extraction pipeline calls
``check_time()`` between its steps (each sentence, each parsed sentence, every few thousand
steps of the fold), which raises ``DocumentTimeout`` once the deadline has passed. The default
limit is ``$TRUCEWATCH_DOC_TIMEOUT`` seconds (60 when unset; 0 or less turns the limit off).

The check is cooperative on purpose. The former ``SIGALRM`` timer raised at an arbitrary
bytecode, so the exception could land in a garbage-collector callback or a ``__del__`` (where
Python prints and drops it) or leave state half-changed, and it worked only in a process's main
thread. ``check_time`` raises only where the pipeline asks, in any thread (the deadline lives in
a context variable, so concurrent requests each have their own), and it cannot be swallowed.
What it cannot do is stop one long step: the steps are kept short instead (sentences and
mentions per document are capped, see ``trucewatch.extract``).

``stop_all()`` makes every ``check_time`` raise ``ExtractionStopped`` from then on: the web
server calls it on SIGTERM so that a shutdown does not wait for an extraction to finish.
Limits nest: an inner limit never outlives an outer one.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

__all__ = [
    "DEFAULT_SECONDS",
    "ENV_VAR",
    "DocumentTimeout",
    "ExtractionStopped",
    "check_time",
    "default_limit",
    "stop_all",
    "time_limit",
]

ENV_VAR = "TRUCEWATCH_DOC_TIMEOUT"
DEFAULT_SECONDS = 60.0


class DocumentTimeout(Exception):
    """A document's processing took longer than its time limit."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"extraction took longer than {seconds:g} s")
        self.seconds = seconds


class ExtractionStopped(Exception):
    """The process is shutting down: work in progress gives up at its next check."""

    def __init__(self) -> None:
        super().__init__("extraction stopped: the process is shutting down")


@dataclass(frozen=True)
class _Deadline:
    seconds: float  # the limit as set, for the message
    due: float  # time.monotonic() value


_deadline: ContextVar[_Deadline | None] = ContextVar("trucewatch_deadline", default=None)
_stopping = threading.Event()


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


@contextmanager
def time_limit(seconds: float | None = None) -> Iterator[None]:
    """Let `check_time()` in the body raise DocumentTimeout once it has run longer than
    `seconds` (default: `default_limit()`; 0, negative or infinite: no limit of its own, an
    outer limit still holds)."""
    limit = default_limit() if seconds is None else seconds
    outer = _deadline.get()
    current = outer
    if limit is not None and limit > 0 and not math.isinf(limit):
        mine = _Deadline(limit, time.monotonic() + limit)
        current = mine if outer is None or mine.due < outer.due else outer
    token = _deadline.set(current)
    try:
        yield
    finally:
        _deadline.reset(token)


def check_time() -> None:
    """Raise DocumentTimeout when the innermost `time_limit` has run out, ExtractionStopped
    after `stop_all()`; otherwise return at once (cheap enough to call per sentence)."""
    if _stopping.is_set():
        raise ExtractionStopped
    deadline = _deadline.get()
    if deadline is not None and time.monotonic() > deadline.due:
        raise DocumentTimeout(deadline.seconds)


def stop_all() -> None:
    """Make every `check_time()` in this process raise ExtractionStopped from now on."""
    _stopping.set()


def stopping() -> bool:
    """Whether `stop_all()` was called."""
    return _stopping.is_set()
