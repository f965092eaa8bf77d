"""`trucewatch serve` stops within seconds on SIGTERM even while it extracts a long report
(issue 13: the server went on extracting a hostile report after SIGTERM)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from trucewatch.geo import Geocoder

HOSTILE = "Troops shelled Tegh, killing 2 civilians, the ministry said. " * 5000  # ~300 KB


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _cli(*args: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "trucewatch", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout


@pytest.mark.skipif(not hasattr(signal, "SIGTERM"), reason="needs POSIX signals")
def test_sigterm_stops_the_server_mid_extraction(
    tmp_path: Path, geocoder: Geocoder, gazetteer_cache: Path
) -> None:
    assert geocoder is not None  # builds the gazetteer index the server reads
    db = tmp_path / "r.db"
    env = {
        **os.environ,
        "TRUCEWATCH_CACHE": str(gazetteer_cache),
        "TRUCEWATCH_DOC_TIMEOUT": "0",  # no per-document limit: only SIGTERM can stop it
        "NO_COLOR": "1",
    }
    _cli(
        "user",
        "add",
        "root",
        "--role",
        "admin",
        "--password",
        "root-pass-123",
        "--db",
        str(db),
        env=env,
    )
    token = _cli("user", "token", "root", "--name", "test", "--db", str(db), env=env).split()[-1]
    port = _free_port()
    log = (tmp_path / "serve.log").open("w", encoding="utf-8")
    server = subprocess.Popen(
        [sys.executable, "-m", "trucewatch", "serve", "--db", str(db), "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    outcome: list[object] = []
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{base}/api/v1/incidents", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.2)

        def post() -> None:
            try:
                response = httpx.post(
                    f"{base}/api/v1/reports",
                    json={"text": HOSTILE},
                    headers={"Authorization": f"Bearer {token}"},
                    timeout=600,
                )
                outcome.append(response.status_code)
            except httpx.HTTPError as exc:
                outcome.append(type(exc).__name__)

        poster = threading.Thread(target=post, daemon=True)
        poster.start()
        time.sleep(10)  # the model loads (a few seconds), then the report is being extracted
        assert not outcome, f"the report finished before SIGTERM: {outcome}"
        server.send_signal(signal.SIGTERM)
        started = time.monotonic()
        server.wait(timeout=60)
        stopped_after = time.monotonic() - started
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
        log.close()
    # uvicorn re-raises the signal once it has shut down: the exit status is SIGTERM's
    assert server.returncode in (0, -signal.SIGTERM), (tmp_path / "serve.log").read_text(
        encoding="utf-8"
    )
    # well under the minutes the extraction needs; a generous bound for a loaded machine
    assert stopped_after < 30
    poster.join(30)
    assert outcome
    assert outcome[0] != 201
