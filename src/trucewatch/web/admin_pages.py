"""Admin and analyst pages: users and their API tokens, and the sources `watch` polls."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from trucewatch.store.accounts import ROLES
from trucewatch.web.pages import Admin, Analyst, Svc, render

router = APIRouter(include_in_schema=False)


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
