"""The watch config file: the sources `trucewatch watch` polls, in TOML.

    [watch]                      # optional
    timeout = 20                 # seconds per fetch (connect, each read, the whole body ~2x)
    max_bytes = 10485760         # a larger response is an error

    [[sources]]
    name = "oc-media"            # unique
    kind = "feed"                # feed | page | folder
    url = "https://oc-media.org/feed/"
    interval = 900               # seconds between polls (default 900)
    published = 2021-08-13       # optional: date for reports that carry none

    [[sources]]
    name = "mod-bulletins"
    kind = "page"
    url = "https://example.org/bulletins"
    selector = "div.bulletin p"  # optional: only the text of the matching elements

    [[sources]]
    name = "drop"
    kind = "folder"
    path = "drop"                # relative paths are relative to this file's folder

An ``[alerts]`` table, when present, is read by ``trucewatch.watch.alerts``; this module keeps
it as given. The file is read with ``tomllib``; ``source add`` appends a ``[[sources]]`` block
and ``source remove`` cuts one out, leaving the rest of the file (comments included) as it
was, and the result is parsed again before it is written, so an edit never breaks the file.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast
from urllib.parse import urlsplit

import lxml.html
from cssselect import ExpressionError, SelectorSyntaxError
from lxml import etree
from lxml.cssselect import CSSSelector

from trucewatch.ingest.clean import clean_text

__all__ = [
    "DEFAULT_CONFIG",
    "KINDS",
    "ConfigError",
    "SelectorError",
    "SourceConfig",
    "WatchConfig",
    "add_source",
    "compile_selector",
    "select_text",
    "config_path",
    "load_config",
    "remove_source",
]

DEFAULT_CONFIG = "trucewatch.toml"
KINDS = ("feed", "page", "folder")
DEFAULT_INTERVAL = 900
DEFAULT_TIMEOUT = 20.0
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
Kind = Literal["feed", "page", "folder"]

_TOP_LEVEL = frozenset({"sources", "watch", "alerts"})
_SOURCE_KEYS = ("name", "kind", "url", "path", "selector", "interval", "published")
_WATCH_KEYS = frozenset({"timeout", "max_bytes"})
_HEADER = re.compile(r"^\s*\[")
_SOURCES_HEADER = re.compile(r"^\s*\[\[\s*sources\s*\]\]\s*(#.*)?$")


class ConfigError(Exception):
    """A config file that cannot be read or is invalid; ``str()`` names the file (and entry)."""


@dataclass(frozen=True)
class SourceConfig:
    """One ``[[sources]]`` entry; ``path`` is resolved against the config file's folder."""

    name: str
    kind: Kind
    url: str | None = None
    path: Path | None = None
    selector: str | None = None
    interval: int = DEFAULT_INTERVAL
    published: dt.date | None = None

    @property
    def target(self) -> str:
        """The URL or the folder, as shown to people."""
        return self.url if self.url is not None else str(self.path)


@dataclass(frozen=True)
class WatchConfig:
    path: Path
    sources: list[SourceConfig] = field(default_factory=list)
    timeout: float = DEFAULT_TIMEOUT
    max_bytes: int = DEFAULT_MAX_BYTES
    alerts: dict[str, Any] | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def state_path(self) -> Path:
        """The watcher's state file beside the config: ``<config>.state.sqlite``."""
        return self.path.with_name(self.path.name + ".state.sqlite")

    def source(self, name: str) -> SourceConfig | None:
        return next((s for s in self.sources if s.name == name), None)


def config_path(given: str | os.PathLike[str] | None = None) -> Path:
    """--config, else $TRUCEWATCH_CONFIG, else ./trucewatch.toml."""
    return Path(given or os.environ.get("TRUCEWATCH_CONFIG") or DEFAULT_CONFIG)


def load_config(path: Path, *, missing_ok: bool = False) -> WatchConfig:
    """Read and validate ``path``; a missing file is an empty config when ``missing_ok``."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if missing_ok:
            return WatchConfig(path=path)
        raise ConfigError(f"{path}: no such config file (add a source first)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    return parse_config(text, path)


def parse_config(text: str, path: Path) -> WatchConfig:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    unknown = sorted(set(data) - _TOP_LEVEL)
    if unknown:
        raise ConfigError(f"{path}: unknown top-level key(s) {', '.join(unknown)}")
    entries = data.get("sources", [])
    if not isinstance(entries, list):
        raise ConfigError(f"{path}: 'sources' must be an array of tables ([[sources]])")
    sources: list[SourceConfig] = []
    for index, entry in enumerate(entries):
        source = _source(entry, path, index)
        if any(s.name == source.name for s in sources):
            raise ConfigError(f"{path}: sources[{index}] ({source.name}): duplicate name")
        sources.append(source)
    watch = data.get("watch", {})
    if not isinstance(watch, dict) or set(watch) - _WATCH_KEYS:
        raise ConfigError(f"{path}: [watch] takes only {', '.join(sorted(_WATCH_KEYS))}")
    timeout = watch.get("timeout", DEFAULT_TIMEOUT)
    max_bytes = watch.get("max_bytes", DEFAULT_MAX_BYTES)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
        raise ConfigError(f"{path}: [watch] timeout must be a positive number of seconds")
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes <= 0:
        raise ConfigError(f"{path}: [watch] max_bytes must be a positive integer")
    alerts = data.get("alerts")
    if alerts is not None and not isinstance(alerts, dict):
        raise ConfigError(f"{path}: 'alerts' must be a table ([alerts])")
    return WatchConfig(path, sources, float(timeout), max_bytes, alerts, data)


def _source(entry: object, path: Path, index: int) -> SourceConfig:
    where = f"{path}: sources[{index}]"
    if not isinstance(entry, dict):
        raise ConfigError(f"{where}: must be a table")
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"{where}: 'name' must be a non-empty string")
    where = f"{where} ({name})"

    def fail(reason: str) -> ConfigError:
        return ConfigError(f"{where}: {reason}")

    unknown = sorted(set(entry) - set(_SOURCE_KEYS))
    if unknown:
        raise fail(f"unknown key(s) {', '.join(unknown)} (allowed: {', '.join(_SOURCE_KEYS)})")
    kind = entry.get("kind")
    if kind not in KINDS:
        raise fail(f"'kind' must be one of {', '.join(KINDS)}, not {kind!r}")
    for key in ("url", "path", "selector"):
        if key in entry and (not isinstance(entry[key], str) or not entry[key].strip()):
            raise fail(f"'{key}' must be a non-empty string")
    url, raw_path, selector = entry.get("url"), entry.get("path"), entry.get("selector")
    folder: Path | None = None
    if kind == "folder":
        if raw_path is None or url is not None:
            raise fail("a folder source takes 'path' (and no 'url')")
        folder = Path(raw_path).expanduser()
        if not folder.is_absolute():
            folder = path.parent / folder
    else:
        if url is None or raw_path is not None:
            raise fail(f"a {kind} source takes 'url' (and no 'path')")
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            raise fail(f"'url' must be an http(s) URL with a host, not {url!r}")
    if selector is not None:
        if kind != "page":
            raise fail("'selector' applies to page sources only")
        try:
            compile_selector(selector)
        except SelectorError as exc:
            raise fail(str(exc)) from None
    interval = entry.get("interval", DEFAULT_INTERVAL)
    if isinstance(interval, bool) or not isinstance(interval, int) or interval < 1:
        raise fail("'interval' must be a whole number of seconds >= 1")
    published = entry.get("published")
    if isinstance(published, str):
        try:
            published = dt.date.fromisoformat(published)
        except ValueError:
            raise fail(f"'published' must be a date (YYYY-MM-DD), not {published!r}") from None
    if isinstance(published, dt.datetime) or not isinstance(published, dt.date | None):
        raise fail("'published' must be a date (YYYY-MM-DD)")
    return SourceConfig(name, cast(Kind, kind), url, folder, selector, interval, published)


# --- CSS selectors ---------------------------------------------------------------------------


class SelectorError(ValueError):
    """A CSS selector cssselect cannot read or translate."""


_BLOCKS = tuple("p div br li h1 h2 h3 h4 h5 h6 tr section article blockquote pre td".split())
_SPACE = re.compile(r"[ \t\f\v\xa0]+")


def compile_selector(selector: str) -> etree.XPath:
    """An XPath that finds the elements matching CSS ``selector`` in an HTML tree (cssselect,
    through lxml: CSS 3 selectors; pseudo-elements and a few pseudo-classes are refused)."""
    try:
        return CSSSelector(selector, translator="html")
    except (SelectorSyntaxError, ExpressionError) as exc:
        raise SelectorError(f"invalid CSS selector {selector!r}: {exc}") from None


def select_text(html: str, selector: str) -> str:
    """The block-aware text of the elements matching ``selector`` (scripts dropped; an element
    inside another match is read once, with it)."""
    try:
        root = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return ""
    for junk in list(root.iter("script", "style", "noscript", "template")):
        junk.drop_tree()
    matches = [e for e in compile_selector(selector)(root) if isinstance(e, etree._Element)]
    chosen = set(matches)
    parts = []
    for element in matches:
        if any(a in chosen for a in element.iterancestors()):
            continue
        for block in element.iter(*_BLOCKS):
            block.tail = "\n" + (block.tail or "")
        lines = (_SPACE.sub(" ", line).strip() for line in element.text_content().split("\n"))
        parts.append("\n".join(line for line in lines if line))
    return clean_text("\n\n".join(p for p in parts if p))


# --- writing ---------------------------------------------------------------------------------


def _toml_value(value: str | int | dt.date) -> str:
    if isinstance(value, str):  # a JSON string is a TOML basic string, DEL aside
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def source_block(entry: dict[str, str | int | dt.date]) -> str:
    """The ``[[sources]]`` block of ``entry``, keys in the documented order."""
    lines = ["[[sources]]"]
    lines += [f"{k} = {_toml_value(entry[k])}" for k in _SOURCE_KEYS if entry.get(k) is not None]
    return "\n".join(lines) + "\n"


def add_source(path: Path, entry: dict[str, str | int | dt.date]) -> WatchConfig:
    """Append the source ``entry`` (keys as in the file) to the config at ``path``, creating
    the file if needed; ConfigError if the result would be invalid (a duplicate name...)."""
    text = _read_for_edit(path)
    if text and not text.endswith("\n"):
        text += "\n"
    new = text + ("\n" if text.strip() else "") + source_block(entry)
    config = parse_config(new, path)
    _write(path, new)
    return config


def remove_source(path: Path, name: str) -> WatchConfig:
    """Cut the ``[[sources]]`` block named ``name`` out of the config at ``path``."""
    config = load_config(path)
    if config.source(name) is None:
        raise ConfigError(f"{path}: no source named {name!r}")
    lines = _read_for_edit(path).splitlines(keepends=True)
    kept: list[str] = []
    i = 0
    while i < len(lines):
        end = i + 1
        if _SOURCES_HEADER.match(lines[i]):
            while end < len(lines) and not _HEADER.match(lines[end]):
                end += 1
            block = "".join(lines[i:end])
            if _block_name(block) == name:
                while kept and not kept[-1].strip():  # the blank lines before it too
                    kept.pop()
                if kept and end < len(lines):  # one blank line before the next table
                    kept.append("\n")
                i = end
                continue
        kept.extend(lines[i:end])
        i = end
    new = "".join(kept)
    updated = parse_config(new, path)
    if [s.name for s in updated.sources] != [s.name for s in config.sources if s.name != name]:
        raise ConfigError(f"{path}: cannot remove {name!r} automatically: edit the file by hand")
    _write(path, new)
    return updated


def _block_name(block: str) -> str | None:
    try:
        entries = tomllib.loads(block).get("sources") or [{}]
    except tomllib.TOMLDecodeError:
        return None
    name = entries[0].get("name")
    return name if isinstance(name, str) else None


def _read_for_edit(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return "# trucewatch watch config: see `trucewatch source --help`\n"
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None


def _write(path: Path, text: str) -> None:
    """Replace the file atomically (write a sibling, then rename)."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ConfigError(f"{path}: cannot write: {exc}") from None
