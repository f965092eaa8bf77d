"""Daily bulletin of one ceasefire: what was claimed about one day, by whom, with its evidence.

`build_bulletin` is a pure function over registry records; `render_markdown` and `render_html`
turn its result into text through the jinja2 templates in `report/templates/`.

Counting rules:
- a violation of the day is an incident whose `first_date..last_date` covers the day (an
  incident without a first date is never counted), whose type is violent and that is not
  historical; with a ceasefire given, incidents tied to another ceasefire are left out;
- the claimed perpetrators of an incident are the actors of its asserting, non-historical claims
  (plus its `blamed` summary); an incident nobody attributes counts as "unattributed"; an
  incident blamed on two sides (each blaming the other) counts once for each;
- casualties use the incident's `killed`/`injured` summary when it is set (a reviewer may have
  edited it), else the range of the figures its reporting claims give (best = lowest, ACLED's
  conservative practice);
- a "first" is a (claimant, actor) pair asserted today that no incident of `earlier` or
  `previous_day` carries, historical claims included.

Every figure carries the ids of the claims behind it; `Bulletin.claims` maps each id to its
claimant, evidence sentence and, when `documents` has the document, its url and title.
All report text is untrusted: the HTML template autoescapes, the Markdown one escapes markup.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from typing import Literal
from urllib.parse import quote, urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined
from pydantic import BaseModel, Field

from trucewatch.link.rules import is_tally
from trucewatch.models import (
    VIOLENT_TYPES,
    CasualtyRange,
    Ceasefire,
    Claim,
    Incident,
    PeriodReport,
    StoredDocument,
)
from trucewatch.report.describe import (
    UNATTRIBUTED,
    add_ids,
    blame_pairs,
    casualties,
    claimants,
    current_claims,
    deniers,
    perpetrators,
    place,
    reporting_claims,
    side_name,
    statements,
)

NOT_STATED = "not stated"


class ClaimRef(BaseModel):
    """What a reader needs to check one claim: who said it, the sentence, the document."""

    id: str
    claimant: str
    stance: str
    evidence: str
    document_id: str
    url: str | None = None
    title: str | None = None


class Figure(BaseModel):
    label: str
    value: int
    claim_ids: list[str] = Field(default_factory=list)


class Statement(BaseModel):
    text: str
    claim_ids: list[str] = Field(default_factory=list)


class Casualties(BaseModel):
    low: int | None = None
    best: int | None = None
    high: int | None = None
    text: str = Field(description='"2–5 killed", "0 killed", "killed: not stated"')
    claim_ids: list[str] = Field(default_factory=list)


class IncidentEntry(BaseModel):
    id: str
    type: str
    first_date: dt.date | None
    last_date: dt.date | None
    place: str
    perpetrators: list[str]
    claimants: list[str]
    weapons: list[str]
    killed: Casualties
    injured: Casualties
    statements: list[Statement]
    denials: list[Statement]


class PeriodLine(BaseModel):
    id: str
    source: str
    count: int
    start: dt.date | None
    end: dt.date | None
    text: str
    evidence: str
    document_id: str
    url: str | None = None
    title: str | None = None


class Change(BaseModel):
    label: str
    today: int
    previous: int

    @property
    def delta(self) -> int:
        return self.today - self.previous

    @property
    def diff(self) -> str:
        return "no change" if self.delta == 0 else f"{self.delta:+d}"

    @property
    def text(self) -> str:
        return f"{self.today} (previous day {self.previous}, {self.diff})"


class First(BaseModel):
    claimant: str
    actor: str
    text: str
    claim_ids: list[str]


class Bulletin(BaseModel):
    day: dt.date
    ceasefire: Ceasefire | None = None
    ceasefire_in_force: bool | None = None
    total: Figure
    by_perpetrator: list[Figure]
    by_claimant: list[Figure]
    by_weapon: list[Figure]
    by_place: list[Figure]
    by_denier: list[Figure]
    incidents: list[IncidentEntry]
    period_reports: list[PeriodLine]
    change: Change
    change_by_perpetrator: list[Change]
    firsts: list[First]
    claims: dict[str, ClaimRef]


# --- the bulletin ----------------------------------------------------------------------------


def _in_scope(ceasefire_id: str | None, ceasefire: Ceasefire | None) -> bool:
    return ceasefire is None or ceasefire_id in (None, ceasefire.id)


def violations_on(
    day: dt.date, incidents: Iterable[Incident], ceasefire: Ceasefire | None = None
) -> list[Incident]:
    """The incidents a monitor counts for `day` (see the module docstring). A tally ("violated
    the ceasefire four times") is an aggregate statement, shown with the period reports, not
    an act counted beside the acts it sums up."""
    return [
        i
        for i in incidents
        if i.type in VIOLENT_TYPES
        and not i.historical
        and i.first_date is not None
        and i.first_date <= day <= (i.last_date or i.first_date)
        and _in_scope(i.ceasefire_id, ceasefire)
        and not (i.claims and all(is_tally(c) for c in i.claims))
    ]


def _figures(table: Mapping[str, tuple[int, list[str]]]) -> list[Figure]:
    figures = [Figure(label=k, value=n, claim_ids=ids) for k, (n, ids) in table.items()]
    return sorted(figures, key=lambda f: (f.label in (UNATTRIBUTED, NOT_STATED), -f.value, f.label))


def _tally(rows: Iterable[Mapping[str, list[str]]]) -> list[Figure]:
    """Each mapping is one incident's label -> claim ids; a label counts once per incident."""
    table: dict[str, tuple[int, list[str]]] = {}
    for row in rows:
        for label, ids in row.items():
            count, bucket = table.get(label, (0, []))
            bucket.extend(i for i in ids if i not in bucket)
            table[label] = (count + 1, bucket)
    return _figures(table)


def _weapons(incident: Incident) -> dict[str, list[str]]:
    table: dict[str, list[str]] = {}
    for claim in reporting_claims(incident):
        if claim.event.weapon:
            add_ids(table, claim.event.weapon, [claim.id])
    return table or {NOT_STATED: [c.id for c in reporting_claims(incident)]}


def range_text(rng: CasualtyRange) -> str | None:
    """ "2–5" when figures disagree, "0", "3"; None when no figure is known."""
    low = rng.low if rng.low is not None else rng.best
    high = rng.high if rng.high is not None else rng.best
    if low is None or high is None:
        return None
    return str(low) if low == high else f"{low}–{high}"


def _casualties(incident: Incident, field: Literal["killed", "injured"]) -> Casualties:
    rng, ids = casualties(incident, field)
    shown = range_text(rng)
    text = f"{field}: {NOT_STATED}" if shown is None else f"{shown} {field}"
    return Casualties(low=rng.low, best=rng.best, high=rng.high, text=text, claim_ids=ids)


def _entry(incident: Incident) -> IncidentEntry:
    said, denied = statements(incident)
    return IncidentEntry(
        id=incident.id,
        type=incident.type,
        first_date=incident.first_date,
        last_date=incident.last_date,
        place=place(incident) or NOT_STATED,
        perpetrators=list(perpetrators(incident)),
        claimants=list(claimants(incident)),
        weapons=list(_weapons(incident)),
        killed=_casualties(incident, "killed"),
        injured=_casualties(incident, "injured"),
        statements=[Statement(text=t, claim_ids=ids) for t, ids in said.items()],
        denials=[Statement(text=t, claim_ids=ids) for t, ids in denied.items()],
    )


def _ref(claim: Claim, documents: Mapping[str, StoredDocument]) -> ClaimRef:
    doc = documents.get(claim.document_id)
    return ClaimRef(
        id=claim.id,
        claimant=claim.event.source,
        stance=claim.event.stance,
        evidence=" … ".join(e.sentence for e in claim.event.evidence),
        document_id=claim.document_id,
        url=doc.url if doc else None,
        title=doc.title if doc else None,
    )


def _period_line(report: PeriodReport, documents: Mapping[str, StoredDocument]) -> PeriodLine:
    who = side_name(report.source)
    if report.start == report.end or report.start is None or report.end is None:
        when = f" on {report.start or report.end}"
    else:
        when = f" between {report.start} and {report.end}"
    where = f" in {report.area}" if report.area else ""
    n = report.count
    if n == 0:
        text = f"{who}: no violations recorded{where}{when}."
    else:
        text = f"{who} said {n} violation{'s' if n != 1 else ''} {'was' if n == 1 else 'were'}"
        text += f" recorded{where}{when}."
    doc = documents.get(report.document_id)
    return PeriodLine(
        id=report.id,
        source=report.source,
        count=n,
        start=report.start,
        end=report.end,
        text=text,
        evidence=report.evidence,
        document_id=report.document_id,
        url=doc.url if doc else None,
        title=doc.title if doc else None,
    )


def _period_covers(report: PeriodReport, day: dt.date, ceasefire: Ceasefire | None) -> bool:
    start, end = report.start or report.end, report.end or report.start
    if start is None or end is None:
        return False
    return start <= day <= end and _in_scope(report.ceasefire_id, ceasefire)


def build_bulletin(
    day: dt.date,
    incidents: Sequence[Incident],
    period_reports: Sequence[PeriodReport],
    *,
    previous_day: Sequence[Incident] = (),
    earlier: Sequence[Incident] = (),
    earlier_pairs: Iterable[tuple[str, str]] = (),
    ceasefire: Ceasefire | None = None,
    documents: Mapping[str, StoredDocument] = {},  # read only
) -> Bulletin:
    """The bulletin of `day`: counts, casualties, denials, tallies, changes and firsts."""
    today = violations_on(day, incidents, ceasefire)
    yesterday = violations_on(day - dt.timedelta(days=1), previous_day, ceasefire)
    today_blame = [perpetrators(i) for i in today]
    by_perpetrator = _tally(today_blame)
    before = {f.label: f.value for f in _tally(perpetrators(i) for i in yesterday)}
    labels = [f.label for f in by_perpetrator] + sorted(
        set(before) - {*(f.label for f in by_perpetrator)}
    )
    counts = {f.label: f.value for f in by_perpetrator}

    seen = {pair for i in [*earlier, *previous_day] for pair in blame_pairs(i, with_history=True)}
    seen.update(earlier_pairs)  # the same pairs, read by the store (SqlStore.blame_pairs)
    firsts: dict[tuple[str, str], list[str]] = {}
    for incident in today:
        for pair, ids in blame_pairs(incident).items():
            if pair not in seen:
                bucket = firsts.setdefault(pair, [])
                bucket.extend(i for i in ids if i not in bucket)

    refs = {c.id: _ref(c, documents) for i in today for c in current_claims(i)}
    return Bulletin(
        day=day,
        ceasefire=ceasefire,
        ceasefire_in_force=ceasefire.in_force(day) if ceasefire else None,
        total=Figure(label="violations", value=len(today), claim_ids=list(refs)),
        by_perpetrator=by_perpetrator,
        by_claimant=_tally(claimants(i) for i in today),
        by_weapon=_tally(_weapons(i) for i in today),
        by_place=_tally(
            {place(i) or NOT_STATED: [c.id for c in reporting_claims(i)]} for i in today
        ),
        by_denier=_tally(deniers(i) for i in today),
        incidents=[_entry(i) for i in today],
        period_reports=[
            _period_line(r, documents) for r in period_reports if _period_covers(r, day, ceasefire)
        ],
        change=Change(label="all", today=len(today), previous=len(yesterday)),
        change_by_perpetrator=[
            Change(label=k, today=counts.get(k, 0), previous=before.get(k, 0)) for k in labels
        ],
        firsts=[
            First(
                claimant=claimant,
                actor=actor,
                text=f"{side_name(claimant)} named {actor} as the perpetrator of a violation "
                "for the first time in the available record.",
                claim_ids=ids,
            )
            for (claimant, actor), ids in firsts.items()
        ],
        claims=refs,
    )


# --- rendering -------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")


def _md(value: object) -> str:
    """Untrusted text made literal in Markdown: one line, markup characters backslash-escaped."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(value).split()))


def _safe_url(value: str | None) -> str | None:
    """http(s) URLs only (no javascript: links), with spaces, quotes and brackets encoded."""
    try:
        if not value or urlsplit(value.strip()).scheme.lower() not in ("http", "https"):
            return None
    except ValueError:  # e.g. a broken IPv6 host
        return None
    return quote(value.strip(), safe=":/?#@!$&*+,;=%~")


def _anchor(claim_id: str) -> str:
    return "claim-" + re.sub(r"[^A-Za-z0-9_-]", "-", claim_id)


@cache
def _environment(html: bool) -> Environment:
    env = Environment(
        loader=PackageLoader("trucewatch.report", "templates"),
        autoescape=html,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(md=_md, safe_url=_safe_url, anchor=_anchor)
    return env


def render_markdown(bulletin: Bulletin) -> str:
    return _environment(False).get_template("bulletin.md.j2").render(b=bulletin)


def render_html(bulletin: Bulletin) -> str:
    return _environment(True).get_template("bulletin.html.j2").render(b=bulletin)
