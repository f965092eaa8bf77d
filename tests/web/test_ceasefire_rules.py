"""One set of rules for a ceasefire added by hand: `trucewatch ceasefire add` and
`POST /api/v1/ceasefires` refuse the same records for the same reasons, and accept the same."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner

from trucewatch.cli import cli
from trucewatch.store import open_store
from web_server import Web

GOOD = {"name": "Harvest truce", "parties": ["Armenia", "Azerbaijan"], "start": "2023-09-01"}
BAD = [
    ({**GOOD, "parties": ["Armenia"]}, "--parties", "name at least two different parties"),
    ({**GOOD, "parties": ["Armenia", " Armenia "]}, "--parties", "two different parties"),
    ({**GOOD, "name": "   "}, "--name", "the name is empty"),
    ({**GOOD, "end": "2023-08-01"}, "--end", "the end is before the start"),
]


def cli_args(db: str, record: dict[str, Any]) -> list[str]:
    args = ["ceasefire", "add", "--db", db, "--name", record["name"]]
    args += ["--parties", ",".join(record["parties"]), "--start", record["start"]]
    if "end" in record:
        args += ["--end", record["end"]]
    return args


@pytest.mark.parametrize(("record", "option", "reason"), BAD)
def test_cli_and_api_refuse_the_same_bad_ceasefire(
    web: Web, record: dict[str, Any], option: str, reason: str
) -> None:
    result = CliRunner().invoke(cli, cli_args(str(web.db), record))
    assert result.exit_code == 2, result.output
    assert option in result.output
    assert reason in result.output
    answer = web.client("admin").post("/api/v1/ceasefires", json=record)
    assert answer.status_code == 422, answer.text
    assert reason in answer.text
    with open_store(web.db) as store:
        assert not any(c.name == record["name"] for c in store.ceasefires() if c.id[:5] == "user:")


def test_cli_and_api_give_a_good_ceasefire_the_same_id(web: Web) -> None:
    result = CliRunner().invoke(cli, cli_args(str(web.db), GOOD))
    assert result.exit_code == 0, result.output
    made = result.output.strip().split(": ", 1)[1]
    assert made.startswith("user:harvest-truce-2023-09-01-")
    answer = web.client("admin").post("/api/v1/ceasefires", json=GOOD)
    assert answer.status_code == 409, answer.text  # the same id: already there
    assert made in answer.text
