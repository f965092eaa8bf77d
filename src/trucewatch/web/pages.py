"""The dashboard's pages, rendered on the server (jinja2, autoescaped: report text is untrusted):
what every page shares (rendering, error pages, the role each page needs), login, the dashboard
and the API's page. The other pages are one module per kind: incident_pages, ceasefire_pages,
observation_pages and admin_pages.

Map and timeline are inline SVG (web/charts/) over a basemap shipped with the package; no
script, CDN or tile server is needed. Forms post back here with the session's CSRF token.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Depends, Form, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from trucewatch.models import EVENT_TYPES, VIOLENT_TYPES
from trucewatch.report.aggregates import blame_matrix, day_counts
from trucewatch.store.queries import IncidentQuery, IncidentSummary
from trucewatch.web import charts
from trucewatch.web.security import LOGIN_COOKIE, SESSION_COOKIE, Principal, identify, require
from trucewatch.web.services import Filters, Services, services

router = APIRouter(include_in_schema=False)

Viewer = Annotated[Principal, Depends(require("viewer"))]
Analyst = Annotated[Principal, Depends(require("analyst"))]
Admin = Annotated[Principal, Depends(require("admin"))]
Svc = Annotated[Services, Depends(services)]

_env = Environment(
    loader=PackageLoader("trucewatch.web", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
templates = Jinja2Templates(env=_env)


def safe_url(value: str | None) -> str | None:
    """http(s) links only: a report's `javascript:` URL is shown as text, never linked."""
    if not value:
        return None
    try:
        scheme = urlsplit(value.strip()).scheme.lower()
    except ValueError:
        return None
    return value.strip() if scheme in ("http", "https") else None


_env.filters["safe_url"] = safe_url
_env.globals["event_types"] = sorted(EVENT_TYPES)
_env.globals["violent_types"] = sorted(VIOLENT_TYPES)


def render(
    request: Request, name: str, context: Mapping[str, Any], status: int = 200
) -> HTMLResponse:
    principal = identify(request, request.app.state.accounts)
    csrf = principal.session.csrf if principal.session else ""
    return templates.TemplateResponse(
        request,
        name,
        {"principal": principal, "csrf": csrf, **context},
        status_code=status,
    )


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    return render(request, "error.html", {"status": status, "message": message}, status)


def _local(target: str | None) -> str:
    """Redirect targets stay on this site (no //host or scheme: no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


# --- login -----------------------------------------------------------------------------------


def _login_form(request: Request, next_: str, message: str = "", status: int = 200) -> Response:
    # one token per browser, kept while it logs in: a second login tab must not void the first
    kept = request.cookies.get(LOGIN_COOKIE, "")
    token = kept if 24 <= len(kept) <= 64 and kept.isascii() else secrets.token_urlsafe(24)
    response = render(
        request, "login.html", {"next": next_, "message": message, "login_csrf": token}, status
    )
    response.set_cookie(
        LOGIN_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=request.app.state.settings.secure_cookies,
        path="/login",
    )
    return response


@router.get("/login")
def login_page(request: Request, next: Annotated[str, Query(max_length=2000)] = "/") -> Response:
    return _login_form(request, _local(next))


@router.post("/login")
def login(
    request: Request,
    svc: Svc,
    username: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=1000)],
    csrf: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    target = _local(next)
    expected = request.cookies.get(LOGIN_COOKIE, "")
    if not expected or not secrets.compare_digest(csrf.encode(), expected.encode()):
        return _login_form(request, target, "The form expired: please log in again.", 403)
    client = request.client.host if request.client else "unknown"
    wait = svc.throttle.begin(client, username)
    if wait:
        response = _login_form(
            request, target, f"Too many failed logins: try again in {wait} s.", 429
        )
        response.headers["Retry-After"] = str(wait)
        return response
    with svc.throttle.checks:
        user = svc.accounts.authenticate(username, password)
    if user is None:
        return _login_form(request, target, "Wrong user name or password.", 401)
    svc.throttle.succeeded(client, username)
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        svc.accounts.end_session(old)  # a session id set before login is never promoted
    new = svc.accounts.start_session(user, svc.settings.session_ttl)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        new.token,
        max_age=int(svc.settings.session_ttl.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=svc.settings.secure_cookies,
    )
    response.delete_cookie(LOGIN_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(principal: Viewer, svc: Svc) -> Response:
    if principal.token:
        svc.accounts.end_session(principal.token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


# --- dashboard -------------------------------------------------------------------------------


def map_points(incidents: Sequence[IncidentSummary]) -> list[charts.MapPoint]:
    points = []
    for i in incidents:
        if i.lat is None or i.lon is None:
            continue
        toll = (i.killed or 0) + (i.injured or 0)
        label = f"{i.first_date or 'undated'} · {i.type.replace('_', ' ')} · {i.location or ''}"
        points.append(
            charts.MapPoint(
                id=i.id, lat=i.lat, lon=i.lon, type=i.type, casualties=toll, label=label
            )
        )
    return points


@router.get("/", response_class=HTMLResponse)
def dashboard(
    request: Request,
    _: Viewer,
    svc: Svc,
    filters: Annotated[Filters, Depends()],
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Response:
    query = filters.query()
    # the newest matches, at most the map limit: the map, the timeline and the matrix (the page
    # says how many of all the matches they cover)
    newest = IncidentQuery(**{**query.__dict__, "order": "-date"})
    everything = svc.store.incident_summaries(newest, limit=svc.settings.map_limit)
    listed = svc.store.incident_page(
        IncidentQuery(**{**query.__dict__, "order": "-date"}),
        limit=svc.settings.page_size,
        offset=offset,
        with_claims=False,
    )
    matrix = blame_matrix(everything)
    points = map_points(everything)
    params = filters.params()
    return render(
        request,
        "dashboard.html",
        {
            "filters": filters,
            "params": params,
            "ceasefires": svc.store.ceasefires(),
            "map_svg": Markup(charts.map_svg(points)),  # noqa: S704
            "timeline_svg": Markup(charts.timeline_svg(day_counts(everything))),  # noqa: S704
            "legend": charts.legend_items(),
            "matrix": matrix,
            "incidents": listed.items,
            "total": listed.total,
            "drawn": len(points),
            "unplaced": len(everything) - len(points),
            "covered": len(everything),
            "offset": offset,
            "page_size": svc.settings.page_size,
            "next_page": urlencode({**params, "offset": offset + svc.settings.page_size}),
            "prev_page": urlencode({**params, "offset": max(0, offset - svc.settings.page_size)}),
        },
    )


# --- the API's own page ----------------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    summary: str
    role: str
    parameters: list[str]


@router.get("/api", response_class=HTMLResponse)
def api_page(request: Request, _: Viewer) -> Response:
    """The REST API's operations, read from its OpenAPI schema (served without any CDN)."""
    from trucewatch.web.security import role_of

    schema = request.app.openapi()
    operations = []
    for path, methods in schema.get("paths", {}).items():
        for method, spec in methods.items():
            params = [
                p["name"] + ("" if p.get("required") else "?") for p in spec.get("parameters", [])
            ]
            if "requestBody" in spec:
                params.append("JSON body")
            operations.append(
                Operation(
                    method=method.upper(),
                    path=path,
                    summary=(spec.get("description") or spec.get("summary") or "").strip(),
                    role=role_of(request.app, method.upper(), path) or "—",
                    parameters=params,
                )
            )
    return render(request, "api.html", {"operations": operations, "version": schema["info"]})
