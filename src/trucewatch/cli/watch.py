"""`trucewatch watch` (live monitoring) and `trucewatch source add|list|remove` (its config)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import signal
import sqlite3
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, TypeVar

import click

from trucewatch.cli.options import db_option, parse_day, registry

if TYPE_CHECKING:
    from trucewatch.store.sql import SqlStore
    from trucewatch.watch.config import WatchConfig
    from trucewatch.watch.poller import AlertChecker

F = TypeVar("F", bound=Callable[..., object])


def config_option(func: F) -> F:
    """--config FILE: the watch config (TOML)."""
    return click.option(
        "--config",
        "config_file",
        type=click.Path(dir_okay=False, path_type=Path),
        default="trucewatch.toml",
        show_default=True,
        envvar="TRUCEWATCH_CONFIG",
        help="Watch config file (TOML); also $TRUCEWATCH_CONFIG.",
    )(func)


def _load(path: Path, *, missing_ok: bool = False) -> WatchConfig:
    from trucewatch.watch.config import ConfigError, load_config

    try:
        return load_config(path, missing_ok=missing_ok)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


_RECORD_KEYS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, event (the message), then the record's extras
    (source, status, items, duration, error...)."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "event": record.getMessage(),
        }
        out.update((k, v) for k, v in vars(record).items() if k not in _RECORD_KEYS)
        if record.exc_info and "error" not in out:
            out["error"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


def _json_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("trucewatch.watch")
    logger.handlers[:] = [handler]
    logger.setLevel(logging.INFO)
    logger.propagate = False


def _alert_engine(config: WatchConfig, store: SqlStore) -> AlertChecker | None:
    """The alert engine of the config's ``[alerts]`` table (None without one)."""
    if config.alerts is None:
        return None
    try:
        from trucewatch.watch.alerts import AlertEngine
    except ImportError as exc:  # the alerts module is optional to the watcher
        logging.getLogger("trucewatch.watch").warning(
            "alerts_unavailable", extra={"error": str(exc)}
        )
        return None
    try:
        return AlertEngine.from_config(config.alerts, store, config.state_path)
    except ValueError as exc:
        raise click.ClickException(f"{config.path}: {exc}") from None


@click.command()
@config_option
@db_option
@click.option("--once", is_flag=True, help="Poll the due sources once, then exit.")
def watch(config_file: Path, db: str, once: bool) -> None:
    """Poll the configured sources and ingest what is new into the registry.

    Each source is polled every `interval` seconds (backed off after errors); what was already
    ingested is never fetched or read twice. Logs are JSON lines on stderr. SIGTERM or Ctrl-C
    finishes the report in flight, saves the state and exits 0. With --once, the exit status
    is 1 when a source failed.
    """
    config = _load(config_file)
    if not config.sources:
        raise click.UsageError(f"{config_file} lists no sources: add one with `source add`")
    _json_logging()
    stop = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        logging.getLogger("trucewatch.watch").info(
            "stopping", extra={"status": signal.Signals(signum).name}
        )
        stop.set()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        failed = _run(config, db, once, stop)
    except (sqlite3.Error, OSError) as exc:
        raise click.ClickException(f"{config.state_path}: {exc}") from None
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if failed:
        sys.exit(1)


def _run(config: WatchConfig, db: str, once: bool, stop: threading.Event) -> bool:
    """Watch until stopped (or one round with ``once``); True if a source failed."""
    from trucewatch.watch.poller import Watcher
    from trucewatch.watch.state import WatchState

    with registry(db) as store, WatchState(config.state_path) as state:
        watcher = Watcher(config, store, state, alerts=_alert_engine(config, store))
        try:
            if once:
                return bool(watcher.run_once(stop).errors)
            watcher.run(stop)
            return False
        finally:
            watcher.close()


@click.group()
def source() -> None:
    """Add, list and remove the sources `trucewatch watch` polls."""


@source.command("add")
@click.argument("name")
@click.option("--kind", type=click.Choice(["feed", "page", "folder"]), required=True)
@click.option("--url", help="Feed or page URL (http or https).")
@click.option(
    "--path",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    help="Drop folder to watch.",
)
@click.option("--selector", help="Page only: CSS selector of the text to read.")
@click.option("--interval", type=click.IntRange(min=1), default=900, show_default=True)
@click.option("--published", callback=parse_day, metavar="YYYY-MM-DD", help="Fallback date.")
@config_option
def add(
    name: str,
    kind: str,
    url: str | None,
    folder: Path | None,
    selector: str | None,
    interval: int,
    published: dt.date | None,
    config_file: Path,
) -> None:
    """Add the source NAME to the config (created if needed)."""
    from trucewatch.watch.config import ConfigError, add_source

    if (url is None) == (folder is None):
        raise click.UsageError("give exactly one of --url (feed, page) or --path (folder)")
    entry: dict[str, Any] = {"name": name, "kind": kind, "interval": interval}
    entry.update(url=url, selector=selector, published=published)
    if folder is not None:
        entry["path"] = _relative_to_config(folder, config_file)
    try:
        add_source(config_file, entry)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"added {kind} source {name!r} to {config_file}", err=True)


def _relative_to_config(folder: Path, config_file: Path) -> str:
    """The folder as the config file reads it: relative to the file's folder when inside it."""
    absolute = folder.expanduser().absolute()
    try:
        return str(absolute.relative_to(config_file.absolute().parent))
    except ValueError:
        return str(absolute)


@source.command("list")
@config_option
def list_(config_file: Path) -> None:
    """The sources with their status: last success, last error, items seen."""
    from trucewatch.watch.state import SourceState, WatchState

    config = _load(config_file, missing_ok=True)
    states: dict[str, SourceState] = {}
    if config.state_path.exists():
        with WatchState(config.state_path) as state:
            states = state.sources()
    rows = [("NAME", "KIND", "TARGET", "INTERVAL", "LAST SUCCESS", "LAST ERROR", "ITEMS")]
    for s in config.sources:
        st = states.get(s.name, SourceState(s.name))
        error = "-"
        if st.consecutive_errors and st.last_error:
            error = f"{_when(st.last_error_at)} ({st.consecutive_errors}x) {st.last_error}"
        rows.append(
            (
                s.name,
                s.kind,
                s.target,
                f"{s.interval}s",
                _when(st.last_success),
                error,
                str(st.items_seen),
            )
        )
    if len(rows) == 1:
        click.echo(f"no sources in {config_file}", err=True)
        return
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 2)]
    for row in rows:
        cells = [c.ljust(w) for c, w in zip(row, widths, strict=False)]
        click.echo("  ".join([*cells, row[-1].rjust(5), row[-2]]).rstrip())


def _when(epoch: float | None) -> str:
    if epoch is None:
        return "never"
    return dt.datetime.fromtimestamp(epoch, dt.UTC).strftime("%Y-%m-%d %H:%M:%SZ")


@source.command("remove")
@click.argument("name")
@config_option
def remove(name: str, config_file: Path) -> None:
    """Remove the source NAME from the config and forget its state."""
    from trucewatch.watch.config import ConfigError, remove_source
    from trucewatch.watch.state import WatchState

    try:
        config = remove_source(config_file, name)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    if config.state_path.exists():
        with WatchState(config.state_path) as state:
            state.forget(name)
    click.echo(f"removed source {name!r} from {config_file}", err=True)
