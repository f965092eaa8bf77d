"""Incident pages: one incident with its claims side by side and the evidence marked in its
sources, the analyst's review form and queue, and a document with its claims."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from markupsafe import Markup

from trucewatch.models import EDITABLE_FIELDS, Claim, Incident, StoredDocument
from trucewatch.registry.review import Reviewer, ReviewError, form_edits
from trucewatch.store.queries import IncidentQuery, IncidentSummary
from trucewatch.web import charts
from trucewatch.web.pages import Analyst, Svc, Viewer, error_page, map_points, render
from trucewatch.web.services import Services

router = APIRouter(include_in_schema=False)


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
        fields = form_edits(incident, form)
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
