"""How alerts reach people, once: the Alert message, its channels (a webhook: one JSON POST; an
e-mail: plain text over SMTP), and the record of what was sent.

`Dispatcher.dispatch` hands each alert (or, in digest mode, all of them in one message) to every
channel and records an alert in `alerts_sent(rule, key, sent_at)` (SQLite, stdlib sqlite3) only
once every channel took it. A channel that took it while another failed is remembered in
`alerts_delivered(rule, key, channel)`, so the retry on the next check goes to the failed
channel only and working channels see no repeats.

The senders `post_webhook` and `send_mail` raise `DeliveryError` with a message naming the
destination and what went wrong (status, timeout, refused connection, SMTP reply); nothing
else escapes them. Passwords are never part of the configuration: `SmtpConfig.password_env`
names the environment variable that holds one, read when a message is sent.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import os
import smtplib
import sqlite3
import ssl
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any, Protocol

import httpx
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from trucewatch.models import Claim, PeriodReport, StoredDocument
from trucewatch.report.describe import side_name

DEFAULT_TIMEOUT = 10.0
USER_AGENT = "trucewatch-alerts/1"
log = logging.getLogger(__name__)
DocumentLookup = Callable[[str], StoredDocument | None]


class DeliveryError(Exception):
    """An alert could not be handed over to its destination."""


class WebhookConfig(BaseModel):
    """One `[[alerts.webhooks]]` entry."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str
    headers: dict[str, str] = Field(default_factory=dict)
    timeout: float = Field(default=DEFAULT_TIMEOUT, gt=0)

    @field_validator("url")
    @classmethod
    def _http_url(cls, url: str) -> str:
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"webhook url must start with http:// or https://: {url!r}")
        return url


class SmtpConfig(BaseModel):
    """The `[alerts.smtp]` table."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    host: str
    port: int = Field(default=25, ge=1, le=65535)
    sender: str
    to: list[str] = Field(min_length=1)
    starttls: bool = False
    ssl: bool = Field(default=False, description="SMTP over TLS from the start (port 465)")
    username: str | None = None
    password_env: str | None = Field(
        default=None, description="name of the environment variable holding the password"
    )
    timeout: float = Field(default=DEFAULT_TIMEOUT, gt=0)

    @model_validator(mode="after")
    def _consistent(self) -> SmtpConfig:
        if self.starttls and self.ssl:
            raise ValueError("smtp: choose starttls or ssl, not both")
        if (self.username is None) != (self.password_env is None):
            raise ValueError("smtp: username and password_env go together")
        return self

    @property
    def destination(self) -> str:
        return f"smtp://{self.host}:{self.port} to {', '.join(self.to)}"

    def password(self) -> str | None:
        """The password from `password_env`; DeliveryError when that variable is not set."""
        if self.password_env is None:
            return None
        value = os.environ.get(self.password_env)
        if value is None:
            raise DeliveryError(
                f"{self.destination}: environment variable {self.password_env} is not set"
            )
        return value


@functools.cache
def _tls() -> ssl.SSLContext:
    """httpx's default TLS context, built once: building it costs ~20 ms per request."""
    return httpx.create_ssl_context()


def post_webhook(
    url: str,
    payload: Mapping[str, Any],
    headers: Mapping[str, str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> None:
    """POST `payload` as JSON to `url`; DeliveryError on a non-2xx answer or any failure."""
    sent_headers = {"User-Agent": USER_AGENT, **(headers or {})}
    try:
        response = httpx.post(
            url, json=dict(payload), headers=sent_headers, timeout=timeout, verify=_tls()
        )
    except httpx.TimeoutException as error:
        raise DeliveryError(f"webhook {url}: timed out after {timeout:g} s") from error
    except httpx.HTTPError as error:
        raise DeliveryError(f"webhook {url}: {type(error).__name__}: {error}") from error
    if not response.is_success:
        reason = response.reason_phrase or ""
        raise DeliveryError(f"webhook {url}: HTTP {response.status_code} {reason}".rstrip())


def send_mail(smtp_cfg: SmtpConfig | Mapping[str, Any], subject: str, body: str) -> None:
    """Send a plain-text e-mail to `smtp_cfg.to`; DeliveryError when no recipient got it (some
    recipients refused while others accepted is only logged: a retry would repeat it to them)."""
    cfg = smtp_cfg if isinstance(smtp_cfg, SmtpConfig) else SmtpConfig.model_validate(smtp_cfg)
    message = EmailMessage()
    message["From"] = cfg.sender
    message["To"] = ", ".join(cfg.to)
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain="trucewatch")
    message.set_content(body)
    password = cfg.password()
    try:
        client: smtplib.SMTP
        if cfg.ssl:
            context = ssl.create_default_context()
            client = smtplib.SMTP_SSL(cfg.host, cfg.port, timeout=cfg.timeout, context=context)
        else:
            client = smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout)
        with client:
            if cfg.starttls:
                client.starttls(context=ssl.create_default_context())
            if cfg.username is not None and password is not None:
                client.login(cfg.username, password)
            refused = client.send_message(message)
    except smtplib.SMTPResponseException as error:
        raw = error.smtp_error
        detail = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
        raise DeliveryError(f"{cfg.destination}: SMTP {error.smtp_code} {detail}") from error
    except (smtplib.SMTPException, OSError) as error:
        raise DeliveryError(f"{cfg.destination}: {type(error).__name__}: {error}") from error
    if refused:  # the others have it: a retry would repeat it to them, so only warn
        log.warning("%s: recipients refused: %s", cfg.destination, ", ".join(refused))


# --- the message -----------------------------------------------------------------------------


class EvidenceItem(BaseModel):
    """One claim (or period report) behind an alert, with the report it comes from."""

    claim_id: str
    incident_id: str | None = None
    claimant: str
    stance: str = Field(description="asserts | denies | neutral, or period_report")
    sentences: list[str] = Field(default_factory=list)
    document_id: str
    url: str | None = None
    outlet: str | None = None

    @classmethod
    def of(cls, item: Claim | PeriodReport, documents: DocumentLookup) -> EvidenceItem:
        doc = documents(item.document_id)
        source = {"url": doc.url, "outlet": doc.outlet} if doc else {}
        if isinstance(item, PeriodReport):
            said = [item.evidence] if item.evidence else []
            return cls(
                claim_id=item.id,
                claimant=item.source,
                stance="period_report",
                sentences=said,
                document_id=item.document_id,
                **source,
            )
        return cls(
            claim_id=item.id,
            incident_id=item.incident_id,
            claimant=item.event.source,
            stance=item.event.stance,
            sentences=[e.sentence for e in item.event.evidence if e.sentence],
            document_id=item.document_id,
            **source,
        )


class Alert(BaseModel):
    """One rule firing for one incident (or, for `daily_count`, one day)."""

    rule: str
    kind: str
    key: str = Field(description="the de-duplication key: incident id, or ISO day")
    incident_id: str | None = None
    day: dt.date | None = None
    title: str
    text: str
    evidence: list[EvidenceItem] = Field(default_factory=list)
    link: str | None = None
    created_at: dt.datetime
    delivered: bool = Field(default=False, description="every channel took it")
    errors: list[str] = Field(default_factory=list, description="failed deliveries")

    @property
    def ident(self) -> tuple[str, str]:
        return (self.rule, self.key)

    def payload(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude={"delivered", "errors"})

    def body(self) -> str:
        lines = [self.text, ""]
        if self.link:
            lines.append(f"Link: {self.link}")
        lines.append("Evidence:")
        for item in self.evidence:
            said = " ".join(f"\u201c{s}\u201d" for s in item.sentences) or "(no sentence kept)"
            where = item.url or f"document {item.document_id}"
            lines.append(f"- {side_name(item.claimant)}, {item.stance}: {said} ({where})")
        lines.append(f"Rule: {self.rule} ({self.kind}), key {self.key}")
        return "\n".join(lines)


def digest_payload(alerts: Sequence[Alert]) -> dict[str, Any]:
    text = f"{len(alerts)} alerts: " + "; ".join(a.title for a in alerts)
    return {
        "digest": True,
        "count": len(alerts),
        "text": text,
        "alerts": [a.payload() for a in alerts],
    }


# --- channels --------------------------------------------------------------------------------


class Channel(Protocol):
    """A destination; `send` raises DeliveryError when the message did not get there."""

    @property
    def id(self) -> str: ...

    def send(self, alerts: Sequence[Alert], digest: bool) -> None: ...


class WebhookChannel:
    def __init__(self, cfg: WebhookConfig) -> None:
        self.cfg = cfg

    @property
    def id(self) -> str:
        return f"webhook {self.cfg.url}"

    def send(self, alerts: Sequence[Alert], digest: bool) -> None:
        payload = digest_payload(alerts) if digest else alerts[0].payload()
        post_webhook(self.cfg.url, payload, self.cfg.headers, self.cfg.timeout)


class MailChannel:
    def __init__(self, cfg: SmtpConfig) -> None:
        self.cfg = cfg

    @property
    def id(self) -> str:
        return self.cfg.destination

    def send(self, alerts: Sequence[Alert], digest: bool) -> None:
        if not digest:
            send_mail(self.cfg, f"[trucewatch] {alerts[0].title}", alerts[0].body())
            return
        blocks = [f"{n}. {a.title}\n\n{a.body()}" for n, a in enumerate(alerts, 1)]
        send_mail(self.cfg, f"[trucewatch] {len(alerts)} new alerts", "\n\n".join(blocks))


def channels_for(webhooks: Sequence[WebhookConfig], smtp: SmtpConfig | None) -> list[Channel]:
    channels: list[Channel] = [WebhookChannel(w) for w in webhooks]
    return channels + ([MailChannel(smtp)] if smtp is not None else [])


# --- what was sent, and the dispatcher -------------------------------------------------------


class SentLog:
    """The `alerts_sent` / `alerts_delivered` tables in the SQLite file at `path`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as conn:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS alerts_sent (rule TEXT NOT NULL, key TEXT NOT NULL, "
                "sent_at TEXT NOT NULL, PRIMARY KEY (rule, key))"
            )
            conn.execute(
                "CREATE TABLE IF NOT EXISTS alerts_delivered (rule TEXT NOT NULL, "
                "key TEXT NOT NULL, channel TEXT NOT NULL, delivered_at TEXT NOT NULL, "
                "PRIMARY KEY (rule, key, channel))"
            )

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.path, timeout=30)) as conn, conn:
            yield conn

    def sent(self, rule: str) -> set[str]:
        """Keys already alerted for `rule`."""
        with self._connect() as conn:
            rows = conn.execute("SELECT key FROM alerts_sent WHERE rule = ?", (rule,))
            return {key for (key,) in rows}

    def delivered(self, channel: str) -> set[tuple[str, str]]:
        """(rule, key) of not-yet-sent alerts that `channel` already took."""
        with self._connect() as conn:
            query = "SELECT rule, key FROM alerts_delivered WHERE channel = ?"
            return {(rule, key) for rule, key in conn.execute(query, (channel,))}

    def mark_delivered(self, alerts: Sequence[Alert], channel: str) -> None:
        at = dt.datetime.now(dt.UTC).isoformat()
        with self._connect() as conn:
            conn.executemany(
                "INSERT OR IGNORE INTO alerts_delivered VALUES (?, ?, ?, ?)",
                [(*a.ident, channel, at) for a in alerts],
            )

    def mark_sent(self, alerts: Sequence[Alert]) -> None:
        at = dt.datetime.now(dt.UTC).isoformat()
        with self._connect() as conn:
            done = [a.ident for a in alerts]
            conn.executemany(
                "INSERT OR IGNORE INTO alerts_sent VALUES (?, ?, ?)", [(*d, at) for d in done]
            )
            conn.executemany("DELETE FROM alerts_delivered WHERE rule = ? AND key = ?", done)


class Dispatcher:
    """Delivers alerts to every channel, each alert or one digest per channel, and records
    them in `log` as they succeed."""

    def __init__(self, channels: Sequence[Channel], log: SentLog, *, digest: bool) -> None:
        self.channels = list(channels)
        self.log = log
        self.digest = digest

    def dispatch(self, alerts: Sequence[Alert]) -> list[Alert]:
        """`alerts` with `delivered` and `errors` set; the delivered ones are recorded as sent
        (with no channel configured, that is all of them)."""
        errors: dict[tuple[str, str], list[str]] = {a.ident: [] for a in alerts}
        for channel in self.channels:
            done = self.log.delivered(channel.id)
            pending = [a for a in alerts if a.ident not in done]
            batches = [pending] if self.digest and pending else [[a] for a in pending]
            for batch in batches:
                try:
                    channel.send(batch, self.digest)
                except DeliveryError as error:
                    log.warning("alert delivery failed (retried next check): %s", error)
                    for a in batch:
                        errors[a.ident].append(str(error))
                else:
                    self.log.mark_delivered(batch, channel.id)
        self.log.mark_sent([a for a in alerts if not errors[a.ident]])
        return [
            a.model_copy(update={"delivered": not errors[a.ident], "errors": errors[a.ident]})
            for a in alerts
        ]
