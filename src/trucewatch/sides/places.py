"""A named place of a conflict profile: where it is, what kind, and which side holds it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Place:
    name: str
    variants: tuple[str, ...]
    lat: float
    lon: float
    kind: str  # settlement | district | region | area
    country: str | None
    side: str | None  # the side holding the place, for target inference
