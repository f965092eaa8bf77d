"""JSON bodies must be strict JSON: a lone surrogate ("\\ud800") or NaN / Infinity passes
Python's lenient JSON reader, then fails wherever the value is written out (the 422 answer that
echoes it, the database, a page) as a 500. This middleware refuses such a body with a clear 422
before the application reads it."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class StrictJson:
    """ASGI middleware: 422 for a JSON body holding a lone surrogate, NaN or Infinity."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers", [])) if scope["type"] == "http" else {}
        if b"json" not in headers.get(b"content-type", b""):
            await self.app(scope, receive, send)
            return
        messages: list[Message] = []
        body = b""
        while True:  # the body is already bounded by BodyLimit, outside this middleware
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            body += message.get("body", b"")
            if not message.get("more_body", False):
                break
        problem = _problem(body)
        if problem is not None:
            await _refuse(send, problem)
            return

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)


def _problem(body: bytes) -> str | None:
    """Why `body` is not strict JSON (None when it is, or is not JSON at all: the application
    says so then)."""

    def constant(name: str) -> object:
        raise _NotStrict(f"{name} is not a JSON number")

    try:
        value = json.loads(body, parse_constant=constant)
    except _NotStrict as exc:
        return str(exc)
    except ValueError:
        return None
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return "the body holds text that is not valid Unicode (a lone surrogate escape)"
    return None


class _NotStrict(Exception):
    pass


async def _refuse(send: Send, problem: str) -> None:
    body = json.dumps({"detail": problem}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 422,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
