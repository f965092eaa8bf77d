"""Ceasefire pages: the list, one ceasefire with its violations and period reports, and the
day's bulletin."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from trucewatch.report.aggregates import blame_matrix, day_counts
from trucewatch.report.bulletin import render_html
from trucewatch.report.daily import busiest_day, daily_bulletin
from trucewatch.store.queries import IncidentQuery
from trucewatch.web import charts
from trucewatch.web.headers import BULLETIN_CSP
from trucewatch.web.pages import Svc, Viewer, error_page, render

router = APIRouter(include_in_schema=False)


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
