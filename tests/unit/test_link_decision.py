"""The scored linking decision on made-up claims: one case per kind of distractor a monitor
meets (same place another day, same day next village, retaliation, a tally beside an act,
undated and placeless claims), and the kinds of agreement that should join."""

from __future__ import annotations

import datetime as dt
from typing import Any

from trucewatch.link import link
from trucewatch.link.decision import (
    THRESHOLD,
    is_mirrored,
    joins,
    pair_score,
    place_points,
    same_name,
)
from trucewatch.models import Claim, Event, Evidence, GeoPoint

DAY = dt.date(2023, 5, 8)
# made-up points a few km apart, as on a front line
HILLTOP = GeoPoint(lat=33.10, lon=35.20, precision="settlement", name="Hilltop")
RIVERBEND = GeoPoint(lat=33.12, lon=35.26, precision="settlement", name="Riverbend")  # ~6 km
FARAWAY = GeoPoint(lat=33.90, lon=35.90, precision="settlement", name="Faraway")  # ~110 km
PROVINCE = GeoPoint(lat=33.30, lon=35.40, precision="region", name="North Province")


def claim(doc: str, sentence: str, index: int = 0, **fields: Any) -> Claim:
    geo = fields.pop("geo", HILLTOP)
    base: dict[str, Any] = {
        "type": "shelling",
        "actor": "Northland",
        "target": "Southland",
        "source": "Southland",
        "location": geo.name if geo else None,
        "date": DAY,
        "date_basis": "stated",
        "evidence": [Evidence(sentence=sentence, start=0, end=len(sentence))],
    }
    base.update(fields)
    return Claim(
        id=Claim.make_id(doc, index), document_id=doc, index=index, event=Event(**base), geo=geo
    )


def together(*claims: Claim) -> bool:
    return len(link(list(claims))) == 1


def test_one_shelling_told_by_two_outlets_joins_with_its_score_kept() -> None:
    a = claim("wire", "Southland said Northland guns shelled Hilltop on Monday, killing two.")
    b = claim(
        "paper", "Two people died when Hilltop was shelled on Monday, Southland officials said."
    )
    a = a.model_copy(update={"event": a.event.model_copy(update={"killed": 2})})
    b = b.model_copy(update={"event": b.event.model_copy(update={"killed": 2})})
    (incident,) = link([a, b])
    # the first claim in link order ("paper" < "wire") started it; the other joined it
    assert set(incident.link_scores) == {a.id}
    assert incident.link_scores[a.id] >= THRESHOLD


def test_same_place_next_day_stays_apart() -> None:
    monday = claim("mon", "Southland said Hilltop was shelled on Monday.")
    tuesday = claim("tue", "Hilltop came under fire again on Tuesday.", date=DAY + dt.timedelta(2))
    assert not together(monday, tuesday)
    close = claim("tue2", "Hilltop was hit once more.", date=DAY + dt.timedelta(1))
    # a day apart on stated dates is allowed, but only with more agreement than the day
    assert pair_score(monday, close) is not None


def test_same_day_village_far_away_stays_apart() -> None:
    here = claim("a", "Hilltop was shelled on Monday.")
    there = claim("b", "Faraway was shelled on Monday.", geo=FARAWAY)
    assert pair_score(here, there) is None
    assert not together(here, there)


def test_retaliation_at_a_nearby_village_is_its_own_incident() -> None:
    strike = claim("a", "Northland shelled Hilltop on Monday, an agency reported.", source="media")
    answer = claim(
        "b",
        "Southland fired rockets at Riverbend in response on Monday, the agency said.",
        actor="Southland",
        target="Northland",
        source="media",
        geo=RIVERBEND,
        weapon="rocket",
    )
    assert not is_mirrored(strike, answer)
    assert not together(strike, answer)


def test_each_side_blaming_the_other_for_one_clash_is_one_incident() -> None:
    south_says = claim("a", "Southland said Northland opened fire at Hilltop on Monday.")
    north_says = claim(
        "b",
        "Northland said Southland provoked the exchange near Hilltop on Monday.",
        actor="Southland",
        target="Northland",
        source="Northland",
    )
    assert is_mirrored(south_says, north_says)
    assert together(south_says, north_says)


def test_undated_claim_never_joins_on_sides_and_region_alone() -> None:
    dated = claim("a", "Northland shelled Hilltop on Monday, Southland said.")
    vague = claim(
        "b", "Northland keeps shelling the province.", date=None, geo=PROVINCE, location="North"
    )
    pair = pair_score(dated, vague)
    assert pair is not None
    assert not joins(pair, dated, vague)
    assert not together(dated, vague)


def test_placeless_claim_joins_only_the_same_day_and_kind_with_strong_evidence() -> None:
    placed = claim("a", "Northland shelled Hilltop on Monday, killing three, Southland said.")
    sides_only = claim("b", "Northland violated the truce again.", geo=None, type="firing")
    assert not together(placed, sides_only)


def test_a_tally_and_an_act_of_the_same_day_stay_apart() -> None:
    act = claim("a", "Northland shelled Hilltop on Monday.")
    tally = claim(
        "b",
        "Southland counted seven Northland violations on Monday.",
        type="ceasefire_violation",
        count=7,
        geo=None,
    )
    assert pair_score(act, tally) is None


def test_place_names_spelled_two_ways_are_one_place() -> None:
    assert same_name("Kfar Tala", "Kafr Tala")
    assert not same_name("Hilltop", "Riverbend")
    a = claim("a", "Shelling hit Kfar Tala.", geo=None, location="Kfar Tala")
    b = claim("b", "Shelling hit Kafr Tala.", geo=None, location="Kafr Tala")
    assert place_points(a, b) == 2.0


def test_a_settlement_inside_a_region_is_weak_evidence() -> None:
    a = claim("a", "Hilltop was shelled.")
    b = claim("b", "The province was shelled.", geo=PROVINCE, location="North Province")
    assert place_points(a, b) == 0.5
