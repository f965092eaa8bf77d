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
    """At most `attempts` failed logins per window for one client address and for one user
    name (whichever is hit first): a password cannot be guessed quickly from one place, nor one
    account's password from many.

    An attempt is counted when it starts (`begin`, under one lock) and forgiven when it
    succeeds, so guesses sent in parallel cannot all pass the check before any has failed; at
    most `concurrent` password checks run at once (argon2 takes 64 MiB each)."""

    def __init__(self, attempts: int, window: dt.timedelta, concurrent: int = 4) -> None:
        self.attempts = attempts
        self.window = window.total_seconds()
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()
        self.checks = threading.BoundedSemaphore(concurrent)

    def _keys(self, client: str, username: str) -> tuple[str, str]:
        return f"ip:{client}", f"user:{username.casefold()}"

    def _recent(self, key: str, now: float) -> deque[float]:
        failures = self._failures.setdefault(key, deque())
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        return failures

    def _prune(self, now: float) -> None:
        for key in [k for k, v in self._failures.items() if not v or v[-1] <= now - self.window]:
            del self._failures[key]

    def begin(self, client: str, username: str) -> int:
        """Count an attempt that is about to be checked; 0 when it may go ahead, else the
        seconds to wait (and nothing counted)."""
        now = time.monotonic()
        with self._lock:
            if len(self._failures) > 10_000:
                self._prune(now)
            recent = [self._recent(key, now) for key in self._keys(client, username)]
            waits = [int(f[0] + self.window - now) + 1 for f in recent if len(f) >= self.attempts]
            if waits:
                return max(waits)
            for failures in recent:
                failures.append(now)
            return 0

    def succeeded(self, client: str, username: str) -> None:
        """The attempt was right: forgiven, and the user name's count starts again."""
        ip, user = self._keys(client, username)
        with self._lock:
            self._failures.pop(user, None)
            failures = self._failures.get(ip)
            if failures:
                failures.pop()
