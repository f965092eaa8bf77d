"""Request limits: the largest body accepted, and failed logins per client and user name."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import deque

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyTooLarge(HTTPException):
    """Raised while the body streams in: an HTTPException, so FastAPI's body reader passes it
    on (it turns other errors into 400) and the app answers 413."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body larger than {limit} bytes")


class BodyLimit:
    """ASGI middleware: 413 for a request whose body (declared or streamed) exceeds `limit`
    bytes; the application never sees more than `limit` bytes."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await self._refuse(send)
            return
        seen = 0
        started = False

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise BodyTooLarge(self.limit)
            return message

        async def watch(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited, watch)
        except BodyTooLarge:
            if not started:
                await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        body = f'{{"detail":"request body larger than {self.limit} bytes"}}'.encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class LoginThrottle:
    """Slows password guessing without locking the real user out.

    - Per user name: `attempts` failures are free; after that each further attempt must wait
      a delay that doubles with every failure (1 s, 2 s, 4 s, ... up to `max_delay`), counted
      from the last failure. A guesser gets a handful of tries an hour; the real user waits
      seconds to minutes, never a hard lock. The count is forgotten after `window` without a
      failure, and at a successful login.
    - Per client address: at most `address_attempts` failures per `window`, for any user
      names. Behind a TLS proxy every client has the proxy's address: name the proxy in
      `forwarded_allow_ips` (WebSettings) so the client's own address is counted instead; a
      NAT shared by many users is why this limit is well above the per-name one.

    An attempt is counted when it starts (`begin`, under one lock) and forgiven when it
    succeeds, so guesses sent in parallel cannot all pass the check before any has failed; at
    most `concurrent` password checks run at once (argon2 takes 64 MiB each)."""

    def __init__(
        self,
        attempts: int,
        window: dt.timedelta,
        concurrent: int = 4,
        *,
        address_attempts: int | None = None,
        max_delay: dt.timedelta | None = None,
    ) -> None:
        self.attempts = attempts
        self.window = window.total_seconds()
        self.address_attempts = address_attempts or 10 * attempts
        self.max_delay = (max_delay or window).total_seconds()
        self._addresses: dict[str, deque[float]] = {}
        self._names: dict[str, tuple[int, float]] = {}  # name -> (failures, last failure)
        self._lock = threading.Lock()
        self.checks = threading.BoundedSemaphore(concurrent)

    def delay(self, failures: int) -> float:
        """Seconds an attempt waits after `failures` failures of one user name."""
        if failures < self.attempts:
            return 0.0
        return min(self.max_delay, 2.0 ** min(failures - self.attempts, 62))

    def _recent(self, client: str, now: float) -> deque[float]:
        failures = self._addresses.setdefault(client, deque())
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        return failures

    def _prune(self, now: float) -> None:
        old = now - self.window
        for key in [k for k, v in self._addresses.items() if not v or v[-1] <= old]:
            del self._addresses[key]
        for key in [k for k, (_, last) in self._names.items() if last <= old]:
            del self._names[key]

    def begin(self, client: str, username: str) -> int:
        """Count an attempt that is about to be checked; 0 when it may go ahead, else the
        seconds to wait (and nothing counted)."""
        now = time.monotonic()
        name = username.casefold()
        with self._lock:
            if len(self._addresses) + len(self._names) > 10_000:
                self._prune(now)
            address = self._recent(client, now)
            failures, last = self._names.get(name, (0, now))
            if now - last > self.window:
                failures = 0  # a quiet window forgives
            waits = []
            if len(address) >= self.address_attempts:
                waits.append(address[0] + self.window - now)
            pause = self.delay(failures) - (now - last)
            if pause > 0:
                waits.append(pause)
            if waits:
                return int(max(waits)) + 1
            address.append(now)
            self._names[name] = (failures + 1, now)
            return 0

    def succeeded(self, client: str, username: str) -> None:
        """The attempt was right: forgiven, and the user name's count starts again."""
        with self._lock:
            self._names.pop(username.casefold(), None)
            failures = self._addresses.get(client)
            if failures:
                failures.pop()
