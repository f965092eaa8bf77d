"""What an attacker with only a report's text, or an account, tried against the running app
(issue 13): every answer is a clear 4xx, never a 500, and stored data never breaks a page."""

from __future__ import annotations

import httpx

from trucewatch.store import open_store
from web_server import Web

HUGE = "9" * 400
REPORT = (
    "Armenia's Defence Ministry said on Tuesday that Azerbaijani forces shelled Tegh on "
    f"3 March 2024, killing {HUGE} civilians, the ministry said."
)


def first_incident(web: Web) -> dict[str, object]:
    items = web.client("viewer").get("/api/v1/incidents", params={"limit": "1"}).json()["items"]
    return dict(items[0])


def test_a_report_with_a_huge_toll_breaks_no_page(web: Web) -> None:
    posted = web.client("admin").post("/api/v1/reports", json={"text": REPORT})
    assert posted.status_code == 201, posted.text
    session = web.login("analyst")
    with open_store(web.db) as store:
        ids = [
            c.incident_id for c in store.claims() if c.document_id == posted.json()["document_id"]
        ]
    assert ids
    pages = ["/", f"/incidents/{ids[0]}", "/bulletin?day=2024-03-03", "/review"]
    for path in pages:
        answer = session.client.get(path)
        assert answer.status_code == 200, path
    listing = web.client("viewer").get("/api/v1/incidents", params={"limit": "500"}).json()
    (mine,) = [i for i in listing["items"] if i["id"] == ids[0]]
    assert mine["killed"] == {"low": None, "best": None, "high": None}
    for fmt in ("csv", "geojson", "jsonl", "parquet"):
        assert web.client("viewer").get(f"/api/v1/export/{fmt}").status_code == 200, fmt


def test_implausible_edits_are_refused_by_the_api_and_the_form(web: Web) -> None:
    incident = first_incident(web)
    url = f"/api/v1/incidents/{incident['id']}/review"
    analyst = web.client("analyst")
    for killed in (
        {"low": -5, "best": 1e20, "high": -7},
        {"best": int(HUGE)},
        {"low": 9, "best": 1},
    ):
        edit = {"action": "edit", "version": incident["version"], "fields": {"killed": killed}}
        answer = analyst.post(url, json=edit)
        assert answer.status_code == 400, (killed, answer.text)
    session = web.login("analyst")
    form = {"action": "edit", "version": str(incident["version"]), "csrf": session.csrf()}
    for digits in (400, 5000):
        page = session.client.post(
            f"/incidents/{incident['id']}/review", data={**form, "killed": "9" * digits}
        )
        assert page.status_code == 400, digits
        assert "whole number" in page.text


def test_a_lone_surrogate_or_nan_is_a_clear_422(web: Web) -> None:
    incident = first_incident(web)
    analyst = web.client("analyst")
    headers = {"content-type": "application/json"}
    bodies = [
        b'{"action": "\\ud800", "version": 1}',
        b'{"action": "edit", "version": 1, "fields": {"location": "\\udfff"}}',
        b'{"action": "accept", "version": 1, "comment": "\\ud800"}',
    ]
    for body in bodies:
        answer = analyst.post(
            f"/api/v1/incidents/{incident['id']}/review", content=body, headers=headers
        )
        assert 400 <= answer.status_code < 500, body
    for value in (b"NaN", b"Infinity", b"-Infinity"):
        body = b'{"place": "Tegh", "type": "shelling", "lat": %s, "lon": 45.0}' % value
        answer = analyst.post("/api/v1/observations", content=body, headers=headers)
        assert answer.status_code == 422, (value, answer.text)


def test_head_works_on_pages_and_pages_are_not_cached(web: Web) -> None:
    session = web.login("viewer")
    for path in ("/", "/ceasefires", "/bulletin"):
        head = session.client.head(path)
        assert head.status_code == 200, path
        get = session.client.get(path)
        assert "no-store" in get.headers.get("cache-control", ""), path
    export = web.client("viewer").get("/api/v1/export/csv")
    assert "no-store" in export.headers.get("cache-control", "")


def test_next_links_do_not_trust_the_host_header(web: Web) -> None:
    client = web.client("viewer")
    answer = client.get(
        "/api/v1/incidents", params={"limit": "1"}, headers={"host": "evil.example"}
    )
    following = answer.json()["next"]
    assert following is not None
    assert "evil.example" not in following
    assert httpx.URL(following).host in ("", "127.0.0.1")


def test_two_login_tabs_both_log_in(web: Web) -> None:
    from web_server import CSRF_FIELD, PASSWORDS

    client = httpx.Client(base_url=web.url, timeout=60)
    web.clients.append(client)
    first = CSRF_FIELD.search(client.get("/login").text)
    second = CSRF_FIELD.search(client.get("/login").text)  # another tab of the same browser
    assert first is not None
    assert second is not None
    data = {"username": "viewer", "password": PASSWORDS["viewer"], "csrf": first.group(1)}
    assert client.post("/login", data=data).status_code == 303


def test_a_form_sent_after_the_session_ended_says_so_as_a_page(web: Web) -> None:
    incident = first_incident(web)
    session = web.login("analyst")
    form = {"action": "accept", "version": str(incident["version"]), "csrf": session.csrf()}
    session.client.cookies.clear()  # the session ended (expired, or logged out elsewhere)
    answer = session.client.post(f"/incidents/{incident['id']}/review", data=form)
    assert answer.status_code == 401
    assert answer.headers["content-type"].startswith("text/html")
    assert "Your session has ended" in answer.text
