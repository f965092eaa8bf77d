"""Shared machinery of the fuzz properties (tests/fuzz/test_fuzz_*.py) and their runner (run.py).

- ``EXAMPLES``: examples per property, from $TRUCEWATCH_FUZZ_EXAMPLES (60 by default, enough
  for ``make test``; ``run.py`` sets 2000).
- ``fuzz_settings``: hypothesis settings with that budget and a per-example deadline. The
  deadline is only a backstop for slow C code: hangs are cut by
  ``trucewatch.extract.timelimit`` inside each example, with $TRUCEWATCH_FUZZ_TIME_LIMIT
  seconds (10 by default).
- ``probe(target, sample)``: wraps the body of one example; it counts inputs tried per target
  and keeps, per distinct failure (exception type + innermost project frame), the smallest input
  that raised it, so ``run.py`` can save it under out/fuzz/.
- ``guard_network()``: any socket connection, DNS lookup or urllib fetch made inside is
  recorded and refused.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import time
import traceback
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

from hypothesis import HealthCheck, settings

from trucewatch.extract.timelimit import DocumentTimeout

EXAMPLES = max(1, int(os.environ.get("TRUCEWATCH_FUZZ_EXAMPLES", "60")))
TIME_LIMIT = float(os.environ.get("TRUCEWATCH_FUZZ_TIME_LIMIT", "10"))
"""Seconds one example may take before it counts as a hang."""

_SRC = str(Path(__file__).resolve().parents[2] / "src")
_HERE = str(Path(__file__).resolve().parent)


def fuzz_settings(examples: int | None = None, deadline: float | None = None) -> settings:
    """Hypothesis settings for one property: `examples` (default EXAMPLES) and a deadline of
    `deadline` seconds per example (default: twice the time limit)."""
    return settings(
        max_examples=examples if examples is not None else EXAMPLES,
        deadline=dt.timedelta(seconds=deadline if deadline is not None else 2 * TIME_LIMIT),
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
            HealthCheck.filter_too_much,
        ],
    )


@dataclass
class Failure:
    """One distinct failure of a target: its smallest input so far and its traceback."""

    signature: str
    sample: Any
    size: int
    trace: str
    count: int = 1


@dataclass
class TargetStats:
    tried: int = 0
    timeouts: int = 0  # DocumentTimeout where the contract allows it (not a failure)
    failures: dict[str, Failure] = field(default_factory=dict)
    slowest: float = 0.0  # seconds of the slowest input
    slowest_sample: Any = None


STATS: dict[str, TargetStats] = {}


def _size(sample: Any) -> int:
    if isinstance(sample, str | bytes):
        return len(sample)
    return len(repr(sample))


def _signature(exc: BaseException) -> str:
    """Exception type and the innermost frame in the project's code (src/ or tests/fuzz/)."""
    where = "?"
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.startswith((_SRC, _HERE)):
            where = f"{os.path.relpath(frame.filename)}:{frame.lineno}"
    return f"{type(exc).__name__} at {where}"


@contextmanager
def probe(target: str, sample: Any, *, allow_timeout: bool = False) -> Iterator[None]:
    """Count one input of `target`; record (then re-raise) any exception it raises.

    With `allow_timeout`, a DocumentTimeout is the documented outcome for a pathological input:
    it is counted and swallowed instead."""
    stats = STATS.setdefault(target, TargetStats())
    stats.tried += 1
    started = time.perf_counter()
    try:
        yield
        _timed(stats, sample, started)
    except DocumentTimeout:
        _timed(stats, sample, started)
        if allow_timeout:
            stats.timeouts += 1
            return
        _record(stats, sample, "hang")
        raise
    except BaseException as exc:
        _record(stats, sample, _signature(exc))
        raise


def _timed(stats: TargetStats, sample: Any, started: float) -> None:
    seconds = time.perf_counter() - started
    if seconds > stats.slowest:
        stats.slowest, stats.slowest_sample = seconds, sample


def _record(stats: TargetStats, sample: Any, signature: str) -> None:
    trace = traceback.format_exc()
    if signature == "hang":
        signature = f"hang (DocumentTimeout after {TIME_LIMIT:g} s)"
    size = _size(sample)
    known = stats.failures.get(signature)
    if known is None:
        stats.failures[signature] = Failure(signature, sample, size, trace)
    else:
        known.count += 1
        if size < known.size:
            known.sample, known.size, known.trace = sample, size, trace


class NetworkAttempt(OSError):
    """Raised in place of any network access made under guard_network()."""


@contextmanager
def guard_network() -> Iterator[list[str]]:
    """Refuse (and record in the yielded list) sockets connecting, DNS and urllib fetches."""
    attempts: list[str] = []

    def refuse(what: str) -> Any:
        def fake(*args: Any, **kwargs: Any) -> Any:
            shown = args[1:] if what == "connect" else args
            attempts.append(f"{what}{shown}{kwargs or ''}")
            raise NetworkAttempt(f"network access during fuzzing: {what}")

        return fake

    with ExitStack() as stack:
        stack.enter_context(mock.patch.object(socket.socket, "connect", refuse("connect")))
        stack.enter_context(mock.patch.object(socket.socket, "connect_ex", refuse("connect")))
        stack.enter_context(mock.patch.object(socket, "create_connection", refuse("connection")))
        stack.enter_context(mock.patch.object(socket, "getaddrinfo", refuse("getaddrinfo")))
        stack.enter_context(mock.patch.object(urllib.request, "urlopen", refuse("urlopen")))
        yield attempts


def valid_unicode(value: str | None) -> bool:
    """True when `value` can be written as UTF-8 (no lone surrogates): JSON, SQL, stdout."""
    if value is None:
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
