"""A real server for the web tests: the app served by uvicorn on a free 127.0.0.1 port, and
clients that call it with an API token or through a login session like a browser."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import uvicorn

from trucewatch.extract.pipeline import Extractor
from trucewatch.geo import Geocoder
from trucewatch.web.app import create_app
from trucewatch.web.settings import WebSettings

PASSWORDS = {"viewer": "viewer-pass-1", "analyst": "analyst-pass-1", "admin": "admin-pass-12"}
CSRF_FIELD = re.compile(r'name="csrf" value="([^"]+)"')


class LiveServer:
    """The app served by uvicorn in a thread on 127.0.0.1, on a socket it binds itself (no
    window in which another process could take the port)."""

    def __init__(
        self, settings: WebSettings, extractor: Extractor | None, geocoder: Geocoder | None
    ) -> None:
        self.app = create_app(settings, extractor=extractor, geocoder=geocoder)
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        config = uvicorn.Config(
            self.app,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            lifespan="on",
            access_log=False,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                self.server.should_exit = True
                self.socket.close()
                raise RuntimeError(f"the test server did not start on {self.url}")
            time.sleep(0.02)
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)
        self.socket.close()
        assert not self.thread.is_alive(), "the test server did not shut down"


@dataclass
class Web:
    """A running server over a private copy of the base registry, and ways to call it."""

    server: LiveServer
    db: Path
    tokens: dict[str, str]
    clients: list[httpx.Client] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.server.url

    def client(self, role: str | None = None) -> httpx.Client:
        """A client sending `role`'s API token (None: anonymous)."""
        headers = {"Authorization": f"Bearer {self.tokens[role]}"} if role else {}
        client = httpx.Client(base_url=self.url, headers=headers, timeout=60)
        self.clients.append(client)
        return client

    def login(self, role: str, password: str | None = None) -> Session:
        """A browser-like client logged in through the login form."""
        client = httpx.Client(base_url=self.url, timeout=60)
        self.clients.append(client)
        form = client.get("/login")
        token = CSRF_FIELD.search(form.text)
        assert token is not None, form.text
        answer = client.post(
            "/login",
            data={
                "username": role,
                "password": password or PASSWORDS[role],
                "csrf": token.group(1),
                "next": "/",
            },
        )
        assert answer.status_code == 303, answer.text
        return Session(client)


@dataclass
class Session:
    client: httpx.Client
    _csrf: str | None = None

    def csrf(self) -> str:
        """The session's CSRF token, as the pages' forms carry it."""
        if self._csrf is None:
            page = self.client.get("/ceasefires")  # a light page with the logout form
            found = CSRF_FIELD.search(page.text)
            assert found is not None, "no CSRF token on the page"
            self._csrf = found.group(1)
        return self._csrf


ServeFactory = Callable[..., Web]
