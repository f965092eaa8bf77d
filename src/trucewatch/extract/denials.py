"""Denials: one side says the other's claim is false. In the annotation scheme
(docs/annotation.md) the denied claim and the denial are two events, the denial's actor being the
side the denied claim blamed."""

from __future__ import annotations

from trucewatch.extract.claims import Attribution
from trucewatch.extract.participants import Cast
from trucewatch.models import Event, Evidence

_NO_TOLL = {"killed": None, "injured": None}


def claim_and_denial(
    act: Event, denier: str | None, attributions: list[Attribution], cast: Cast
) -> list[Event]:
    """A denial sentence that names the act: the denied claim (asserts) and the denial.

    The claimant is the side whose statement is relayed ("the statement of X that ..."), else
    the denier's rival; the denier is the sentence's own speaker, else the claimant's rival."""
    denier = None if denier == "media" else denier
    relayed = next((a for a in attributions if a.relayed and a.side), None)
    claimant = relayed.side if relayed and relayed.side != denier else None
    denier = denier or cast.rival(claimant)
    denied = act.model_copy(update={"source": denier or "media", "stance": "denies", **_NO_TOLL})
    if claimant is None:  # who made the denied claim is not said: only the denial is a claim here
        return [denied]
    asserted = act.model_copy(update={"source": claimant, **_NO_TOLL})
    return [asserted, denied]


def denial_of_earlier(
    evidence: Evidence, attributions: list[Attribution], speaker: str | None, earlier: list[Event]
) -> list[Event]:
    """'The allegations of X are false': the denial of the claim X made earlier in the text;
    'Baku rejected the claim': the denier denies the latest claim that blamed it."""
    relayed = next((a for a in attributions if a.relayed and a.side), None)
    own = next((a for a in attributions if not a.relayed and a.side), None)
    denier = own.side if own else speaker
    if relayed is None and denier is None:
        return []
    for prev in reversed(earlier):
        if prev.stance != "asserts" or prev.historical or not prev.is_violation:
            continue
        denied = prev.source == relayed.side if relayed else prev.actor == denier
        if denied and prev.source != denier:
            update = {"source": denier or "media", "stance": "denies", "evidence": [evidence]}
            return [prev.model_copy(update={**update, **_NO_TOLL})]
    return []
