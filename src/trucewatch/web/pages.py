"""The dashboard's pages, rendered on the server (jinja2, autoescaped: report text is untrusted).

Map and timeline are inline SVG (web/charts.py) over a basemap shipped with the package; no
script, CDN or tile server is needed. Forms post back here with the session's CSRF token.
"""

from __future__ import annotations

import datetime as dt
import html
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from pydantic import ValidationError

from trucewatch.accounts import ROLES
from trucewatch.figures import MAX_FIGURE
from trucewatch.models import EVENT_TYPES, VIOLENT_TYPES, validation_problems
from trucewatch.observations import Observation
from trucewatch.records import EDITABLE_FIELDS, Claim, Incident, StoredDocument
from trucewatch.report.bulletin import render_html
from trucewatch.report.daily import busiest_day, daily_bulletin
from trucewatch.review import Reviewer, ReviewError
from trucewatch.store.queries import IncidentQuery, IncidentSummary
from trucewatch.web import charts
from trucewatch.web.headers import BULLETIN_CSP
from trucewatch.web.security import LOGIN_COOKIE, SESSION_COOKIE, Principal, identify, require
from trucewatch.web.services import Filters, Services, services
from trucewatch.web.stats import blame_matrix, day_counts

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


# --- incident page ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Highlighted:
    document: StoredDocument
    body: Markup
    claims: list[Claim]

    @property
    def heading(self) -> str:
        """Title, else outlet, else the text's first words (never a bare hash)."""
        doc = self.document
        if doc.title or doc.outlet:
            return doc.title or doc.outlet or ""
        words = doc.text.split()
        return " ".join(words[:12]) + (" …" if len(words) > 12 else "")


def highlight(text: str, claims: Sequence[Claim]) -> Markup:
    """The document text, escaped, with each claim's evidence sentence in a <mark>."""
    spans: list[tuple[int, int, str]] = []
    for claim in claims:
        for ev in claim.event.evidence:
            start, end = ev.start, ev.end
            if not (0 <= start < end <= len(text)) or text[start:end] != ev.sentence:
                found = text.find(ev.sentence) if ev.sentence else -1
                if found < 0:
                    continue
                start, end = found, found + len(ev.sentence)
            spans.append((start, end, claim.id))
    out: list[str] = []
    position = 0
    for start, end, claim_id in sorted(spans):
        if start < position:  # overlapping evidence: the first mark wins
            continue
        out.append(html.escape(text[position:start]))
        mark_id = html.escape("ev-" + claim_id, quote=True)
        out.append(f'<mark id="{mark_id}">{html.escape(text[start:end])}</mark>')
        position = end
    out.append(html.escape(text[position:]))
    return Markup("".join(out))  # noqa: S704 - every piece is escaped above


def _incident_or_404(svc: Services, id: str) -> Incident:
    incident = svc.store.get_incident(id)
    if incident is None:
        raise HTTPException(404, f"no incident {id!r}")
    return incident


@router.get("/incidents/{id}", response_class=HTMLResponse)
def incident_page(request: Request, id: str, principal: Viewer, svc: Svc) -> Response:
    incident = svc.store.get_incident(id)
    if incident is None:
        merged = [r for r in svc.store.reviews(id) if r.action == "merge" and "into" in r.after]
        if merged:
            return RedirectResponse(f"/incidents/{merged[-1].after['into']}", status_code=303)
        return error_page(request, 404, f"no incident {id!r}")
    documents = []
    for doc_id in dict.fromkeys(c.document_id for c in incident.claims):
        doc = svc.store.get_document(doc_id)
        if doc is not None:
            claims = [c for c in incident.claims if c.document_id == doc_id]
            documents.append(Highlighted(doc, highlight(doc.text, claims), claims))
    asserting = [c for c in incident.claims if c.event.stance != "denies"]
    denying = [c for c in incident.claims if c.event.stance == "denies"]
    return render(
        request,
        "incident.html",
        {
            "incident": incident,
            "asserting": asserting,
            "denying": denying,
            "documents": documents,
            "reviews": svc.store.reviews(id),
            "can_review": principal.can("analyst"),
            "map_svg": Markup(  # noqa: S704
                charts.map_svg(map_points([IncidentSummary.of(incident)]), width=480, height=300)
            ),
            "ceasefire": next(
                (c for c in svc.store.ceasefires() if c.id == incident.ceasefire_id), None
            ),
            "editable": EDITABLE_FIELDS,
        },
    )


def _form_fields(incident: Incident, form: Mapping[str, str]) -> dict[str, Any]:
    """The edit form's values that differ from the incident's, as review fields."""
    fields: dict[str, Any] = {}
    for name in ("type", "first_date", "last_date", "location", "ceasefire_id"):
        value = form.get(name, "").strip()
        current = getattr(incident, name)
        if value and value != (str(current) if current is not None else ""):
            fields[name] = value
    for name in ("killed", "injured"):
        value = form.get(name, "").strip()
        if value and value != str(getattr(incident, name).best):
            if not (value.isascii() and value.isdigit()) or len(value) > 9:
                raise ReviewError(
                    f"{name}: a whole number up to {MAX_FIGURE:,}, not {value[:20]!r}"
                )
            n = int(value)
            fields[name] = {"low": n, "best": n, "high": n}
    historical = form.get("historical") == "on"
    if historical != incident.historical:
        fields["historical"] = historical
    lat, lon = form.get("lat", "").strip(), form.get("lon", "").strip()
    if lat and lon:
        try:
            point = (float(lat), float(lon))
        except ValueError:
            raise ReviewError("lat and lon: numbers in decimal degrees") from None
        now = (incident.geo.lat, incident.geo.lon) if incident.geo else None
        if point != now:
            name = fields.get("location") or incident.location or f"{lat}, {lon}"
            fields["geo"] = {
                "lat": point[0],
                "lon": point[1],
                "precision": "settlement",
                "name": name,
            }
    return fields


@router.post("/incidents/{id}/review")
async def review_form(request: Request, id: str, principal: Analyst, svc: Svc) -> Response:
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    try:
        version = int(form.get("version", ""))
    except ValueError:
        raise ReviewError("the form lacks the incident version: reload the page") from None
    comment = form.get("comment") or None
    action = form.get("action", "")
    reviewer = Reviewer(svc.store, principal.name)
    target = id
    if action in ("accept", "reject"):
        reviewer.set_status(
            id, "accepted" if action == "accept" else "rejected", version=version, comment=comment
        )
    elif action == "edit":
        incident = _incident_or_404(svc, id)
        clear = [k for k in form if k.startswith("clear_") and k[6:] in EDITABLE_FIELDS]
        fields = _form_fields(incident, form)
        if not fields and not clear:
            raise ReviewError("nothing changed")
        reviewer.edit(id, fields, version=version, clear=[k[6:] for k in clear], comment=comment)
    elif action == "merge":
        into = form.get("into", "").strip()
        into_incident = _incident_or_404(svc, into)
        reviewer.merge(
            id, into, version=version, into_version=into_incident.version, comment=comment
        )
        target = into
    elif action == "split":
        claims = [k[6:] for k in form if k.startswith("claim_")]
        _kept, new = reviewer.split(id, claims, version=version, comment=comment)
        target = new.id
    else:
        raise ReviewError(f"unknown review action {action!r}")
    return RedirectResponse(f"/incidents/{target}#history", status_code=303)


# --- review queue, ceasefires, observations, bulletins ----------------------------------------


@router.get("/review", response_class=HTMLResponse)
def review_queue(
    request: Request,
    _: Analyst,
    svc: Svc,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Response:
    query = IncidentQuery(status="unreviewed", order="uncertainty")
    page = svc.store.incident_page(query, limit=svc.settings.page_size, offset=offset)
    return render(
        request,
        "review.html",
        {
            "incidents": page.items,
            "total": page.total,
            "offset": offset,
            "page_size": svc.settings.page_size,
        },
    )


@router.get("/ceasefires", response_class=HTMLResponse)
def ceasefires_page(request: Request, _: Viewer, svc: Svc) -> Response:
    return render(request, "ceasefires.html", {"ceasefires": svc.store.ceasefires()})


@router.get("/ceasefires/{id:path}", response_class=HTMLResponse)
def ceasefire_page(request: Request, id: str, _: Viewer, svc: Svc) -> Response:
    ceasefire = next((c for c in svc.store.ceasefires() if c.id == id), None)
    if ceasefire is None:
        return error_page(request, 404, f"no ceasefire {id!r}")
    newest = IncidentQuery(ceasefire_id=id, order="-date")
    incidents = svc.store.incident_summaries(newest, limit=svc.settings.aggregate_limit)
    counts = day_counts(incidents)
    per_day: dict[dt.date, int] = {}
    for incident in incidents:
        if incident.first_date is not None:
            per_day[incident.first_date] = per_day.get(incident.first_date, 0) + 1
    return render(
        request,
        "ceasefire.html",
        {
            "ceasefire": ceasefire,
            "timeline_svg": Markup(charts.timeline_svg(counts)),  # noqa: S704
            "per_day": sorted(per_day.items(), reverse=True),
            "period_reports": svc.store.period_reports(ceasefire_id=id),
            "matrix": blame_matrix(incidents),
        },
    )


@router.get("/bulletin", response_class=HTMLResponse)
def bulletin_page(
    request: Request,
    _: Viewer,
    svc: Svc,
    day: Annotated[dt.date | None, Query()] = None,
    ceasefire: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    chosen = next((c for c in svc.store.ceasefires() if c.id == ceasefire), None)
    day = day or busiest_day(svc.store, chosen.id if chosen else None)
    if day is None:
        return error_page(request, 404, "the registry holds no dated incident yet")
    try:
        report = daily_bulletin(svc.store, day, chosen)
    except ValueError as error:
        return error_page(request, 400, str(error))
    return HTMLResponse(render_html(report), headers={"Content-Security-Policy": BULLETIN_CSP})


def pick_map(svc: Services) -> Markup:
    """A map to pick an observation's place on: the area of the registry's incidents (the
    incidents themselves are left off, so every click picks a point)."""
    found = svc.store.incident_summaries(IncidentQuery(), limit=svc.settings.map_limit)
    placed = [(i.lat, i.lon) for i in found if i.lat is not None and i.lon is not None]
    bbox = None
    if placed:
        lats, lons = [p[0] for p in placed], [p[1] for p in placed]
        pad = 1.0
        bbox = (min(lons) - pad, min(lats) - pad, max(lons) + pad, max(lats) + pad)
    return Markup(charts.map_svg([], bbox=bbox, width=720, height=405))  # noqa: S704


def _observe(
    request: Request, svc: Services, errors: list[str], form: Mapping[str, str], status: int
) -> HTMLResponse:
    context = {"mission": svc.settings.mission, "errors": errors, "form": form}
    return render(request, "observe.html", {**context, "map_svg": pick_map(svc)}, status)


@router.get("/observations/new", response_class=HTMLResponse)
def observation_form(request: Request, _: Analyst, svc: Svc) -> Response:
    return _observe(request, svc, [], {}, 200)


@router.post("/observations")
async def observation_submit(request: Request, principal: Analyst, svc: Svc) -> Response:
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str) and v.strip()}
    form.pop("csrf", None)
    try:
        observation = Observation.model_validate(form)
    except ValidationError as error:
        return _observe(request, svc, validation_problems(error.errors()), form, 422)
    claim = svc.record(observation, principal.name)
    target = (
        f"/incidents/{claim.incident_id}"
        if claim.incident_id
        else f"/documents/{claim.document_id}"
    )
    return RedirectResponse(target, status_code=303)


@router.get("/documents/{id}", response_class=HTMLResponse)
def document_page(request: Request, id: str, _: Viewer, svc: Svc) -> Response:
    doc = svc.store.get_document(id)
    if doc is None:
        return error_page(request, 404, f"no document {id!r}")
    claims = svc.store.claims(document_id=id)
    return render(
        request,
        "document.html",
        {"document": doc, "body": highlight(doc.text, claims), "claims": claims},
    )


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


@dataclass(frozen=True)
class SourceRow:
    name: str
    kind: str
    target: str
    interval: int
    last_success: dt.datetime | None
    last_error: str | None
    last_error_at: dt.datetime | None
    errors_in_a_row: int
    items_seen: int


def _instant(seconds: float | None) -> dt.datetime | None:
    return dt.datetime.fromtimestamp(seconds, dt.UTC) if seconds else None


def watched_sources(config_file: str) -> tuple[list[SourceRow], str | None]:
    """The sources of a watch config with their state (as `trucewatch source list` shows
    them), or the reason they cannot be read."""
    from trucewatch.watch.config import ConfigError, load_config
    from trucewatch.watch.state import SourceState, WatchState

    try:
        config = load_config(Path(config_file))
    except ConfigError as error:
        return [], str(error)
    states: dict[str, SourceState] = {}
    if config.state_path.exists():
        with WatchState(config.state_path) as state:
            states = state.sources()
    rows = []
    for source in config.sources:
        st = states.get(source.name, SourceState(source.name))
        rows.append(
            SourceRow(
                name=source.name,
                kind=source.kind,
                target=source.target,
                interval=source.interval,
                last_success=_instant(st.last_success),
                last_error=st.last_error if st.consecutive_errors else None,
                last_error_at=_instant(st.last_error_at) if st.consecutive_errors else None,
                errors_in_a_row=st.consecutive_errors,
                items_seen=st.items_seen,
            )
        )
    return rows, None


@router.get("/sources", response_class=HTMLResponse)
def sources_page(request: Request, _: Analyst, svc: Svc) -> Response:
    """What `trucewatch watch` polls, and how each source fared (read from its state file);
    for analysts: feed URLs may carry keys, folders are the server's."""
    config = svc.settings.watch_config
    rows, problem = watched_sources(config) if config else ([], None)
    return render(request, "sources.html", {"config": config, "sources": rows, "problem": problem})


# --- admin -----------------------------------------------------------------------------------


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request, _: Admin, svc: Svc) -> Response:
    return render(
        request, "users.html", {"users": svc.accounts.users(), "roles": ROLES, "token": None}
    )


@router.post("/admin/users")
def add_user(
    _: Admin,
    svc: Svc,
    username: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=1000)],
    role: Annotated[str, Form(max_length=20)],
) -> Response:
    svc.accounts.add_user(username, password, role)
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/tokens", response_class=HTMLResponse)
def add_token(
    request: Request,
    _: Admin,
    svc: Svc,
    username: Annotated[str, Form(max_length=200)],
    name: Annotated[str, Form(min_length=1, max_length=200)],
) -> Response:
    token = svc.accounts.add_token(username, name)
    context = {"users": svc.accounts.users(), "roles": ROLES, "token": token, "for": username}
    page = render(request, "users.html", context)
    page.headers["Cache-Control"] = "no-store"  # the secret is shown once: never cached
    return page
