"""What every reader of sources yields: a Document with the bytes it came from."""

from __future__ import annotations

from dataclasses import dataclass

from trucewatch.models import Document


@dataclass(frozen=True)
class SourceItem:
    """One Document with the bytes it was made from and the outlet that published it."""

    document: Document
    raw: bytes
    outlet: str | None
