"""The REST API (/api/v1): incidents, documents, ceasefires, period reports, bulletins and
exports to read; reports, observations, reviews and ceasefires to write, each for its role.

Lists are paged (`limit`, `offset`; `next` links the following page). Every GET answers with
an ETag (a hash of the body): a client sending it back in If-None-Match gets 304 when nothing
changed; `updated_since` with `order=updated` gives what changed since the last sync.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import tempfile
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from pydantic import BaseModel, Field

from trucewatch.ingest.sources import SourceItem
from trucewatch.models import Ceasefire, Document, Incident, PeriodReport, Review
from trucewatch.registry.ceasefires import NewCeasefire, new_ceasefire
from trucewatch.registry.observations import Observation
from trucewatch.registry.review import Reviewer
from trucewatch.report.aggregates import BlameMatrix, blame_matrix, day_counts
from trucewatch.report.bulletin import Bulletin, render_html, render_markdown
from trucewatch.report.daily import daily_bulletin
from trucewatch.report.export import export as write_export
from trucewatch.report.provenance import with_reports
from trucewatch.store.accounts import User
from trucewatch.store.queries import IncidentQuery, IncidentSummary, Order
from trucewatch.web.charts import DayCount
from trucewatch.web.headers import BULLETIN_CSP
from trucewatch.web.security import Principal, require
from trucewatch.web.services import Filters, Services, services

router = APIRouter(prefix="/api/v1", tags=["api"])

Viewer = Annotated[Principal, Depends(require("viewer"))]
Analyst = Annotated[Principal, Depends(require("analyst"))]
Admin = Annotated[Principal, Depends(require("admin"))]
Svc = Annotated[Services, Depends(services)]
MAX_REPORT_CHARS = 1_000_000


class Problem(BaseModel):
    """Why a request was refused, in words."""

    detail: str


def _problem(description: str) -> dict[str, Any]:
    return {"model": Problem, "description": description}


ERRORS: dict[int | str, dict[str, Any]] = {
    304: {"description": "not modified: the If-None-Match ETag is still current"},
    400: _problem("a request the registry cannot apply (e.g. lat without lon, a bad review)"),
    401: _problem("not logged in (send a session cookie or a Bearer token)"),
    403: _problem("the role does not allow it, or the CSRF token is wrong"),
    404: _problem("no such incident, document, ceasefire or page"),
    409: _problem("changed by someone else meanwhile (reload and try again), or exists already"),
    413: _problem("request body too large"),
}


def content(*media_types: str) -> dict[int | str, dict[str, Any]]:
    """ERRORS plus the media types a 200 may have."""
    return {**ERRORS, 200: {"content": {m: {} for m in media_types}}}


def etagged(request: Request, payload: Any, media_type: str = "application/json") -> Response:
    """`payload` as JSON with an ETag; 304 when the client already has this body."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload, default=str).encode()
    tag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {"ETag": tag, "Cache-Control": "private, no-cache"}
    sent = request.headers.get("if-none-match", "")
    if tag in {t.strip().removeprefix("W/") for t in sent.split(",")}:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


def _dump(model: BaseModel) -> Any:
    return model.model_dump(mode="json")


EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "geojson": "application/geo+json",
    "jsonl": "application/x-ndjson",
    "parquet": "application/vnd.apache.parquet",
}


# --- incidents -------------------------------------------------------------------------------


class IncidentList(BaseModel):
    items: list[Incident]
    total: int
    limit: int
    offset: int
    next: str | None = Field(default=None, description="the URL of the next page")


class DocumentInfo(BaseModel):
    id: str
    title: str | None = None
    outlet: str | None = None
    url: str | None = None
    published: dt.date | None = None
    origin: str | None = None


class IncidentDetail(BaseModel):
    incident: Incident
    reviews: list[Review]
    documents: list[DocumentInfo]


def _page_size(svc: Services, limit: int | None) -> int:
    return min(limit or svc.settings.page_size, svc.settings.max_page_size)


@router.get("/incidents", response_model=IncidentList, responses=ERRORS)
def list_incidents(
    request: Request,
    _: Viewer,
    svc: Svc,
    filters: Annotated[Filters, Depends()],
    order: Annotated[Order, Query()] = "date",
    limit: Annotated[int | None, Query(ge=1, le=10_000)] = None,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    after: Annotated[
        str | None,
        Query(
            max_length=300,
            description="order=updated: the `next` link's cursor (pages that never skip an "
            "incident changed while paging)",
        ),
    ] = None,
) -> Response:
    """Incidents matching the filters, with their claims, a page at a time. With
    order=updated the `next` link carries a cursor instead of an offset, so an incident that
    changes while a client pages through comes again at the end and none is skipped."""
    size = _page_size(svc, limit)
    query = filters.query(order)
    if after is not None:
        if order != "updated":
            raise HTTPException(400, "after= goes with order=updated")
        query = dataclasses.replace(query, after=_cursor(after))
    page = svc.store.incident_page(query, limit=size, offset=offset)
    following = None
    if order == "updated" and page.last is not None and len(page.items) == size:
        at, last = page.last
        params = {**dict(request.query_params), "after": f"{at.isoformat()}|{last}"}
        params.pop("offset", None)
        following = f"{request.url.path}?{urlencode({**params, 'limit': str(size)})}"
    elif order != "updated" and offset + size < page.total:
        params = {**dict(request.query_params), "offset": str(offset + size), "limit": str(size)}
        following = f"{request.url.path}?{urlencode(params)}"  # relative: never the Host header
    items = with_reports(svc.store, page.items)  # each claim with its report's URL, outlet...
    listing = IncidentList(items=items, total=page.total, limit=size, offset=offset, next=following)
    return etagged(request, _dump(listing))


def _cursor(value: str) -> tuple[dt.datetime, str]:
    stamp, sep, last = value.partition("|")
    try:
        at = dt.datetime.fromisoformat(stamp)
    except ValueError:
        raise HTTPException(400, "after= is the cursor a `next` link gives") from None
    if not sep or at.tzinfo is None:
        raise HTTPException(400, "after= is the cursor a `next` link gives")
    try:
        return at.astimezone(dt.UTC), last
    except OverflowError:
        raise HTTPException(400, "after= is the cursor a `next` link gives") from None


def _incident(svc: Services, id: str) -> Incident:
    incident = svc.store.get_incident(id)
    if incident is None:
        raise HTTPException(404, f"no incident {id!r}")
    return incident


@router.get("/incidents/{id}", response_model=IncidentDetail, responses=ERRORS)
def get_incident(request: Request, id: str, _: Viewer, svc: Svc) -> Response:
    """One incident with its claims (asserting and denying, with evidence), its review
    history and the documents behind it."""
    incident = _incident(svc, id)
    docs = []
    for doc_id in dict.fromkeys(c.document_id for c in incident.claims):
        doc = svc.store.get_document(doc_id)
        if doc is not None:
            docs.append(DocumentInfo.model_validate(doc.model_dump()))
    incident = with_reports(svc.store, [incident])[0]
    detail = IncidentDetail(incident=incident, reviews=svc.store.reviews(id), documents=docs)
    return etagged(request, _dump(detail))


@router.get("/map", responses=content("application/geo+json"))
def map_data(
    request: Request, _: Viewer, svc: Svc, filters: Annotated[Filters, Depends()]
) -> Response:
    """Placed incidents as a GeoJSON FeatureCollection (at most the map limit)."""
    found = svc.store.incident_summaries(filters.query(), limit=svc.settings.map_limit)
    features = [
        {
            "type": "Feature",
            "id": i.id,
            "geometry": {"type": "Point", "coordinates": [i.lon, i.lat]},
            "properties": {
                "type": i.type,
                "first_date": i.first_date.isoformat() if i.first_date else None,
                "location": i.location,
                "killed": i.killed,
                "injured": i.injured,
                "blamed": i.blamed,
                "denied_by": i.denied_by,
                "status": i.status,
            },
        }
        for i in found
        if i.lat is not None and i.lon is not None
    ]
    collection = {"type": "FeatureCollection", "features": features}
    return etagged(request, collection, "application/geo+json")


class Timeline(BaseModel):
    days: list[DayCount]
    counted: int = Field(description="how many incidents (the newest matches) are counted")
    total: int = Field(description="how many incidents match")


class Blame(BlameMatrix):
    counted: int = Field(description="how many incidents (the newest matches) are counted")
    total: int = Field(description="how many incidents match")


AggregateLimit = Annotated[
    int | None, Query(ge=1, le=1_000_000, description="count the newest N matches")
]


def _newest(
    svc: Services, filters: Filters, limit: int | None
) -> tuple[list[IncidentSummary], int]:
    """The newest matches to aggregate (at most the aggregate limit) and how many match."""
    cap = min(limit or svc.settings.aggregate_limit, svc.settings.aggregate_limit)
    found = svc.store.incident_summaries(filters.query("-date"), limit=cap)
    total = svc.store.count_incidents(filters.query())
    return found, total


@router.get("/stats/timeline", response_model=Timeline, responses=ERRORS)
def timeline(
    request: Request,
    _: Viewer,
    svc: Svc,
    filters: Annotated[Filters, Depends()],
    limit: AggregateLimit = None,
) -> Response:
    """Violations per day per claimed perpetrator, over the newest matching incidents."""
    found, total = _newest(svc, filters, limit)
    result = Timeline(days=day_counts(found), counted=len(found), total=total)
    return etagged(request, _dump(result))


@router.get("/stats/blame", response_model=Blame, responses=ERRORS)
def blame(
    request: Request,
    _: Viewer,
    svc: Svc,
    filters: Annotated[Filters, Depends()],
    limit: AggregateLimit = None,
) -> Response:
    """Who blames whom: incidents per claimant and blamed side, and denials per side, over the
    newest matching incidents."""
    found, total = _newest(svc, filters, limit)
    matrix = blame_matrix(found)
    result = Blame(**matrix.model_dump(), counted=len(found), total=total)
    return etagged(request, _dump(result))


# --- documents, ceasefires, period reports, bulletins, exports --------------------------------


class DocumentOut(DocumentInfo):
    text: str
    ingested_at: dt.datetime
    duplicate_of: str | None = None


@router.get("/documents/{id}", response_model=DocumentOut, responses=ERRORS)
def get_document(request: Request, id: str, _: Viewer, svc: Svc) -> Response:
    doc = svc.store.get_document(id)
    if doc is None:
        raise HTTPException(404, f"no document {id!r}")
    return etagged(request, _dump(DocumentOut.model_validate(doc.model_dump())))


@router.get("/documents", response_model=list[str], responses=ERRORS)
def search_documents(
    request: Request,
    _: Viewer,
    svc: Svc,
    q: Annotated[str, Query(min_length=1, max_length=500)],
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Response:
    """Ids of the documents containing every word of `q`, best first."""
    return etagged(request, svc.store.search(q, limit=limit))


@router.get("/ceasefires", response_model=list[Ceasefire], responses=ERRORS)
def list_ceasefires(request: Request, _: Viewer, svc: Svc) -> Response:
    return etagged(request, [_dump(c) for c in svc.store.ceasefires()])


class CeasefireDetail(BaseModel):
    ceasefire: Ceasefire
    days: list[DayCount]
    period_reports: list[PeriodReport]


def _ceasefire(svc: Services, id: str) -> Ceasefire:
    found = next((c for c in svc.store.ceasefires() if c.id == id), None)
    if found is None:
        raise HTTPException(404, f"no ceasefire {id!r}")
    return found


@router.get("/ceasefires/{id:path}", response_model=CeasefireDetail, responses=ERRORS)
def get_ceasefire(request: Request, id: str, _: Viewer, svc: Svc) -> Response:
    """A ceasefire with its violations per day per claimed perpetrator and its period reports."""
    ceasefire = _ceasefire(svc, id)
    detail = CeasefireDetail(
        ceasefire=ceasefire,
        days=day_counts(
            svc.store.incident_summaries(
                IncidentQuery(ceasefire_id=id, order="-date"),
                limit=svc.settings.aggregate_limit,
            )
        ),
        period_reports=svc.store.period_reports(ceasefire_id=id),
    )
    return etagged(request, _dump(detail))


@router.post("/ceasefires", response_model=Ceasefire, status_code=201, responses=ERRORS)
def add_ceasefire(data: NewCeasefire, _: Admin, svc: Svc) -> Ceasefire:
    """Add a ceasefire (the same rules as `trucewatch ceasefire add`); without an id, one is
    made from its name and start."""
    ceasefire = new_ceasefire(data)
    if not svc.store.add_ceasefire(ceasefire):
        raise HTTPException(409, f"a ceasefire with id {ceasefire.id!r} exists")
    return ceasefire


@router.get("/period-reports", response_model=list[PeriodReport], responses=ERRORS)
def list_period_reports(
    request: Request,
    _: Viewer,
    svc: Svc,
    since: dt.date | None = None,
    until: dt.date | None = None,
    ceasefire: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    """Aggregate statements ("no violations recorded", tallies), zero included."""
    found = svc.store.period_reports(since=since, until=until, ceasefire_id=ceasefire)
    return etagged(request, [_dump(p) for p in found])


@router.get(
    "/bulletins/{day}",
    response_model=Bulletin,
    responses=content("application/json", "text/markdown", "text/html"),
)
def bulletin(
    request: Request,
    day: dt.date,
    _: Viewer,
    svc: Svc,
    ceasefire: Annotated[str | None, Query(max_length=200)] = None,
    format: Literal["json", "md", "html"] = "json",
) -> Response:
    """The bulletin of a day, as JSON, Markdown or HTML."""
    try:
        report = daily_bulletin(svc.store, day, _ceasefire(svc, ceasefire) if ceasefire else None)
    except ValueError as error:
        raise HTTPException(400, str(error)) from None
    if format == "md":
        return etagged(request, render_markdown(report).encode(), "text/markdown; charset=utf-8")
    if format == "html":
        page = etagged(request, render_html(report).encode(), "text/html; charset=utf-8")
        page.headers["Content-Security-Policy"] = BULLETIN_CSP
        return page
    return etagged(request, _dump(report))


@router.get("/export/{format}", responses=content(*EXPORT_TYPES.values()))
def export(
    format: Literal["csv", "geojson", "jsonl", "parquet"],
    _: Viewer,
    svc: Svc,
    filters: Annotated[Filters, Depends()],
) -> Response:
    """Incidents matching the filters in an export format (CSV in ACLED's column style); at
    most the export limit (more: narrow the filters, or use `trucewatch export`)."""
    cap = svc.settings.export_limit
    counted = svc.store.count_incidents(filters.query())
    if counted > cap:
        raise HTTPException(
            400,
            f"{counted} incidents match, more than {cap}: narrow the filters or run "
            "`trucewatch export` on the server",
        )
    found = svc.store.incident_page(filters.query(), limit=cap).items
    doc_ids = {c.document_id for i in found for c in i.claims}
    documents = {d: doc for d in doc_ids if (doc := svc.store.get_document(d)) is not None}
    with tempfile.TemporaryDirectory(prefix="trucewatch-export-") as folder:
        path = Path(folder) / f"incidents.{format}"  # our name: nothing from the request
        write_export(found, path, format, documents=documents)
        body = path.read_bytes()
    disposition = f'attachment; filename="incidents.{format}"'
    return Response(
        body, media_type=EXPORT_TYPES[format], headers={"Content-Disposition": disposition}
    )


# --- writes ----------------------------------------------------------------------------------


class ReportIn(BaseModel):
    text: str = Field(min_length=1, max_length=MAX_REPORT_CHARS)
    published: dt.date | None = None
    url: str | None = Field(default=None, max_length=2000)
    title: str | None = Field(default=None, max_length=1000)
    outlet: str | None = Field(default=None, max_length=200)


class IngestOut(BaseModel):
    document_id: str
    outcome: str
    claims: int
    incidents: int


@router.post("/reports", response_model=IngestOut, status_code=201, responses=ERRORS)
def post_report(report: ReportIn, principal: Admin, svc: Svc) -> IngestOut:
    """Ingest one report: stored, extracted, linked (admins)."""
    from trucewatch.models import document_id

    doc_id = document_id(report.text)
    item = SourceItem(
        document=Document(
            id=doc_id,
            text=report.text,
            published=report.published,
            url=report.url,
            title=report.title,
            origin=f"api:{principal.name}",
        ),
        raw=report.text.encode("utf-8"),
        outlet=report.outlet,
    )
    outcomes: list[str] = []
    summary = svc.registry.ingest([item], on_item=lambda _o, outcome: outcomes.append(outcome))
    if summary.failed:
        raise HTTPException(400, f"report not ingested: {summary.failed[0]}")
    return IngestOut(
        document_id=doc_id,
        outcome=outcomes[0] if outcomes else "",
        claims=summary.claims,
        incidents=summary.incidents,
    )


class ReviewIn(BaseModel):
    action: Literal["accept", "reject", "edit"]
    version: int = Field(ge=1, description="the version of the incident the analyst saw")
    fields: dict[str, Any] = Field(default_factory=dict, description="for edit: field -> value")
    clear: list[str] = Field(default_factory=list, description="for edit: overrides to drop")
    comment: str | None = Field(default=None, max_length=5000)


@router.post("/incidents/{id}/review", response_model=Incident, responses=ERRORS)
def review_incident(id: str, body: ReviewIn, principal: Analyst, svc: Svc) -> Incident:
    """Accept, reject or edit an incident (analysts); 409 when someone changed it meanwhile."""
    reviewer = Reviewer(svc.store, principal.name)
    if body.action == "edit":
        return reviewer.edit(
            id, body.fields, version=body.version, clear=body.clear, comment=body.comment
        )
    status: Literal["accepted", "rejected"] = "rejected" if body.action == "reject" else "accepted"
    return reviewer.set_status(id, status, version=body.version, comment=body.comment)


class MergeIn(BaseModel):
    into: str = Field(min_length=1, max_length=200)
    version: int = Field(ge=1)
    into_version: int = Field(ge=1)
    comment: str | None = Field(default=None, max_length=5000)


@router.post("/incidents/{id}/merge", response_model=Incident, responses=ERRORS)
def merge_incident(id: str, body: MergeIn, principal: Analyst, svc: Svc) -> Incident:
    """Move every claim of this incident into another (analysts)."""
    return Reviewer(svc.store, principal.name).merge(
        id, body.into, version=body.version, into_version=body.into_version, comment=body.comment
    )


class SplitIn(BaseModel):
    claims: list[str] = Field(min_length=1, max_length=1000)
    version: int = Field(ge=1)
    comment: str | None = Field(default=None, max_length=5000)


class SplitOut(BaseModel):
    kept: Incident
    new: Incident


@router.post("/incidents/{id}/split", response_model=SplitOut, responses=ERRORS)
def split_incident(id: str, body: SplitIn, principal: Analyst, svc: Svc) -> SplitOut:
    """Move some claims of this incident into a new one (analysts)."""
    kept, new = Reviewer(svc.store, principal.name).split(
        id, body.claims, version=body.version, comment=body.comment
    )
    return SplitOut(kept=kept, new=new)


class ObservationOut(BaseModel):
    claim_id: str
    document_id: str
    incident_id: str | None


@router.post("/observations", response_model=ObservationOut, status_code=201, responses=ERRORS)
def post_observation(observation: Observation, principal: Analyst, svc: Svc) -> ObservationOut:
    """Record what the mission's monitors saw (analysts); linked like any claim."""
    claim = svc.record(observation, principal.name)
    return ObservationOut(
        claim_id=claim.id, document_id=claim.document_id, incident_id=claim.incident_id
    )


class Me(BaseModel):
    username: str | None
    role: str | None


@router.get("/me", response_model=Me, responses=ERRORS)
def me(principal: Viewer) -> Me:
    user: User | None = principal.user
    return Me(username=user.username if user else None, role=user.role if user else None)
