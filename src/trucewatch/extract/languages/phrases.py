"""Phrases matched on lemma sequences: a lexicon entry or an alias written in any form matches
every inflected form of it in a text."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from trucewatch.extract.languages.morphology import Token

T = TypeVar("T")


@dataclass(frozen=True)
class Hit(Generic[T]):
    value: T
    first: int  # index of the first token in the sentence
    last: int  # index past the last token

    def text(self, tokens: Sequence[Token], sentence: str, offset: int) -> str:
        return sentence[tokens[self.first].start - offset : tokens[self.last - 1].end - offset]


class PhraseMatcher(Generic[T]):
    """Leftmost-longest matching of lemma sequences over a sentence's tokens. A token matches
    any lemma one of its parses gives ("вели огонь": "вели" may be "вести" or "велеть")."""

    def __init__(self) -> None:
        self._entries: dict[tuple[str, ...], T] = {}
        self._by_first: dict[str, list[tuple[str, ...]]] = {}

    def add(self, lemmas: tuple[str, ...], value: T) -> None:
        if lemmas and lemmas not in self._entries:
            self._entries[lemmas] = value
            group = self._by_first.setdefault(lemmas[0], [])
            group.append(lemmas)
            group.sort(key=len, reverse=True)

    def __bool__(self) -> bool:
        return bool(self._entries)

    def _longest_at(self, tokens: Sequence[Token], i: int) -> tuple[str, ...] | None:
        best: tuple[str, ...] | None = None
        for lemma in tokens[i].lemmas:
            for entry in self._by_first.get(lemma, ()):
                if best is not None and len(entry) <= len(best):
                    break
                n = len(entry)
                if i + n <= len(tokens) and all(
                    entry[k] in tokens[i + k].lemmas for k in range(1, n)
                ):
                    best = entry
                    break
        return best

    def scan(self, tokens: Sequence[Token]) -> list[Hit[T]]:
        out: list[Hit[T]] = []
        i = 0
        while i < len(tokens):
            entry = self._longest_at(tokens, i)
            if entry is None:
                i += 1
                continue
            out.append(Hit(self._entries[entry], i, i + len(entry)))
            i += len(entry)
        return out

    def first(self, tokens: Sequence[Token]) -> Hit[T] | None:
        hits = self.scan(tokens)
        return hits[0] if hits else None
