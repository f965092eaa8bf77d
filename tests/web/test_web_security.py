"""Who may do what, over real HTTP: the authorization matrix (every route × anonymous, viewer,
analyst, admin), CSRF on every form, session fixation, password storage, login rate limit,
request size limit, SQL injection through every filter, stored XSS, path traversal."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx
import pytest
from fastapi.routing import APIRoute

from trucewatch.store import open_store
from trucewatch.web.security import required_role, routes
from web_server import CSRF_FIELD, PASSWORDS, ServeFactory, Session, Web

ROLES = ("viewer", "analyst", "admin")
PRINCIPALS = ("anonymous", *ROLES)
UNGUARDED = {("GET", "/login"), ("POST", "/login")}  # and FastAPI's own docs routes
OWN_SESSION = {("POST", "/logout")}  # changes nothing but the caller's own session


def our_routes(web: Web) -> Iterator[tuple[str, APIRoute]]:
    for route in routes(web.server.app):
        for method in sorted(route.methods - {"HEAD"}):
            yield method, route


@dataclass
class Fixtures:
    incident: str
    version: int
    other: str
    document: str
    ceasefire: str
    day: str


def fixtures(web: Web) -> Fixtures:
    with open_store(web.db) as store:
        found = [i for i in store.incidents() if i.first_date]
        ceasefire = store.ceasefires()[0].id
    first, second = found[0], found[1]
    return Fixtures(
        incident=first.id,
        version=first.version,
        other=second.id,
        document=first.claims[0].document_id,
        ceasefire=ceasefire,
        day=str(first.first_date),
    )


def concrete(path: str, f: Fixtures) -> str:
    values = {
        "{id}": f.incident,
        "{day}": f.day,
        "{format}": "csv",
    }
    if path.startswith(("/ceasefires", "/api/v1/ceasefires")):
        values["{id}"] = f.ceasefire
    if path.startswith(("/documents", "/api/v1/documents")):
        values["{id}"] = f.document
    path = path.replace("{id:path}", "{id}")
    for key, value in values.items():
        path = path.replace(key, value)
    return path


def call(
    web: Web, principal: str, method: str, path: str, sessions: dict[str, Session]
) -> httpx.Response:
    """`method path` as `principal`: API routes with the role's token, pages with a login
    session (and its CSRF token, so only the role decides)."""
    api = path.startswith("/api/")
    if principal == "anonymous":
        client = web.client()
        headers: dict[str, str] = {}
    elif api:
        client, headers = web.client(principal), {}
    else:
        session = sessions[principal]
        client, headers = session.client, {"X-CSRF-Token": session.csrf()}
    if method == "GET":
        return client.get(path, headers=headers, follow_redirects=False)
    if api:
        return client.post(path, json={}, headers=headers, follow_redirects=False)
    return client.post(path, data={}, headers=headers, follow_redirects=False)


def test_every_write_route_needs_at_least_an_analyst(web: Web) -> None:
    unguarded = set()
    for method, route in our_routes(web):
        role = required_role(route)
        if role is None:
            unguarded.add((method, route.path))
        elif method != "GET" and (method, route.path) not in OWN_SESSION:
            assert role in ("analyst", "admin"), f"{method} {route.path} is writable by a {role}"
    assert unguarded == UNGUARDED, f"routes without a role: {sorted(unguarded - UNGUARDED)}"


def test_authorization_matrix(web: Web) -> None:
    f = fixtures(web)
    sessions = {role: web.login(role) for role in ROLES}
    checked = 0
    for method, route in our_routes(web):
        role = required_role(route)
        if role is None:
            continue
        path = concrete(route.path, f)
        for principal in PRINCIPALS:
            answer = call(web, principal, method, path, sessions)
            allowed = principal != "anonymous" and ROLES.index(principal) >= ROLES.index(role)
            where = f"{method} {path} as {principal} (needs {role})"
            if allowed:
                assert answer.status_code not in (401, 403), f"{where}: {answer.status_code}"
                assert answer.status_code < 500, f"{where}: {answer.text[:300]}"
            elif principal == "anonymous":
                page_get = method == "GET" and not path.startswith("/api/")
                if page_get:
                    assert answer.status_code == 303, where
                    assert answer.headers["location"].startswith("/login?next="), where
                else:
                    assert answer.status_code == 401, where
            else:
                assert answer.status_code == 403, f"{where}: {answer.status_code}"
            checked += 1
            if (method, route.path) in OWN_SESSION and principal in sessions:
                sessions[principal] = web.login(principal)  # it just logged out
    assert checked >= 4 * 25  # every guarded route, four principals each
    print(f"authorization cases checked: {checked}")  # noqa: T201 - the figure for the report
    with open_store(web.db) as store:
        assert store.integrity_check()


def test_public_read_never_opens_writes(serve: ServeFactory) -> None:
    web = serve(public_read=True)
    f = fixtures(web)
    for method, route in our_routes(web):
        role = required_role(route)
        if role is None:
            continue
        answer = call(web, "anonymous", method, concrete(route.path, f), {})
        if method == "GET" and role == "viewer":
            assert answer.status_code in (200, 422), f"{method} {route.path}: {answer.status_code}"
        else:
            assert answer.status_code in (303, 401), f"{method} {route.path}: {answer.status_code}"


def test_forms_need_the_session_csrf_token(web: Web) -> None:
    f = fixtures(web)
    analyst = web.login("analyst")
    admin = web.login("admin")
    url = f"/incidents/{f.incident}/review"
    form = {"action": "accept", "version": str(f.version)}
    assert analyst.client.post(url, data=form).status_code == 403
    assert analyst.client.post(url, data={**form, "csrf": "forged"}).status_code == 403
    assert analyst.client.post(url, data={**form, "csrf": admin.csrf()}).status_code == 403
    posts = {
        "/observations": {"place": "X", "type": "shelling", "observed_at": "2022-01-01T10:00"},
        "/admin/users": {"username": "mallory", "password": "long-password-1", "role": "admin"},
        "/admin/tokens": {"username": "admin", "name": "stolen"},
        "/logout": {},
    }
    for path, data in posts.items():
        who = admin if path.startswith("/admin") or path == "/logout" else analyst
        assert who.client.post(path, data=data).status_code == 403, path
    with open_store(web.db) as store:
        assert store.get_incident(f.incident).version == f.version  # type: ignore[union-attr]
        assert store.reviews(f.incident) == []
    assert "mallory" not in web.client("admin").get("/admin/users").text
    done = analyst.client.post(url, data={**form, "csrf": analyst.csrf()})
    assert done.status_code == 303
    # the login form has its own token, bound to a cookie of the login page
    fresh = httpx.Client(base_url=web.url)
    web.clients.append(fresh)
    login = {"username": "admin", "password": PASSWORDS["admin"], "csrf": "x"}
    assert fresh.post("/login", data=login).status_code == 403


def test_session_fixation_and_logout(web: Web) -> None:
    client = httpx.Client(base_url=web.url)
    web.clients.append(client)
    client.cookies.set("tw_session", "attacker-chosen-value", domain="127.0.0.1")
    page = client.get("/login")
    token = CSRF_FIELD.search(page.text)
    assert token is not None
    data = {"username": "analyst", "password": PASSWORDS["analyst"], "csrf": token.group(1)}
    assert client.post("/login", data=data).status_code == 303
    issued = client.cookies.get("tw_session")
    assert issued
    assert issued != "attacker-chosen-value"
    assert client.get("/api/v1/me").json()["username"] == "analyst"
    attacker = httpx.Client(base_url=web.url, cookies={"tw_session": "attacker-chosen-value"})
    web.clients.append(attacker)
    assert attacker.get("/api/v1/me").status_code == 401
    csrf = CSRF_FIELD.search(client.get("/").text)
    assert csrf is not None
    assert client.post("/logout", data={"csrf": csrf.group(1)}).status_code == 303
    replay = httpx.Client(base_url=web.url, cookies={"tw_session": issued})
    web.clients.append(replay)
    assert replay.get("/api/v1/me").status_code == 401  # ended on the server, not just forgotten


def test_cookie_flags(web: Web) -> None:
    client = httpx.Client(base_url=web.url)
    web.clients.append(client)
    token = CSRF_FIELD.search(client.get("/login").text)
    assert token is not None
    data = {"username": "viewer", "password": PASSWORDS["viewer"], "csrf": token.group(1)}
    answer = client.post("/login", data=data)
    cookie = next(
        v for k, v in answer.headers.multi_items() if k == "set-cookie" and "tw_session" in v
    )
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie


def test_passwords_are_stored_as_argon2id_hashes(web: Web) -> None:
    with sqlite3.connect(web.db) as conn:
        stored = dict(conn.execute("SELECT username, password_hash FROM users"))
        tokens = [row[0] for row in conn.execute("SELECT token_hash FROM api_tokens")]
    for user, password in PASSWORDS.items():
        assert stored[user].startswith("$argon2id$")
        assert password not in stored[user]
    assert not set(tokens) & set(web.tokens.values())  # tokens kept only as hashes


def test_login_rate_limit(serve: ServeFactory) -> None:
    web = serve(login_attempts=3, login_window=dt.timedelta(minutes=1))
    client = httpx.Client(base_url=web.url)
    web.clients.append(client)

    def attempt(username: str, password: str) -> httpx.Response:
        token = CSRF_FIELD.search(client.get("/login").text)
        assert token is not None
        data = {"username": username, "password": password, "csrf": token.group(1)}
        return client.post("/login", data=data)

    for _ in range(3):
        assert attempt("admin", "wrong-password").status_code == 401
    blocked = attempt("admin", PASSWORDS["admin"])  # right password, but too late
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) > 0
    assert "Too many failed logins" in blocked.text
    # another account from the same address (a NAT, a proxy) is not locked out with it
    assert attempt("viewer", PASSWORDS["viewer"]).status_code == 303


def test_address_limit_counts_each_client_behind_a_trusted_proxy(serve: ServeFactory) -> None:
    web = serve(login_address_attempts=2, forwarded_allow_ips="127.0.0.1")
    client = httpx.Client(base_url=web.url)
    web.clients.append(client)

    def attempt(address: str, username: str, password: str) -> httpx.Response:
        token = CSRF_FIELD.search(client.get("/login").text)
        assert token is not None
        data = {"username": username, "password": password, "csrf": token.group(1)}
        return client.post("/login", data=data, headers={"x-forwarded-for": address})

    assert attempt("192.0.2.1", "admin", "wrong-1").status_code == 401
    assert attempt("192.0.2.1", "analyst", "wrong-2").status_code == 401
    assert attempt("192.0.2.1", "viewer", PASSWORDS["viewer"]).status_code == 429
    assert attempt("192.0.2.2", "viewer", PASSWORDS["viewer"]).status_code == 303


def test_request_body_limit(serve: ServeFactory) -> None:
    web = serve(max_body_bytes=10_000)
    admin = web.client("admin")
    big = {"text": "shelling " * 3000}
    declared = admin.post("/api/v1/reports", json=big)
    assert declared.status_code == 413
    assert "10000 bytes" in declared.json()["detail"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit counts what streams in
        yield b'{"text": "'
        for _ in range(30):
            yield b"x" * 1000
        yield b'"}'

    streamed = admin.post(
        "/api/v1/reports", content=chunks(), headers={"content-type": "application/json"}
    )
    assert streamed.status_code == 413
    assert admin.post("/api/v1/reports", json={"text": "short report"}).status_code == 201


INJECTIONS = [
    "' OR '1'='1",
    "x' OR 1=1 --",
    '"; DROP TABLE incidents; --',
    "%",
    "_",
    "') UNION SELECT id, data FROM incidents --",
    "* NEAR OR NOT",
    '" OR "" = "',
    "\\'; SELECT 1; --",
]


@pytest.mark.parametrize("param", ["ceasefire", "side", "type", "q", "status", "origin"])
def test_sql_injection_through_filters(web: Web, param: str) -> None:
    client = web.client("viewer")
    before = client.get("/api/v1/incidents").json()["total"]
    for payload in INJECTIONS:
        for path in ("/api/v1/incidents", "/api/v1/map", "/api/v1/stats/blame", "/"):
            answer = client.get(path, params={param: payload})
            assert answer.status_code in (200, 422), f"{path} {param}={payload!r}"
            if path == "/api/v1/incidents" and answer.status_code == 200:
                assert answer.json()["total"] == 0, f"{param}={payload!r} matched incidents"
    for param_name in ("since", "until", "updated_since", "lat", "radius_km", "limit", "offset"):
        answer = client.get("/api/v1/incidents", params={param_name: INJECTIONS[0]})
        assert answer.status_code == 422
    assert client.get("/api/v1/incidents").json()["total"] == before
    with open_store(web.db) as store:
        assert store.integrity_check()


HOSTILE = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">'


def test_report_text_is_escaped_everywhere(web: Web) -> None:
    admin = web.client("admin")
    report = {
        "text": (
            f"{HOSTILE} Armenia's Defence Ministry said on Tuesday that Azerbaijani forces "
            f"shelled positions near Sotk{HOSTILE} with mortars on Monday, wounding two soldiers."
        ),
        "published": "2022-09-13",
        "outlet": f"Wire {HOSTILE}",
        "title": f"Shelling {HOSTILE}",
        "url": "javascript:alert(1)",
    }
    created = admin.post("/api/v1/reports", json=report)
    assert created.status_code == 201, created.text
    document_id = created.json()["document_id"]
    with open_store(web.db) as store:
        claims = store.claims(document_id=document_id)
    incident_id = next(c.incident_id for c in claims if c.incident_id)
    analyst = web.login("analyst")
    version = admin.get(f"/api/v1/incidents/{incident_id}").json()["incident"]["version"]
    commented = analyst.client.post(
        f"/incidents/{incident_id}/review",
        data={
            "action": "edit",
            "version": str(version),
            "location": f"Sotk {HOSTILE}",
            "comment": f"checked {HOSTILE}",
            "csrf": analyst.csrf(),
        },
    )
    assert commented.status_code == 303, commented.text
    observation = {
        "observed_at": "2022-09-12T09:00",
        "place": f"Sotk {HOSTILE}",
        "type": "shelling",
        "notes": HOSTILE,
        "csrf": analyst.csrf(),
    }
    assert analyst.client.post("/observations", data=observation).status_code == 303
    pages = [
        "/",
        f"/incidents/{incident_id}",
        f"/documents/{document_id}",
        "/review",
        "/bulletin?day=2022-09-12",
        "/ceasefires",
    ]
    for path in pages:
        body = analyst.client.get(path).text
        assert "<script>window.__xss" not in body, path
        assert "<img src=x" not in body, path
        assert 'href="javascript:' not in body, path
    incident_page = analyst.client.get(f"/incidents/{incident_id}").text
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in incident_page
    assert "Content-Security-Policy" in analyst.client.get("/").headers
    bulletin_md = admin.get("/api/v1/bulletins/2022-09-12", params={"format": "md"}).text
    assert "<script>" not in bulletin_md


def test_no_path_traversal(web: Web) -> None:
    client = web.client("viewer")
    for path in (
        "/api/v1/export/..%2F..%2F..%2Fetc%2Fpasswd",
        "/api/v1/export/csv%2F..%2F..%2Fetc%2Fpasswd",
        "/static/..%2F..%2F..%2F..%2Fetc%2Fpasswd",
        "/static/../app.py",
        "/static/%2e%2e/app.py",
    ):
        answer = client.get(path)
        assert answer.status_code in (404, 422), path
        assert "root:" not in answer.text
        assert "create_app" not in answer.text
    assert client.get("/static/style.css").status_code == 200


def test_login_redirects_stay_on_site(web: Web) -> None:
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        client = httpx.Client(base_url=web.url)
        web.clients.append(client)
        token = CSRF_FIELD.search(client.get("/login").text)
        assert token is not None
        data = {
            "username": "viewer",
            "password": PASSWORDS["viewer"],
            "csrf": token.group(1),
            "next": target,
        }
        answer = client.post("/login", data=data)
        assert answer.headers["location"] == "/", target


def test_parallel_guesses_do_not_slip_past_the_login_limit(serve: ServeFactory) -> None:
    web = serve(login_attempts=3, login_window=dt.timedelta(minutes=1))

    def guess(n: int) -> int:
        with httpx.Client(base_url=web.url, timeout=60) as client:
            token = CSRF_FIELD.search(client.get("/login").text)
            assert token is not None
            data = {"username": "admin", "password": f"wrong-{n}", "csrf": token.group(1)}
            return client.post("/login", data=data).status_code

    with ThreadPoolExecutor(12) as pool:
        answers = sorted(pool.map(guess, range(12)))
    assert answers == [401] * 3 + [429] * 9
