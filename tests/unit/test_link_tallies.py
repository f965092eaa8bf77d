"""Tallies contain acts (part-of), never across days or areas; a neutral observer's tally
counts against the area's ceasefire."""

from __future__ import annotations

import datetime as dt
from typing import Any

from trucewatch.link import ceasefire_for, link
from trucewatch.link.tallies import covers, relate
from trucewatch.models import Ceasefire, Claim, Event, Evidence, GeoPoint

DAY = dt.date(2021, 6, 2)
VILLAGE = GeoPoint(lat=48.10, lon=37.70, precision="settlement", name="Greenfield")
REGION = GeoPoint(lat=48.00, lon=37.80, precision="region", name="East Oblast")
ELSEWHERE = GeoPoint(lat=46.50, lon=30.70, precision="settlement", name="Seaport")  # ~550 km


def claim(doc: str, sentence: str, index: int = 0, **fields: Any) -> Claim:
    geo = fields.pop("geo", None)
    base: dict[str, Any] = {
        "type": "shelling",
        "actor": "Eastern forces",
        "target": "Western army",
        "source": "Western army",
        "location": geo.name if geo else None,
        "date": DAY,
        "evidence": [Evidence(sentence=sentence, start=0, end=len(sentence))],
    }
    base.update(fields)
    return Claim(
        id=Claim.make_id(doc, index), document_id=doc, index=index, event=Event(**base), geo=geo
    )


def tally(doc: str, **fields: Any) -> Claim:
    said = "The command counted seven violations by the Eastern forces over the past day."
    return claim(doc, said, type="ceasefire_violation", count=7, **fields)


def test_a_bulletins_total_contains_the_act_it_details_without_merging() -> None:
    total = tally("bulletin")
    act = claim("bulletin", "Mortars hit Greenfield.", index=1, geo=VILLAGE, weapon="mortar")
    incidents = relate(link([total, act]), [])
    assert len(incidents) == 2  # not merged
    (counted,) = [i for i in incidents if i.contains]
    (single,) = [i for i in incidents if not i.contains]
    assert counted.contains == [single.id]
    assert [c.id for c in counted.claims] == [total.id]


def test_never_across_days_claimants_or_areas() -> None:
    total = tally("a", geo=REGION, location="East Oblast")
    assert covers(total, claim("b", "Greenfield was shelled.", geo=VILLAGE))
    next_day = claim("c", "Greenfield again.", geo=VILLAGE, date=DAY + dt.timedelta(1))
    assert not covers(total, next_day)
    other_claimant = claim("d", "Greenfield was shelled.", geo=VILLAGE, source="media")
    assert not covers(total, other_claimant)
    far = claim("e", "Seaport was shelled.", geo=ELSEWHERE)
    assert not covers(total, far)
    assert not covers(total, tally("f", geo=REGION, location="East Oblast"))  # not an act


def test_an_act_arriving_later_is_added_to_the_stored_tally() -> None:
    (stored,) = link([tally("monday-bulletin", geo=REGION, location="East Oblast")])
    later = link([claim("tuesday-report", "Greenfield was shelled.", geo=VILLAGE)], [stored])
    related = {i.id: i for i in relate(later, [stored])}
    assert related[stored.id].contains == [later[0].id]


def test_a_neutral_observers_tally_counts_against_the_areas_ceasefire() -> None:
    truce = Ceasefire(
        id="east-truce",
        name="East truce",
        parties=["Eastern forces", "Western army"],
        start=dt.date(2021, 1, 1),
        area="East Oblast line of contact",
        monitor="Observer Mission",
    )
    observed = tally(
        "mission",
        actor=None,
        target=None,
        source="Observer Mission",
        stance="neutral",
        geo=REGION,
        location="East Oblast",
    )
    (incident,) = link([observed])
    assert ceasefire_for(incident, [truce]) == "east-truce"
    unknown = observed.model_copy(
        update={"event": observed.event.model_copy(update={"source": "a local blogger"})}
    )
    (hearsay,) = link([unknown])
    assert ceasefire_for(hearsay, [truce]) is None
