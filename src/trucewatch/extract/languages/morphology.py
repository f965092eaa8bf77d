"""Tokens with their lemma and grammatical case, by razdel (tokens, sentences) and pymorphy3
(lemmas) for Russian and Ukrainian."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import pymorphy3
import razdel

_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "`": "'", "‘": "'"})
_NUMBERED = re.compile(r"^(\w+)-(\d+)$")
_Analysis = tuple[str, str | None, str | None, str | None, frozenset[str], frozenset[str], bool]
_SLASHED = re.compile(r"(?<=\w)/(?=\w)")  # "БМП/БТР": two words
CASES = frozenset({"nomn", "gent", "datv", "accs", "ablt", "loct", "voct", "gen2", "loc2"})


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int
    lemma: str
    case: str | None  # nomn, gent, ... of the likeliest parse; None when not inflected
    pos: str | None
    number: str | None  # sing | plur
    cases: frozenset[str] = frozenset()  # every case some parse of the word gives
    others: frozenset[str] = frozenset()  # the lemmas of the word's other parses
    preposition: bool = False  # some parse of the word is a preposition ("перед", "у")

    @property
    def lemmas(self) -> frozenset[str]:
        return self.others | {self.lemma}

    def may_be(self, case: str) -> bool:
        return case in self.cases or (self.case is None and not self.cases)

    @property
    def capitalised(self) -> bool:
        return self.text[:1].isupper()


@dataclass(frozen=True)
class Span:
    """A sentence of a document: its text, offsets and tokens."""

    text: str
    start: int
    end: int
    tokens: tuple[Token, ...]


def _words(text: str) -> list[tuple[int, str]]:
    """(offset, word) by razdel, with a word's apostrophe kept inside it ("п'ять", "Об’єднаних"),
    which razdel splits off."""
    out: list[tuple[int, str]] = []
    for t in razdel.tokenize(text):
        if out and (t.text in _APOSTROPHE_CHARS or out[-1][1][-1] in _APOSTROPHE_CHARS):
            start, word = out[-1]
            if (
                start + len(word) == t.start
                and (t.text[0].isalpha() or t.text in _APOSTROPHE_CHARS)
                and word[0].isalpha()
            ):
                out[-1] = (start, word + t.text)
                continue
        out.append((t.start, t.text))
    return out


_APOSTROPHE_CHARS = "'’ʼ`‘"


@cache
def analyzer(language: str) -> pymorphy3.MorphAnalyzer:
    return pymorphy3.MorphAnalyzer(lang=language)


class Morphology:
    """Lemmatiser for one language, with a cache of word analyses."""

    def __init__(self, language: str) -> None:
        self.language = language
        self._morph = analyzer(language)
        self._cache: dict[str, _Analysis] = {}

    def analyse(self, word: str) -> _Analysis:
        """(lemma, case, part of speech, number, every possible case) of one word."""
        key = word.translate(_APOSTROPHES)
        hit = self._cache.get(key)
        if hit is None:
            numbered = _NUMBERED.match(key)  # "Золотого-3": the word's lemma, then the number
            if numbered:
                base = self.analyse(numbered.group(1))
                hit = (f"{base[0]}-{numbered.group(2)}", *base[1:5], frozenset(), False)
            elif not any(ch.isalpha() for ch in key):
                hit = (key.lower(), None, None, None, frozenset(), frozenset(), False)
            else:
                parses = self._morph.parse(key)
                tag = parses[0].tag
                case, pos, number = (str(g) if g else None for g in (tag.case, tag.POS, tag.number))
                hit = (
                    parses[0].normal_form.replace("ё", "е"),
                    case if case in CASES else None,
                    pos,
                    number,
                    frozenset(str(p.tag.case) for p in parses if p.tag.case in CASES),
                    frozenset(
                        p.normal_form.replace("ё", "е") for p in parses[1:] if p.score > 0.01
                    ),
                    any(p.tag.POS == "PREP" for p in parses),
                )
            if len(self._cache) < 200_000:
                self._cache[key] = hit
        return hit

    def lemma(self, word: str) -> str:
        return self.analyse(word)[0]

    def tokens(self, text: str, offset: int = 0) -> tuple[Token, ...]:
        out = []
        for start, word in _words(text):
            for part in _SLASHED.split(word):
                lemma, case, pos, number, cases, others, prep = self.analyse(part)
                at = start + offset
                out.append(
                    Token(part, at, at + len(part), lemma, case, pos, number, cases, others, prep)
                )
                start += len(part) + 1
        return tuple(out)

    def lemmas(self, phrase: str) -> tuple[str, ...]:
        """The lemma sequence of a phrase, as lexicon and alias entries are matched."""
        return tuple(self.analyse(word)[0] for _, word in _words(phrase))

    def sentences(self, text: str) -> list[Span]:
        """Sentences: line breaks end them (headlines carry no full stop), then razdel splits."""
        out: list[Span] = []
        for line in re.finditer(r"[^\n]+", text):
            for s in razdel.sentenize(line.group()):
                if not s.text.strip():
                    continue
                start = line.start() + s.start
                out.append(Span(s.text, start, start + len(s.text), self.tokens(s.text, start)))
        return out
