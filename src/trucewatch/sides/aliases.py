"""Dictionary matching of aliases (side, institution, country and place names) in text.

Matching works on tokens, not one big regex: the text is folded once (lower case, no diacritics,
unified dashes/apostrophes, same length so offsets hold), cut into word tokens, and aliases are
looked up in a dict keyed by token tuples, leftmost-longest.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from trucewatch.sides.places import Place

_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
_APOSTROPHES = "\u2019\u2018\u02bc\u02bb\u0060\u00b4\u2032"
_EXTRA_FOLDS = {"ə": "e", "Ə": "E", "ı": "i", "ł": "l", "Ł": "L", "ø": "o", "Ø": "O"}
_EXTRA_FOLDS |= {"đ": "d", "Đ": "D", "ħ": "h", "Ħ": "H", "æ": "a", "Æ": "A", "œ": "o", "Œ": "O"}


def _fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for cp in [*range(0x00C0, 0x0250), *range(0x1E00, 0x1F00)]:
        base = unicodedata.normalize("NFKD", chr(cp))[:1]
        if base and base != chr(cp) and base.isascii() and base.isalpha():
            table[cp] = base
    for src, dst in _EXTRA_FOLDS.items():
        table[ord(src)] = dst
    table.update({ord(c): "-" for c in _DASHES})
    table.update({ord(c): "'" for c in _APOSTROPHES})
    return table


_FOLD = _fold_table()


def fold(text: str) -> str:
    """Lower-case, strip diacritics, unify dashes/apostrophes; keeps the length of ``text``."""
    folded = text.translate(_FOLD).lower()
    if len(folded) != len(text):  # a character that lower-cases to two (rare): go char by char
        folded = "".join(c.lower() if len(c.lower()) == 1 else c for c in text.translate(_FOLD))
    return folded


TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
_GAP_SPACE = re.compile(r"[\s\-]+")
_SPELLING = {"defence": "defense", "centre": "center", "armour": "armor"}  # one key for UK/US


class Tokens:
    """The word tokens of one text: folded keys (possessive "'s" off) and character offsets."""

    __slots__ = ("text", "folded", "keys", "starts", "ends", "full_ends", "_gaps")

    def __init__(self, text: str) -> None:
        self.text = text
        self.folded = folded = fold(text)
        self.keys: list[str] = []
        self.starts: list[int] = []
        self.ends: list[int] = []  # end of the core, before a possessive "'s"
        self.full_ends: list[int] = []
        for m in TOKEN.finditer(folded):
            tok, end = m.group(), m.end()
            if len(tok) > 2 and tok.endswith("'s"):
                tok, end = tok[:-2], end - 2
            self.keys.append(_SPELLING.get(tok, tok))
            self.starts.append(m.start())
            self.ends.append(end)
            self.full_ends.append(m.end())
        self._gaps: dict[int, str] = {}

    def gap(self, j: int) -> str:
        """Normalised separator between token j-1 and token j."""
        g = self._gaps.get(j)
        if g is None:
            g = _GAP_SPACE.sub(" ", self.folded[self.full_ends[j - 1] : self.starts[j]])
            g = self._gaps[j] = g.strip() or " "
        return g


@dataclass(frozen=True, slots=True)
class Entry:
    side: str
    kind: str  # party | institution | country | place | ignore | keyword
    rank: int
    case: tuple[str | None, ...]  # per token: exact spelling required (acronyms), else None
    gaps: tuple[str, ...]
    weight: int = 0  # for profile detection
    place: Place | None = None


_COMMON_WORDS = frozenset(
    "us it is as at am an in on no or so to we he me my who all and car".split()
)
_RANK = {"party": 50, "institution": 40, "ignore": 35, "country": 30, "place": 20, "keyword": 10}


def alias_key(alias: str) -> tuple[tuple[str, ...], tuple[str | None, ...], tuple[str, ...]]:
    """Token keys, case-sensitive spellings and separators of one alias."""
    toks = Tokens(alias)
    if not toks.keys:
        raise ValueError(f"alias {alias!r} has no word characters")
    no_lower = not any(c.islower() for c in alias)
    case: list[str | None] = []
    for s, e in zip(toks.starts, toks.ends, strict=True):
        orig = alias[s:e]
        upper = sum(c.isupper() for c in orig)
        acronym = upper >= 2 or (no_lower and len(orig) == 1 and orig.isupper())
        case.append(orig if acronym else None)
    gaps = tuple(toks.gap(j) for j in range(1, len(toks.keys)))
    return tuple(toks.keys), tuple(case), gaps


class Matcher:
    """Leftmost-longest dictionary matcher over token tuples.

    Entries sharing a spelling are tried by rank (party > institution > country > place), or by
    detection weight when ``by_weight``; ties keep insertion order (earlier profiles first).
    """

    def __init__(self, by_weight: bool = False) -> None:
        self.index: dict[tuple[str, ...], list[Entry]] = {}
        self.first: dict[str, int] = {}  # first token -> longest alias starting with it
        self.by_weight = by_weight

    def add(
        self, alias: str, side: str, kind: str, weight: int = 0, place: Place | None = None
    ) -> Entry:
        keys, case, gaps = alias_key(alias)
        entry = Entry(side, kind, _RANK[kind], case, gaps, weight, place)
        bucket = self.index.setdefault(keys, [])
        if entry not in bucket:
            bucket.append(entry)
            bucket.sort(key=(lambda e: -e.weight) if self.by_weight else (lambda e: -e.rank))
        self.first[keys[0]] = max(self.first.get(keys[0], 0), len(keys))
        return entry

    def scan(self, toks: Tokens) -> list[tuple[Entry, int, int]]:
        """(entry, start, end) of every non-overlapping match, leftmost-longest."""
        keys, first, index, text = toks.keys, self.first, self.index, toks.text
        out: list[tuple[Entry, int, int]] = []
        n, i = len(keys), 0
        while i < n:
            longest = first.get(keys[i])
            if longest is None:
                i += 1
                continue
            hit = 0
            for size in range(min(longest, n - i), 0, -1):
                bucket = index.get(tuple(keys[i : i + size]))
                if bucket is None:
                    continue
                for entry in bucket:
                    if self._fits(entry, toks, text, i, size):
                        out.append((entry, toks.starts[i], toks.ends[i + size - 1]))
                        hit = size
                        break
                if hit:
                    break
            i += hit or 1
        return out

    @staticmethod
    def _fits(entry: Entry, toks: Tokens, text: str, i: int, size: int) -> bool:
        for j, exact in enumerate(entry.case):
            if exact is not None and text[toks.starts[i + j] : toks.ends[i + j]] != exact:
                return False
        if size == 1 and entry.case[0] is not None and toks.keys[i] in _COMMON_WORDS:
            last = len(toks.keys) - 1
            near = (text[toks.starts[k] : toks.ends[k]] for k in (i - 1, i + 1) if 0 <= k <= last)
            if any(len(w) > 1 and w.isupper() for w in near):  # "TOLD US THAT": shouting
                return False
        return all(toks.gap(i + j) == entry.gaps[j - 1] for j in range(1, size))
