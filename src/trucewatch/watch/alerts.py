"""Alerts of the live monitor: rules over the registry, delivered once by webhook and/or e-mail.

The `[alerts]` table of the watch config (TOML), as `AlertEngine.from_config` takes it::

    [alerts]
    base_url = "https://monitor.example.org"  # optional: links are <base_url>/incidents/<id>
    digest = false        # true: one message per check (and channel) holding all new alerts
    lookback_days = 30    # optional: skip incidents (days) whose first date is older

    [[alerts.rules]]      # `name` is unique and part of the de-duplication key
    name = "karabakh-new"
    kind = "new_violation"                    # each current violation in `ceasefire`
    ceasefire = "armenia-azerbaijan:2020-trilateral-ceasefire"
    [[alerts.rules]]
    name = "busy-day"
    kind = "daily_count"  # our violations per first date (tallies left out, as in bulletins)
    above = 10            # count > 10, and/or count > factor x mean of the previous 7 days
    factor = 3.0          # when at least `min_days` (1-7, default 7) of them are on record
    [[alerts.rules]]
    name = "deaths"
    kind = "casualties"
    at_least = 1
    field = "killed"      # or "injured"; figure = "high" (default) or "best" (lowest claimed)
    [[alerts.rules]]
    name = "firsts"
    kind = "first_attribution"  # first incident where a claimant blames a given side
    claimant = "Russia"         # optional (case ignored)
    [[alerts.rules]]
    name = "denials"
    kind = "denial"             # an incident some party denies

    [[alerts.webhooks]]   # any number: one JSON POST per alert (or per digest)
    url = "https://hooks.example.org/trucewatch"
    headers = { Authorization = "Bearer ..." }   # optional; timeout = 10 (s) optional

    [alerts.smtp]         # optional
    host = "smtp.example.org"
    port = 587
    sender = "trucewatch@example.org"
    to = ["desk@example.org"]
    starttls = true       # or ssl = true (SMTPS); timeout = 10 (s) optional
    username = "trucewatch"                    # optional, with password_env: the name of the
    password_env = "TRUCEWATCH_SMTP_PASSWORD"  # environment variable holding the password

Every rule but `new_violation` takes an optional `ceasefire`. Rules see only our own current
violent incidents and period reports, never imported (ACLED/UCDP) reference data. A webhook
gets one alert as a JSON object (the `Alert` fields) or a digest {"digest": true, "count",
"text", "alerts": [...]}. De-duplication and retries: `delivery.Dispatcher`.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal, NamedTuple
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from trucewatch.link.rules import is_tally
from trucewatch.models import (
    OURS,
    REFERENCE_ORIGINS,
    VIOLENT_TYPES,
    Claim,
    Incident,
    PeriodReport,
    origin_of,
    validation_problems,
)
from trucewatch.report import describe
from trucewatch.store.sql import SqlStore
from trucewatch.watch import delivery
from trucewatch.watch.delivery import Alert, DeliveryError, EvidenceItem, SmtpConfig, WebhookConfig

__all__ = ["Alert", "AlertConfigError", "AlertEngine", "AlertsConfig", "EvidenceItem"]

log = logging.getLogger(__name__)
HISTORY_DAYS = 7


class AlertConfigError(ValueError):
    """The `[alerts]` table is malformed; the message names the offending entries."""


# --- configuration -------------------------------------------------------------------------


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    ceasefire: str | None = None


class NewViolationRule(_Rule):
    kind: Literal["new_violation"]
    ceasefire: str


class DailyCountRule(_Rule):
    kind: Literal["daily_count"]
    above: int | None = Field(default=None, ge=0)
    factor: float | None = Field(default=None, gt=0)
    min_days: int = Field(default=HISTORY_DAYS, ge=1, le=HISTORY_DAYS)

    @model_validator(mode="after")
    def _threshold(self) -> DailyCountRule:
        if self.above is None and self.factor is None:
            raise ValueError("daily_count needs `above` or `factor` (or both)")
        return self


class CasualtiesRule(_Rule):
    kind: Literal["casualties"]
    at_least: int = Field(ge=1)
    field: Literal["killed", "injured"] = "killed"
    figure: Literal["high", "best"] = "high"


class FirstAttributionRule(_Rule):
    kind: Literal["first_attribution"]
    claimant: str | None = None


class DenialRule(_Rule):
    kind: Literal["denial"]


Rule = Annotated[
    NewViolationRule | DailyCountRule | CasualtiesRule | FirstAttributionRule | DenialRule,
    Field(discriminator="kind"),
]


class AlertsConfig(BaseModel):
    """The validated `[alerts]` table (see the module docstring)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    base_url: str | None = None
    digest: bool = False
    lookback_days: int | None = Field(default=None, ge=0)
    rules: list[Rule] = Field(min_length=1)
    webhooks: list[WebhookConfig] = Field(default_factory=list)
    smtp: SmtpConfig | None = None

    @model_validator(mode="after")
    def _unique_names(self) -> AlertsConfig:
        repeated = [n for n, k in Counter(r.name for r in self.rules).items() if k > 1]
        if repeated:
            raise ValueError(f"rule names must be unique: {', '.join(sorted(repeated))}")
        return self

    @classmethod
    def parse(cls, cfg: Mapping[str, Any]) -> AlertsConfig:
        try:
            return cls.model_validate(dict(cfg))
        except ValidationError as error:
            problems = "; ".join(validation_problems(error.errors(), top="alerts"))
            raise AlertConfigError(f"[alerts]: {problems}") from error


class _Hit(NamedTuple):
    key: str
    title: str
    text: str
    incident: Incident | None = None
    day: dt.date | None = None
    claims: Sequence[Claim] = ()
    reports: Sequence[PeriodReport] = ()


def _when(incident: Incident) -> str:
    first, last = incident.first_date, incident.last_date
    if first is None:
        return "Undated"
    return first.isoformat() if last in (None, first) else f"{first} to {last}"


def _label(incident: Incident) -> str:
    where = describe.place(incident)
    near = f" near {where}" if where else ""
    return f"{incident.type.replace('_', ' ')}{near}, {_when(incident)}"


def _incident_hit(incident: Incident, title: str) -> _Hit:
    text = f"{_when(incident)}: {describe.notes(incident)}"
    return _Hit(incident.id, title, text, incident, None, describe.current_claims(incident))


# --- rules ---------------------------------------------------------------------------------


class _Snapshot:
    """What one check reads from the store: our incidents and period reports."""

    def __init__(self, store: SqlStore, now: dt.datetime, lookback_days: int | None) -> None:
        self.today = now.date()
        self.oldest = None if lookback_days is None else self.today - dt.timedelta(lookback_days)
        everything = store.incidents(include_historical=True)
        self.all = [i for i in everything if origin_of(i) == OURS]
        imported = tuple(o + ":" for o in REFERENCE_ORIGINS)
        self.reports = [r for r in store.period_reports() if not r.document_id.startswith(imported)]

    def recent(self, day: dt.date | None) -> bool:
        if day is None:
            return True
        return day <= self.today and (self.oldest is None or day >= self.oldest)

    def violations(self, ceasefire: str | None) -> list[Incident]:
        """Current violent incidents of ours in scope (all dates)."""
        return [
            i
            for i in self.all
            if i.type in VIOLENT_TYPES
            and not i.historical
            and (ceasefire is None or i.ceasefire_id == ceasefire)
        ]


def _new_violation(rule: NewViolationRule, snap: _Snapshot) -> Iterator[_Hit]:
    for i in snap.violations(rule.ceasefire):
        if snap.recent(i.first_date):
            yield _incident_hit(i, f"New violation ({rule.ceasefire}): {_label(i)}")


def _casualties(rule: CasualtiesRule, snap: _Snapshot) -> Iterator[_Hit]:
    for i in snap.violations(rule.ceasefire):
        figures, _ = describe.casualties(i, rule.field)
        value = figures.high if rule.figure == "high" else figures.best
        value = figures.best if value is None else value
        if value is not None and value >= rule.at_least and snap.recent(i.first_date):
            span = f"{figures.low}-{figures.high}" if figures.low != figures.high else f"{value}"
            yield _incident_hit(i, f"{span} {rule.field} reported: {_label(i)}")


def _first_attribution(rule: FirstAttributionRule, snap: _Snapshot) -> Iterator[_Hit]:
    wanted = rule.claimant.casefold() if rule.claimant else None
    seen: set[tuple[str, str]] = set()
    for i in snap.all:  # by first date: "first" is first in the record, background included
        fresh = [p for p in describe.blame_pairs(i) if p not in seen] if not i.historical else []
        seen.update(describe.blame_pairs(i, with_history=True))
        in_scope = rule.ceasefire is None or i.ceasefire_id == rule.ceasefire
        fresh = [(c, a) for c, a in fresh if wanted is None or c.casefold() == wanted]
        if fresh and in_scope and i.type in VIOLENT_TYPES and snap.recent(i.first_date):
            pairs = "; ".join(f"{describe.side_name(c)} blames {a}" for c, a in fresh)
            yield _incident_hit(i, f"First attribution ({pairs}): {_label(i)}")


def _denial(rule: DenialRule, snap: _Snapshot) -> Iterator[_Hit]:
    for i in snap.violations(rule.ceasefire):
        who = describe.deniers(i)
        if who and snap.recent(i.first_date):
            names = " and ".join(describe.side_name(s) for s in who)
            yield _incident_hit(i, f"Denied by {names}: {_label(i)}")


def _daily_count(rule: DailyCountRule, snap: _Snapshot) -> Iterator[_Hit]:
    by_day: dict[dt.date, list[Incident]] = {}
    for i in snap.violations(rule.ceasefire):
        if i.first_date is not None and not (i.claims and all(is_tally(c) for c in i.claims)):
            by_day.setdefault(i.first_date, []).append(i)
    reports = [r for r in snap.reports if rule.ceasefire in (None, r.ceasefire_id)]
    known = [*by_day, *(d for r in reports for d in (r.start, r.end) if d is not None)]
    if not known:
        return
    start = min(known)  # the record (incidents and period reports, zero ones too) begins here
    scope = f" in {rule.ceasefire}" if rule.ceasefire else ""
    for day in sorted(by_day):
        count = len(by_day[day])
        history = [day - dt.timedelta(n) for n in range(1, HISTORY_DAYS + 1)]
        history = [d for d in history if d >= start]
        mean = sum(len(by_day.get(d, [])) for d in history) / len(history) if history else 0.0
        reasons = []
        if rule.above is not None and count > rule.above:
            reasons.append(f"above {rule.above}")
        if rule.factor is not None and len(history) >= rule.min_days and count > rule.factor * mean:
            reasons.append(
                f"above {rule.factor:g} x the mean of the previous {len(history)} days ({mean:.1f})"
            )
        if not reasons or not snap.recent(day):
            continue
        title = f"{count} violation{'s' * (count != 1)}{scope} on {day}"
        text = f"{title}, by first date ({' and '.join(reasons)}). " + " ".join(
            f"{i.id}: {describe.notes(i)}" for i in by_day[day]
        )
        covering = [r for r in reports if _covers(r, day)]
        for r in covering:
            text += f" {describe.side_name(r.source)} reported {r.count} for {_period(r)}."
        claims = [c for i in by_day[day] for c in describe.current_claims(i)]
        yield _Hit(day.isoformat(), title, text, None, day, claims, covering)


def _covers(report: PeriodReport, day: dt.date) -> bool:
    start, end = report.start or report.end, report.end or report.start
    return start is not None and end is not None and start <= day <= end


def _period(report: PeriodReport) -> str:
    if report.start == report.end or report.end is None:
        return str(report.start)
    return f"{report.start or '?'} to {report.end}"


_EVALUATE: dict[str, Callable[[Any, _Snapshot], Iterator[_Hit]]] = {
    "new_violation": _new_violation,
    "daily_count": _daily_count,
    "casualties": _casualties,
    "first_attribution": _first_attribution,
    "denial": _denial,
}


# --- the engine ----------------------------------------------------------------------------


class AlertEngine:
    """Evaluates the rules against a store, delivers what is new, remembers what was sent."""

    def __init__(
        self,
        config: AlertsConfig,
        store: SqlStore,
        state_path: Path,
        channels: Sequence[delivery.Channel] | None = None,
    ) -> None:
        self.config = config
        self.store = store
        self.sent_log = delivery.SentLog(state_path)
        if channels is None:
            channels = delivery.channels_for(config.webhooks, config.smtp)
        self.dispatcher = delivery.Dispatcher(channels, self.sent_log, digest=config.digest)
        known = {c.id for c in store.ceasefires()}
        for rule in config.rules:
            if rule.ceasefire is not None and rule.ceasefire not in known:
                log.warning("alert rule %s: ceasefire %r is not stored", rule.name, rule.ceasefire)

    @classmethod
    def from_config(cls, cfg: Mapping[str, Any], store: SqlStore, state_path: Path) -> AlertEngine:
        """An engine for the `[alerts]` table `cfg`; AlertConfigError when it is malformed."""
        config = AlertsConfig.parse(cfg)
        if config.smtp is not None:
            try:
                config.smtp.password()  # fail now, not at the first alert
            except DeliveryError as error:
                raise AlertConfigError(f"[alerts.smtp]: {error}") from error
        return cls(config, store, state_path)

    def evaluate(self, now: dt.datetime | None = None) -> list[Alert]:
        """The alerts the rules raise at `now` that were not sent yet (nothing is delivered)."""
        now = now or dt.datetime.now(dt.UTC)
        snap = _Snapshot(self.store, now, self.config.lookback_days)
        docs = functools.cache(self.store.get_document)
        alerts = []
        for rule in self.config.rules:
            sent = self.sent_log.sent(rule.name)
            alerts += [
                self._alert(rule, h, now, docs)
                for h in _EVALUATE[rule.kind](rule, snap)
                if h.key not in sent
            ]
        return alerts

    def check(self, now: dt.datetime | None = None) -> list[Alert]:
        """Evaluate, deliver the new alerts, record those every channel took; return them all
        (`delivered` False and `errors` set for the ones retried on the next check)."""
        alerts = self.evaluate(now)
        return self.dispatcher.dispatch(alerts) if alerts else []

    def _alert(
        self, rule: Rule, hit: _Hit, now: dt.datetime, docs: delivery.DocumentLookup
    ) -> Alert:
        items: list[Claim | PeriodReport] = [*hit.claims, *hit.reports]
        return Alert(
            rule=rule.name,
            kind=rule.kind,
            key=hit.key,
            incident_id=hit.incident.id if hit.incident else None,
            day=hit.day,
            title=hit.title,
            text=hit.text,
            evidence=[EvidenceItem.of(x, docs) for x in items],
            link=self._link(rule, hit),
            created_at=now,
        )

    def _link(self, rule: Rule, hit: _Hit) -> str | None:
        base = (self.config.base_url or "").rstrip("/")
        if not base:
            return None
        if hit.incident is not None:
            return f"{base}/incidents/{quote(hit.incident.id, safe='')}"
        query = f"since={hit.key}&until={hit.key}"
        if rule.ceasefire:
            query += f"&ceasefire={quote(rule.ceasefire, safe='')}"
        return f"{base}/incidents?{query}"
