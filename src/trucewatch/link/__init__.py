"""Link claims of many documents into incidents, summarise them, and find their ceasefire."""

from __future__ import annotations

from trucewatch.link.ceasefires import ceasefire_for
from trucewatch.link.incidents import link
from trucewatch.link.rules import Score, compatible, score
from trucewatch.link.summary import summarise

__all__ = ["Score", "ceasefire_for", "compatible", "link", "score", "summarise"]
