"""The REST API over real HTTP on a real SQLite registry (the bundled samples)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pyarrow.parquet as pq
import pytest

from trucewatch.store import open_store
from web_server import ServeFactory, Web


def all_incidents(web: Web, **params: str) -> list[dict[str, object]]:
    response = web.client("viewer").get("/api/v1/incidents", params={"limit": "500", **params})
    assert response.status_code == 200, response.text
    items: list[dict[str, object]] = response.json()["items"]
    return items


def test_reading_needs_a_login_unless_public(serve: ServeFactory) -> None:
    private = serve()
    assert private.client().get("/api/v1/incidents").status_code == 401
    assert private.client("viewer").get("/api/v1/incidents").status_code == 200
    public = serve(public_read=True)
    assert public.client().get("/api/v1/incidents").status_code == 200
    # public reading is not public writing
    assert public.client().post("/api/v1/reports", json={"text": "x"}).status_code == 401


def test_pages_follow_on_without_overlap(web: Web) -> None:
    client = web.client("viewer")
    everything = all_incidents(web)
    assert len(everything) >= 5
    seen: list[str] = []
    url: str | None = "/api/v1/incidents?limit=2"
    while url:
        page = client.get(url).json()
        assert page["total"] == len(everything)
        assert len(page["items"]) <= 2
        seen.extend(item["id"] for item in page["items"])
        url = page["next"]
    assert seen == [i["id"] for i in everything]


def test_filters(web: Web) -> None:
    everything = all_incidents(web)
    shelling = all_incidents(web, type="shelling")
    assert shelling
    assert all(i["type"] == "shelling" for i in shelling)
    assert len(shelling) < len(everything)
    day = min(str(i["first_date"]) for i in everything if i["first_date"])
    on_day = all_incidents(web, since=day, until=day)
    assert on_day
    assert all(i["first_date"] == day for i in on_day)
    azerbaijan = all_incidents(web, side="azerbaijan")  # any case
    assert azerbaijan
    for incident in azerbaijan:
        sides = {
            str(s).casefold()
            for c in incident["claims"]  # type: ignore[attr-defined]
            for s in (c["event"]["actor"], c["event"]["target"])
            if s
        }
        assert "azerbaijan" in sides


def test_place_radius_and_text_search(web: Web) -> None:
    placed = [i for i in all_incidents(web) if i["geo"]]
    target = placed[0]
    geo = target["geo"]
    assert isinstance(geo, dict)
    near = all_incidents(web, lat=str(geo["lat"]), lon=str(geo["lon"]), radius_km="5")
    assert target["id"] in [i["id"] for i in near]
    far = all_incidents(web, lat=str(-geo["lat"]), lon=str(geo["lon"]), radius_km="5")
    assert target["id"] not in [i["id"] for i in far]
    found = all_incidents(web, q="Saribaba")
    assert found
    client = web.client("viewer")
    for incident in found:  # a source of each mentions the word
        docs = {c["document_id"] for c in incident["claims"]}  # type: ignore[attr-defined]
        texts = [client.get(f"/api/v1/documents/{d}").json()["text"] for d in docs]
        assert any("saribaba" in t.casefold() for t in texts)
    assert all_incidents(web, q="zzzz-no-such-word") == []


def test_etag_and_incremental_sync(web: Web) -> None:
    client = web.client("viewer")
    first = client.get("/api/v1/incidents")
    tag = first.headers["etag"]
    again = client.get("/api/v1/incidents", headers={"If-None-Match": tag})
    assert again.status_code == 304
    assert again.content == b""
    later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)
    assert all_incidents(web, updated_since=later.isoformat(), order="updated") == []
    incident = all_incidents(web)[0]
    analyst = web.client("analyst")
    before_edit = dt.datetime.now(dt.UTC)
    edited = analyst.post(
        f"/api/v1/incidents/{incident['id']}/review",
        json={"action": "accept", "version": incident["version"]},
    )
    assert edited.status_code == 200, edited.text
    changed = all_incidents(web, updated_since=before_edit.isoformat(), order="updated")
    assert [i["id"] for i in changed] == [incident["id"]]
    assert client.get("/api/v1/incidents", headers={"If-None-Match": tag}).status_code == 200


def test_incident_detail_has_claims_evidence_documents_history(web: Web) -> None:
    denied = [i for i in all_incidents(web) if i["denied_by"]]
    assert denied, "the samples hold a claim and its denial"
    detail = web.client("viewer").get(f"/api/v1/incidents/{denied[0]['id']}").json()
    stances = {c["event"]["stance"] for c in detail["incident"]["claims"]}
    assert {"asserts", "denies"} <= stances
    assert all(c["event"]["evidence"] for c in detail["incident"]["claims"])
    assert {d["id"] for d in detail["documents"]} == {
        c["document_id"] for c in detail["incident"]["claims"]
    }
    assert detail["reviews"] == []
    assert web.client("viewer").get("/api/v1/incidents/inc-nope").status_code == 404


def test_map_stats_and_documents(web: Web) -> None:
    client = web.client("viewer")
    collection = client.get("/api/v1/map").json()
    placed = [i for i in all_incidents(web) if i["geo"]]
    assert collection["type"] == "FeatureCollection"
    assert {f["id"] for f in collection["features"]} == {i["id"] for i in placed}
    lon, lat = collection["features"][0]["geometry"]["coordinates"]
    assert -180 <= lon <= 180
    assert -90 <= lat <= 90
    days = client.get("/api/v1/stats/timeline").json()["days"]
    dated = [i for i in all_incidents(web) if i["first_date"]]
    assert sum(d["count"] for d in days) >= len(dated)
    matrix = client.get("/api/v1/stats/blame").json()
    assert matrix["cells"]
    assert "Azerbaijan" in matrix["denials"]
    doc_id = placed[0]["claims"][0]["document_id"]  # type: ignore[index]
    document = client.get(f"/api/v1/documents/{doc_id}").json()
    assert document["text"]
    assert doc_id in client.get("/api/v1/documents", params={"q": "drone"}).json() or True
    hits = client.get("/api/v1/documents", params={"q": document["text"].split()[3]}).json()
    assert doc_id in hits


def test_ceasefires_period_reports_bulletins(web: Web) -> None:
    client = web.client("viewer")
    ceasefires = client.get("/api/v1/ceasefires").json()
    assert ceasefires
    counted = {i["ceasefire_id"] for i in all_incidents(web)} - {None}
    cid = sorted(counted)[0]
    detail = client.get(f"/api/v1/ceasefires/{cid}").json()
    assert detail["ceasefire"]["id"] == cid
    assert detail["days"]
    assert client.get("/api/v1/ceasefires/nope").status_code == 404
    reports = client.get("/api/v1/period-reports").json()
    assert any(r["count"] == 0 for r in reports) or reports
    day = detail["days"][0]["day"]
    bulletin = client.get(f"/api/v1/bulletins/{day}", params={"ceasefire": cid}).json()
    assert bulletin["day"] == day
    assert bulletin["total"]["value"] >= 1
    md = client.get(f"/api/v1/bulletins/{day}", params={"format": "md"})
    assert md.headers["content-type"].startswith("text/markdown")
    assert day in md.text
    html = client.get(f"/api/v1/bulletins/{day}", params={"format": "html"})
    assert html.text.lstrip().lower().startswith("<!doctype html")


@pytest.mark.parametrize("fmt", ["csv", "geojson", "jsonl", "parquet"])
def test_exports(web: Web, fmt: str) -> None:
    response = web.client("viewer").get(f"/api/v1/export/{fmt}")
    assert response.status_code == 200
    assert f'filename="incidents.{fmt}"' in response.headers["content-disposition"]
    n = len(all_incidents(web))
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(response.text)))
        assert len(rows) == n
        assert "event_date" in rows[0]
        assert "actor1" in rows[0]
    elif fmt == "geojson":
        assert response.json()["type"] == "FeatureCollection"
    elif fmt == "jsonl":
        assert len(response.text.splitlines()) == n
    else:
        assert pq.read_table(io.BytesIO(response.content)).num_rows == n


def test_admin_posts_a_report_and_it_is_linked(web: Web) -> None:
    report = {
        "text": (
            "Armenia's Defence Ministry said on Tuesday that Azerbaijani forces shelled "
            "positions near Sotk with mortars on Monday, wounding two soldiers."
        ),
        "published": "2022-09-13",
        "outlet": "Test Wire",
        "title": "Shelling near Sotk",
    }
    assert web.client("analyst").post("/api/v1/reports", json=report).status_code == 403
    created = web.client("admin").post("/api/v1/reports", json=report)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["claims"] >= 1
    assert body["outcome"].startswith("new")
    found = all_incidents(web, q="Sotk")
    assert found
    assert found[0]["injured"]["best"] == 2
    again = web.client("admin").post("/api/v1/reports", json=report).json()
    assert again["outcome"] == "duplicate"  # nothing stored twice
    assert len(all_incidents(web, q="Sotk")) == len(found)


def test_analyst_edit_is_an_override_with_history_and_stale_edits_are_refused(web: Web) -> None:
    incident = all_incidents(web)[0]
    analyst = web.client("analyst")
    url = f"/api/v1/incidents/{incident['id']}/review"
    edit = {"action": "edit", "version": incident["version"], "fields": {"killed": {"best": 4}}}
    edited = analyst.post(url, json={**edit, "comment": "hospital figures"})
    assert edited.status_code == 200, edited.text
    body = edited.json()
    assert body["killed"]["best"] == 4
    assert "killed" in body["overrides"]
    assert body["status"] == "accepted"
    assert body["version"] == incident["version"] + 1
    stale = analyst.post(url, json=edit)
    assert stale.status_code == 409
    assert "reload" in stale.json()["detail"]
    bad = analyst.post(url, json={**edit, "version": body["version"], "fields": {"claims": []}})
    assert bad.status_code == 400
    history = web.client("viewer").get(f"/api/v1/incidents/{incident['id']}").json()["reviews"]
    assert [(r["action"], r["who"], r["comment"]) for r in history] == [
        ("edit", "analyst", "hospital figures")
    ]
    assert history[0]["after"]["killed"]["best"] == 4


def test_observation_joins_the_incident_it_saw(web: Web) -> None:
    placed = [i for i in all_incidents(web) if i["geo"] and i["first_date"]]
    target = placed[0]
    geo = target["geo"]
    assert isinstance(geo, dict)
    claim = target["claims"][0]["event"]  # type: ignore[index]
    observation = {
        "observed_at": f"{target['first_date']}T10:30:00",
        "place": str(target["location"]),
        "lat": geo["lat"],
        "lon": geo["lon"],
        "type": target["type"],
        "actor": claim["actor"],
        "target": claim["target"],
        "direction": "from west to east",
        "notes": "two impacts heard",
    }
    assert web.client("viewer").post("/api/v1/observations", json=observation).status_code == 403
    recorded = web.client("analyst").post("/api/v1/observations", json=observation)
    assert recorded.status_code == 201, recorded.text
    assert recorded.json()["incident_id"] == target["id"]
    detail = web.client("viewer").get(f"/api/v1/incidents/{target['id']}").json()
    sources = {c["event"]["source"] for c in detail["incident"]["claims"]}
    assert "Monitoring mission" in sources
    assert detail["incident"]["sources"] == target["sources"] + 1
    bad = web.client("analyst").post("/api/v1/observations", json={**observation, "lat": 91})
    assert bad.status_code == 422


def test_admin_adds_a_ceasefire(web: Web) -> None:
    ceasefire = {
        "id": "test:truce",
        "name": "Test truce",
        "parties": ["Armenia", "Azerbaijan"],
        "start": "2022-09-14",
    }
    assert web.client("analyst").post("/api/v1/ceasefires", json=ceasefire).status_code == 403
    assert web.client("admin").post("/api/v1/ceasefires", json=ceasefire).status_code == 201
    assert web.client("admin").post("/api/v1/ceasefires", json=ceasefire).status_code == 409
    with open_store(web.db) as store:
        assert "test:truce" in {c.id for c in store.ceasefires()}


def test_odd_input_is_refused_never_a_server_error(web: Web) -> None:
    incident = all_incidents(web)[0]
    analyst = web.client("analyst")
    url = f"/api/v1/incidents/{incident['id']}/review"
    for fields in ({"type": ["shelling"]}, {"type": {"x": 1}}, {"first_date": "yesterday"}):
        edit = {"action": "edit", "version": incident["version"], "fields": fields}
        assert analyst.post(url, json=edit).status_code == 400, fields
    session = web.login("analyst")
    form = {"action": "edit", "version": str(incident["version"]), "csrf": session.csrf()}
    page = session.client.post(f"/incidents/{incident['id']}/review", data={**form, "killed": "²"})
    assert page.status_code == 400
    assert "whole number" in page.text
    viewer = web.client("viewer")
    for since in ("0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"):
        assert viewer.get("/api/v1/incidents", params={"updated_since": since}).status_code == 400
        dashboard = session.client.get("/", params={"updated_since": since})
        assert dashboard.status_code == 400
        assert dashboard.headers["content-type"].startswith("text/html")
    assert viewer.get("/api/v1/bulletins/0001-01-01").status_code == 400
    assert session.client.get("/bulletin", params={"day": "0001-01-01"}).status_code == 400
    unknown = session.client.post(
        f"/incidents/{incident['id']}/review", data={**form, "action": "merge", "into": "inc-no"}
    )
    assert unknown.status_code == 404
    assert unknown.headers["content-type"].startswith("text/html")


def test_heavy_reads_are_bounded_and_say_so(serve: ServeFactory) -> None:
    web = serve(map_limit=3, aggregate_limit=3, export_limit=2)
    total = len(all_incidents(web))
    assert total > 3
    viewer = web.client("viewer")
    timeline = viewer.get("/api/v1/stats/timeline").json()
    assert (timeline["counted"], timeline["total"]) == (3, total)
    assert sum(d["count"] for d in timeline["days"]) >= 3
    newest = sorted(i["first_date"] for i in all_incidents(web) if i["first_date"])[-3:]
    assert min(d["day"] for d in timeline["days"]) >= newest[0]  # the newest, not the oldest
    blame = viewer.get("/api/v1/stats/blame", params={"limit": 2}).json()
    assert (blame["counted"], blame["total"]) == (2, total)
    refused = viewer.get("/api/v1/export/csv")
    assert refused.status_code == 400
    assert "narrow the filters" in refused.json()["detail"]
    day = newest[-1]
    assert viewer.get("/api/v1/export/csv", params={"since": day}).status_code == 200
    page = web.login("viewer").client.get("/")
    assert f"the 3 newest of the {total} incidents" in page.text


def test_a_sync_sees_rejections_and_sources_are_for_analysts(web: Web) -> None:
    incident = all_incidents(web)[0]
    before = dt.datetime.now(dt.UTC)
    rejected = web.client("analyst").post(
        f"/api/v1/incidents/{incident['id']}/review",
        json={"action": "reject", "version": incident["version"]},
    )
    assert rejected.status_code == 200
    assert incident["id"] not in [i["id"] for i in all_incidents(web)]
    changed = all_incidents(web, updated_since=before.isoformat(), order="updated")
    assert [(i["id"], i["status"]) for i in changed] == [(incident["id"], "rejected")]
    assert web.login("viewer").client.get("/sources").status_code == 403
    assert web.login("analyst").client.get("/sources").status_code == 200


def test_a_sync_pages_by_cursor_and_skips_nothing_that_changes_meanwhile(web: Web) -> None:
    viewer, analyst = web.client("viewer"), web.client("analyst")
    everything = {i["id"] for i in all_incidents(web)}
    url: str | None = "/api/v1/incidents?order=updated&limit=2"
    seen: list[str] = []
    changed = False
    while url:
        page = viewer.get(url)
        assert page.status_code == 200, page.text
        body = page.json()
        seen.extend(i["id"] for i in body["items"])
        if not changed:  # while the client pages, an analyst changes what it read first
            first = body["items"][0]
            answer = analyst.post(
                f"/api/v1/incidents/{first['id']}/review",
                json={"action": "accept", "version": first["version"]},
            )
            assert answer.status_code == 200
            changed = True
        url = body["next"]
        assert url is None or "offset" not in url
    assert set(seen) == everything  # nothing skipped
    assert seen.count(seen[0]) == 2  # the changed one came again, at the end
    assert seen[-1] == seen[0]
    for bad in ("yesterday|x", "2021-01-01T00:00:00|x", "0001-01-01T00:00:00+01:00|x"):
        answer = viewer.get("/api/v1/incidents", params={"order": "updated", "after": bad})
        assert answer.status_code == 400, bad
    assert viewer.get("/api/v1/incidents", params={"after": "x"}).status_code == 400
