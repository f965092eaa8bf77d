"""Ceasefire records: those the conflict profiles list, and the rules a new one must meet.

    record = new_ceasefire(NewCeasefire(name="Easter truce", parties=["A", "B"], start=day))

The CLI (`trucewatch ceasefire add`) and the API (`POST /api/v1/ceasefires`) both validate a
`NewCeasefire` and add it through `new_ceasefire`, so both refuse the same records for the same
reasons and give a record the same id.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from trucewatch.models import Ceasefire

if TYPE_CHECKING:
    from trucewatch.sides import Profile


class NewCeasefire(BaseModel):
    """A ceasefire to add by hand. Without an `id`, one is made from the name and start.
    Validation refuses an empty name, fewer than two different parties, and an end before the
    start (pydantic's ValidationError; the API answers it with 422)."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(default=None, min_length=1, max_length=200)
    name: str = Field(max_length=500)
    parties: list[str] = Field(max_length=50)
    start: dt.date
    end: dt.date | None = None
    area: str | None = Field(default=None, max_length=500)
    monitor: str | None = Field(default=None, max_length=500)

    @field_validator("name")
    @classmethod
    def _named(cls, name: str) -> str:
        if not name.strip():
            raise ValueError("the name is empty")
        return name

    @field_validator("parties")
    @classmethod
    def _two_parties(cls, parties: list[str]) -> list[str]:
        different = list(dict.fromkeys(p.strip() for p in parties if p.strip()))
        if len(different) < 2:
            raise ValueError("name at least two different parties")
        return different

    @field_validator("end")
    @classmethod
    def _ends_after_start(cls, end: dt.date | None, info: ValidationInfo) -> dt.date | None:
        start = info.data.get("start")
        if end is not None and isinstance(start, dt.date) and end < start:
            raise ValueError("the end is before the start")
        return end


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def user_ceasefire_id(name: str, start: dt.date) -> str:
    """`user:<name slug>-<start>-<8 hex digits of the name and start>`."""
    slug = _slug(name)
    digest = hashlib.sha1(f"{name.strip()}|{start}".encode()).hexdigest()[:8]
    return f"user:{slug + '-' if slug else ''}{start}-{digest}"


def new_ceasefire(data: NewCeasefire) -> Ceasefire:
    """The record to store for `data` (validated when it was made)."""
    return Ceasefire(
        id=data.id or user_ceasefire_id(data.name, data.start),
        name=data.name,
        parties=data.parties,
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
