"""Every line `trucewatch extract` writes satisfies both the pydantic model's JSON Schema and a
schema written by hand from eval/SCHEMA.md (the contract the scorer relies on)."""

from __future__ import annotations

import json
import subprocess
import sys
import typing
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from jsonschema import Draft202012Validator

from trucewatch.models import EventType, ExtractionResult, Stance, Weapon

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "samples" / "reports.jsonl"

EVENT_TYPES = [
    "armed_clash", "firing", "shelling", "drone_strike", "explosive", "attack_on_civilians",
    "intrusion", "territory_seizure", "shoot_down", "ceasefire_violation",
    "ceasefire_agreement", "deployment", "mediation",
]  # fmt: skip
WEAPONS = [
    "small_arms", "sniper", "machine_gun", "grenade_launcher", "mortar", "artillery", "rocket",
    "missile", "drone", "aircraft", "armour", "landmine", "explosive",
]  # fmt: skip
STANCES = ["asserts", "denies", "neutral"]

_NAME_OR_NULL = {"type": ["string", "null"], "minLength": 1}
_COUNT_OR_NULL = {"type": ["integer", "null"], "minimum": 0}

SCHEMA_MD_EVENT: dict[str, Any] = {
    "type": "object",
    "required": [
        "type",
        "actor",
        "target",
        "source",
        "stance",
        "weapon",
        "location",
        "date",
        "killed",
        "injured",
        "count",
        "historical",
    ],  # fmt: skip
    "properties": {
        "type": {"enum": EVENT_TYPES},
        "actor": _NAME_OR_NULL,
        "target": _NAME_OR_NULL,
        "source": {"type": "string", "minLength": 1},
        "stance": {"enum": STANCES},
        "weapon": {"enum": [*WEAPONS, None]},
        "location": _NAME_OR_NULL,
        "date": {
            "oneOf": [
                {"type": "null"},
                {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$", "format": "date"},
            ]
        },
        "killed": _COUNT_OR_NULL,
        "injured": _COUNT_OR_NULL,
        "count": _COUNT_OR_NULL,
        "historical": {"type": "boolean"},
    },
}
SCHEMA_MD_LINE: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["id", "events"],
    "properties": {
        "id": {"type": "string", "minLength": 1},
        "events": {"type": "array", "items": SCHEMA_MD_EVENT},
    },
}


def validators() -> dict[str, Draft202012Validator]:
    model_schema = ExtractionResult.model_json_schema()
    checker = Draft202012Validator.FORMAT_CHECKER
    out = {}
    for name, schema in (("model", model_schema), ("SCHEMA.md", SCHEMA_MD_LINE)):
        Draft202012Validator.check_schema(schema)
        out[name] = Draft202012Validator(schema, format_checker=checker)
    return out


def test_hand_written_enums_match_the_models() -> None:
    assert set(typing.get_args(EventType)) == set(EVENT_TYPES)
    assert set(typing.get_args(Weapon)) == set(WEAPONS)
    assert set(typing.get_args(Stance)) == set(STANCES)


GOOD_EVENT = {
    "type": "drone_strike", "actor": "Azerbaijan", "target": "Nagorno-Karabakh",
    "source": "Russia", "stance": "asserts", "weapon": "drone", "location": None,
    "date": "2021-08-11", "killed": 0, "injured": 0, "count": 2, "historical": False,
}  # fmt: skip


BAD_VALUES = [
    {"type": "skirmish"},
    {"weapon": "catapult"},
    {"stance": "maybe"},
    {"date": "11 August 2021"},
    {"date": "2021-02-30"},
    {"count": 2.5},
    {"historical": "no"},
    {"source": None},
]
NEGATIVE_NUMBERS = [{"killed": -1}, {"injured": -3}, {"count": -2}]


def _label(change: dict[str, Any]) -> str:
    return ",".join(f"{k}={v}" for k, v in change.items())


@pytest.mark.parametrize(
    ("schema", "change"),
    [
        *(
            pytest.param(name, c, id=f"{name}-{_label(c)}")
            for name in ("model", "SCHEMA.md")
            for c in BAD_VALUES
        ),
        *(
            pytest.param(name, c, id=f"{name}-{_label(c)}")
            for name in ("model", "SCHEMA.md")
            for c in NEGATIVE_NUMBERS
        ),
    ],
)
def test_schemas_reject_values_outside_the_contract(schema: str, change: dict[str, Any]) -> None:
    line = {"id": "x", "events": [{**GOOD_EVENT, **change}]}
    assert validators()[schema].is_valid({"id": "x", "events": [GOOD_EVENT]})
    assert not validators()[schema].is_valid(line)


def test_hand_written_schema_requires_all_twelve_keys() -> None:
    validator = validators()["SCHEMA.md"]
    assert validator.is_valid({"id": "x", "events": [GOOD_EVENT]})
    for key in GOOD_EVENT:
        partial = {k: v for k, v in GOOD_EVENT.items() if k != key}
        assert not validator.is_valid({"id": "x", "events": [partial]}), key


def test_cli_output_validates(tmp_path: Path, shared_dir: Path) -> None:
    inputs = [SAMPLES]
    dev = shared_dir / "eval" / "dev.jsonl"
    if dev.is_file():
        inputs.append(dev)
    expected_ids = [
        json.loads(line)["id"]
        for path in inputs
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    out = tmp_path / "out.jsonl"
    proc = subprocess.run(
        [sys.executable, "-m", "trucewatch", "extract", *map(str, inputs), "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [line["id"] for line in lines] == expected_ids
    assert sum(len(line["events"]) for line in lines) > 0
    for name, validator in validators().items():
        for line in lines:
            try:
                validator.validate(line)
            except jsonschema.ValidationError as exc:
                pytest.fail(f"{line['id']} breaks the {name} schema: {exc.message}")
