"""Pairwise and B³ scores of report clusterings against gold incident keys."""

from __future__ import annotations

import pytest

from trucewatch.link.metrics import bcubed, pairwise


def test_perfect_grouping_scores_one_whatever_the_labels() -> None:
    gold = {"a": {"k1"}, "b": {"k1"}, "c": {"k2"}}
    predicted = {"a": {"inc-x"}, "b": {"inc-x"}, "c": {"inc-y"}}
    assert pairwise(gold, predicted).f1 == 1.0
    assert bcubed(gold, predicted).f1 == 1.0


def test_a_wrong_join_costs_precision_and_a_missed_one_recall() -> None:
    gold = {"a": {"k1"}, "b": {"k1"}, "c": {"k2"}, "d": {"k3"}}
    predicted = {"a": {"i1"}, "b": {"i2"}, "c": {"i3"}, "d": {"i3"}}
    scores = pairwise(gold, predicted)
    assert (scores.correct, scores.predicted, scores.gold) == (0, 1, 1)
    assert scores.precision == 0.0
    assert scores.recall == 0.0


def test_a_report_left_without_incident_stands_alone() -> None:
    gold = {"a": {"k1"}, "b": {"k1"}}
    predicted: dict[str, set[str]] = {"a": {"i1"}}
    scores = pairwise(gold, predicted)
    assert scores.precision == 1.0  # nothing predicted, nothing wrong
    assert scores.recall == 0.0
    b3 = bcubed(gold, predicted)
    assert b3.precision == 1.0
    assert b3.recall == pytest.approx(0.5)


def test_overlapping_membership_counts_shared_keys() -> None:
    # a tally that describes an act belongs to two incidents; so does its prediction
    gold = {"tally": {"t", "act"}, "act": {"act"}}
    predicted = {"tally": {"i-t", "i-act"}, "act": {"i-act"}}
    assert pairwise(gold, predicted).f1 == 1.0
    assert bcubed(gold, predicted).f1 == pytest.approx(1.0)
    # a report split over two incidents where gold has one loses B³ precision only
    split = bcubed({"r": {"k"}}, {"r": {"i1", "i2"}})
    assert split.precision == pytest.approx(0.5)
    assert split.recall == 1.0


def test_restricting_to_some_reports_ignores_the_others() -> None:
    gold = {"en1": {"k"}, "en2": {"k"}, "ru": {"k"}}
    predicted = {"en1": {"i"}, "en2": {"i"}, "ru": {"j"}}
    assert pairwise(gold, predicted, ["en1", "en2"]).f1 == 1.0
    assert pairwise(gold, predicted).recall == pytest.approx(1 / 3)
