"""Link claims of many documents into incidents: greedy, deterministic, idempotent.

Claims are taken in order (day, undated last; then document id; then index). A claim that
already carries an incident id, or already sits in a given incident, stays there. Any other
claim is scored against every claim of each candidate incident (`decision.pair_score`): an
incident with a claim it contradicts (a veto, the one-document rule included) is out; of the
rest, it joins the one whose best-scoring member pair passes the decision (`decision.joins`:
the calibrated threshold, strong evidence for an undated or placeless claim), the highest score
first; else it starts a new incident whose id is derived from its own. The score of each join is
kept on the incident (`Incident.link_scores`, claim id -> score). Background and non-violent
claims get no incident: they are left as they are.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence

from trucewatch.link.decision import THRESHOLD, joins, pair_score
from trucewatch.link.rules import linkable
from trucewatch.link.summary import summarise
from trucewatch.models import Claim, Incident

_UNDATED = dt.date.max


def claim_order(claim: Claim) -> tuple[dt.date, str, int, str]:
    """The order claims are linked in (and listed in an incident): day, document, index."""
    return (claim.event.date or _UNDATED, claim.document_id, claim.index, claim.id)


def incident_id(claim_id: str, salt: int = 0) -> str:
    """Deterministic id of the incident a claim starts: "inc-" + 12 hex of SHA-1 of its id."""
    seed = claim_id if salt == 0 else f"{claim_id}#{salt}"
    return "inc-" + hashlib.sha1(seed.encode("utf-8")).hexdigest()[:12]


def fit(claim: Claim, members: Sequence[Claim], threshold: float = THRESHOLD) -> float | None:
    """The score with which a claim joins a group: its best pair with a member that passes the
    decision; None when it contradicts any member or no pair passes."""
    best: float | None = None
    for member in members:
        if member.id == claim.id:
            continue
        pair = pair_score(claim, member)
        if pair is None:
            return None
        if joins(pair, claim, member, threshold) and (best is None or pair.score > best):
            best = pair.score
    return best


class _Linker:
    """Working state of one `link` call: incidents by id, each with its claims by id."""

    def __init__(self, incidents: Sequence[Incident], threshold: float = THRESHOLD) -> None:
        self.threshold = threshold
        self.heads: dict[str, Incident] = {}
        self.members: dict[str, dict[str, Claim]] = {}
        self.home: dict[str, str] = {}  # claim id -> incident id
        self.touched: list[str] = []
        for incident in incidents:
            self.heads[incident.id] = incident
            self.members[incident.id] = {c.id: c for c in incident.claims}
            for claim in incident.claims:
                self.home.setdefault(claim.id, incident.id)

    def place(self, claim: Claim) -> None:
        target = claim.incident_id or self.home.get(claim.id)
        joined: float | None = None
        if target is None:
            best = self._best(claim)
            if best is not None:
                joined, target = best
        if target is None:
            target = self._new_id(claim.id)
        if target not in self.heads:
            # version 0: not stored yet (a save refuses it if another linker stored it since)
            self.heads[target] = Incident(id=target, type=claim.event.type, version=0)
            self.members[target] = {}
        previous = self.home.get(claim.id)
        if previous is not None and previous != target:
            self.members[previous].pop(claim.id, None)
            self._touch(previous)
        self.members[target][claim.id] = claim.model_copy(update={"incident_id": target})
        self.home[claim.id] = target
        if joined is not None:
            head = self.heads[target]
            scores = {**head.link_scores, claim.id: round(joined, 2)}
            self.heads[target] = head.model_copy(update={"link_scores": scores})
        self._touch(target)

    def _best(self, claim: Claim) -> tuple[float, str] | None:
        best: tuple[float, str] | None = None
        for iid in sorted(self.members):
            members = list(self.members[iid].values())
            if not members:
                continue
            fitness = fit(claim, members, self.threshold)
            if fitness is not None and (best is None or fitness > best[0]):
                best = (fitness, iid)
        return best

    def _new_id(self, claim_id: str) -> str:
        salt = 0
        while incident_id(claim_id, salt) in self.heads:
            salt += 1
        return incident_id(claim_id, salt)

    def _touch(self, iid: str) -> None:
        if iid not in self.touched:
            self.touched.append(iid)

    def result(self) -> list[Incident]:
        out = []
        for iid in self.touched:
            claims = sorted(self.members[iid].values(), key=claim_order)
            kept = {c.id for c in claims}
            scores = {k: v for k, v in self.heads[iid].link_scores.items() if k in kept}
            head = self.heads[iid].model_copy(update={"claims": claims, "link_scores": scores})
            out.append(summarise(head))
        return sorted(out, key=lambda i: (i.first_date or _UNDATED, i.id))


def link(
    claims: Sequence[Claim], incidents: Sequence[Incident] = (), *, threshold: float = THRESHOLD
) -> list[Incident]:
    """Assign each linkable claim to an incident; return the incidents touched or created.

    `incidents` are the ones already stored (with their claims); each returned incident holds
    its full claim list, every claim's `incident_id` set, and fresh summaries. Claims that are
    background or not violations are skipped (the caller keeps them as claims). Linking the same
    claims again, with or without the incidents returned, gives the same incidents.
    """
    linker = _Linker(incidents, threshold)
    for claim in sorted((c for c in claims if linkable(c)), key=claim_order):
        linker.place(claim)
    return linker.result()
