"""Who is asking and what they may do: sessions, API tokens, roles and CSRF.

A request is made by an API token (`Authorization: Bearer tw_…`), by a login session (cookie),
or anonymously. Every route declares the least role it needs with `require(role)`; reading
needs `viewer` (anyone when the public-read setting is on), reviewing `analyst`, managing
users, ceasefires and ingestion `admin`. A request that changes something through a session
must carry the session's CSRF token (form field `csrf` or header `X-CSRF-Token`); token
requests carry no cookie, so they cannot be forged by another site and need none.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any, cast

from fastapi import Request
from fastapi.routing import APIRoute

from trucewatch.store.accounts import Accounts, Role, Session, User
from trucewatch.web.settings import WebSettings

SESSION_COOKIE = "tw_session"
LOGIN_COOKIE = "tw_login"  # double-submit token of the login form (no session exists yet)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class LoginRequired(Exception):  # noqa: N818 - a signal, turned into 401 or a redirect
    """No user, and the route needs one."""


class Forbidden(Exception):  # noqa: N818
    """The user's role does not allow this, or the CSRF token is missing or wrong."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Principal:
    user: User | None
    session: Session | None = None
    token: str | None = None  # the session cookie's value when a session is in use
    by_api_token: bool = False

    @property
    def name(self) -> str:
        return self.user.username if self.user else "anonymous"

    def can(self, role: Role) -> bool:
        return self.user is not None and self.user.can(role)


def identify(request: Request, accounts: Accounts) -> Principal:
    """The principal of a request: API token first, then session cookie, else anonymous. A
    bad or revoked token is anonymous too (the route then refuses it)."""
    cached = getattr(request.state, "principal", None)
    if isinstance(cached, Principal):
        return cached
    principal = Principal(user=None)
    header = request.headers.get("authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() == "bearer" and secret.strip():
        user = accounts.token_user(secret.strip())
        principal = Principal(user=user, by_api_token=True)
    elif cookie := request.cookies.get(SESSION_COOKIE):
        session = accounts.session(cookie)
        if session is not None:
            principal = Principal(user=session.user, session=session, token=cookie)
    request.state.principal = principal
    return principal


async def submitted_csrf(request: Request) -> str:
    header = request.headers.get("x-csrf-token")
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        value = (await request.form()).get("csrf")
        return value if isinstance(value, str) else ""
    return ""


def require(role: Role) -> Callable[[Request], Awaitable[Principal]]:
    """A FastAPI dependency: the principal, if it has `role` (and, for a change made through
    a session, the right CSRF token)."""

    async def dependency(request: Request) -> Principal:
        settings: WebSettings = request.app.state.settings
        principal = identify(request, request.app.state.accounts)
        if principal.user is None:
            if role == "viewer" and settings.public_read and request.method in SAFE_METHODS:
                return principal
            raise LoginRequired
        if not principal.can(role):
            have = principal.user.role
            raise Forbidden(f"this needs the {role} role; {principal.name} is a {have}")
        if request.method not in SAFE_METHODS and principal.session is not None:
            sent = await submitted_csrf(request)
            if not secrets.compare_digest(sent.encode(), principal.session.csrf.encode()):
                raise Forbidden("missing or wrong CSRF token: reload the page and try again")
        return principal

    dependency.required_role = role  # type: ignore[attr-defined]  # read by the route audit
    return dependency


def routes(app: Any) -> Iterator[APIRoute]:
    """Every route of the app, those of included routers too (FastAPI wraps them; the app
    includes its routers without a prefix of their own, so their paths are the served ones)."""
    for route in app.routes:
        if isinstance(route, APIRoute):
            yield route
        elif (router := getattr(route, "original_router", None)) is not None:
            yield from routes(router)


def required_role(route: APIRoute) -> Role | None:
    """The role a route's `require(...)` dependency asks for (None: it has none)."""
    stack = list(route.dependant.dependencies)
    while stack:
        dependency = stack.pop()
        role = getattr(dependency.call, "required_role", None)
        if role is not None:
            return cast(Role, role)
        stack.extend(dependency.dependencies)
    return None


def role_of(app: Any, method: str, path: str) -> Role | None:
    """The role the route serving `method path` requires (None: none), for the API page."""
    for route in routes(app):
        if route.path == path and method in (route.methods or ()):
            return required_role(route)
    return None
