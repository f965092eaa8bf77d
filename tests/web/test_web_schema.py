"""schemathesis against the served OpenAPI schema: generated requests to every operation, as an
admin (so every route runs its handler), must never meet a server error, and every answer must
match what the schema documents (status code, content type, body schema, headers)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from web_server import Web

CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
        "response_headers_conformance",
    ]
)
EXAMPLES = os.environ.get("TRUCEWATCH_SCHEMATHESIS_EXAMPLES", "15")


def test_generated_requests_meet_no_server_error(web: Web, tmp_path: Path) -> None:
    st = shutil.which("st", path=str(Path(sys.executable).parent))
    assert st is not None, "schemathesis is a dev dependency: its `st` command must be installed"
    run = subprocess.run(
        [
            st,
            "run",
            f"{web.url}/openapi.json",
            "--checks",
            CHECKS,
            "--max-examples",
            EXAMPLES,
            "--workers",
            "1",
            "--seed",
            "20261125",
            "-H",
            f"Authorization: Bearer {web.tokens['admin']}",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,  # its own report files stay out of the checkout
        check=False,
    )
    assert run.returncode == 0, run.stdout[-6000:]
    assert "Tested: 19" in run.stdout  # every operation of the API
    counted = [line.strip() for line in run.stdout.splitlines() if "generated" in line]
    print(f"schemathesis: {counted}")  # noqa: T201 - the figure for the report
