"""The incident page shows with what score each claim joined the incident."""

from __future__ import annotations

import re

from web_server import Web


def test_incident_page_shows_each_joined_claims_link_score(web: Web) -> None:
    viewer = web.client("viewer")
    listed = viewer.get("/api/v1/incidents", params={"limit": 100}).json()["items"]
    shared = [i for i in listed if i["sources"] >= 2]
    assert shared, "the sample registry has an incident told by several reports"
    detail = viewer.get(f"/api/v1/incidents/{shared[0]['id']}").json()
    page = viewer.get(f"/incidents/{shared[0]['id']}")
    assert page.status_code == 200
    shown = [float(s) for s in re.findall(r"link score (-?\d+\.\d\d)", page.text)]
    # every claim but the one that started the incident
    assert len(shown) == len(detail["incident"]["claims"]) - 1
    assert page.text.count("started the incident") == 1
