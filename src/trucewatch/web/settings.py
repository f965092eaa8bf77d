"""Settings of `trucewatch serve`: every limit configurable, each from an option or TRUCEWATCH_*."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field


class WebSettings(BaseModel):
    """What the web app serves and how much it accepts."""

    db: str = "trucewatch.db"
    mission: str = Field(
        default="Monitoring mission", description="the source name of observations recorded here"
    )
    public_read: bool = Field(
        default=False, description="anyone may read (as a viewer) without logging in"
    )
    max_body_bytes: int = Field(default=2_000_000, ge=1024, description="largest request body")
    login_attempts: int = Field(
        default=5, ge=1, description="failed logins per user name before each attempt waits"
    )
    login_window: dt.timedelta = Field(default=dt.timedelta(minutes=5))
    login_address_attempts: int = Field(
        default=50, ge=1, description="failed logins per client address per window"
    )
    forwarded_allow_ips: str | None = Field(
        default=None,
        description="proxies trusted for X-Forwarded-For (comma-separated addresses or '*'): "
        "the client address is read from the header they set",
    )
    session_ttl: dt.timedelta = Field(default=dt.timedelta(hours=12))
    secure_cookies: bool = Field(
        default=False, description="mark cookies Secure (set it when served over HTTPS)"
    )
    page_size: int = Field(default=50, ge=1, le=1000)
    max_page_size: int = Field(default=500, ge=1, le=10_000)
    map_limit: int = Field(default=5000, ge=1, description="most incidents drawn on a map")
    aggregate_limit: int = Field(
        default=20_000, ge=1, description="most incidents the timeline and matrix APIs count"
    )
    export_limit: int = Field(default=20_000, ge=1, description="most incidents one export has")
    watch_config: str | None = Field(
        default=None, description="the `trucewatch watch` config whose sources /sources shows"
    )
