"""The trained claim filter: its shipped weights fit its features, it sets aside what scores
low, and `make train` rebuilds the same file from the shared gold (skipped without it)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from trucewatch.extract.claim_filter import FEATURES, ClaimFilter, default_claim_filter, features
from trucewatch.models import Event, Evidence

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"


def claim(**fields: object) -> Event:
    sentence = "Azerbaijani forces shelled Tegh on Thursday, the ministry said."
    data: dict[str, object] = {
        "type": "shelling",
        "actor": "Azerbaijan",
        "source": "Armenia",
        "date": dt.date(2023, 4, 13),
        "date_basis": "stated",
        "evidence": [Evidence(sentence=sentence, start=0, end=len(sentence))],
    }
    data.update(fields)
    return Event.model_validate(data)


def test_the_shipped_weights_fit_the_features() -> None:
    shipped = default_claim_filter()
    assert shipped is not None
    assert len(shipped.weights) == len(FEATURES)
    assert 0.0 <= shipped.threshold < 1.0


def test_weights_for_other_features_are_refused() -> None:
    data = {"features": ["a", "b"], "weights": [1.0, 2.0], "intercept": 0.0, "threshold": 0.5}
    with pytest.raises(ValueError, match="make train"):
        ClaimFilter.from_json(json.dumps(data))


def test_a_claim_below_the_threshold_is_set_aside_and_background_is_kept() -> None:
    no_actor = FEATURES.index("no_actor")
    weights = tuple(-10.0 if i == no_actor else 0.0 for i in range(len(FEATURES)))
    strict = ClaimFilter(weights, intercept=5.0, threshold=0.5)
    named, unnamed = claim(), claim(actor=None)
    background = claim(actor=None, historical=True)
    kept = strict.keep([named, unnamed, background], 200, dt.date(2023, 4, 14))
    assert kept == [named, background]


def test_features_read_the_claim() -> None:
    vector = dict(zip(FEATURES, features(claim(), 200, dt.date(2023, 4, 14), 1), strict=True))
    assert vector["no_actor"] == 0.0
    assert vector["basis_stated"] == 1.0
    assert vector["days_before"] == pytest.approx(1 / 30)


@pytest.mark.skipif(not (SHARED / "eval" / "train.jsonl").exists(), reason="needs ../shared")
@pytest.mark.slow
def test_make_train_rebuilds_the_shipped_filter(tmp_path: Path) -> None:
    pytest.importorskip("sklearn")
    out = tmp_path / "claim_filter.json"
    subprocess.run(
        [sys.executable, str(ROOT / "tools" / "train_claim_filter.py"), "--out", str(out)],
        check=True,
        capture_output=True,
    )
    shipped = json.loads((ROOT / "src/trucewatch/extract/claim_filter.json").read_text())
    assert json.loads(out.read_text()) == shipped
