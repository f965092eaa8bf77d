"""The seed article, end to end: one new incident, no background, no appeal."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from trucewatch.extract.pipeline import Extractor
from trucewatch.ingest import InputError, read_inputs
from trucewatch.models import Document, Event

ARTICLE = "corpus/moscow-times-2021-karabakh-truce.txt"
PUBLISHED = dt.date(2021, 8, 13)
APPEAL_START = "A Message from The Moscow Times"


@pytest.fixture(scope="module")
def seed_doc(shared_dir: Path) -> Document:
    items = list(read_inputs([shared_dir / ARTICLE], published=PUBLISHED))
    assert len(items) == 1
    (doc,) = items
    assert not isinstance(doc, InputError), doc
    assert doc.published == PUBLISHED
    return doc


@pytest.fixture(scope="module")
def seed_events(extractor: Extractor, seed_doc: Document) -> list[Event]:
    return extractor.extract(seed_doc)


def test_exactly_one_current_violation(seed_events: list[Event]) -> None:
    current = [e for e in seed_events if e.is_violation and not e.historical]
    assert len(current) == 1, [e.model_dump(exclude={"evidence"}) for e in seed_events]
    (event,) = current
    assert event.type == "drone_strike"
    assert event.weapon == "drone"
    assert (event.actor, event.target, event.source) == ("Azerbaijan", "Nagorno-Karabakh", "Russia")
    assert event.stance == "asserts"
    assert event.count == 2
    assert (event.killed, event.injured) == (0, 0)
    assert event.date in (dt.date(2021, 8, 11), dt.date(2021, 8, 12))


def _appeal_offset(text: str) -> int:
    at = text.find(APPEAL_START)
    return len(text) if at < 0 else at


def test_no_evidence_in_the_donation_appeal(seed_doc: Document, seed_events: list[Event]) -> None:
    appeal_at = _appeal_offset(seed_doc.text)
    for event in seed_events:
        for evidence in event.evidence:
            assert seed_doc.text[evidence.start : evidence.end] == evidence.sentence
            assert evidence.end <= appeal_at, evidence


def test_appeal_yields_nothing_even_when_not_cleaned(
    extractor: Extractor, shared_dir: Path
) -> None:
    raw = (shared_dir / ARTICLE).read_text(encoding="utf-8")
    appeal_at = raw.find(APPEAL_START)
    assert appeal_at > 0, "the seed article no longer ends with its donation appeal"
    events = extractor.extract(Document(id="raw", text=raw, published=PUBLISHED))
    for event in events:
        for evidence in event.evidence:
            assert evidence.end <= appeal_at, evidence
    appeal_only = Document(id="appeal", text=raw[appeal_at:], published=PUBLISHED)
    assert extractor.extract(appeal_only) == []


def test_scorer_gives_full_incident_f1_on_the_seed(shared_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "seed.out.jsonl"
    gold = shared_dir / "eval" / "seed.jsonl"
    extract = subprocess.run(
        [sys.executable, "-m", "trucewatch", "extract", str(gold), "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert extract.returncode == 0, extract.stderr
    score = subprocess.run(
        [sys.executable, str(shared_dir / "eval" / "score.py"), str(gold), str(out), "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert score.returncode == 0, score.stderr
    result = json.loads(score.stdout)
    assert result["texts_without_prediction"] == 0
    assert result["incident_f1"] == 1.0, result
