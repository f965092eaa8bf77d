"""How well predicted incidents group reports, against gold incident keys.

Both sides are given as a mapping report id -> set of cluster labels: gold keys on one side,
predicted incident ids on the other. A report may belong to several incidents (a tally that
describes an act, a report of a strike and the retaliation), so the clusterings overlap.

- Pairwise: over unordered pairs of distinct reports, a pair is linked when the two reports
  share at least one label. Precision = pairs linked in both / pairs linked in the prediction;
  recall = pairs linked in both / pairs linked in gold.
- B³ for overlapping clusters (Amigó et al. 2009, "extended B-cubed"): for reports r, s let
  C(r, s) be how many predicted labels they share and L(r, s) how many gold labels. The
  precision of r is the mean of min(C, L) / C over every s (r itself included) with C > 0;
  its recall the mean of min(C, L) / L over every s with L > 0. Averaged over reports.

A report with no label on one side is alone in a cluster of its own there (so a report the
linker left out costs recall, not precision).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from itertools import combinations

from pydantic import BaseModel


class Figures(BaseModel):
    """Precision, recall and F1 of one measure, with the counts behind them."""

    precision: float
    recall: float
    f1: float
    predicted: int = 0  # pairwise: linked pairs predicted (0 for B³)
    gold: int = 0  # pairwise: linked pairs in gold
    correct: int = 0  # pairwise: linked pairs in both


def _f1(p: float, r: float) -> float:
    return 0.0 if p + r == 0 else 2 * p * r / (p + r)


def _labels(clusters: Mapping[str, Iterable[str]], report: str) -> frozenset[str]:
    found = frozenset(clusters.get(report, ()))
    return found or frozenset({f"\0alone:{report}"})


def pairwise(
    gold: Mapping[str, Iterable[str]],
    predicted: Mapping[str, Iterable[str]],
    reports: Iterable[str] | None = None,
) -> Figures:
    """Pairwise precision/recall/F1 over `reports` (default: every gold report). With no
    linked pair on a side its ratio is 1.0 (nothing claimed, nothing wrong)."""
    ids = sorted(reports if reports is not None else gold)
    g = {r: _labels(gold, r) for r in ids}
    p = {r: _labels(predicted, r) for r in ids}
    n_pred = n_gold = n_both = 0
    for a, b in combinations(ids, 2):
        in_gold = bool(g[a] & g[b])
        in_pred = bool(p[a] & p[b])
        n_gold += in_gold
        n_pred += in_pred
        n_both += in_gold and in_pred
    precision = n_both / n_pred if n_pred else 1.0
    recall = n_both / n_gold if n_gold else 1.0
    return Figures(
        precision=precision,
        recall=recall,
        f1=_f1(precision, recall),
        predicted=n_pred,
        gold=n_gold,
        correct=n_both,
    )


def bcubed(
    gold: Mapping[str, Iterable[str]],
    predicted: Mapping[str, Iterable[str]],
    reports: Iterable[str] | None = None,
) -> Figures:
    """Extended B³ precision/recall/F1 over `reports` (default: every gold report)."""
    ids = sorted(reports if reports is not None else gold)
    if not ids:
        return Figures(precision=1.0, recall=1.0, f1=1.0)
    g = {r: _labels(gold, r) for r in ids}
    p = {r: _labels(predicted, r) for r in ids}
    precisions: list[float] = []
    recalls: list[float] = []
    for r in ids:
        p_terms: list[float] = []
        r_terms: list[float] = []
        for s in ids:
            shared_pred = len(p[r] & p[s])
            shared_gold = len(g[r] & g[s])
            both = min(shared_pred, shared_gold)
            if shared_pred:
                p_terms.append(both / shared_pred)
            if shared_gold:
                r_terms.append(both / shared_gold)
        precisions.append(sum(p_terms) / len(p_terms))
        recalls.append(sum(r_terms) / len(r_terms))
    precision = sum(precisions) / len(ids)
    recall = sum(recalls) / len(ids)
    return Figures(precision=precision, recall=recall, f1=_f1(precision, recall))
