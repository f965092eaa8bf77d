"""Fixtures of the web tests: the registry holding the bundled samples, built once per session
with one user of each role and an API token each; every test gets its own copy of the file and
its own server, so tests that write cannot disturb others."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from trucewatch.extract.pipeline import Extractor
from trucewatch.geo import Geocoder
from trucewatch.ingest.sources import read_sources
from trucewatch.registry import Registry
from trucewatch.store import open_store
from trucewatch.store.accounts import Accounts
from trucewatch.web.settings import WebSettings
from web_server import PASSWORDS, LiveServer, ServeFactory, Web

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


@dataclass
class Base:
    path: Path
    tokens: dict[str, str]


@pytest.fixture(scope="session")
def base_registry(
    tmp_path_factory: pytest.TempPathFactory, extractor: Extractor, geocoder: Geocoder
) -> Base:
    path = tmp_path_factory.mktemp("web") / "registry.db"
    with open_store(path) as store:
        summary = Registry(store, extractor, geocoder).ingest(read_sources([str(SAMPLES)]))
        assert not summary.failed
        assert summary.incidents > 0
        accounts = Accounts(store)
        tokens = {}
        for role, password in PASSWORDS.items():
            accounts.add_user(role, password, role)
            tokens[role] = accounts.add_token(role, "tests")
    return Base(path=path, tokens=tokens)


@pytest.fixture
def serve(
    base_registry: Base, tmp_path: Path, extractor: Extractor, geocoder: Geocoder
) -> Iterator[ServeFactory]:
    """serve(**settings) -> a running Web over a fresh copy of the base registry."""
    running: list[Web] = []

    def start(**overrides: object) -> Web:
        db = tmp_path / f"registry-{len(running)}.db"
        shutil.copyfile(base_registry.path, db)
        settings = WebSettings.model_validate({"db": str(db), **overrides})
        server = LiveServer(settings, extractor, geocoder).__enter__()
        web = Web(server=server, db=db, tokens=base_registry.tokens)
        running.append(web)
        return web

    yield start
    for web in running:
        for client in web.clients:
            client.close()
        web.server.__exit__()


@pytest.fixture
def web(serve: ServeFactory) -> Web:
    return serve()
