"""Security headers on every answer (a pure ASGI middleware: no extra task per request)."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Scripts only from this server; inline SVG attributes and the stylesheet's own rules are fine.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
# The bulletin is a standalone page with its own <style> (report/templates): styles inline,
# scripts still none.
BULLETIN_CSP = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
)


NO_STORE = b"private, no-store"  # pages and exports: registry data, often behind a login
REVALIDATE = b"private, no-cache"  # API answers: ETags let a client revalidate cheaply


class SecurityHeaders:
    """Security headers and a Cache-Control on every answer (unless the route set one);
    HEAD answered as GET without the body (FastAPI routes GET only)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        head = scope["method"] == "HEAD"
        if head:
            scope = {**scope, "method": "GET"}
        path: str = scope["path"]

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                extra = [(n, v) for n, v in HEADERS if n not in present]
                if b"cache-control" not in present and not path.startswith("/static/"):
                    html = any(
                        n.lower() == b"content-type" and v.startswith(b"text/html")
                        for n, v in headers
                    )
                    export = path.startswith("/api/v1/export")
                    extra.append((b"cache-control", NO_STORE if html or export else REVALIDATE))
                message = {**message, "headers": [*headers, *extra]}
            elif head and message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app(scope, receive, with_headers)
