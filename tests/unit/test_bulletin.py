"""Tests for trucewatch.report.bulletin on incidents built in code."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from trucewatch.models import (
    CasualtyRange,
    Ceasefire,
    Claim,
    Event,
    Evidence,
    GeoPoint,
    Incident,
    PeriodReport,
    StoredDocument,
)
from trucewatch.report.bulletin import Bulletin, build_bulletin, render_html, render_markdown

DAY = dt.date(2021, 8, 11)
BEFORE = DAY - dt.timedelta(days=1)
CEASEFIRE = Ceasefire(
    id="nk-2020", name="November 2020 statement", parties=["Armenia", "Azerbaijan"], start=DAY
)


def claim(claim_id: str, sentence: str = "", **fields: Any) -> Claim:
    """A claim of document `d-<claim_id>` whose event defaults to an assertion dated DAY."""
    base: dict[str, Any] = {"type": "drone_strike", "source": "Russia", "date": DAY}
    base.update(fields)
    if sentence:
        base["evidence"] = [Evidence(sentence=sentence, start=0, end=len(sentence))]
    return Claim(id=claim_id, document_id=f"d-{claim_id}", index=0, event=Event(**base))


def incident(incident_id: str, *claims: Claim, **fields: Any) -> Incident:
    base: dict[str, Any] = {"type": claims[0].event.type if claims else "ceasefire_violation"}
    base.update({"first_date": DAY, "last_date": DAY, "claims": list(claims)})
    base.update(fields)
    return Incident(id=incident_id, **base)


def today() -> list[Incident]:
    return [
        incident(
            "i-drone",
            claim(
                "c1",
                "Two quadcopter strikes hit a post; nobody was hurt.",
                actor="Azerbaijan",
                target="Nagorno-Karabakh",
                weapon="drone",
                location="Saribaba",
                count=2,
                killed=0,
                injured=0,
            ),
            claim(
                "c2",
                "Baku called the report false.",
                source="Azerbaijan",
                stance="denies",
                actor="Azerbaijan",
            ),
            location="Saribaba",
            geo=GeoPoint(lat=39.7, lon=46.7, precision="settlement", name="Saribaba"),
        ),
        incident(
            "i-shell",
            claim(
                "c3",
                "Two soldiers died in the shelling.",
                type="shelling",
                source="Armenia",
                actor="Azerbaijan",
                weapon="artillery",
                killed=2,
            ),
            claim(
                "c4",
                "Five died. <script>alert(1)</script>",
                type="shelling",
                source="Nagorno-Karabakh",
                actor="Azerbaijan",
                weapon="artillery",
                killed=5,
            ),
        ),
        incident(
            "i-fire",
            claim(
                "c5",
                "Rifle fire came from the west.",
                type="firing",
                source="Azerbaijan",
                actor="Armenia",
                weapon="small_arms",
            ),
        ),
        incident(
            "i-vague",
            claim(
                "c6",
                "A breach was observed.",
                type="ceasefire_violation",
                source="OSCE",
                stance="neutral",
            ),
        ),
        # never counted: background, another day, not a violation, another ceasefire
        incident("i-old", claim("c7", actor="Armenia", historical=True), historical=True),
        incident("i-other-day", claim("c8", actor="Armenia"), first_date=BEFORE, last_date=BEFORE),
        incident("i-talks", claim("c9", type="mediation")),
        incident("i-elsewhere", claim("c10", actor="Armenia"), ceasefire_id="other"),
    ]


def yesterday() -> list[Incident]:
    return [
        incident(
            "y-1",
            claim("y1", source="Armenia", actor="Azerbaijan"),
            first_date=BEFORE,
            last_date=BEFORE,
        ),
    ]


def period_reports() -> list[PeriodReport]:
    return [
        PeriodReport(
            id="p-zero",
            document_id="d-p",
            source="Russia",
            start=DAY,
            end=DAY,
            count=0,
            evidence="No violations were recorded.",
        ),
        PeriodReport(id="p-two", document_id="d-p", source="Armenia", start=DAY, end=DAY, count=2),
        PeriodReport(
            id="p-old", document_id="d-p", source="Russia", start=BEFORE, end=BEFORE, count=4
        ),
    ]


@pytest.fixture
def bulletin() -> Bulletin:
    doc = StoredDocument(
        id="d-c1",
        text="…",
        url="https://example.org/ru/1",
        title="Ministry bulletin",
        ingested_at=dt.datetime(2021, 8, 12),
    )
    return build_bulletin(
        DAY,
        today(),
        period_reports(),
        previous_day=yesterday(),
        ceasefire=CEASEFIRE,
        documents={"d-c1": doc},
    )


def counts(figures: list[Any]) -> dict[str, int]:
    return {f.label: f.value for f in figures}


def test_counts_by_perpetrator_and_claimant(bulletin: Bulletin) -> None:
    assert bulletin.total.value == 4
    assert counts(bulletin.by_perpetrator) == {"Azerbaijan": 2, "Armenia": 1, "unattributed": 1}
    assert [f.label for f in bulletin.by_perpetrator][0] == "Azerbaijan"
    azerbaijan = next(f for f in bulletin.by_perpetrator if f.label == "Azerbaijan")
    assert azerbaijan.claim_ids == ["c1", "c3", "c4"]
    assert counts(bulletin.by_claimant) == {
        "Russia": 1,
        "Armenia": 1,
        "Nagorno-Karabakh": 1,
        "Azerbaijan": 1,
        "OSCE": 1,
    }
    assert counts(bulletin.by_weapon) == {
        "drone": 1,
        "artillery": 1,
        "small_arms": 1,
        "not stated": 1,
    }
    assert counts(bulletin.by_place)["Saribaba"] == 1


def test_casualty_ranges(bulletin: Bulletin) -> None:
    entries = {i.id: i for i in bulletin.incidents}
    assert entries["i-shell"].killed.text == "2–5 killed"
    assert entries["i-shell"].killed.claim_ids == ["c3", "c4"]
    assert entries["i-shell"].injured.text == "injured: not stated"
    assert entries["i-drone"].killed.text == "0 killed"
    assert entries["i-drone"].injured.text == "0 injured"


def test_incident_summary_wins_over_claims() -> None:
    edited = incident("i", claim("c", killed=2), killed=CasualtyRange(low=1, best=1, high=3))
    b = build_bulletin(DAY, [edited], [])
    assert b.incidents[0].killed.text == "1–3 killed"


def test_neutral_statements_and_denial(bulletin: Bulletin) -> None:
    drone = next(i for i in bulletin.incidents if i.id == "i-drone")
    assert [s.text for s in drone.statements] == [
        "Russia said Azerbaijan carried out a drone strike near Saribaba (2 strikes); "
        "no casualties."
    ]
    assert [(s.text, s.claim_ids) for s in drone.denials] == [("Azerbaijan denied it.", ["c2"])]
    assert counts(bulletin.by_denier) == {"Azerbaijan": 1}


def test_zero_period_report_is_shown(bulletin: Bulletin) -> None:
    texts = [p.text for p in bulletin.period_reports]
    assert texts == [
        "Russia: no violations recorded on 2021-08-11.",
        "Armenia said 2 violations were recorded on 2021-08-11.",
    ]
    assert "Russia: no violations recorded on 2021-08-11." in render_markdown(bulletin)


def test_change_vs_previous_day(bulletin: Bulletin) -> None:
    assert (bulletin.change.today, bulletin.change.previous, bulletin.change.delta) == (4, 1, 3)
    change = {c.label: (c.today, c.previous, c.delta) for c in bulletin.change_by_perpetrator}
    assert change["Azerbaijan"] == (2, 1, 1)
    assert change["Armenia"] == (1, 0, 1)
    assert bulletin.change.text == "4 (previous day 1, +3)"


def test_first_attribution_detected() -> None:
    b = build_bulletin(DAY, today(), [], previous_day=yesterday())
    firsts = {(f.claimant, f.actor): f.claim_ids for f in b.firsts}
    assert firsts[("Russia", "Azerbaijan")] == ["c1"]
    assert ("Azerbaijan", "Armenia") in firsts
    assert ("Armenia", "Azerbaijan") not in firsts  # already said the day before


def test_first_attribution_not_flagged_when_seen_earlier() -> None:
    old = incident("e-1", claim("e1", actor="Azerbaijan"), first_date=dt.date(2021, 5, 1))
    b = build_bulletin(DAY, today(), [], previous_day=yesterday(), earlier=[old])
    assert ("Russia", "Azerbaijan") not in {(f.claimant, f.actor) for f in b.firsts}


def test_html_escapes_untrusted_evidence(bulletin: Bulletin) -> None:
    html = render_html(bulletin)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="https://example.org/ru/1"' in html
    assert 'href="#claim-c4"' in html
    assert 'id="claim-c4"' in html


def test_html_drops_javascript_links() -> None:
    doc = StoredDocument(
        id="d-c",
        text="…",
        url="javascript:alert(1)",
        title="t",
        ingested_at=dt.datetime(2021, 8, 12),
    )
    b = build_bulletin(
        DAY, [incident("i", claim("c", actor="Azerbaijan"))], [], documents={"d-c": doc}
    )
    assert "javascript:" not in render_html(b)
    assert "javascript:" not in render_markdown(b)


def test_markdown_mentions_claim_ids_and_escapes_markup(bulletin: Bulletin) -> None:
    text = render_markdown(bulletin)
    for claim_id in ("c1", "c2", "c3", "c4", "c5", "c6"):
        assert claim_id in text
    assert "(claims: c3, c4)" in text
    assert "Azerbaijan denied it. (claims: c2)" in text
    assert "<script>" not in text
    assert "[Ministry bulletin](<https://example.org/ru/1>)" in text
    assert "c7" not in text
    assert "c10" not in text


def test_empty_day_renders() -> None:
    b = build_bulletin(DAY, [], [])
    assert b.total.value == 0
    assert "No violations reported for this day." in render_markdown(b)
    assert "No violations reported for this day." in render_html(b)
