"""Fixtures of the end-to-end tests: a registry built from samples/, `trucewatch serve`'s app
on a free port of 127.0.0.1, and Debian's Chromium driven by Playwright (never a downloaded
browser). Without Chromium or Playwright the tests are skipped with the reason.

Every page a test opens is watched: console errors, script errors, failed requests and any
request to a host other than 127.0.0.1 (blocked as well) fail the test at teardown.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest

from trucewatch.extract.pipeline import Extractor
from trucewatch.geo import Geocoder
from trucewatch.ingest.sources import SourceItem, read_sources
from trucewatch.models import Document
from trucewatch.registry import Registry
from trucewatch.store import open_store
from trucewatch.store.accounts import Accounts

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
ARTIFACTS = ROOT / "out" / "e2e"
"""Screenshots the tests save (out/ is git-ignored)."""

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HOST = "127.0.0.1"
VIEWPORT = {"width": 1280, "height": 900}

PASSWORDS = {
    "viewer": "viewer-password-1",
    "analyst": "analyst-password-1",
    "admin": "admin-password-1",
}
"""One account per role, the user named after the role."""

XSS_SCRIPT = "<script>window.__xss=1</script>"
XSS_IMG = '<img src=x onerror="window.__xss=2">'
XSS_DOCUMENT = Document(
    id="e2e-hostile",
    title=f"Shelling near Mariupol {XSS_SCRIPT}",
    text=(
        f"Shelling near Mariupol {XSS_SCRIPT}\n"
        "Ukraine's armed forces said on Monday that Russian forces had shelled Mariupol, "
        "killing two civilians.\n"
        f"The statement was posted with an image {XSS_IMG} and a link.\n"
    ),
    published=dt.date(2021, 4, 13),
    url="javascript:window.__xss=3",
)
"""A report whose title, text and link try to run script (the outlet too, below)."""
XSS_OUTLET = '<img src=x onerror="window.__xss=4">'


def find_chromium() -> str | None:
    """Debian's chromium (/usr/bin/chromium, else `chromium` on $PATH), or None."""
    if Path("/usr/bin/chromium").is_file():
        return "/usr/bin/chromium"
    return shutil.which("chromium")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "e2e: end-to-end tests in headless Chromium")


# --- the registry and the server ---------------------------------------------------------------


@dataclass(frozen=True)
class Registered:
    db: Path
    hostile_document: str
    """The stored id of XSS_DOCUMENT (the store names documents by their content)."""


@pytest.fixture(scope="session")
def registered(
    tmp_path_factory: pytest.TempPathFactory, extractor: Extractor, geocoder: Geocoder
) -> Registered:
    """A SQLite registry of the bundled samples plus one hostile report, with a viewer, an
    analyst and an admin."""
    path = tmp_path_factory.mktemp("e2e") / "registry.db"
    with open_store(path) as store:
        registry = Registry(store, extractor=extractor, geocoder=geocoder)
        summary = registry.ingest(read_sources([str(SAMPLES)]))
        assert not summary.failed, summary.failed
        raw = XSS_DOCUMENT.text.encode()
        summary = registry.ingest([SourceItem(XSS_DOCUMENT, raw, XSS_OUTLET)])
        assert not summary.failed, summary.failed
        accounts = Accounts(store)
        for role, password in PASSWORDS.items():
            accounts.add_user(role, password, role)
        hostile = [d.id for d in store.documents() if d.title == XSS_DOCUMENT.title]
    assert len(hostile) == 1, hostile
    return Registered(path, hostile[0])


@pytest.fixture(scope="session")
def hostile_document(registered: Registered) -> str:
    """The id of the stored report that tries to run script."""
    return registered.hostile_document


@pytest.fixture(scope="session")
def live_server(registered: Registered) -> Iterator[str]:
    """`trucewatch serve` on a free port of 127.0.0.1 (uvicorn in a thread): its base URL."""
    from trucewatch.web.settings import WebSettings
    from web_server import LiveServer

    with LiveServer(WebSettings(db=str(registered.db)), None, None) as server:
        yield server.url


# --- the browser -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless Debian Chromium (skips when it or Playwright is missing)."""
    chromium = find_chromium()
    if chromium is None:
        pytest.skip("Chromium not found (/usr/bin/chromium): run `make browser`")
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed: pip install '.[dev]'"
    )
    with sync_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """The folder screenshots go to: out/e2e/."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@dataclass
class Traffic:
    """What the pages of one test did that they should not."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    allowed: list[re.Pattern[str]] = field(default_factory=list)
    requests: int = 0

    def allow(self, console_error: str) -> None:
        """Expect console errors matching this regular expression (an error page's status)."""
        self.allowed.append(re.compile(console_error))

    def clear(self) -> None:
        self.console_errors.clear()
        self.page_errors.clear()
        self.failed.clear()
        self.foreign.clear()

    def take(self) -> list[str]:
        """The problems so far, forgotten here (for a test that judges them itself)."""
        problems = self.problems()
        self.clear()
        return problems

    def problems(self) -> list[str]:
        unexpected = [m for m in self.console_errors if not any(a.search(m) for a in self.allowed)]
        return [
            *(f"console error: {m}" for m in unexpected),
            *(f"script error: {m}" for m in self.page_errors),
            *(f"failed request: {m}" for m in self.failed),
            *(f"request to another host: {m}" for m in self.foreign),
        ]


@pytest.fixture
def traffic() -> Traffic:
    return Traffic()


@pytest.fixture
def context(browser: Browser, live_server: str, traffic: Traffic) -> Iterator[BrowserContext]:
    """A fresh browser profile (no cookies) whose pages are watched; requests to any host
    other than 127.0.0.1 are recorded and blocked."""
    ctx = browser.new_context(base_url=live_server, viewport=VIEWPORT)  # type: ignore[arg-type]
    ctx.set_default_timeout(10_000)

    def on_request(request: Any) -> None:
        traffic.requests += 1
        if urlsplit(request.url).hostname != HOST and not request.url.startswith("data:"):
            traffic.foreign.append(request.url)

    def on_failed(request: Any) -> None:
        if request.failure == "net::ERR_ABORTED":
            return  # left behind by a navigation (a stylesheet still loading, say)
        traffic.failed.append(f"{request.method} {request.url}: {request.failure}")

    def on_console(message: Any) -> None:
        if message.type == "error":
            traffic.console_errors.append(f"{message.text} ({message.location.get('url')})")

    def on_page(page: Page) -> None:
        page.on("console", on_console)
        page.on("pageerror", lambda error: traffic.page_errors.append(str(error)))

    def block_foreign(route: Any) -> None:
        if urlsplit(route.request.url).hostname == HOST:
            route.continue_()
        else:
            route.abort("blockedbyclient")

    ctx.on("request", on_request)
    ctx.on("requestfailed", on_failed)
    ctx.on("page", on_page)
    ctx.route("**/*", block_foreign)
    yield ctx
    ctx.close()
    problems = traffic.problems()
    assert not problems, "\n".join(problems)
    assert traffic.requests > 0


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()
