"""trucewatch.registry.timelimit: a slow document becomes a DocumentTimeout, the batch goes on."""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path

import pytest

from trucewatch.models import Document, Event
from trucewatch.registry.timelimit import DocumentTimeout, default_limit, time_limit


def _slow(seconds: float) -> str:
    """Busy Python code (not a sleep): the alarm is delivered between bytecodes."""
    end = time.monotonic() + seconds
    n = 0
    while time.monotonic() < end:
        n += 1
    return "done"


def test_slow_function_times_out_with_a_clear_error() -> None:
    started = time.monotonic()
    with (
        pytest.raises(DocumentTimeout, match=r"extraction took longer than 0\.2 s"),
        time_limit(0.2),
    ):
        _slow(5)
    assert time.monotonic() - started < 2
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)  # disarmed afterwards


def test_sleep_is_interrupted_too() -> None:
    with pytest.raises(DocumentTimeout), time_limit(0.1):
        time.sleep(5)


def test_fast_body_passes_and_restores_the_handler() -> None:
    before = signal.getsignal(signal.SIGALRM)
    with time_limit(5):
        assert _slow(0.01) == "done"
    assert signal.getsignal(signal.SIGALRM) is before
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_nested_limits_keep_the_outer_deadline() -> None:
    with pytest.raises(DocumentTimeout, match="0.3 s"), time_limit(0.3):
        with time_limit(10):  # the outer limit is due first
            _slow(5)
    with pytest.raises(DocumentTimeout, match="0.2 s"), time_limit(10):
        with time_limit(0.2):
            _slow(5)
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_outer_limit_is_re_armed_after_an_inner_block() -> None:
    def inner_then_slow() -> None:
        with time_limit(5):
            _slow(0.05)
        _slow(5)

    with pytest.raises(DocumentTimeout, match="0.4 s"), time_limit(0.4):
        inner_then_slow()


def test_no_op_outside_the_main_thread() -> None:
    outcome: list[str] = []

    def work() -> None:
        with time_limit(0.05):
            outcome.append(_slow(0.2))

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert outcome == ["done"]


@pytest.mark.parametrize(
    ("value", "expected"), [(None, 60.0), ("", 60.0), ("2.5", 2.5), ("0", None), ("-1", None)]
)
def test_default_limit_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, value: str | None, expected: float | None
) -> None:
    if value is None:
        monkeypatch.delenv("TRUCEWATCH_DOC_TIMEOUT", raising=False)
    else:
        monkeypatch.setenv("TRUCEWATCH_DOC_TIMEOUT", value)
    assert default_limit() == expected


def test_bad_environment_value_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRUCEWATCH_DOC_TIMEOUT", "soon")
    with pytest.raises(ValueError, match="TRUCEWATCH_DOC_TIMEOUT must be a number"):
        default_limit()


def test_disabled_limit_lets_the_body_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRUCEWATCH_DOC_TIMEOUT", "0")
    with time_limit():
        assert _slow(0.05) == "done"


class _SlowOnOne:
    """An extractor stand-in that spins on the document with id 'slow'."""

    def extract(self, doc: Document) -> list[Event]:
        if doc.id == "slow":
            _slow(30)
        return []


def test_cli_batch_reports_the_slow_document_and_goes_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from trucewatch.cli.extract import _safe_extract

    monkeypatch.setenv("TRUCEWATCH_DOC_TIMEOUT", "0.2")
    docs = [Document(id=i, text="text", origin=f"{i}.txt") for i in ("a", "slow", "b")]
    failures: list[str] = []
    done = [d.id for d, _ in _safe_extract(_SlowOnOne(), iter(docs), failures)]  # type: ignore[arg-type]
    assert done == ["a", "b"]
    assert failures == [
        "slow.txt: extraction failed: DocumentTimeout: extraction took longer than 0.2 s"
    ]


def test_registry_reports_the_slow_report_and_goes_on(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from trucewatch.extract.pipeline import Extractor
    from trucewatch.ingest.sources import SourceItem
    from trucewatch.registry import Registry
    from trucewatch.store import open_store

    class SlowExtractor(Extractor):
        def __init__(self) -> None:  # no model: it is never used
            pass

        def read(self, doc: Document):  # type: ignore[no-untyped-def]  # noqa: ARG002
            _slow(30)

    monkeypatch.setenv("TRUCEWATCH_DOC_TIMEOUT", "0.2")
    store = open_store(tmp_path / "r.db")
    try:
        registry = Registry(store, extractor=SlowExtractor())  # never geocodes: no Geocoder
        item = SourceItem(Document(id="x", text="Shelling.", origin="x.txt"), b"", None)
        started = time.monotonic()
        summary = registry.ingest([item])
        assert time.monotonic() - started < 10
        assert summary.new == 0
        assert summary.failed == ["x.txt: DocumentTimeout: extraction took longer than 0.2 s"]
    finally:
        store.close()


def test_alarm_dropped_in_a_gc_callback_fires_again() -> None:
    """An exception raised inside a gc callback is dropped by Python: the alarm repeats."""
    import gc
    import sys

    dropped: list[str] = []
    hook = sys.unraisablehook

    def spin_in_gc(phase: str, info: dict[str, int]) -> None:  # noqa: ARG001
        if phase == "start" and not dropped:
            dropped.append("in gc")
            _slow(0.5)  # the first alarm is raised here, and dropped

    gc.callbacks.append(spin_in_gc)
    sys.unraisablehook = lambda unraisable: dropped.append(type(unraisable.exc_value).__name__)
    try:
        started = time.monotonic()

        def collect_then_slow() -> None:
            gc.collect()
            _slow(5)

        with pytest.raises(DocumentTimeout), time_limit(0.1):
            collect_then_slow()
        assert time.monotonic() - started < 2
    finally:
        gc.callbacks.remove(spin_in_gc)
        sys.unraisablehook = hook
    # the alarm is dropped at least once inside the gc callback (more often on a loaded
    # machine, where the re-armed alarm can fire again before the callback's spin ends)
    assert dropped[0] == "in gc"
    assert dropped[1:]
    assert set(dropped[1:]) == {"DocumentTimeout"}
