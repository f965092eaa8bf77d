"""A small trained check on each current violent claim: is it a current, asserted act that the
report itself tells, rather than background, a repeat or a misread?

The rules propose claims; this logistic model, trained on annotated real reports (`make train`,
`tools/train_claim_filter.py`), scores each proposal from features of the claim and of its
evidence: which fields the rules could fill, how the date was found, where in the report the
claim sits, how many mentions were folded into it, and a few cues of tense, modality and
background in its sentences. A claim scoring below the model's threshold is set aside: it is not
returned as a claim. The weights ship as `claim_filter.json`; inference is a dot product, so the
product needs no machine-learning library at run time. `make train` switches the filter on (a
threshold above 0) only when it gains clearly on held-out folds of the training texts; with
threshold 0 it keeps every claim.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from trucewatch.models import Event

_GENERIC = {"ceasefire_violation", "armed_clash"}
# cues read in the claim's evidence sentences: each is a feature of its own
_CUES: dict[str, re.Pattern[str]] = {
    "past_perfect": re.compile(r"\bhad\s+(?:been\s+)?\w+(?:ed|en)\b", re.I),
    "since": re.compile(r"\bsince\b", re.I),
    "total": re.compile(r"\b(?:total|in all|altogether|so far|to date)\b", re.I),
    "war": re.compile(r"\b(?:war|conflict)\b", re.I),
    "habitual": re.compile(
        r"\b(?:continues?|continued|repeatedly|regularly|daily|every day|frequently|often|"
        r"constantly)\b",
        re.I,
    ),
    "modal": re.compile(r"\b(?:will|would|could|may|might|should|must)\b", re.I),
    "report_of": re.compile(r"\b(?:reports? of|allegedly|alleged|claims? of)\b", re.I),
    "quote": re.compile(r"[“”\"«»]"),
    "year": re.compile(r"\b(?:19|20)\d\d\b"),
    "month_name": re.compile(
        r"\b(?:january|february|march|april|may|june|july|august|september|october|november|"
        r"december)\b",
        re.I,
    ),
    "period": re.compile(r"\b(?:past|last|previous)\s+(?:24 hours|day|night|week|month)\b", re.I),
    "today": re.compile(r"\b(?:today|tonight|this morning|yesterday|overnight)\b", re.I),
}
FEATURES: tuple[str, ...] = (
    "generic_type",
    "no_actor",
    "no_target",
    "media_source",
    "neutral",
    "has_place",
    "has_count",
    "has_toll",
    "has_weapon",
    "basis_stated",
    "basis_statement",
    "basis_context",
    "basis_published",
    "no_date",
    "days_before",
    "mentions",
    "position",
    "headline",
    "doc_claims",
    "confidence",
    *(f"cue_{name}" for name in _CUES),
)


def features(
    event: Event, text_length: int, published: dt.date | None, doc_claims: int
) -> list[float]:
    """The claim's feature vector, in the order of FEATURES."""
    sentences = " ".join(e.sentence for e in event.evidence)
    first = min((e.start for e in event.evidence), default=0)
    days = (published - event.date).days if published and event.date else 0
    values: dict[str, float] = {
        "generic_type": float(event.type in _GENERIC),
        "no_actor": float(event.actor is None),
        "no_target": float(event.target is None),
        "media_source": float(event.source == "media"),
        "neutral": float(event.stance == "neutral"),
        "has_place": float(event.location is not None),
        "has_count": float(event.count is not None),
        "has_toll": float(bool(event.killed or event.injured)),
        "has_weapon": float(event.weapon is not None),
        "basis_stated": float(event.date_basis == "stated"),
        "basis_statement": float(event.date_basis == "statement"),
        "basis_context": float(event.date_basis == "context"),
        "basis_published": float(event.date_basis == "published"),
        "no_date": float(event.date is None),
        "days_before": min(max(days, 0), 30) / 30,
        "mentions": min(len(event.evidence), 5) / 5,
        "position": first / text_length if text_length else 0.0,
        "headline": float(event.headline),
        "doc_claims": min(doc_claims, 10) / 10,
        "confidence": event.confidence,
    }
    for name, cue in _CUES.items():
        values[f"cue_{name}"] = float(bool(cue.search(sentences)))
    return [values[name] for name in FEATURES]


@dataclass(frozen=True)
class ClaimFilter:
    """Logistic weights over FEATURES and the threshold below which a claim is set aside."""

    weights: tuple[float, ...]
    intercept: float
    threshold: float

    def probability(self, vector: list[float]) -> float:
        z = self.intercept + sum(w * x for w, x in zip(self.weights, vector, strict=True))
        return 1.0 / (1.0 + math.exp(-z))

    def keep(self, events: list[Event], text_length: int, published: dt.date | None) -> list[Event]:
        """The events, less the current violent claims the model scores below its threshold."""
        current = [e for e in events if e.is_violation and not e.historical]
        kept = []
        for event in events:
            if event in current:
                vector = features(event, text_length, published, len(current))
                if self.probability(vector) < self.threshold:
                    continue
            kept.append(event)
        return kept

    @classmethod
    def from_file(cls, path: Path) -> ClaimFilter:
        return cls.from_json(path.read_text(encoding="utf-8"))

    @classmethod
    def from_json(cls, text: str) -> ClaimFilter:
        data = json.loads(text)
        names = tuple(data["features"])
        if names != FEATURES:
            raise ValueError(
                "claim filter weights were trained for other features: run `make train`"
            )
        return cls(tuple(data["weights"]), float(data["intercept"]), float(data["threshold"]))


@functools.cache
def default_claim_filter() -> ClaimFilter | None:
    """The filter shipped in the package, or None when none was trained."""
    source = resources.files("trucewatch").joinpath("extract/claim_filter.json")
    if not source.is_file():
        return None
    return ClaimFilter.from_json(source.read_text(encoding="utf-8"))
