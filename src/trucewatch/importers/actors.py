"""Actor names of published datasets as our sides (the side names of the annotation schema).

ACLED writes state forces as "Military Forces of Azerbaijan (2003-)" (the years of the regime),
UCDP as "Government of Azerbaijan"; both qualify other actors with a country in brackets
("Civilians (Armenia)", "Unidentified Armed Group (Ukraine)"), which names where they are, not
whom they belong to. So: the years and the bracketed qualifier are dropped, civilians are
"civilians", an unidentified actor is no actor (unattributed), the state prefixes are taken off
and what is left is resolved through the conflict profiles (`SideResolver`). A name the profiles
do not know is kept as the dataset writes it, cleaned of the years and qualifier.
"""

from __future__ import annotations

import functools
import re

from trucewatch.sides import SideResolver

_YEARS = re.compile(r"\(\s*\d{4}\s*-\s*(?:\d{4})?\s*\)")
_QUALIFIER = re.compile(r"\s*\([^()]*\)\s*$")
_STATE = re.compile(
    r"^(?:(?:military|police|naval|air|security|armed|government)\s+forces\s+of|government\s+of)"
    r"\s+(?:the\s+)?",
    re.IGNORECASE,
)
_SPACE = re.compile(r"\s+")


@functools.cache
def _resolver() -> SideResolver:
    return SideResolver()


def side_name(raw: str | None) -> str | None:
    """Our side for a dataset's actor name; None when there is none or it is unidentified."""
    if raw is None:
        return None
    name = _SPACE.sub(" ", _YEARS.sub(" ", raw)).strip()
    name = _QUALIFIER.sub("", name).strip()
    if not name:
        return None
    folded = name.casefold()
    if folded.startswith("civilians"):
        return "civilians"
    if folded.startswith(("unidentified", "unknown")):
        return None
    state = _STATE.match(name)
    if state:
        rest = name[state.end() :].strip()
        return _resolver().resolve(rest) or rest or name
    for mention in _resolver().find(name):
        if mention.kind in ("party", "institution"):
            return mention.side
        if mention.kind == "country" and mention.start == 0 and mention.end == len(name):
            return mention.side
    return name
