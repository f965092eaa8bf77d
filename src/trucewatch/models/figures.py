"""Plausible figures: one model for the counts and tolls a claim, an incident, an observation or
an imported record may hold, and what to do with a figure outside it.

A figure is a whole number from 0 to `MAX_FIGURE`; a range is low <= best <= high. A feed is
untrusted, so a report's "killing 999…9 civilians" (400 digits) must not reach the registry as
a number: the extracted figure is dropped (stored null), the sentence that states it stays in
the claim's evidence, the document gets a warning and the claim's confidence is lowered, so its
incident comes up in the review queue ("low extraction confidence"). Review edits, observations
and imports are refused with a clear error instead. Rows stored before the ceiling existed are
read with their implausible figures dropped, so no page fails on them.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from trucewatch.models.events import Event

MAX_FIGURE = 100_000
"""The largest number of people killed or injured, or of violations, one claim, incident,
observation or imported record may state. No ceasefire-violation incident comes near it; a
larger figure is a typing error or an attack on the registry."""

Figure = Annotated[int, Field(ge=0, le=MAX_FIGURE)]
"""A plausible count or toll (see MAX_FIGURE)."""

FLAGGED_CONFIDENCE = 0.3
"""The confidence of a claim whose figure was dropped: below the review queue's threshold."""

_FIGURES = ("killed", "injured", "count")


def plausible(value: int | None) -> bool:
    """Whether `value` is absent or a whole number from 0 to MAX_FIGURE."""
    return value is None or (isinstance(value, int) and 0 <= value <= MAX_FIGURE)


def describe(value: object) -> str:
    """A figure as a short text: a long number by its digits' count (never 400 digits)."""
    text = str(value)
    return text if len(text) <= 20 else f"{text[:8]}… ({len(text)} digits)"


def checked_event(event: Event, warnings: list[str]) -> Event:
    """`event` with each implausible figure dropped (a warning per figure, confidence lowered
    to FLAGGED_CONFIDENCE); the evidence keeps the sentence that states it."""
    dropped = {f: getattr(event, f) for f in _FIGURES if not plausible(getattr(event, f))}
    if not dropped:
        return event
    for name, value in dropped.items():
        warnings.append(
            f"{name} {describe(value)} dropped: more than {MAX_FIGURE:,} is not plausible "
            f"(claim kept for review, figure left in its evidence)"
        )
    confidence = min(event.confidence, FLAGGED_CONFIDENCE)
    return event.model_copy(update={**dict.fromkeys(dropped), "confidence": confidence})


def stored_event(data: dict[str, Any]) -> dict[str, Any]:
    """A stored event's JSON with implausible figures dropped (rows from before the ceiling)."""
    bad = [f for f in _FIGURES if not _plausible_json(data.get(f))]
    return {**data, **dict.fromkeys(bad)} if bad else data


def stored_incident(data: dict[str, Any]) -> dict[str, Any]:
    """A stored incident's JSON with an implausible or disordered range dropped (see
    stored_event), its overrides included."""
    out = dict(data)
    for name in ("killed", "injured"):
        value = out.get(name)
        if isinstance(value, dict) and not _plausible_range(value):
            out[name] = {}
    overrides = out.get("overrides")
    if isinstance(overrides, dict):
        bad = [
            n
            for n in ("killed", "injured")
            if isinstance(overrides.get(n), dict) and not _plausible_range(overrides[n])
        ]
        if bad:
            out["overrides"] = {k: v for k, v in overrides.items() if k not in bad}
    return out


def _plausible_json(value: object) -> bool:
    return value is None or (type(value) is int and 0 <= value <= MAX_FIGURE)


def _plausible_range(data: dict[str, Any]) -> bool:
    values = [data.get(k) for k in ("low", "best", "high")]
    if not all(_plausible_json(v) for v in values):
        return False
    given = [v for v in values if v is not None]
    return given == sorted(given)
