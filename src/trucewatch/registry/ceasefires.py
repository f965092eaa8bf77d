"""Ceasefire records: those the conflict profiles list, and the rules a new one must meet.

    record = new_ceasefire(NewCeasefire(name="Easter truce", parties=["A", "B"], start=day))

The CLI (`trucewatch ceasefire add`) and the API (`POST /api/v1/ceasefires`) both add a
ceasefire through `new_ceasefire`, so both refuse the same records for the same reasons.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from trucewatch.models import Ceasefire

if TYPE_CHECKING:
    from trucewatch.sides import Profile


class CeasefireError(ValueError):
    """A new ceasefire breaks a rule; `field` names the field at fault."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class NewCeasefire(BaseModel):
    """A ceasefire to add by hand. Without an `id`, one is made from the name and start."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(default=None, min_length=1, max_length=200)
    name: str = Field(max_length=500)
    parties: list[str] = Field(max_length=50)
    start: dt.date
    end: dt.date | None = None
    area: str | None = Field(default=None, max_length=500)
    monitor: str | None = Field(default=None, max_length=500)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def user_ceasefire_id(name: str, start: dt.date) -> str:
    """`user:<name slug>-<start>-<8 hex digits of the name and start>`."""
    slug = _slug(name)
    digest = hashlib.sha1(f"{name.strip()}|{start}".encode()).hexdigest()[:8]
    return f"user:{slug + '-' if slug else ''}{start}-{digest}"


def new_ceasefire(data: NewCeasefire) -> Ceasefire:
    """The record to store for `data`; CeasefireError when it ends before it starts, the name
    is empty, or fewer than two different parties are named."""
    if data.end is not None and data.end < data.start:
        raise CeasefireError("end", "the end is before the start")
    name = data.name.strip()
    if not name:
        raise CeasefireError("name", "the name is empty")
    parties = list(dict.fromkeys(p.strip() for p in data.parties if p.strip()))
    if len(parties) < 2:
        raise CeasefireError("parties", "name at least two different parties")
    return Ceasefire(
        id=data.id or user_ceasefire_id(data.name, data.start),
        name=data.name,
        parties=parties,
        start=data.start,
        end=data.end,
        area=data.area,
        monitor=data.monitor,
    )


def ceasefire_id(profile: Profile, name: str) -> str:
    """The id of a ceasefire a conflict profile lists: `<profile id>:<name slug>`."""
    return f"{profile.id}:{_slug(name)}"


def profile_ceasefires(profiles: Sequence[Profile] | None = None) -> list[Ceasefire]:
    """The ceasefires the conflict profiles list, as registry records."""
    from trucewatch.sides import load_profiles

    out = []
    for profile in profiles if profiles is not None else load_profiles():
        for c in profile.ceasefires:
            out.append(
                Ceasefire(
                    id=ceasefire_id(profile, c.name),
                    name=c.name,
                    parties=list(c.parties),
                    start=c.start,
                    end=c.end,
                    area=c.area,
                    monitor=c.monitor,
                    profile=profile.id,
                )
            )
    return out
