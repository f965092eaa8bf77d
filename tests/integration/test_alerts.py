"""Alerts of the live monitor against a real SQLite registry, a real webhook receiver (http.server
on 127.0.0.1) and a real SMTP server (aiosmtpd): each rule kind fires for the right incidents
only, once; digests; failed deliveries are retried; e-mails carry the neutral text and link."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from trucewatch.link.summary import summarise
from trucewatch.models import (
    Ceasefire,
    Claim,
    Event,
    Evidence,
    Incident,
    PeriodReport,
    StoredDocument,
    document_id,
)
from trucewatch.store import SqlStore
from trucewatch.watch.alerts import Alert, AlertConfigError, AlertEngine
from trucewatch.watch.delivery import DeliveryError, post_webhook, send_mail

TRUCE = "test:2020-truce"
NOW = dt.datetime(2021, 8, 13, 12, 0, tzinfo=dt.UTC)
BASE = "https://monitor.test"


# --- a real webhook receiver and a real SMTP server ---------------------------------------------


class Receiver:
    """Records the JSON bodies POSTed to it; answers `status` (and waits `delay` seconds)."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.status = 200
        self.delay = 0.0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                time.sleep(receiver.delay)
                if receiver.status < 300:
                    receiver.bodies.append(json.loads(body))
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Mailbox:
    """aiosmtpd handler keeping every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield box, controller.port
    controller.stop()


# --- a registry with incidents -------------------------------------------------------------------


@pytest.fixture
def store(open_stores: Callable[..., SqlStore], tmp_path: Path) -> SqlStore:
    s = open_stores(tmp_path / "registry.db")
    s.add_ceasefire(
        Ceasefire(
            id=TRUCE,
            name="2020 truce",
            parties=["Armenia", "Azerbaijan"],
            start=dt.date(2020, 11, 10),
        )
    )
    return s


def add_incident(
    store: SqlStore,
    iid: str,
    *events: dict[str, Any],
    ceasefire: str | None = TRUCE,
    historical: bool = False,
    doc_prefix: str = "",
) -> Incident:
    """One incident of `events`, each told by its own report with one evidence sentence."""
    claims = []
    for n, fields in enumerate(events):
        sentence = fields.pop("sentence")
        text = f"{iid} report {n}. {sentence}"
        doc = StoredDocument(
            id=doc_prefix + document_id(text),
            text=text,
            url=f"https://news.test/{iid}/{n}",
            outlet="Test Wire",
            published=NOW.date(),
            ingested_at=NOW,
        )
        start = text.index(sentence)
        evidence = Evidence(sentence=sentence, start=start, end=start + len(sentence))
        event = Event.model_validate({"type": "shelling", **fields, "evidence": [evidence]})
        claim = Claim(id=Claim.make_id(doc.id, 0), document_id=doc.id, index=0, event=event)
        assert store.add_document(doc, text.encode(), [claim])
        claims.append(claim.model_copy(update={"incident_id": iid}))
    incident = summarise(
        Incident(
            id=iid, type="shelling", claims=claims, ceasefire_id=ceasefire, historical=historical
        )
    )
    store.save_incidents([incident])
    return incident


def day(d: int) -> dt.date:
    return dt.date(2021, 8, d)


@pytest.fixture
def registry(store: SqlStore) -> SqlStore:
    """A: Russia blames Azerbaijan for a drone strike, Azerbaijan denies. B: Azerbaijan blames
    Armenia, 2 killed. C: outside the truce, unattributed, 1 injured. D: background (2020),
    Armenia blamed Azerbaijan. E: Armenia blames Azerbaijan again. R: imported ACLED data."""
    add_incident(
        store,
        "inc-a",
        {"type": "drone_strike", "actor": "Azerbaijan", "target": "Nagorno-Karabakh",
         "source": "Russia", "location": "Nagorno-Karabakh", "date": day(11), "killed": 0,
         "sentence": "Azerbaijani forces carried out two strikes with quadcopters."},
        {"type": "drone_strike", "actor": "Azerbaijan", "source": "Azerbaijan",
         "stance": "denies", "date": day(12), "sentence": "Baku called the report false."},
    )  # fmt: skip
    add_incident(
        store,
        "inc-b",
        {"actor": "Armenia", "target": "Azerbaijan", "source": "Azerbaijan",
         "location": "Tovuz", "date": day(12), "killed": 2,
         "sentence": "Armenian units shelled Tovuz, killing two."},
    )  # fmt: skip
    add_incident(
        store,
        "inc-c",
        {"type": "firing", "location": "Kyiv", "date": day(12), "injured": 1,
         "sentence": "Firing near the line wounded one man."},
        ceasefire=None,
    )  # fmt: skip
    add_incident(
        store,
        "inc-d",
        {"actor": "Azerbaijan", "source": "Armenia", "date": dt.date(2020, 10, 1),
         "historical": True, "sentence": "Last year Azerbaijan shelled Stepanakert."},
        ceasefire=None,
        historical=True,
    )  # fmt: skip
    add_incident(
        store,
        "inc-e",
        {"actor": "Azerbaijan", "target": "Armenia", "source": "Armenia",
         "location": "Martuni", "date": day(12), "sentence": "Azerbaijan shelled Martuni."},
    )  # fmt: skip
    add_incident(
        store,
        "acled:9001",
        {"actor": "Armenia", "source": "ACLED", "date": day(12), "killed": 9,
         "stance": "denies", "sentence": "ACLED row."},
        doc_prefix="acled:",
    )  # fmt: skip
    return store


def engine(store: SqlStore, tmp_path: Path, rules: list[dict[str, Any]], **cfg: Any) -> AlertEngine:
    return AlertEngine.from_config({"rules": rules, **cfg}, store, tmp_path / "watch-state.db")


def fired(alerts: list[Alert]) -> set[tuple[str, str]]:
    return {(a.rule, a.key) for a in alerts}


RULES: list[dict[str, Any]] = [
    {"name": "new", "kind": "new_violation", "ceasefire": TRUCE},
    {"name": "killed", "kind": "casualties", "at_least": 1},
    {"name": "injured", "kind": "casualties", "at_least": 1, "field": "injured"},
    {"name": "firsts", "kind": "first_attribution"},
    {"name": "russia-firsts", "kind": "first_attribution", "claimant": "russia"},
    {"name": "denials", "kind": "denial"},
    {"name": "busy", "kind": "daily_count", "above": 2},
    {"name": "busy-truce", "kind": "daily_count", "above": 1, "ceasefire": TRUCE},
]


# --- rules ---------------------------------------------------------------------------------------


def test_each_rule_fires_for_its_incidents_only(
    registry: SqlStore, tmp_path: Path, receiver: Receiver
) -> None:
    alerts = engine(
        registry, tmp_path, RULES, base_url=BASE + "/", webhooks=[{"url": receiver.url}]
    ).check(NOW)

    assert fired(alerts) == {
        ("new", "inc-a"), ("new", "inc-b"), ("new", "inc-e"),
        ("killed", "inc-b"),
        ("injured", "inc-c"),
        ("firsts", "inc-a"), ("firsts", "inc-b"),  # inc-e repeats the 2020 Armenia -> Azerbaijan
        ("russia-firsts", "inc-a"),
        ("denials", "inc-a"),
        ("busy", "2021-08-12"),  # b, c, e (day 11: one; acled:9001 is reference data)
        ("busy-truce", "2021-08-12"),  # b, e
    }  # fmt: skip
    assert all(a.delivered and not a.errors for a in alerts)
    assert len(receiver.bodies) == len(alerts)
    by_key = {(a.rule, a.key): a for a in alerts}
    denial = by_key[("denials", "inc-a")]
    assert denial.text == (
        "2021-08-11: Russia said Azerbaijan carried out a drone strike near Nagorno-Karabakh; "
        "no deaths. Azerbaijan denied it."
    )
    assert denial.link == f"{BASE}/incidents/inc-a"
    assert sorted((e.claimant, e.stance, e.url, *e.sentences) for e in denial.evidence) == [
        ("Azerbaijan", "denies", "https://news.test/inc-a/1", "Baku called the report false."),
        ("Russia", "asserts", "https://news.test/inc-a/0", "Azerbaijani forces carried out two "
         "strikes with quadcopters."),
    ]  # fmt: skip
    busy = by_key[("busy", "2021-08-12")]
    assert busy.incident_id is None
    assert busy.day == day(12)
    assert {e.incident_id for e in busy.evidence} == {"inc-b", "inc-c", "inc-e"}
    assert busy.link == f"{BASE}/incidents?since=2021-08-12&until=2021-08-12"
    posted = {(b["rule"], b["key"]): b for b in receiver.bodies}
    assert posted[("denials", "inc-a")] == denial.payload()
    assert posted[("killed", "inc-b")]["evidence"][0]["url"] == "https://news.test/inc-b/0"


def test_daily_count_over_the_mean_of_the_previous_week(store: SqlStore, tmp_path: Path) -> None:
    for d in range(1, 8):  # one a day for a week, then four on the 8th
        add_incident(store, f"inc-{d}", {"date": day(d), "sentence": f"Shelling on day {d}."})
    for n in range(4):
        add_incident(store, f"inc-8{n}", {"date": day(8), "location": f"P{n}", "sentence": "x."})
    text = "Russia's Defence Ministry recorded 5 violations on 8 August."
    doc = StoredDocument(
        id=document_id(text), text=text, url="https://news.test/mod", ingested_at=NOW
    )
    report = PeriodReport(id=f"{doc.id}:p0", document_id=doc.id, source="Russia", count=5,
                          start=day(8), end=day(8), evidence=text)  # fmt: skip
    assert store.add_document(doc, text.encode(), period_reports=[report])
    rule = {"name": "surge", "kind": "daily_count", "factor": 3.0}
    [surge] = engine(store, tmp_path, [rule]).evaluate(NOW)
    assert surge.key == "2021-08-08"
    assert surge.text.startswith(
        "4 violations on 2021-08-08, by first date "
        "(above 3 x the mean of the previous 7 days (1.0))"
    )
    assert surge.text.endswith(" Russia reported 5 for 2021-08-08.")
    assert surge.evidence[-1].stance == "period_report"
    assert surge.evidence[-1].url == "https://news.test/mod"
    early = {**rule, "name": "surge-early", "min_days": 1, "factor": 0.5}
    # from day 2 on, each day has 1 > 0.5 x the mean (1) of the days before it on record
    assert len(engine(store, tmp_path, [early]).evaluate(NOW)) == 7
    before = engine(store, tmp_path, [rule]).evaluate(dt.datetime(2021, 8, 7, tzinfo=dt.UTC))
    assert before == []  # days after `now` are not evaluated


def test_lookback_days_skips_older_incidents(registry: SqlStore, tmp_path: Path) -> None:
    rules = [{"name": "new", "kind": "new_violation", "ceasefire": TRUCE}]
    recent = engine(registry, tmp_path, rules, lookback_days=1).evaluate(NOW)
    assert fired(recent) == {("new", "inc-b"), ("new", "inc-e")}


# --- de-duplication, digests, retries ------------------------------------------------------------


def test_a_second_check_sends_nothing_and_a_new_incident_fires_once(
    registry: SqlStore, tmp_path: Path, receiver: Receiver
) -> None:
    watch = engine(registry, tmp_path, RULES, webhooks=[{"url": receiver.url}])
    first = watch.check(NOW)
    assert len(receiver.bodies) == len(first) == 11
    assert watch.check(NOW) == []
    # a fresh engine on the same state file (a restarted watch) remembers too
    assert engine(registry, tmp_path, RULES, webhooks=[{"url": receiver.url}]).check(NOW) == []
    assert len(receiver.bodies) == 11

    add_incident(
        registry,
        "inc-f",
        {"actor": "Armenia", "source": "Azerbaijan", "date": day(13), "location": "Lachin",
         "sentence": "Armenian forces fired at Lachin."},
    )  # fmt: skip
    later = watch.check(NOW)
    assert fired(later) == {("new", "inc-f")}
    assert receiver.bodies[-1]["incident_id"] == "inc-f"
    assert watch.check(NOW) == []
    assert len(receiver.bodies) == 12


def test_digest_sends_one_message_per_check(
    registry: SqlStore, tmp_path: Path, receiver: Receiver, smtp: tuple[Mailbox, int]
) -> None:
    box, port = smtp
    mail = {"host": "127.0.0.1", "port": port, "sender": "tw@test", "to": ["desk@test"]}
    watch = engine(
        registry, tmp_path, RULES, digest=True, webhooks=[{"url": receiver.url}], smtp=mail
    )
    alerts = watch.check(NOW)
    assert len(alerts) == 11
    assert len(receiver.bodies) == 1
    assert len(box.messages) == 1
    digest = receiver.bodies[0]
    assert digest["digest"] is True
    assert digest["count"] == 11
    assert {(a["rule"], a["key"]) for a in digest["alerts"]} == fired(alerts)
    assert box.messages[0]["Subject"] == "[trucewatch] 11 new alerts"
    assert watch.check(NOW) == []
    assert len(receiver.bodies) == 1
    assert len(box.messages) == 1


def test_a_failed_webhook_is_retried_on_the_next_check(
    registry: SqlStore, tmp_path: Path, receiver: Receiver, smtp: tuple[Mailbox, int]
) -> None:
    box, port = smtp
    mail = {"host": "127.0.0.1", "port": port, "sender": "tw@test", "to": ["desk@test"]}
    rules = [
        {"name": "denials", "kind": "denial"},
        {"name": "killed", "kind": "casualties", "at_least": 1},
    ]
    watch = engine(registry, tmp_path, rules, webhooks=[{"url": receiver.url}], smtp=mail)
    receiver.status = 500
    failed = watch.check(NOW)
    assert fired(failed) == {("denials", "inc-a"), ("killed", "inc-b")}
    for alert in failed:
        assert not alert.delivered
        assert alert.errors == [f"webhook {receiver.url}: HTTP 500 Internal Server Error"]
    assert receiver.bodies == []
    assert len(box.messages) == 2  # the e-mail went out

    receiver.status = 200
    retried = watch.check(NOW)
    assert fired(retried) == fired(failed)
    assert all(a.delivered for a in retried)
    assert len(receiver.bodies) == 2
    assert len(box.messages) == 2  # not repeated to the channel that took it
    assert watch.check(NOW) == []
    assert len(receiver.bodies) == 2


def test_the_email_carries_the_neutral_text_and_the_link(
    registry: SqlStore, tmp_path: Path, smtp: tuple[Mailbox, int]
) -> None:
    box, port = smtp
    mail = {"host": "127.0.0.1", "port": port, "sender": "tw@test", "to": ["a@test", "b@test"]}
    rules = [{"name": "denials", "kind": "denial"}]
    [alert] = engine(registry, tmp_path, rules, base_url=BASE, smtp=mail).check(NOW)
    [message] = box.messages
    assert message["Subject"] == f"[trucewatch] {alert.title}"
    assert message["To"] == "a@test, b@test"
    body = message.get_content()
    assert "Russia said Azerbaijan carried out a drone strike near Nagorno-Karabakh" in body
    assert "Azerbaijan denied it." in body
    assert f"Link: {BASE}/incidents/inc-a" in body
    assert "https://news.test/inc-a/0" in body
    assert "Azerbaijani forces carried out two strikes with quadcopters." in body


def test_the_receiver_has_the_alert_when_check_returns(
    store: SqlStore, tmp_path: Path, receiver: Receiver
) -> None:
    """Delivery is synchronous: alert latency is one `check()` after the incident is stored
    (measured in docs, not timed here); a watch loop adds up to its polling interval."""
    rules = [{"name": "new", "kind": "new_violation", "ceasefire": TRUCE}]
    watch = engine(store, tmp_path, rules, webhooks=[{"url": receiver.url}])
    assert watch.check(NOW) == []
    add_incident(store, "inc-x", {"date": day(12), "sentence": "Shelling."})
    [alert] = watch.check(NOW)
    assert [b["incident_id"] for b in receiver.bodies] == [alert.incident_id] == ["inc-x"]


# --- configuration and senders -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cfg", "message"),
    [
        ({"rules": [{"name": "x", "kind": "nope"}]}, "rules.0: Input tag 'nope'"),
        ({"rules": [{"name": "x", "kind": "new_violation"}]}, "rules.0.new_violation.ceasefire"),
        ({"rules": [{"name": "x", "kind": "daily_count"}]}, "needs `above` or `factor`"),
        ({"rules": [{"name": "x", "kind": "denial"}] * 2}, "rule names must be unique: x"),
        ({"rules": []}, "rules: List should have at least 1 item"),
        ({"rules": RULES, "webhooks": [{"url": "ftp://x"}]}, "must start with http"),
        ({"rules": RULES, "colour": "red"}, "colour: Extra inputs are not permitted"),
        (
            {"rules": RULES, "smtp": {"host": "h", "sender": "s", "to": ["t"], "username": "u",
                                      "password_env": "TRUCEWATCH_TEST_UNSET"}},
            "TRUCEWATCH_TEST_UNSET is not set",
        ),
    ],
)  # fmt: skip
def test_config_errors_name_the_problem(
    store: SqlStore, tmp_path: Path, cfg: dict[str, Any], message: str
) -> None:
    with pytest.raises(AlertConfigError, match=r"^\[alerts") as info:
        AlertEngine.from_config(cfg, store, tmp_path / "state.db")
    assert message in str(info.value)


def test_senders_raise_delivery_errors(receiver: Receiver) -> None:
    receiver.status = 404
    with pytest.raises(DeliveryError, match=f"webhook {receiver.url}: HTTP 404"):
        post_webhook(receiver.url, {"a": 1})
    receiver.status, receiver.delay = 200, 1.0
    with pytest.raises(DeliveryError, match="timed out after 0.2 s"):
        post_webhook(receiver.url, {"a": 1}, timeout=0.2)
    closed = f"http://127.0.0.1:{free_port()}/"
    with pytest.raises(DeliveryError, match=f"webhook {closed}: ConnectError"):
        post_webhook(closed, {})
    port = free_port()
    with pytest.raises(DeliveryError, match=f"smtp://127.0.0.1:{port} to d@test: Connection"):
        send_mail(
            {"host": "127.0.0.1", "port": port, "sender": "s@test", "to": ["d@test"]}, "s", "b"
        )
