"""The observation form: a monitor records what the mission saw, placing it on a map."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from markupsafe import Markup
from pydantic import ValidationError

from trucewatch.models import validation_problems
from trucewatch.registry.observations import Observation
from trucewatch.store.queries import IncidentQuery
from trucewatch.web import charts
from trucewatch.web.pages import Analyst, Svc, render
from trucewatch.web.services import Services

router = APIRouter(include_in_schema=False)


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
