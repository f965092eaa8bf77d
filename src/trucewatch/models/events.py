"""Data contracts shared by every stage: documents in, attributed incident claims out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

EventType = Literal[
    "armed_clash",
    "firing",
    "shelling",
    "drone_strike",
    "explosive",
    "attack_on_civilians",
    "intrusion",
    "territory_seizure",
    "shoot_down",
    "ceasefire_violation",
    "ceasefire_agreement",
    "deployment",
    "mediation",
]
EVENT_TYPES: frozenset[str] = frozenset(get_args(EventType))
VIOLENT_TYPES: frozenset[str] = frozenset(
    {
        "armed_clash",
        "firing",
        "shelling",
        "drone_strike",
        "explosive",
        "attack_on_civilians",
        "intrusion",
        "territory_seizure",
        "shoot_down",
        "ceasefire_violation",
    }
)
Weapon = Literal[
    "small_arms",
    "sniper",
    "machine_gun",
    "grenade_launcher",
    "mortar",
    "artillery",
    "rocket",
    "missile",
    "drone",
    "aircraft",
    "armour",
    "landmine",
    "explosive",
]
Stance = Literal["asserts", "denies", "neutral"]
DateBasis = Literal["stated", "statement", "context", "published"]


class Document(BaseModel):
    """One report as read from an input: clean text plus what is known about its publication."""

    model_config = ConfigDict(frozen=True)

    id: str
    text: str
    published: dt.date | None = None
    url: str | None = None
    title: str | None = None
    origin: str | None = Field(default=None, description="file path or URL it was read from")
    language: str | None = Field(
        default=None, description="ISO 639-1 code; None: detected when the document is read"
    )


class Evidence(BaseModel):
    """The sentence a claim rests on, with character offsets into the cleaned document text."""

    sentence: str
    start: int
    end: int


class Event(BaseModel):
    """One claim about one incident, with the 12 keys of the annotation schema
    (docs/evaluation.md)."""

    type: EventType
    actor: str | None = None
    target: str | None = None
    source: str = "media"
    stance: Stance = "asserts"
    weapon: Weapon | None = None
    location: str | None = None
    date: dt.date | None = None
    killed: int | None = Field(default=None, ge=0)
    injured: int | None = Field(default=None, ge=0)
    count: int | None = Field(default=None, ge=0)
    historical: bool = False
    date_basis: DateBasis | None = Field(
        default=None,
        description="how the date was found: stated in the claim's sentence, the day the "
        "statement was made, carried over from the document's context, or the publication day",
    )
    evidence: list[Evidence] = Field(default_factory=list)
    confidence: float = Field(default=0.5, ge=0.0, le=1.0)
    headline: bool = Field(
        default=False, exclude=True, description="told in a headline: a summary of a later claim"
    )

    @property
    def is_violation(self) -> bool:
        return self.type in VIOLENT_TYPES


class ExtractionResult(BaseModel):
    """The output line for one input document."""

    id: str
    events: list[Event]


class PeriodStatement(BaseModel):
    """An aggregate statement in a report: `count` violations on `day` (zero included)."""

    source: str
    day: dt.date | None = None
    count: int = Field(ge=0)
    area: str | None = None
    evidence: Evidence


@dataclass(frozen=True)
class DocumentReading:
    """All that the extractor reads from one document: its claims and aggregate statements."""

    events: list[Event]
    periods: list[PeriodStatement] = field(default_factory=list)
    language: str | None = None  # ISO 639-1 code of the text, where it was detected
    extracted: bool = True  # False: no extraction pipeline reads this language
    warnings: list[str] = field(default_factory=list)
    """What the reading left out or doubted, e.g. a document cut at the per-document caps."""


def validation_problems(
    errors: Iterable[Mapping[str, Any]], *, skip: int = 0, top: str = ""
) -> list[str]:
    """One "where: what" line per problem of a pydantic (or FastAPI) error's `errors()`;
    `skip` drops leading location parts (FastAPI's "query", "body"), `top` names a problem
    with no location left."""
    return [f"{'.'.join(str(p) for p in e['loc'][skip:]) or top}: {e['msg']}" for e in errors]
