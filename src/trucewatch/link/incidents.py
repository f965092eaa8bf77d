"""Link claims of many documents into incidents: greedy, deterministic, idempotent.

Claims are taken in order (day, undated last; then document id; then index). A claim that
already carries an incident id, or already sits in a given incident, stays there. Any other
claim joins the best-scoring incident whose every claim it is compatible with (`rules.compatible`,
the one-document rule included), else it starts a new incident whose id is derived from its own.
Background and non-violent claims get no incident: they are left as they are.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence

from trucewatch.link.rules import Score, compatible, linkable, score
from trucewatch.link.summary import summarise
from trucewatch.records import Claim, Incident

_UNDATED = dt.date.max


def claim_order(claim: Claim) -> tuple[dt.date, str, int, str]:
    """The order claims are linked in (and listed in an incident): day, document, index."""
    return (claim.event.date or _UNDATED, claim.document_id, claim.index, claim.id)


def incident_id(claim_id: str, salt: int = 0) -> str:
    """Deterministic id of the incident a claim starts: "inc-" + 12 hex of SHA-1 of its id."""
    seed = claim_id if salt == 0 else f"{claim_id}#{salt}"
    return "inc-" + hashlib.sha1(seed.encode("utf-8")).hexdigest()[:12]


def fit(claim: Claim, members: Sequence[Claim]) -> Score | None:
    """How well a claim fits a group: mean pairwise score, None if any member is incompatible."""
    others = [m for m in members if m.id != claim.id]
    if not all(compatible(claim, m) for m in others):
        return None
    if not others:
        return Score(0.0, 0.0)
    scores = [score(claim, m) for m in others]
    n = len(scores)
    return Score(sum(s.agreement for s in scores) / n, sum(s.similarity for s in scores) / n)


class _Linker:
    """Working state of one `link` call: incidents by id, each with its claims by id."""

    def __init__(self, incidents: Sequence[Incident]) -> None:
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
        target = claim.incident_id or self.home.get(claim.id) or self._best(claim)
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
        self._touch(target)

    def _best(self, claim: Claim) -> str | None:
        best: tuple[Score, str] | None = None
        for iid in sorted(self.members):
            members = list(self.members[iid].values())
            if not members:
                continue
            fitness = fit(claim, members)
            if fitness is not None and (best is None or fitness > best[0]):
                best = (fitness, iid)
        return best[1] if best else None

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
            out.append(summarise(self.heads[iid].model_copy(update={"claims": claims})))
        return sorted(out, key=lambda i: (i.first_date or _UNDATED, i.id))


def link(claims: Sequence[Claim], incidents: Sequence[Incident] = ()) -> list[Incident]:
    """Assign each linkable claim to an incident; return the incidents touched or created.

    `incidents` are the ones already stored (with their claims); each returned incident holds
    its full claim list, every claim's `incident_id` set, and fresh summaries. Claims that are
    background or not violations are skipped (the caller keeps them as claims). Linking the same
    claims again, with or without the incidents returned, gives the same incidents.
    """
    linker = _Linker(incidents)
    for claim in sorted((c for c in claims if linkable(c)), key=claim_order):
        linker.place(claim)
    return linker.result()
