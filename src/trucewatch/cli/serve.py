"""`trucewatch serve`: the web dashboard and REST API on one address."""

from __future__ import annotations

import datetime as dt
from types import FrameType

import click

from trucewatch.cli.options import db_option


@click.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--public-read/--no-public-read",
    default=False,
    envvar="TRUCEWATCH_PUBLIC_READ",
    show_default=True,
    help="Anyone may read without logging in (writes still need an account).",
)
@click.option(
    "--mission",
    default="Monitoring mission",
    envvar="TRUCEWATCH_MISSION",
    show_default=True,
    help="Source name of the observations recorded through this server.",
)
@click.option(
    "--max-body",
    "max_body",
    default=2_000_000,
    envvar="TRUCEWATCH_MAX_BODY",
    show_default=True,
    type=click.IntRange(1024),
    help="Largest request body in bytes (413 above it).",
)
@click.option(
    "--login-attempts",
    default=5,
    envvar="TRUCEWATCH_LOGIN_ATTEMPTS",
    show_default=True,
    type=click.IntRange(1),
    help="Failed logins per user name before each further attempt waits (1 s, doubling).",
)
@click.option(
    "--login-address-attempts",
    default=50,
    envvar="TRUCEWATCH_LOGIN_ADDRESS_ATTEMPTS",
    show_default=True,
    type=click.IntRange(1),
    help="Failed logins per client address in --login-window (for any user names).",
)
@click.option(
    "--forwarded-allow-ips",
    default=None,
    envvar="TRUCEWATCH_FORWARDED_ALLOW_IPS",
    help="Proxies (comma-separated addresses, or '*') whose X-Forwarded-For names the client: "
    "set it behind a TLS proxy, or every client counts as the proxy's address.",
)
@click.option(
    "--login-window",
    default=300,
    envvar="TRUCEWATCH_LOGIN_WINDOW",
    show_default=True,
    type=click.IntRange(1),
    help="Seconds over which failed logins are counted.",
)
@click.option(
    "--secure-cookies/--no-secure-cookies",
    default=False,
    envvar="TRUCEWATCH_SECURE_COOKIES",
    help="Mark cookies Secure: set it when a TLS proxy serves the app.",
)
@click.option(
    "--watch-config",
    type=click.Path(dir_okay=False),
    envvar="TRUCEWATCH_CONFIG",
    help="The `trucewatch watch` config whose sources the Sources page shows.",
)
def serve(
    db: str,
    host: str,
    port: int,
    public_read: bool,
    mission: str,
    max_body: int,
    login_attempts: int,
    login_window: int,
    login_address_attempts: int,
    forwarded_allow_ips: str | None,
    secure_cookies: bool,
    watch_config: str | None,
) -> None:
    """Serve the dashboard, the review queue and the API (described at /api; OpenAPI schema at
    /openapi.json)."""

    from trucewatch.store import StoreError
    from trucewatch.web.app import create_app
    from trucewatch.web.settings import WebSettings

    settings = WebSettings(
        db=db,
        public_read=public_read,
        mission=mission,
        max_body_bytes=max_body,
        login_attempts=login_attempts,
        login_window=dt.timedelta(seconds=login_window),
        login_address_attempts=login_address_attempts,
        forwarded_allow_ips=forwarded_allow_ips,
        secure_cookies=secure_cookies,
        watch_config=watch_config,
    )
    try:
        app = create_app(settings)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"trucewatch serving {db} on http://{host}:{port}/", err=True)
    _run(app, host, port)


SHUTDOWN_SECONDS = 5
"""On SIGTERM or Ctrl-C, requests still running after this many seconds are cancelled."""


def _run(app: object, host: str, port: int) -> None:
    """Serve `app` with uvicorn until SIGTERM or SIGINT. On either signal every extraction in
    progress also stops at its next check (trucewatch.extract.timelimit.stop_all), so the shutdown
    does not wait for a long report to finish."""
    import uvicorn

    from trucewatch.extract.timelimit import stop_all

    class Server(uvicorn.Server):
        def handle_exit(self, sig: int, frame: FrameType | None) -> None:
            stop_all()
            super().handle_exit(sig, frame)

    config = uvicorn.Config(
        app,  # type: ignore[arg-type]
        host=host,
        port=port,
        log_level="info",
        proxy_headers=False,
        timeout_graceful_shutdown=SHUTDOWN_SECONDS,
    )
    Server(config).run()
