"""The API names the report behind every claim: its URL, outlet, title and publication day,
the same as the stored document says."""

from __future__ import annotations

from typing import Any

from trucewatch.store import open_store
from web_server import Web


def test_every_claim_of_the_api_carries_its_report(web: Web) -> None:
    client = web.client("viewer")
    items: list[dict[str, Any]] = client.get("/api/v1/incidents", params={"limit": "500"}).json()[
        "items"
    ]
    claims = [c for i in items for c in i["claims"]]
    assert claims
    with open_store(web.db) as store:
        for claim in claims:
            doc = store.get_document(claim["document_id"])
            assert doc is not None
            assert claim["report"] == {
                "url": doc.url,
                "outlet": doc.outlet,
                "title": doc.title,
                "published": doc.published.isoformat() if doc.published else None,
            }
    assert any(c["report"]["url"] for c in claims)  # the samples have URLs
    first = items[0]
    detail = client.get(f"/api/v1/incidents/{first['id']}").json()["incident"]
    assert [c["report"] for c in detail["claims"]] == [c["report"] for c in first["claims"]]
