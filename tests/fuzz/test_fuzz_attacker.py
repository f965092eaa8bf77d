"""A fuzzer that writes like an attacker (issue 13): a grammar of report sentences - parties,
places, weapons, numbers, dates, denials, repetition, quotations inside quotations, huge and
negative numbers, odd Unicode - driving the extractor, ingestion, the API and every page.

Invariants: extraction ends within the time limit (or stops at it: counted as a timeout, the
documented outcome for a long report) with evidence that slices the text and only
plausible figures; over real HTTP, posting the report and then reading every page and answer
that shows it is never a 5xx, and an analyst's odd edit is a 4xx, never a 5xx.

Budget: $TRUCEWATCH_FUZZ_ATTACKER_EXAMPLES reports for the extractor (60 by default, as
``make test`` runs it; ``make fuzz`` sets 100,000) and a fiftieth of that (at least 5) through
the web app, whose examples each post a report and read a dozen pages.
"""

from __future__ import annotations

import atexit
import datetime as dt
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import httpx
import pytest
from fuzzlib import TIME_LIMIT, fuzz_settings, probe
from hypothesis import given
from hypothesis import strategies as st

from trucewatch.extract.pipeline import Extractor
from trucewatch.extract.timelimit import time_limit
from trucewatch.geo import Geocoder
from trucewatch.models import Document, Event
from trucewatch.models.figures import MAX_FIGURE

pytestmark = [
    pytest.mark.fuzz,
    pytest.mark.filterwarnings("ignore:Generating overly large repr"),  # long reports
]

ATTACKER_EXAMPLES = max(1, int(os.environ.get("TRUCEWATCH_FUZZ_ATTACKER_EXAMPLES", "60")))
WEB_EXAMPLES = max(5, ATTACKER_EXAMPLES // 50)

ODD = ["\u202e", "\u200d", "\u0301", "\ufeff", "\u00a0", "\U0001f4a5", "\u0000", "\r", "\u2028"]
PARTIES = [
    "Azerbaijani forces",
    "Armenian troops",
    "the Armenian side",
    "Ukrainian forces",
    "Russian troops",
    "the DPR militia",
    "Indian troops",
    "Pakistani Rangers",
    "Israeli forces",
    "Hamas fighters",
    "the enemy",
    "unknown gunmen",
    "ÖSTERREICHISCHE Truppen",
    "Österreich",
    "ЗСУ",
    "Азербайджан",
]
SOURCES = [
    "the ministry said",
    "Armenia's Defence Ministry said",
    "the Azerbaijani Defence Ministry reported",
    "according to the OSCE",
    "a spokesman told reporters",
    "the army claimed",
]
VERBS = [
    "shelled",
    "fired on",
    "attacked",
    "struck",
    "launched a drone strike on",
    "opened sniper fire at",
    "violated the ceasefire near",
    "shot down a drone over",
]
PLACES = ["Tegh", "Sotk", "Tavush", "Avdiivka", "Donetsk", "Poonch", "Gaza", "Stepanakert"]
WEAPONS = ["mortars", "artillery", "small arms", "drones", "grenade launchers", "Grad rockets"]
DATES = [
    "",
    "on 3 March 2024",
    "yesterday",
    "on Monday",
    "over the past 24 hours",
    "on 31 February 2024",
    "on 1 January 0001",
    "on 31 December 9999",
    "in 1994",
    "at 23:59 on 29 February 2023",
]


def _number() -> st.SearchStrategy[str]:
    return st.one_of(
        st.integers(0, 50).map(str),
        st.sampled_from(["two", "a dozen", "several", "hundreds of", "no", "one"]),
        st.integers(-(10**6), -1).map(str),
        st.integers(MAX_FIGURE, 10**30).map(str),
        st.integers(20, 500).map(lambda digits: "9" * digits),
        st.sampled_from(["1e20", "1,000,000,000", "NaN", "Infinity", "½", "٣", "10⁹"]),
    )


@st.composite
def _sentence(draw: st.DrawFn) -> str:
    party = draw(st.sampled_from(PARTIES))
    verb = draw(st.sampled_from(VERBS))
    place = draw(st.sampled_from(PLACES))
    parts = [party, verb, place]
    if draw(st.booleans()):
        parts += ["with", draw(st.sampled_from(WEAPONS))]
    date = draw(st.sampled_from(DATES))
    if date:
        parts.append(date)
    if draw(st.booleans()):
        parts += [",", "killing", draw(_number()), draw(st.sampled_from(["civilians", "soldiers"]))]
    if draw(st.booleans()):
        parts += ["and", "wounding", draw(_number())]
    text = " ".join(parts).replace(" ,", ",")
    if draw(st.booleans()):
        text += ", " + draw(st.sampled_from(SOURCES))
    text += draw(st.sampled_from([".", "", "!", "?", ";", " —"]))
    if draw(st.integers(0, 5)) == 0:  # a quotation, sometimes inside another
        speaker = draw(st.sampled_from(SOURCES))
        text = f'{speaker}: "{text}"'
        if draw(st.booleans()):
            text = f"“The statement read: ‘{text}’”, {draw(st.sampled_from(SOURCES))}."
    if draw(st.integers(0, 4)) == 0:
        odd = draw(st.sampled_from(ODD))
        at = draw(st.integers(0, len(text)))
        text = text[:at] + odd + text[at:]
    return text


@st.composite
def _report(draw: st.DrawFn) -> str:
    sentences = draw(st.lists(_sentence(), min_size=1, max_size=8))
    if draw(st.integers(0, 3)) == 0:
        denier = draw(st.sampled_from(PARTIES))
        sentences.append(f"{denier} denied the claim, calling it a provocation.")
    if draw(st.integers(0, 6)) == 0:  # repetition: one sentence many times
        sentences += [draw(st.sampled_from(sentences))] * draw(st.integers(10, 200))
    separator = draw(st.sampled_from([" ", "\n", "\n\n", " \u2028 "]))
    return separator.join(sentences)


def _check(text: str, events: list[Event]) -> None:
    for item in events:
        for evidence in item.evidence:
            assert text[evidence.start : evidence.end] == evidence.sentence
        for value in (item.killed, item.injured, item.count):
            assert value is None or 0 <= value <= MAX_FIGURE, value


_DAY = st.none() | st.dates(min_value=dt.date(1, 1, 10), max_value=dt.date(9999, 12, 20))


@fuzz_settings(examples=ATTACKER_EXAMPLES)
@given(text=_report(), published=_DAY)
def test_attacker_reports_extract_within_bounds(
    extractor: Extractor, text: str, published: dt.date | None
) -> None:
    with probe("attacker/extract", text, allow_timeout=True), time_limit(TIME_LIMIT):
        # a DocumentTimeout is the documented end of a report too long to read in time
        reading = extractor.read(Document(id="fuzz", text=text, published=published))
        _check(text, reading.events)
        assert all(isinstance(w, str) for w in reading.warnings)


# -- through the web app ------------------------------------------------------------------------

_LIVE: dict[str, Any] = {}


def _web(extractor: Extractor, geocoder: Geocoder) -> tuple[str, dict[str, str]]:
    """One live server for the whole campaign, over a registry of its own; tokens per role."""
    if "url" not in _LIVE:
        from trucewatch.store import open_store
        from trucewatch.store.accounts import Accounts
        from trucewatch.web.settings import WebSettings
        from web_server import LiveServer

        folder = Path(tempfile.mkdtemp(prefix="trucewatch-fuzz-"))
        db = folder / "registry.db"
        with open_store(db) as store:
            accounts = Accounts(store)
            accounts.add_user("root", "root-pass-123", "admin")
            tokens = {"admin": accounts.add_token("root", "fuzz")}
        settings = WebSettings(db=str(db), public_read=True, export_limit=200, map_limit=200)
        server = LiveServer(settings, extractor, geocoder).__enter__()

        def stop() -> None:
            server.__exit__()
            shutil.rmtree(folder, ignore_errors=True)

        atexit.register(stop)
        _LIVE.update(url=server.url, tokens=tokens)
    return _LIVE["url"], _LIVE["tokens"]


def _no_server_error(answer: httpx.Response, what: str) -> None:
    assert answer.status_code < 500, f"{what}: {answer.status_code} {answer.text[:300]}"


_EDIT_VALUE = st.one_of(
    st.integers(-(10**30), 10**30),
    st.floats(allow_nan=False),
    st.text(max_size=30),
    st.sampled_from(["9" * 5000, "", None, [], {}, "1e400", "0001-01-01", "9999-12-31"]),
    st.fixed_dictionaries(
        {"low": st.integers(-5, 10**25), "best": st.integers(-5, 10**25)},
        optional={"high": st.integers(-(10**25), 10**25)},
    ),
)
_EDIT_FIELD = st.sampled_from(
    ["killed", "injured", "location", "first_date", "last_date", "type", "geo", "historical"]
)


@fuzz_settings(examples=WEB_EXAMPLES, deadline=4 * TIME_LIMIT + 60)
@given(
    text=_report(),
    edit=st.dictionaries(_EDIT_FIELD, _EDIT_VALUE, max_size=3),
    raw=st.sampled_from(['"\\ud800"', "NaN", "-Infinity", '"\\udfff x"', "1e999"]),
)
def test_attacker_reports_through_the_web_app(
    extractor: Extractor, geocoder: Geocoder, text: str, edit: dict[str, Any], raw: str
) -> None:
    url, tokens = _web(extractor, geocoder)
    admin = {"Authorization": f"Bearer {tokens['admin']}"}
    with probe("attacker/web", text), httpx.Client(base_url=url, timeout=300) as client:
        posted = client.post("/api/v1/reports", json={"text": text}, headers=admin)
        _no_server_error(posted, "post report")
        listing = client.get("/api/v1/incidents", params={"limit": "20", "order": "updated"})
        _no_server_error(listing, "incident list")
        items = listing.json()["items"] if listing.status_code == 200 else []
        for item in items[:3]:
            for value in (item["killed"], item["injured"]):
                assert all(v is None or 0 <= v <= MAX_FIGURE for v in value.values()), value
            for path in (f"/incidents/{item['id']}", f"/api/v1/incidents/{item['id']}"):
                _no_server_error(client.get(path), path)
            day = item.get("first_date") or "2024-03-03"
            _no_server_error(client.get("/bulletin", params={"day": day}), "bulletin")
        if items:
            target = items[0]
            review = f"/api/v1/incidents/{target['id']}/review"
            body = {"action": "edit", "version": target["version"], "fields": edit}
            # written by hand: an attacker sends Infinity and NaN, which httpx's encoder refuses
            raw_body = json.dumps(body, allow_nan=True).encode()
            typed = {**admin, "content-type": "application/json"}
            posted_edit = client.post(review, content=raw_body, headers=typed)
            _no_server_error(posted_edit, f"edit {edit}")
            odd = f'{{"action": "edit", "version": 1, "fields": {{"location": {raw}}}}}'
            answer = client.post(
                review, content=odd, headers={**admin, "content-type": "application/json"}
            )
            _no_server_error(answer, f"raw edit {raw}")
            _no_server_error(client.get(f"/incidents/{target['id']}"), "page after edit")
        for path in ("/", "/ceasefires", "/api/v1/export/csv", "/api/v1/export/parquet"):
            _no_server_error(client.get(path), path)
        _no_server_error(client.head("/"), "HEAD /")
        json.dumps(posted.json())  # the answer itself is JSON a client can read
