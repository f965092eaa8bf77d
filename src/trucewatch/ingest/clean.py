"""Remove site boilerplate (appeals, prompts, page furniture) from plain article text.

The patterns are data, in ``trucewatch/lexicons/boilerplate.yaml``; see that file for how they
are matched. Lines that are kept are returned unchanged apart from whitespace normalisation.
"""

from __future__ import annotations

import functools
import importlib.resources
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml

__all__ = ["clean_text"]

_LEXICON = "boilerplate.yaml"
_DEFAULT_TAIL_LINES = 25

# Non-breaking and zero-width-no-break spaces become plain spaces (the BOM disappears).
_SPACES = str.maketrans({"\u00a0": " ", "\u2007": " ", "\u202f": " ", "\ufeff": ""})


@dataclass(frozen=True)
class _Rules:
    drop_line: tuple[re.Pattern[str], ...]
    drop_to_end: tuple[re.Pattern[str], ...]
    tail_lines: int


def _compile(data: dict[str, Any], key: str) -> tuple[re.Pattern[str], ...]:
    raw = data.get(key) or []
    if not isinstance(raw, list) or not all(isinstance(p, str) for p in raw):
        raise ValueError(f"{_LEXICON}: '{key}' must be a list of regular expressions")
    patterns = []
    for pattern in raw:
        try:
            patterns.append(re.compile(pattern, re.IGNORECASE))
        except re.error as exc:
            raise ValueError(f"{_LEXICON}: bad pattern in '{key}': {pattern!r}: {exc}") from exc
    return tuple(patterns)


@functools.cache
def _rules() -> _Rules:
    """Load and compile the boilerplate lexicon shipped with the package (once per process)."""
    resource = importlib.resources.files("trucewatch").joinpath("lexicons", _LEXICON)
    data = yaml.safe_load(resource.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{_LEXICON}: expected a mapping at the top level")
    tail_lines = data.get("tail_lines", _DEFAULT_TAIL_LINES)
    if not isinstance(tail_lines, int) or isinstance(tail_lines, bool) or tail_lines < 1:
        raise ValueError(f"{_LEXICON}: 'tail_lines' must be a positive integer")
    return _Rules(
        drop_line=_compile(data, "drop_line"),
        drop_to_end=_compile(data, "drop_to_end"),
        tail_lines=tail_lines,
    )


def _matches(patterns: Sequence[re.Pattern[str]], line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and any(p.search(stripped) for p in patterns)


def _cut_appeal(lines: list[str], rules: _Rules) -> list[str]:
    """Cut from the first appeal opener among the last ``tail_lines`` non-blank lines."""
    non_blank = [i for i, line in enumerate(lines) if line.strip()]
    for i in non_blank[-rules.tail_lines :]:
        if _matches(rules.drop_to_end, lines[i]):
            return lines[:i]
    return lines


def _squeeze_blank_lines(lines: list[str]) -> str:
    """Join lines, keeping at most one blank line between paragraphs and none at either end."""
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)


def clean_text(text: str) -> str:
    """Remove site boilerplate from plain text, keep the article's lines untouched and in order.

    Trailing whitespace is stripped, non-breaking spaces become spaces, line endings become
    ``\\n`` and runs of blank lines shrink to one. The result has no leading or trailing blank
    lines and no final newline.
    """
    rules = _rules()
    normalised = text.translate(_SPACES).replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.rstrip() for line in normalised.split("\n")]
    lines = _cut_appeal(lines, rules)
    kept = [line for line in lines if not _matches(rules.drop_line, line)]
    return _squeeze_blank_lines(kept)
