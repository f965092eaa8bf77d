"""Tests for trucewatch.link: claims of many documents linked into incidents, on built claims."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from trucewatch.link import ceasefire_for, compatible, link, score, summarise
from trucewatch.link.decision import is_mirrored, pair_score
from trucewatch.link.incidents import incident_id
from trucewatch.link.rules import is_denial_pair
from trucewatch.models import CasualtyRange, Ceasefire, Claim, Event, Evidence, GeoPoint, Incident

DAY = dt.date(2021, 8, 11)
SOTK = GeoPoint(lat=40.21, lon=45.85, precision="settlement", name="Sotk")
KUT = GeoPoint(lat=40.05, lon=45.68, precision="settlement", name="Kut")  # ~23 km from Sotk
YEREVAN = GeoPoint(lat=40.18, lon=44.51, precision="settlement", name="Yerevan")


def claim(doc: str, index: int, sentence: str, geo: GeoPoint | None = None, **fields: Any) -> Claim:
    """A claim of document `doc` whose evidence is the made-up `sentence`."""
    base: dict[str, Any] = {
        "type": "shelling",
        "actor": "Azerbaijan",
        "target": "Armenia",
        "source": "Armenia",
        "location": "Sotk",
        "date": DAY,
        "evidence": [Evidence(sentence=sentence, start=0, end=len(sentence))],
    }
    base.update(fields)
    return Claim(
        id=Claim.make_id(doc, index), document_id=doc, index=index, event=Event(**base), geo=geo
    )


def membership(incidents: list[Incident]) -> dict[str, list[str]]:
    return {i.id: [c.id for c in i.claims] for i in incidents}


def test_claim_and_its_denial_from_two_documents_form_one_incident() -> None:
    accusation = claim("doc-a", 0, "Azerbaijani forces shelled Sotk, the Armenian ministry said.")
    denial = claim(
        "doc-b",
        0,
        "Baku called the reports of shelling near Sotk false.",
        source="Azerbaijan",
        stance="denies",
    )
    (incident,) = link([accusation, denial])
    assert [c.id for c in incident.claims] == [accusation.id, denial.id]
    assert all(c.incident_id == incident.id for c in incident.claims)
    assert incident.denied_by == ["Azerbaijan"]
    assert incident.blamed == {"Armenia": ["Azerbaijan"]}
    assert incident.sources == 2


def test_denial_in_the_same_document_joins_the_claim_it_denies() -> None:
    told = claim("doc-a", 0, "Yerevan says Azerbaijani units fired on Sotk.", type="firing")
    denied = claim(
        "doc-a", 1, "Baku denies it.", type="firing", source="Azerbaijan", stance="denies"
    )
    (incident,) = link([told, denied])
    assert len(incident.claims) == 2
    assert incident.sources == 1


def test_denial_of_another_actor_does_not_join() -> None:
    accusation = claim("doc-a", 0, "Azerbaijani forces shelled Sotk.")
    denial = claim("doc-b", 0, "Yerevan denied firing.", actor="Armenia", stance="denies")
    assert not compatible(accusation, denial)
    assert len(link([accusation, denial])) == 2


def test_same_event_told_by_two_outlets_links_across_wording_dates_and_place_names() -> None:
    first = claim(
        "outlet-1", 0, "Azerbaijani troops shelled Sotk on Wednesday night.", weapon="artillery"
    )
    second = claim(
        "outlet-2",
        3,
        "Artillery fire from Azerbaijani positions hit Sotk village, Armenia's ministry said.",
        location="Sotk village",
        date=DAY + dt.timedelta(days=1),
        weapon="artillery",
    )
    (incident,) = link([second, first])
    assert incident.sources == 2
    assert (incident.first_date, incident.last_date) == (DAY, DAY + dt.timedelta(days=1))
    assert incident.location == "Sotk village"


def test_two_claims_of_one_document_with_different_places_are_two_incidents() -> None:
    sotk = claim("doc-a", 0, "Azerbaijani forces shelled Sotk.")
    kut = claim("doc-a", 1, "Later they shelled Kut too.", location="Kut")
    incidents = link([sotk, kut])
    assert len(incidents) == 2
    assert {i.location for i in incidents} == {"Sotk", "Kut"}


def test_two_asserting_claims_of_one_document_never_share_an_incident() -> None:
    a = claim("doc-a", 0, "Shelling was reported at Sotk.")
    b = claim("doc-a", 1, "Shelling was reported at Sotk again.", location=None)
    assert not compatible(a, b)
    assert len(link([a, b])) == 2


def test_same_place_five_days_apart_is_two_incidents() -> None:
    early = claim("doc-a", 0, "Azerbaijani forces shelled Sotk.")
    late = claim("doc-b", 0, "Azerbaijani forces shelled Sotk.", date=DAY + dt.timedelta(days=5))
    assert not compatible(early, late)
    assert len(link([early, late])) == 2


def test_places_compare_by_coordinates_within_25_km() -> None:
    at_sotk = claim("doc-a", 0, "Shelling hit Sotk.", geo=SOTK)
    at_kut = claim("doc-b", 0, "Shelling hit Kut.", location="Kut", geo=KUT)
    far = claim("doc-c", 0, "Shelling hit Yerevan.", location="Yerevan", geo=YEREVAN)
    nowhere = claim("doc-d", 0, "Shelling was reported.", location=None)
    assert compatible(at_sotk, at_kut)
    assert not compatible(at_sotk, far)
    assert compatible(nowhere, far)


def test_types_sides_and_history_rules() -> None:
    shelling = claim("doc-a", 0, "Shelling hit Sotk.")
    assert compatible(shelling, claim("doc-b", 0, "Gunfire at Sotk.", type="firing"))
    assert compatible(shelling, claim("doc-c", 0, "A truce breach.", type="ceasefire_violation"))
    assert not compatible(shelling, claim("doc-d", 0, "A drone struck.", type="drone_strike"))
    assert not compatible(shelling, claim("doc-e", 0, "Armenia shelled.", actor="Armenia"))
    assert compatible(shelling, claim("doc-f", 0, "Sotk was shelled.", actor=None, target=None))
    assert not compatible(shelling, claim("doc-g", 0, "In 2020 Sotk burned.", historical=True))


def test_score_prefers_the_claim_that_agrees_more_and_text_breaks_ties() -> None:
    base = claim("doc-a", 0, "Azerbaijani artillery shelled Sotk overnight.", weapon="artillery")
    closer = claim("doc-b", 0, "Sotk was shelled.", weapon="artillery")
    looser = claim("doc-c", 0, "Azerbaijani artillery shelled Sotk overnight.", weapon=None)
    assert score(base, closer) > score(base, looser)
    same_words = claim("doc-d", 0, "Azerbaijani artillery shelled Sotk overnight.", weapon=None)
    other_words = claim("doc-e", 0, "Guns were heard.", weapon=None)
    assert score(base, same_words).agreement == score(base, other_words).agreement
    assert score(base, same_words) > score(base, other_words)


def test_claim_joins_the_best_scoring_of_two_compatible_incidents() -> None:
    vague = claim(
        "doc-a", 0, "A violation was reported.", type="ceasefire_violation", location=None
    )
    exact = claim("doc-a", 1, "Mortars hit Kut.", location="Kut", weapon="mortar")
    newcomer = claim("doc-b", 0, "Mortar shells fell on Kut.", location="Kut", weapon="mortar")
    incidents = link([vague, exact, newcomer])
    home = next(i for i in incidents if newcomer.id in {c.id for c in i.claims})
    assert {c.id for c in home.claims} == {exact.id, newcomer.id}


def test_casualty_range_across_claims() -> None:
    claims = [
        claim(f"doc-{n}", 0, f"{n} soldiers were killed at Sotk.", killed=n, injured=None)
        for n in (5, 2, 3)
    ]
    (incident,) = link(claims)
    assert (incident.killed.low, incident.killed.best, incident.killed.high) == (2, 3, 5)
    assert incident.injured == CasualtyRange()


def test_zero_killed_is_a_stated_number() -> None:
    none = claim("doc-a", 0, "Nobody was hurt at Sotk.", killed=0)
    two = claim("doc-b", 0, "Two died at Sotk.", killed=2)
    (incident,) = link([none, two])
    assert (incident.killed.low, incident.killed.high) == (0, 2)


def test_denials_do_not_count_in_casualties_or_type() -> None:
    told = claim("doc-a", 0, "A drone killed one at Sotk.", type="drone_strike", killed=1)
    denied = claim(
        "doc-b", 0, "No drone flew.", type="shoot_down", stance="denies", source="Azerbaijan"
    )
    incident = summarise(Incident(id="inc-x", type="ceasefire_violation", claims=[told, denied]))
    assert incident.type == "drone_strike"
    assert (incident.killed.low, incident.killed.high) == (1, 1)


def test_summary_picks_most_specific_type_and_most_precise_geo() -> None:
    region = GeoPoint(lat=40.0, lon=45.5, precision="region", name="Gegharkunik")
    vague = claim("doc-a", 0, "A breach.", type="ceasefire_violation", geo=region)
    precise = claim("doc-b", 0, "A drone hit Sotk.", type="drone_strike", geo=SOTK)
    incident = summarise(Incident(id="inc-x", type="shelling", claims=[vague, precise]))
    assert incident.type == "drone_strike"
    assert incident.geo == SOTK
    assert incident.location == "Sotk"


def test_relinking_is_idempotent() -> None:
    claims = [
        claim("doc-a", 0, "Azerbaijani forces shelled Sotk."),
        claim("doc-b", 0, "Baku denies shelling Sotk.", source="Azerbaijan", stance="denies"),
        claim("doc-c", 0, "Shelling at Kut.", location="Kut", date=DAY + dt.timedelta(days=2)),
        claim("doc-c", 1, "Fighting at Sotk.", type="armed_clash"),
    ]
    first = link(claims)
    again = link(claims, first)
    assert membership(again) == membership(first)
    assert again == first
    linked = [c for i in first for c in i.claims]
    assert membership(link(linked)) == membership(first)
    assert membership(link(claims)) == membership(first)
    assert {incident_id(i.claims[0].id) for i in first} == {i.id for i in first}


def test_new_claim_joins_a_stored_incident_and_only_touched_ones_return() -> None:
    stored = link([claim("doc-a", 0, "Azerbaijani forces shelled Sotk.")])
    other = link([claim("doc-z", 0, "Shelling at Kut.", location="Kut", date=dt.date(2021, 9, 1))])
    (updated,) = link([claim("doc-b", 0, "Sotk came under fire.")], [*stored, *other])
    assert updated.id == stored[0].id
    assert updated.sources == 2


def test_historical_and_non_violent_claims_get_no_incident() -> None:
    past = claim("doc-a", 0, "The 2020 war left 6,500 dead.", historical=True)
    talks = claim("doc-a", 1, "Talks resumed in Moscow.", type="mediation")
    assert link([past, talks]) == []


def truce(cid: str, parties: list[str], start: dt.date, end: dt.date | None = None) -> Ceasefire:
    return Ceasefire(id=cid, name=cid, parties=parties, start=start, end=end)


def test_ceasefire_for_picks_by_date_and_party() -> None:
    truces = [
        truce("cf-1994", ["Armenia", "Azerbaijan"], dt.date(1994, 5, 12), dt.date(2020, 9, 27)),
        truce("cf-2020", ["Armenia", "Azerbaijan", "Russia"], dt.date(2020, 11, 10)),
        truce("cf-2021", ["Armenia", "Azerbaijan"], dt.date(2021, 5, 20)),
        truce("cf-other", ["Ukraine", "Russia"], dt.date(2021, 7, 1)),
    ]
    (incident,) = link([claim("doc-a", 0, "Azerbaijani forces shelled Sotk.")])
    assert ceasefire_for(incident, truces) == "cf-2021"
    (older,) = link([claim("doc-b", 0, "Shelling.", date=dt.date(2021, 1, 5))])
    assert ceasefire_for(older, truces) == "cf-2020"
    (old,) = link([claim("doc-c", 0, "Shelling.", date=dt.date(2016, 4, 2))])
    assert ceasefire_for(old, truces) == "cf-1994"
    (elsewhere,) = link([claim("doc-d", 0, "Shelling.", actor="Hamas", target="Israel")])
    assert ceasefire_for(elsewhere, truces) is None
    (undated,) = link([claim("doc-e", 0, "Shelling.", date=None)])
    assert ceasefire_for(undated, truces) is None


_TYPES = ["shelling", "firing", "drone_strike", "ceasefire_violation", "armed_clash", "mediation"]
_PLACES = [None, "Sotk", "Sotk village", "Kut", "Tavush"]
_GEOS = {"Sotk": SOTK, "Sotk village": SOTK, "Kut": KUT}
_SIDES = [None, "Azerbaijan", "Armenia"]


@st.composite
def claim_sets(draw: st.DrawFn) -> list[Claim]:
    claims = []
    per_doc: dict[str, int] = {}
    for _ in range(draw(st.integers(0, 14))):
        doc = draw(st.sampled_from(["d1", "d2", "d3", "d4"]))
        index = per_doc.get(doc, 0)
        per_doc[doc] = index + 1
        place = draw(st.sampled_from(_PLACES))
        offset = draw(st.none() | st.integers(0, 4))
        claims.append(
            claim(
                doc,
                index,
                draw(st.sampled_from(["Shelling hit Sotk.", "Fire was opened.", "A drone."])),
                geo=_GEOS.get(place) if place and draw(st.booleans()) else None,
                type=draw(st.sampled_from(_TYPES)),
                actor=draw(st.sampled_from(_SIDES)),
                target=draw(st.sampled_from(_SIDES)),
                stance=draw(st.sampled_from(["asserts", "asserts", "denies", "neutral"])),
                location=place,
                date=None if offset is None else DAY + dt.timedelta(days=offset),
                killed=draw(st.none() | st.integers(0, 3)),
                historical=draw(st.booleans()) and draw(st.booleans()),
            )
        )
    return claims


@settings(max_examples=150, deadline=None)
@given(claim_sets())
def test_incidents_hold_only_pairwise_compatible_claims(claims: list[Claim]) -> None:
    incidents = link(claims)
    placed = [c.id for i in incidents for c in i.claims]
    assert len(placed) == len(set(placed))
    expected = {c.id for c in claims if c.event.type != "mediation" and not c.event.historical}
    assert set(placed) == expected
    for incident in incidents:
        assert incident.sources == len({c.document_id for c in incident.claims})
        for a, b in itertools.combinations(incident.claims, 2):
            assert pair_score(a, b) is not None  # no member contradicts another
            if a.document_id == b.document_id:
                assert is_denial_pair(a, b) or is_mirrored(a, b)
    assert membership(link(claims, incidents)) == membership(incidents)


def test_tallies_of_different_counts_stay_apart() -> None:
    said = "Armenian forces violated the ceasefire several times, the ministry said."
    four = claim("d1", 0, said, type="ceasefire_violation", count=4, location=None)
    two = claim(
        "d2",
        0,
        said,
        type="ceasefire_violation",
        count=2,
        location=None,
        date=DAY + dt.timedelta(days=1),
    )
    same = claim("d3", 0, said, type="ceasefire_violation", count=4, location=None)
    single = claim("d4", 0, "Armenian forces shelled Sotk.", location=None)
    groups = sorted(sorted(c.id for c in i.claims) for i in link([four, two, same, single]))
    assert groups == [["d1:0", "d3:0"], ["d2:0"], ["d4:0"]]


def test_ceasefire_needs_both_sides_or_its_area() -> None:
    lebanon = Ceasefire(
        id="lb",
        name="Lebanon truce",
        parties=["Israel", "Hezbollah", "Lebanon"],
        start=dt.date(2024, 11, 27),
        area="southern Lebanon and northern Israel",
    )
    gaza = Ceasefire(
        id="gz",
        name="Gaza truce",
        parties=["Israel", "Hamas"],
        start=dt.date(2025, 1, 19),
        area="Gaza Strip",
    )
    strike = claim(
        "g1",
        0,
        "Israeli aircraft struck Khan Younis.",
        actor="Israel",
        target="Palestinians",
        location="Khan Younis",
        date=dt.date(2025, 3, 1),
    )
    (in_gaza,) = link([strike])
    # shares only Israel with the Lebanon truce and names no place of its area
    assert ceasefire_for(in_gaza, [lebanon]) is None
    assert ceasefire_for(in_gaza, [lebanon, gaza]) is None  # Palestinians is not a Gaza party
    hamas = claim(
        "g2",
        0,
        "Israeli aircraft struck a Hamas post in Gaza.",
        actor="Israel",
        target="Hamas",
        location="Gaza Strip",
        date=dt.date(2025, 3, 1),
    )
    (with_hamas,) = link([hamas])
    assert ceasefire_for(with_hamas, [lebanon, gaza]) == "gz"
