"""`watch` and its alerts together, as the issue asks: a local feed changes between rounds (new
items, a 304), the watcher ingests, and the right alerts reach a real webhook receiver and a
real SMTP server once each."""

from __future__ import annotations

from pathlib import Path

from aiosmtpd.controller import Controller
from test_alerts import Mailbox, Receiver, free_port
from test_watch import Clock, Route, Server, rss

from trucewatch.extract.pipeline import Extractor
from trucewatch.geo import Geocoder
from trucewatch.store import SqlStore, open_store
from trucewatch.watch.alerts import AlertEngine
from trucewatch.watch.config import WatchConfig, load_config
from trucewatch.watch.poller import Watcher
from trucewatch.watch.state import WatchState

ACCUSATION = (
    "Azerbaijani forces shelled Armenian positions near Sotk with mortars on Thursday, the "
    "Armenian Defence Ministry said. Two soldiers were wounded."
)
DENIAL = (
    "Azerbaijan's Defence Ministry said on Friday that the claims of the Armenian side about "
    "shelling near Sotk are false."
)


def test_feed_changes_raise_each_alert_once(
    tmp_path: Path, extractor: Extractor, geocoder: Geocoder
) -> None:
    server, receiver, box = Server(), Receiver(), Mailbox()
    server.thread.start()
    smtp = Controller(box, hostname="127.0.0.1", port=free_port())
    smtp.start()
    try:
        feed = server.routes["/feed.xml"] = Route(
            rss(("a", ACCUSATION)), "application/rss+xml", etag='"1"'
        )
        config_file = tmp_path / "trucewatch.toml"
        config_file.write_text(
            f'[[sources]]\nname = "feed"\nkind = "feed"\nurl = "{server.url("/feed.xml")}"\n'
            "interval = 60\n\n"
            '[alerts]\nbase_url = "https://monitor.example"\n\n'
            '[[alerts.rules]]\nname = "who blames whom"\nkind = "first_attribution"\n\n'
            '[[alerts.rules]]\nname = "wounded"\nkind = "casualties"\nat_least = 1\n'
            'field = "injured"\n\n'
            '[[alerts.rules]]\nname = "denials"\nkind = "denial"\n\n'
            f'[[alerts.webhooks]]\nurl = "{receiver.url}"\n\n'
            f'[alerts.smtp]\nhost = "127.0.0.1"\nport = {smtp.port}\n'
            'sender = "watch@monitor.example"\nto = ["duty@monitor.example"]\n',
            encoding="utf-8",
        )
        config = load_config(config_file)
        with open_store(tmp_path / "registry.db") as store:
            sent = _run(config, store, extractor, geocoder, feed, receiver, box)
    finally:
        smtp.stop()
        receiver.close()
        server.httpd.shutdown()
        server.httpd.server_close()
    assert sent == [
        ("who blames whom", "wounded"),  # round 1: the accusation
        (),  # round 2: the server answers 304, nothing new
        ("denials",),  # round 3: the denial joins the same incident
    ]


def _run(
    config: WatchConfig,
    store: SqlStore,
    extractor: Extractor,
    geocoder: Geocoder,
    feed: Route,
    receiver: Receiver,
    box: Mailbox,
) -> list[tuple[str, ...]]:
    clock = Clock()
    alerts = AlertEngine.from_config(config.alerts, store, config.state_path)
    watcher = Watcher(
        config,
        store,
        WatchState(config.state_path),
        clock=clock,
        extractor=extractor,
        geocoder=geocoder,
        alerts=alerts,
    )
    rounds: list[tuple[str, ...]] = []
    for change in (None, "same", "denial"):
        if change == "denial":
            feed.body = rss(("a", ACCUSATION), ("b", DENIAL))
            feed.etag = '"2"'
        before_posts, before_mail = len(receiver.bodies), len(box.messages)
        watcher.run_once()
        clock.now += 61
        posts = receiver.bodies[before_posts:]
        assert len(box.messages) - before_mail == len(posts)  # every alert by both channels
        for body in posts:
            assert body["link"].startswith("https://monitor.example/incidents/")
            assert body["evidence"]
        rounds.append(tuple(sorted(b["rule"] for b in posts)))
    assert feed.answers[1] == 304
    return rounds
