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
    """Leftmost-longest matching of lemma sequences over a sentence's tokens."""

    def __init__(self) -> None:
        self._entries: dict[tuple[str, ...], T] = {}
        self._longest = 0

    def add(self, lemmas: tuple[str, ...], value: T) -> None:
        if lemmas:
            self._entries.setdefault(lemmas, value)
            self._longest = max(self._longest, len(lemmas))

    def __bool__(self) -> bool:
        return bool(self._entries)

    def scan(self, tokens: Sequence[Token]) -> list[Hit[T]]:
        lemmas = [t.lemma for t in tokens]
        out: list[Hit[T]] = []
        i = 0
        while i < len(lemmas):
            for n in range(min(self._longest, len(lemmas) - i), 0, -1):
                value = self._entries.get(tuple(lemmas[i : i + n]))
                if value is not None:
                    out.append(Hit(value, i, i + n))
                    i += n
                    break
            else:
                i += 1
        return out

    def first(self, tokens: Sequence[Token]) -> Hit[T] | None:
        hits = self.scan(tokens)
        return hits[0] if hits else None
