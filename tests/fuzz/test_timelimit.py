"""trucewatch.extract.timelimit: a slow document becomes a DocumentTimeout, the batch goes on.

The limit is cooperative: `check_time()` raises once the deadline has passed, wherever the
pipeline calls it (in any thread), and nowhere else, so it cannot be lost in a gc callback."""

from __future__ import annotations

import gc
import sys
import threading
import time
from pathlib import Path

import pytest

from trucewatch.extract.pipeline import Extractor
from trucewatch.extract.timelimit import (
    DocumentTimeout,
    ExtractionStopped,
    check_time,
    default_limit,
    time_limit,
)
from trucewatch.models import Document

HOSTILE = "Troops shelled Tegh, killing 2 civilians, the ministry said. " * 400


def _spin(seconds: float) -> str:
    """Busy work that checks the limit between steps, as the pipeline does."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        check_time()
    return "done"


def test_slow_work_times_out_with_a_clear_error() -> None:
    started = time.monotonic()
    with (
        pytest.raises(DocumentTimeout, match=r"extraction took longer than 0\.2 s"),
        time_limit(0.2),
    ):
        _spin(5)
    assert time.monotonic() - started < 2
    check_time()  # no limit left behind


def test_fast_body_passes() -> None:
    with time_limit(5):
        assert _spin(0.01) == "done"


def test_nested_limits_keep_the_outer_deadline() -> None:
    with pytest.raises(DocumentTimeout, match="0.3 s"), time_limit(0.3):
        with time_limit(10):  # the outer limit is due first
            _spin(5)
    with pytest.raises(DocumentTimeout, match="0.2 s"), time_limit(10):
        with time_limit(0.2):
            _spin(5)


def test_outer_limit_holds_after_an_inner_block() -> None:
    def inner_then_slow() -> None:
        with time_limit(5):
            _spin(0.05)
        _spin(5)

    with pytest.raises(DocumentTimeout, match="0.4 s"), time_limit(0.4):
        inner_then_slow()


def test_limit_works_in_a_worker_thread_too() -> None:
    """The SIGALRM timer this replaces was a no-op outside the main thread (web requests)."""
    outcome: list[str] = []

    def work() -> None:
        try:
            with time_limit(0.05):
                outcome.append(_spin(5))
        except DocumentTimeout as exc:
            outcome.append(str(exc))

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(10)
    assert outcome == ["extraction took longer than 0.05 s"]


def test_a_limit_is_never_raised_inside_a_gc_callback() -> None:
    """The SIGALRM timer raised inside gc callbacks, where Python drops the exception."""
    dropped: list[str] = []
    hook = sys.unraisablehook

    def spin_in_gc(phase: str, info: dict[str, int]) -> None:  # noqa: ARG001
        if phase == "start" and not dropped:
            dropped.append("in gc")
            end = time.monotonic() + 0.3  # past the deadline, without checking it
            while time.monotonic() < end:
                pass

    gc.callbacks.append(spin_in_gc)
    sys.unraisablehook = lambda unraisable: dropped.append(type(unraisable.exc_value).__name__)
    try:

        def collect_then_spin() -> None:
            gc.collect()
            _spin(5)

        with pytest.raises(DocumentTimeout), time_limit(0.1):
            collect_then_spin()
    finally:
        gc.callbacks.remove(spin_in_gc)
        sys.unraisablehook = hook
    assert dropped == ["in gc"]  # nothing raised (and dropped) inside the callback


def test_extraction_of_a_hostile_report_stops_at_the_limit(extractor: Extractor) -> None:
    doc = Document(id="h", text=HOSTILE)
    started = time.monotonic()
    with pytest.raises(DocumentTimeout), time_limit(0.05):
        extractor.read(doc)
    assert time.monotonic() - started < 5


def test_stop_all_ends_extraction_in_another_thread(tmp_path: Path) -> None:
    """What SIGTERM does in the web server: work in progress gives up at its next check.
    Run in a child process, since stop_all() cannot be undone."""
    import subprocess

    script = tmp_path / "stop.py"
    script.write_text(
        "import threading, time\n"
        "from trucewatch.extract.timelimit import check_time, stop_all, ExtractionStopped\n"
        "out = []\n"
        "def work():\n"
        "    try:\n"
        "        while True: check_time()\n"
        "    except ExtractionStopped as exc: out.append(str(exc))\n"
        "t = threading.Thread(target=work); t.start(); time.sleep(0.1); stop_all()\n"
        "t.join(5); print(out)\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "['extraction stopped: the process is shutting down']"
    assert ExtractionStopped.__name__ == "ExtractionStopped"


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
        assert _spin(0.05) == "done"


def test_cli_batch_reports_the_slow_document_and_goes_on(
    monkeypatch: pytest.MonkeyPatch, extractor: Extractor
) -> None:
    from trucewatch.cli.extract import _safe_extract

    extractor.extract(Document(id="warm", text="Calm day."))  # first use loads lexicons
    monkeypatch.setenv("TRUCEWATCH_DOC_TIMEOUT", "0.3")
    docs = [
        Document(id="a", text="Calm day.", origin="a.txt"),
        Document(id="slow", text=HOSTILE, origin="slow.txt"),
        Document(id="b", text="Calm day.", origin="b.txt"),
    ]
    failures: list[str] = []
    done = [d.id for d, _ in _safe_extract(extractor, iter(docs), failures)]
    assert done == ["a", "b"]
    assert failures == [
        "slow.txt: extraction failed: DocumentTimeout: extraction took longer than 0.3 s"
    ]


def test_registry_reports_the_slow_report_and_goes_on(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, extractor: Extractor
) -> None:
    from trucewatch.ingest.sources import SourceItem
    from trucewatch.registry import Registry
    from trucewatch.store import open_store

    monkeypatch.setenv("TRUCEWATCH_DOC_TIMEOUT", "0.3")
    store = open_store(tmp_path / "r.db")
    try:
        registry = Registry(store, extractor=extractor)  # never geocodes: no claim is stored
        item = SourceItem(Document(id="x", text=HOSTILE, origin="x.txt"), b"", None)
        started = time.monotonic()
        summary = registry.ingest([item])
        assert time.monotonic() - started < 10
        assert summary.new == 0
        assert summary.failed == ["x.txt: DocumentTimeout: extraction took longer than 0.3 s"]
    finally:
        store.close()
