"""Requests/s and latency of the web API (incident list, map data, dashboard) on a registry of
100k synthetic incidents, served on 127.0.0.1. Prints figures; asserts nothing about speed.

Three steps:

1. build, once (cached at --db, default out/bench-web-100k.db; rebuilt with --rebuild, or when
   the cached file was made with other settings): --incidents synthetic incidents over two years
   (2020-02-24 .. 2022-02-23) in four theatres (Donbas, Armenia-Azerbaijan, the Line of Control,
   south Lebanon), each with 1-3 claims from as many synthetic reports. They are real records:
   StoredDocument, Claim with Event, and Incident summarised by the linker's own `summarise`,
   with the ceasefire `ceasefire_for` assigns. They are inserted with SQLAlchemy Core
   executemany batches through `store.write()`; the FTS5 trigger fills documents_fts. The
   integrity check and the row counts are checked after the build;
2. serve: the real app, `create_app(WebSettings(db=..., public_read=True))`, under uvicorn
   (one worker, as `trucewatch serve` runs it) in a thread of this process, on a free port;
3. load: for each scenario, a separate client process (its own GIL) runs --concurrency
   threads. Each thread has its own keep-alive httpx connection and issues GETs back to back:
   --warmup s of warm-up, then --seconds s measured. Only 200 answers count as successes;
   other statuses and transport errors are reported as errors. The server's CPU time during the
   measured window is reported too, as % of one core: Python code of one uvicorn process runs
   under one GIL, but SQLite releases it, so concurrent requests' queries can go past 100 %.

Before serving, the SQL behind each API scenario is timed on its own and its EXPLAIN QUERY PLAN
printed, so a slow scenario can be told apart from slow serialisation.

    .venv/bin/python bench/web_api.py                # or: make bench-web
    .venv/bin/python bench/web_api.py --incidents 10000 --db out/bench-web-10k.db --seconds 3
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import json
import math
import os
import platform
import random
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, insert, select
from sqlalchemy.dialects import sqlite as sqlite_dialect

from trucewatch.link.ceasefires import ceasefire_for
from trucewatch.link.incidents import claim_order, incident_id
from trucewatch.link.summary import summarise
from trucewatch.models import (
    Claim,
    Event,
    Evidence,
    GeoPoint,
    GeoPrecision,
    Incident,
    StoredDocument,
    document_id,
)
from trucewatch.registry import profile_ceasefires
from trucewatch.sides import Place, load_profiles
from trucewatch.store import SqlStore, open_store, rows
from trucewatch.store.queries import IncidentQuery, ordering
from trucewatch.store.schema import ceasefires, claims, documents, incidents

ROOT = Path(__file__).resolve().parents[1]
GENERATOR_VERSION = 2  # bump when the synthetic data changes: cached files are then rebuilt
START = dt.date(2020, 2, 24)
DAYS = 731
END = START + dt.timedelta(days=DAYS - 1)  # 2022-02-23, the eve of the full-scale invasion
MAP_WINDOW_DAYS = 30

# --- synthetic data ------------------------------------------------------------------------


def _donbas(day: dt.date) -> float:
    if day < dt.date(2020, 7, 27):
        return 1.0
    if day < dt.date(2020, 12, 1):  # the "additional measures" of 27 July 2020 held for a while
        return 0.3
    if day < dt.date(2021, 11, 1):
        return 0.7
    return 1.3 if day < dt.date(2022, 2, 17) else 3.0  # the February 2022 escalation


def _karabakh(day: dt.date) -> float:
    if dt.date(2020, 9, 27) <= day <= dt.date(2020, 11, 9):  # the 44-day war
        return 8.0
    if dt.date(2020, 7, 12) <= day <= dt.date(2020, 7, 16):  # Tovuz clashes
        return 4.0
    if dt.date(2021, 11, 16) <= day <= dt.date(2021, 11, 17):  # border clashes
        return 4.0
    return 0.4


def _loc(day: dt.date) -> float:
    return 1.6 if day < dt.date(2021, 2, 25) else 0.06  # DGMO understanding of 25 Feb 2021


def _lebanon(_day: dt.date) -> float:
    return 1.0


@dataclass(frozen=True)
class Theatre:
    name: str
    profile: str
    share: float  # relative weight, times the intensity of each day
    intensity: Callable[[dt.date], float]
    keep: Callable[[Place], bool]  # which of the profile's places lie in this theatre
    pairs: dict[tuple[str, str], float]  # (actor, target) -> weight
    types: dict[str, float]
    monitor: str  # the neutral reporter ("media" where there is no monitoring mission)
    media: str  # the outlet of "media" claims
    places: tuple[Place, ...] = ()


THEATRES: tuple[Theatre, ...] = (
    Theatre(
        name="donbas",
        profile="russia-ukraine",
        share=0.42,
        intensity=_donbas,
        keep=lambda p: p.name != "Crimea",
        pairs={
            ("Donetsk separatists", "Ukraine"): 0.35,
            ("Luhansk separatists", "Ukraine"): 0.2,
            ("Ukraine", "Donetsk separatists"): 0.3,
            ("Ukraine", "Luhansk separatists"): 0.15,
        },
        types={
            "shelling": 0.35,
            "firing": 0.3,
            "ceasefire_violation": 0.13,
            "drone_strike": 0.07,
            "armed_clash": 0.05,
            "explosive": 0.05,
            "attack_on_civilians": 0.03,
            "intrusion": 0.02,
        },
        monitor="OSCE",
        media="Kyiv Post",
    ),
    Theatre(
        name="armenia-azerbaijan",
        profile="armenia-azerbaijan",
        share=0.18,
        intensity=_karabakh,
        keep=lambda _p: True,
        pairs={
            ("Azerbaijan", "Armenia"): 0.35,
            ("Armenia", "Azerbaijan"): 0.3,
            ("Azerbaijan", "Nagorno-Karabakh"): 0.2,
            ("Nagorno-Karabakh", "Azerbaijan"): 0.15,
        },
        types={
            "firing": 0.42,
            "shelling": 0.2,
            "ceasefire_violation": 0.12,
            "drone_strike": 0.1,
            "armed_clash": 0.05,
            "intrusion": 0.05,
            "shoot_down": 0.03,
            "attack_on_civilians": 0.03,
        },
        monitor="Russia",
        media="news.am",
    ),
    Theatre(
        name="line-of-control",
        profile="india-pakistan",
        share=0.30,
        intensity=_loc,
        keep=lambda p: p.lat >= 32.2 and p.lon <= 76.2,
        pairs={("Pakistan", "India"): 0.55, ("India", "Pakistan"): 0.45},
        types={
            "firing": 0.4,
            "shelling": 0.3,
            "ceasefire_violation": 0.15,
            "intrusion": 0.08,
            "explosive": 0.04,
            "attack_on_civilians": 0.03,
        },
        monitor="media",
        media="Greater Kashmir",
    ),
    Theatre(
        name="south-lebanon",
        profile="israel-gaza-lebanon",
        share=0.10,
        intensity=_lebanon,
        keep=lambda p: 32.95 <= p.lat <= 33.45 and p.country in ("Lebanon", "Israel", None),
        pairs={
            ("Israel", "Lebanon"): 0.45,
            ("Israel", "Hezbollah"): 0.3,
            ("Hezbollah", "Israel"): 0.25,
        },
        types={
            "intrusion": 0.45,
            "ceasefire_violation": 0.13,
            "firing": 0.12,
            "shelling": 0.1,
            "drone_strike": 0.1,
            "shoot_down": 0.05,
            "explosive": 0.05,
        },
        monitor="UNIFIL",
        media="L'Orient Today",
    ),
)

SPEAKERS = {
    "Ukraine": ("The Joint Forces Operation headquarters", "Ukrinform"),
    "Donetsk separatists": ("The DPR people's militia", "DAN"),
    "Luhansk separatists": ("The LPR people's militia", "LuganskInformCenter"),
    "OSCE": ("The OSCE Special Monitoring Mission", "OSCE SMM daily report"),
    "Armenia": ("The Armenian Defence Ministry", "Armenpress"),
    "Azerbaijan": ("The Azerbaijani Defence Ministry", "Azertac"),
    "Nagorno-Karabakh": ("The Karabakh Defence Army", "Artsakhpress"),
    "Russia": ("The Russian peacekeeping contingent", "TASS"),
    "India": ("The Indian Army", "The Hindu"),
    "Pakistan": ("The ISPR", "Dawn"),
    "Israel": ("The Israel Defense Forces", "The Times of Israel"),
    "Hezbollah": ("Hezbollah's media office", "Al-Manar"),
    "Lebanon": ("The Lebanese Army", "NNA"),
    "UNIFIL": ("UNIFIL", "UNIFIL press release"),
    "media": ("Local officials", ""),
}
FORCES = {
    "Ukraine": "Ukrainian forces",
    "Donetsk separatists": "DPR formations",
    "Luhansk separatists": "LPR formations",
    "Armenia": "Armenian forces",
    "Azerbaijan": "Azerbaijani forces",
    "Nagorno-Karabakh": "Karabakh armed formations",
    "India": "Indian troops",
    "Pakistan": "Pakistani troops",
    "Israel": "Israeli forces",
    "Hezbollah": "Hezbollah fighters",
    "Lebanon": "the Lebanese Army",
}
ACTIONS = {
    "shelling": "shelled {place}",
    "firing": "opened fire on positions near {place}",
    "armed_clash": "engaged in a firefight near {place}",
    "drone_strike": "struck positions near {place} from a drone",
    "explosive": "set off an explosive device near {place}",
    "attack_on_civilians": "fired on civilians in {place}",
    "intrusion": "crossed the line near {place}",
    "shoot_down": "shot down a drone over {place}",
    "ceasefire_violation": "violated the ceasefire near {place}",
}
WEAPONS: dict[str, tuple[str | None, ...]] = {
    "shelling": ("mortar", "mortar", "artillery", "rocket"),
    "firing": ("small_arms", "machine_gun", "grenade_launcher", "sniper"),
    "armed_clash": ("small_arms", "machine_gun", None),
    "drone_strike": ("drone",),
    "explosive": ("landmine", "explosive"),
    "attack_on_civilians": ("small_arms", "mortar", None),
    "intrusion": (None, None, "aircraft", "drone"),
    "shoot_down": ("drone",),
    "ceasefire_violation": (None,),
}
WEAPON_WORDS = {
    "mortar": " with 120 mm mortars",
    "artillery": " with 122 mm artillery",
    "rocket": " with multiple rocket launchers",
    "small_arms": " with small arms",
    "machine_gun": " with heavy machine guns",
    "grenade_launcher": " with grenade launchers",
    "sniper": " with sniper rifles",
    "aircraft": " with aircraft",
}
FILLER = (
    "The situation along the line remained tense, the statement said.",
    "No further details were given.",
    "Earlier in the week both sides accused each other of breaking the truce.",
    "The report could not be verified independently.",
    "Residents said they spent the night in basements.",
    "The statement was published late in the evening on the official channel.",
    "Monitors were denied access to the area on the same day.",
    "Repairs to the damaged water pipeline were postponed.",
    "The other side did not comment immediately.",
    "Diplomats called on both sides to respect the agreed ceasefire.",
)
PRECISION: dict[str, GeoPrecision] = {
    "settlement": "settlement",
    "district": "district",
    "area": "district",
    "region": "region",
}
PLACE_WEIGHT = {"settlement": 1.0, "district": 0.6, "area": 0.3, "region": 0.1}


def _sentence(
    how: str,
    source: str,
    actor: str | None,
    kind: str,
    weapon: str | None,
    place: str,
    count: int | None,
    when: str,
) -> str:
    """The evidence sentence of one claim; `actor` None: the perpetrator is not named."""
    speaker, forces = SPEAKERS[source][0], FORCES[actor] if actor else ""
    action = ACTIONS[kind].format(place=place)
    if how == "accuse":
        return f"{speaker} said {forces} {action}{WEAPON_WORDS.get(weapon or '', '')} on {when}."
    if how == "counter":
        return f"{speaker} said {forces} {action} on {when}; its own units only returned fire."
    if how == "deny":
        return f"{speaker} denied that {forces} {action} on {when}, calling it a provocation."
    if count is not None:
        return f"{speaker} recorded {count} ceasefire violations near {place} on {when}."
    by = f" by {forces}" if forces else ""
    return f"{speaker} reported {kind.replace('_', ' ')}{by} near {place} on {when}."


@dataclass
class Batch:
    documents: list[dict[str, Any]] = field(default_factory=list)
    claims: list[dict[str, Any]] = field(default_factory=list)
    incidents: list[dict[str, Any]] = field(default_factory=list)


class Synthesizer:
    """Deterministic synthetic incidents: the same seed gives the same registry."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        profiles = {p.id: p for p in load_profiles()}
        self.theatres = [
            replace(t, places=tuple(filter(t.keep, profiles[t.profile].places))) for t in THEATRES
        ]
        self.ceasefires = profile_ceasefires()
        self.slots: list[tuple[Theatre, dt.date]] = []
        cumulative: list[float] = []
        total = 0.0
        for theatre in self.theatres:
            for offset in range(DAYS):
                day = START + dt.timedelta(days=offset)
                total += theatre.share * theatre.intensity(day)
                self.slots.append((theatre, day))
                cumulative.append(total)
        self.cumulative = cumulative
        self.serial = 0
        self.incident_ids: set[str] = set()

    def _pick(self, weights: dict[Any, float]) -> Any:
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def _place(self, theatre: Theatre, target: str) -> Place:
        held = [p for p in theatre.places if p.side == target]
        pool = held if held and self.rng.random() < 0.75 else list(theatre.places)
        return self.rng.choices(pool, weights=[PLACE_WEIGHT[p.kind] for p in pool])[0]

    def _casualties(self, theatre: Theatre, day: dt.date) -> tuple[int | None, int | None]:
        roll = self.rng.random()
        if roll < 0.72:
            return None, None
        if roll < 0.84:
            return 0, 0
        heavy = 4 if theatre.intensity(day) >= 4 else 1
        killed = min(int(self.rng.expovariate(1.2) * heavy), 40)
        injured = min(int(self.rng.expovariate(0.6) * heavy), 80)
        return killed, injured

    def _document(
        self,
        theatre: Theatre,
        source: str,
        day: dt.date,
        headline: str,
        sentence: str,
        extra: str,
    ) -> tuple[StoredDocument, bytes, Evidence]:
        self.serial += 1
        speaker, outlet = SPEAKERS[source]
        outlet = outlet or theatre.media
        published = day + dt.timedelta(days=self.rng.choice((0, 0, 1)))
        title = f"{headline}, says {speaker.removeprefix('The ')}"
        head = f"{title}\n\n"
        fillers = " ".join(self.rng.sample(FILLER, self.rng.randint(2, 5)))
        text = f"{head}{sentence}{extra} {fillers}\n\nRef. {theatre.name}/{self.serial:08d}"
        evidence = Evidence(sentence=sentence, start=len(head), end=len(head) + len(sentence))
        ingested = dt.datetime.combine(published, dt.time(), dt.UTC) + dt.timedelta(
            minutes=self.rng.randint(6 * 60, 23 * 60)
        )
        doc = StoredDocument(
            id=document_id(text),
            text=text,
            published=published,
            url=f"https://news.example.org/{theatre.name}/{self.serial:08d}",
            outlet=outlet,
            title=title,
            origin=f"feed:{outlet}",
            ingested_at=ingested,
        )
        return doc, text.encode("utf-8"), evidence

    def incident(self) -> tuple[list[tuple[StoredDocument, bytes]], Incident]:
        """One incident with its 1-3 claims and their documents."""
        rng = self.rng
        theatre, day = rng.choices(self.slots, cum_weights=self.cumulative)[0]
        actor, target = self._pick(theatre.pairs)
        kind = self._pick(theatre.types)
        weapon = rng.choice(WEAPONS[kind])
        place = self._place(theatre, target)
        killed, injured = self._casualties(theatre, day)
        monitor = theatre.monitor
        if monitor == "Russia" and day < dt.date(2020, 11, 10):  # no peacekeepers yet
            monitor = "media"
        n_claims = rng.choices((1, 2, 3), weights=(0.55, 0.3, 0.15))[0]

        # who says what: the victim side accuses first, then a denial, a monitor or the press,
        # now and then a counter-accusation (the incident is then disputed)
        plans: list[tuple[str, str]] = [
            ("accuse", target) if rng.random() < 0.6 else ("monitor", monitor)
        ]
        for _ in range(n_claims - 1):
            roll = rng.random()
            if roll < 0.4 and ("deny", actor) not in plans:
                plans.append(("deny", actor))
            elif roll < 0.55:
                plans.append(("counter", actor))
            else:
                plans.append(("monitor", monitor if rng.random() < 0.6 else "media"))

        out_docs: list[tuple[StoredDocument, bytes]] = []
        made: list[Claim] = []
        iid = ""
        for how, source in plans:
            written = place.name
            if place.variants and rng.random() < 0.2:
                written = rng.choice(place.variants)
            event_date, basis, stance = (
                day,
                rng.choice(("stated",) * 7 + ("statement",) * 2 + ("published",)),
                "asserts",
            )
            claim_actor: str | None = actor
            claim_target: str | None = target
            count = None
            k, i = killed, injured
            if how == "counter":
                claim_actor, claim_target = target, actor
            elif how == "deny":
                stance, event_date, basis = "denies", day + dt.timedelta(days=1), "statement"
                k = i = None
            elif how == "monitor":
                stance, claim_actor = (
                    ("neutral", None) if rng.random() < 0.7 else ("asserts", actor)
                )
                claim_target = None if claim_actor is None else target
                if kind == "ceasefire_violation":
                    count = rng.randint(2, 120)
                if k is not None and rng.random() < 0.3:  # sources rarely agree on the toll
                    k = max(0, k + rng.choice((-1, 1)))
            when = f"{day:%-d %B %Y}"
            sentence = _sentence(how, source, claim_actor, kind, weapon, written, count, when)
            extra = ""
            if k is not None:
                extra = (
                    f" {k} people were killed and {i} injured."
                    if k or i
                    else " There were no casualties."
                )
            headline = f"{kind.replace('_', ' ').capitalize()} near {written}"
            doc, raw, evidence = self._document(theatre, source, day, headline, sentence, extra)
            out_docs.append((doc, raw))
            claim_id = Claim.make_id(doc.id, 0)
            if not iid:
                iid = incident_id(claim_id)
            geo = None
            if rng.random() < 0.95:
                geo = GeoPoint(
                    lat=place.lat, lon=place.lon, precision=PRECISION[place.kind], name=place.name
                )
            event = Event(
                type=kind,
                actor=claim_actor,
                target=claim_target,
                source=source,
                stance=stance,
                weapon=weapon if stance != "denies" else None,
                location=written,
                date=event_date,
                killed=k,
                injured=i,
                count=count,
                date_basis=basis,
                evidence=[evidence],
                confidence=round(rng.uniform(0.4, 0.95), 2),
            )
            made.append(
                Claim(
                    id=claim_id, document_id=doc.id, index=0, event=event, geo=geo, incident_id=iid
                )
            )
        if iid in self.incident_ids:
            raise RuntimeError(f"incident id {iid} made twice (SHA-1 prefix collision)")
        self.incident_ids.add(iid)
        found = summarise(Incident(id=iid, type=kind, claims=sorted(made, key=claim_order)))
        roll = rng.random()
        status = "rejected" if roll < 0.01 else "accepted" if roll < 0.11 else "unreviewed"
        found = found.model_copy(
            update={"ceasefire_id": ceasefire_for(found, self.ceasefires), "status": status}
        )
        return out_docs, found

    def batch(self, size: int) -> Batch:
        out = Batch()
        for _ in range(size):
            docs, found = self.incident()
            latest = max(d.ingested_at for d, _ in docs)
            out.documents.extend(rows.document_row(d, raw) for d, raw in docs)
            out.claims.extend(rows.claim_row(c) for c in found.claims)
            out.incidents.append({**rows.incident_row(found), "version": 1, "updated_at": latest})
        return out


# --- the registry ---------------------------------------------------------------------------


def sqlite_files(path: Path) -> list[Path]:
    return [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]


def sidecar(path: Path) -> Path:
    return path.with_suffix(".build.json")


def build(path: Path, n: int, seed: int, batch_size: int) -> dict[str, Any]:
    """Build the registry next to `path`, check it, then move it in place."""
    building = path.with_name(path.name + ".building")
    for stale in sqlite_files(building):
        stale.unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    began = time.perf_counter()
    synth = Synthesizer(seed)
    made = inserted = 0.0
    expected = Counter[str]()
    store = open_store(building)
    try:
        cease = [rows.ceasefire_row(c) for c in synth.ceasefires]
        with store.write() as conn:
            conn.execute(insert(ceasefires), cease)
        expected["ceasefires"] = len(cease)
        for start in range(0, n, batch_size):
            t0 = time.perf_counter()
            part = synth.batch(min(batch_size, n - start))
            t1 = time.perf_counter()
            with store.write() as conn:
                conn.execute(insert(documents), part.documents)
                conn.execute(insert(incidents), part.incidents)
                conn.execute(insert(claims), part.claims)
            t2 = time.perf_counter()
            made, inserted = made + t1 - t0, inserted + t2 - t1
            expected.update(
                documents=len(part.documents),
                claims=len(part.claims),
                incidents=len(part.incidents),
            )
            done = start + len(part.incidents)
            print(
                f"  {done:>8,} incidents  {time.perf_counter() - began:6.1f} s",
                end="\r" if done < n else "\n",
                flush=True,
            )
        t3 = time.perf_counter()
        ok = store.integrity_check()
        counts = store.counts()
        with store.read() as conn:
            counts["documents_fts"] = conn.exec_driver_sql(
                "SELECT count(*) FROM documents_fts"
            ).scalar_one()
        checked = time.perf_counter() - t3
    finally:
        store.close()
    expected["documents_fts"] = expected["documents"]
    wrong = {k: (counts.get(k), v) for k, v in expected.items() if counts.get(k) != v}
    if not ok or wrong:
        raise SystemExit(f"the built registry is wrong: integrity {ok}, counts (got, want) {wrong}")
    for target, source in zip(sqlite_files(path), sqlite_files(building), strict=True):
        target.unlink(missing_ok=True)
        if source.exists():
            source.replace(target)
    info = {
        "generator": GENERATOR_VERSION,
        "incidents": n,
        "seed": seed,
        "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "build_s": round(time.perf_counter() - began, 1),
        "generate_s": round(made, 1),
        "insert_s": round(inserted, 1),
        "check_s": round(checked, 1),
        "integrity_ok": ok,
        "counts": {k: counts[k] for k in sorted(expected)},
        "size_mb": round(path.stat().st_size / 2**20, 1),
    }
    sidecar(path).write_text(json.dumps(info, indent=2) + "\n")
    return info


def registry(path: Path, n: int, seed: int, batch_size: int, rebuild: bool) -> dict[str, Any]:
    """The cached registry's build facts, building it first when needed."""
    if not rebuild and path.exists() and sidecar(path).exists():
        info: dict[str, Any] = json.loads(sidecar(path).read_text())
        wanted = {"generator": GENERATOR_VERSION, "incidents": n, "seed": seed}
        if all(info.get(k) == v for k, v in wanted.items()):
            print(f"registry: {path} (cached, built {info['built_at']} in {info['build_s']} s)")
            return {**info, "cached": True}
        print(f"registry: {path} was built with other settings: rebuilding")
    print(f"registry: building {n:,} incidents into {path} (seed {seed})")
    info = build(path, n, seed, batch_size)
    print(
        f"built in {info['build_s']} s (generate {info['generate_s']} s, insert "
        f"{info['insert_s']} s, integrity check and counts {info['check_s']} s), "
        f"{info['size_mb']} MiB; integrity ok; counts {info['counts']}"
    )
    return {**info, "cached": False}


# --- scenarios ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    key: str
    name: str
    path: str
    query: IncidentQuery | None = None  # the store query behind it (API scenarios)
    limit: int = 50
    offset: int = 0
    with_claims: bool = True


def scenarios(n: int) -> list[Scenario]:
    since_b, until_b = dt.date(2021, 4, 1), dt.date(2021, 6, 30)
    map_since = END - dt.timedelta(days=MAP_WINDOW_DAYS - 1)
    deep = n // 2
    return [
        Scenario("a", "incidents, first page (50)", "/api/v1/incidents", IncidentQuery()),
        Scenario(
            "b",
            f"incidents, {since_b}..{until_b} + type=shelling",
            f"/api/v1/incidents?since={since_b}&until={until_b}&type=shelling",
            IncidentQuery(since=since_b, until=until_b, type="shelling"),
        ),
        Scenario(
            "c",
            f"incidents, deep page offset={deep}",
            f"/api/v1/incidents?offset={deep}",
            IncidentQuery(),
            offset=deep,
        ),
        Scenario(
            "d",
            f"map, {map_since}..{END} (30 days)",
            f"/api/v1/map?since={map_since}&until={END}",
            IncidentQuery(since=map_since, until=END),
            limit=5000,
            with_claims=False,
        ),
        Scenario(
            "e",
            "map, unfiltered (map limit 5000)",
            "/api/v1/map",
            IncidentQuery(),
            limit=5000,
            with_claims=False,
        ),
        Scenario("f", "dashboard HTML (GET /)", "/"),
    ]


def _sql(statement: Any) -> str:
    return str(
        statement.compile(dialect=sqlite_dialect.dialect(), compile_kwargs={"literal_binds": True})
    )


def _best_ms(run: Callable[[], object], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        run()
        times.append(time.perf_counter() - t0)
    return round(min(times) * 1000, 1)


def profile_sql(store: SqlStore, scenario: Scenario) -> dict[str, Any]:
    """The SQL behind an API scenario timed on its own (best of 3, in this process), and its
    query plans."""
    assert scenario.query is not None
    out: dict[str, Any] = {}
    with store.read() as conn:
        where = store.where(conn, scenario.query)  # the WHERE clauses the store itself uses
        counted = select(func.count()).select_from(incidents).where(*where)
        page = (
            select(incidents)
            .where(*where)
            .order_by(*ordering(scenario.query.order))
            .limit(scenario.limit)
            .offset(scenario.offset)
        )
        out["count_ms"] = _best_ms(lambda: conn.execute(counted).scalar())
        out["page_rows_ms"] = _best_ms(lambda: conn.execute(page).fetchall())
        out["plans"] = {
            name: [row[3] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + _sql(statement))]
            for name, statement in (("count", counted), ("page", page))
        }
    query = scenario.query
    if scenario.with_claims:  # what the API calls: whole incidents for lists, summaries for maps
        out["incident_page_ms"] = _best_ms(
            lambda: store.incident_page(query, limit=scenario.limit, offset=scenario.offset)
        )
    else:
        out["incident_page_ms"] = _best_ms(
            lambda: store.incident_summaries(query, limit=scenario.limit)
        )
    return out


# --- load generation (the client process) ---------------------------------------------------


def percentile(ordered: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile of an ascending list."""
    if not ordered:
        return None
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))]


def client_main(spec: dict[str, Any]) -> int:
    """Run one scenario: warm-up, then the measured window; print 'measuring' when it starts
    and the result as one JSON line at the end."""
    base, path, concurrency = spec["base"], spec["path"], spec["concurrency"]
    clients = [
        httpx.Client(
            base_url=base, timeout=spec["timeout"], headers={"Accept-Encoding": "identity"}
        )
        for _ in range(concurrency)
    ]

    def phase(seconds: float) -> tuple[list[list[tuple[float, float, int, int, str]]], float]:
        results: list[list[tuple[float, float, int, int, str]]] = [[] for _ in clients]
        start = time.perf_counter()
        deadline = start + seconds

        def worker(client: httpx.Client, out: list[tuple[float, float, int, int, str]]) -> None:
            while time.perf_counter() < deadline:
                t0 = time.perf_counter()
                try:
                    response = client.get(path)
                    status, size, error = response.status_code, len(response.content), ""
                except httpx.HTTPError as exc:
                    status, size, error = 0, 0, type(exc).__name__
                out.append((t0, time.perf_counter(), status, size, error))

        threads = [
            threading.Thread(target=worker, args=(c, r))
            for c, r in zip(clients, results, strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return results, start

    if spec["warmup"] > 0:
        phase(spec["warmup"])
    print("measuring", flush=True)
    cpu0 = time.process_time()
    results, start = phase(spec["seconds"])
    cpu = time.process_time() - cpu0
    done = [r for per in results for r in per]
    end = max((r[1] for r in done), default=start)
    elapsed = end - start
    ok = sorted((r[1] - r[0]) * 1000 for r in done if r[2] == 200)
    sizes = [r[3] for r in done if r[2] == 200]
    errors = Counter(r[4] or str(r[2]) for r in done if r[2] != 200)
    for client in clients:
        client.close()
    result = {
        "requests": len(done),
        "ok": len(ok),
        "errors": sum(errors.values()),
        "error_kinds": dict(errors),
        "elapsed_s": round(elapsed, 3),
        "rps": round(len(ok) / elapsed, 2) if elapsed > 0 else 0.0,
        "p50_ms": _round(percentile(ok, 50)),
        "p95_ms": _round(percentile(ok, 95)),
        "p99_ms": _round(percentile(ok, 99)),
        "max_ms": _round(ok[-1] if ok else None),
        "mean_bytes": round(sum(sizes) / len(sizes)) if sizes else 0,
        "client_cpu_s": round(cpu, 2),
    }
    print(json.dumps(result), flush=True)
    return 0


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


# --- the server and the runs ----------------------------------------------------------------


class Server:
    """The real app under uvicorn in a thread of this process, on a free 127.0.0.1 port."""

    def __init__(self, db: Path) -> None:
        import uvicorn

        from trucewatch.web.app import create_app
        from trucewatch.web.settings import WebSettings

        self.settings = WebSettings(db=str(db), public_read=True)
        app = create_app(self.settings)
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        )
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True
        )

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise SystemExit("uvicorn did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)
        self.socket.close()


def probe(base: str, scenario: Scenario) -> dict[str, Any]:
    """One request from this process: the status, size and what the answer holds."""
    started = time.perf_counter()
    response = httpx.get(base + scenario.path, timeout=300)
    out: dict[str, Any] = {
        "status": response.status_code,
        "ms": round((time.perf_counter() - started) * 1000, 1),  # alone, cold: one sample
        "bytes": len(response.content),
    }
    if response.status_code == 200 and scenario.path.startswith("/api/v1/incidents"):
        body = response.json()
        out.update(items=len(body["items"]), total=body["total"])
        out["claims"] = sum(len(i["claims"]) for i in body["items"])
    elif response.status_code == 200 and scenario.path.startswith("/api/v1/map"):
        body = response.json()
        out.update(features=len(body["features"]))
    return out


def run_scenario(server: Server, scenario: Scenario, args: argparse.Namespace) -> dict[str, Any]:
    spec = {
        "base": server.base,
        "path": scenario.path,
        "concurrency": args.concurrency,
        "warmup": args.warmup,
        "seconds": args.seconds,
        "timeout": args.timeout,
    }
    command = [sys.executable, str(Path(__file__).resolve()), "--client", json.dumps(spec)]
    result: dict[str, Any] = {}
    cpu0 = wall0 = 0.0
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.strip() == "measuring":
                cpu0, wall0 = time.process_time(), time.perf_counter()
            elif line.strip():
                result = json.loads(line)
                server_cpu = time.process_time() - cpu0
                server_wall = time.perf_counter() - wall0
        if proc.wait() != 0 or not result:
            raise SystemExit(f"the client of scenario {scenario.key} failed")
    result["server_cpu_pct"] = round(100 * server_cpu / server_wall, 1)
    result["server_cpu_ms_per_req"] = (
        round(1000 * server_cpu / result["requests"], 1) if result["requests"] else None
    )
    return result


# --- report ---------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    versions = {}
    for package in ("fastapi", "starlette", "uvicorn", "sqlalchemy", "pydantic", "httpx"):
        versions[package] = importlib.metadata.version(package)
    return {
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "cpu": model,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
        "versions": versions,
        "loadavg_start": [round(x, 2) for x in os.getloadavg()],
    }


def _rss_mb() -> float | None:
    status = Path("/proc/self/status")
    if not status.exists():
        return None
    for line in status.read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return None


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def table(results: list[dict[str, Any]]) -> str:
    heads = [
        "scenario",
        "requests",
        "errors",
        "req/s",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "bytes",
        "server CPU",
    ]
    body = [
        [
            f"({r['key']}) {r['name']}",
            _cell(r["requests"]),
            _cell(r["errors"]),
            _cell(r["rps"]),
            _cell(r["p50_ms"]),
            _cell(r["p95_ms"]),
            _cell(r["p99_ms"]),
            _cell(r["mean_bytes"]),
            f"{r['server_cpu_pct']:.0f} %",
        ]
        for r in results
    ]
    widths = [max(len(row[i]) for row in [heads, *body]) for i in range(len(heads))]
    lines = []
    for row in [heads, *body]:
        cells = [row[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)
        ]
        lines.append("  ".join(cells))
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=ROOT / "out" / "bench-web-100k.db")
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20_240_101)
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached registry")
    parser.add_argument("--batch", type=int, default=5000, help="incidents per insert batch")
    parser.add_argument("--seconds", type=float, default=10.0, help="measured time per scenario")
    parser.add_argument("--warmup", type=float, default=2.0, help="warm-up time per scenario")
    parser.add_argument("--concurrency", type=int, default=4, help="client connections")
    parser.add_argument("--timeout", type=float, default=120.0, help="per request, seconds")
    parser.add_argument("--scenarios", default="abcdef", help="which scenarios (letters)")
    parser.add_argument("--json", type=Path, default=ROOT / "out" / "bench-web.json")
    parser.add_argument("--client", help=argparse.SUPPRESS)  # internal: the load generator
    args = parser.parse_args()
    if args.client:
        return client_main(json.loads(args.client))

    facts = machine()
    print(
        f"machine: {facts['cores']} cores ({facts['usable_cores']} usable), {facts['cpu']}; "
        f"Python {facts['python']}, SQLite {facts['sqlite']}; load average "
        f"{facts['loadavg_start']}"
    )
    built = registry(args.db, args.incidents, args.seed, args.batch, args.rebuild)
    chosen = [s for s in scenarios(args.incidents) if s.key in args.scenarios]

    print("\nSQL alone (best of 3, in-process, no HTTP):")
    sql: dict[str, Any] = {}
    with open_store(args.db) as store:
        for scenario in chosen:
            if scenario.query is None:
                continue
            sql[scenario.key] = profiled = profile_sql(store, scenario)
            print(
                f"  ({scenario.key}) count {profiled['count_ms']} ms, page rows "
                f"{profiled['page_rows_ms']} ms, store read as the API makes it "
                f"{profiled['incident_page_ms']} ms"
            )
            for name, plan in profiled["plans"].items():
                print(f"      {name}: " + " | ".join(plan))

    print(
        f"\nload: {args.concurrency} connections from a separate process, {args.warmup:g} s "
        f"warm-up + {args.seconds:g} s per scenario, uvicorn (1 worker) on 127.0.0.1"
    )
    results = []
    with Server(args.db) as server:
        for scenario in chosen:
            seen = probe(server.base, scenario)
            shown = ", ".join(f"{k} {v}" for k, v in seen.items())
            print(f"  ({scenario.key}) {scenario.path}: {shown}", flush=True)
            measured = run_scenario(server, scenario, args)
            results.append(
                {"key": scenario.key, "name": scenario.name, "path": scenario.path}
                | {"probe": seen}
                | measured
            )
        server_rss = _rss_mb()
    facts["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]

    print()
    print(table(results))
    for r in results:
        if r["errors"]:
            print(f"  ({r['key']}) errors: {r['error_kinds']}")
    print(
        f"\nserver CPU: the uvicorn process's CPU time over the measured window, as % of one "
        f"core (one worker: Python runs under one GIL; SQLite releases it, so concurrent "
        f"queries can take it past 100 %). Latency includes queueing behind the other "
        f"{args.concurrency - 1} connections. Server RSS after the runs {server_rss} MiB. "
        f"Load average {facts['loadavg_start']} -> {facts['loadavg_end']} (a shared machine "
        f"is only as fast as what else runs on it)."
    )
    report = {
        "machine": facts,
        "registry": {"path": str(args.db), **built},
        "settings": {
            "concurrency": args.concurrency,
            "warmup_s": args.warmup,
            "seconds": args.seconds,
            "map_window": f"{END - dt.timedelta(days=MAP_WINDOW_DAYS - 1)}..{END}",
        },
        "sql": sql,
        "scenarios": results,
        "server_rss_mb": server_rss,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2) + "\n")
    print(f"results: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
