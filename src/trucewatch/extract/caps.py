"""Per-document caps that keep extraction cost bounded on hostile text.

A feed item is untrusted: a report of one sentence repeated 20,000 times, or one "sentence" of
100,000 characters without a full stop, must cost time and memory in proportion to its length
and stay within the document time limit. Sentences past `MAX_SENTENCES` are not read, and a
sentence longer than `MAX_SENTENCE_CHARS` is not parsed; each cut leaves a warning in the
document's reading. Mentions are capped in `trucewatch.extract.merge`.
"""

from __future__ import annotations

from trucewatch.extract.sentences import Sentence

MAX_SENTENCES = 20_000
"""Sentences read per document (a long real report has a few hundred)."""
MAX_SENTENCE_CHARS = 5_000
"""Characters of one sentence the parser gets (a real sentence has a few hundred)."""


def cap_sentences(sentences: list[Sentence], warnings: list[str]) -> list[Sentence]:
    """The first `MAX_SENTENCES` sentences; a warning when there were more."""
    if len(sentences) <= MAX_SENTENCES:
        return sentences
    warnings.append(
        f"{len(sentences) - MAX_SENTENCES} sentence(s) left out: more than {MAX_SENTENCES} "
        "sentences in one document"
    )
    return sentences[:MAX_SENTENCES]


def parseable(sentences: list[Sentence], warnings: list[str]) -> list[Sentence]:
    """The sentences short enough to parse; a warning naming how many were too long."""
    short = [s for s in sentences if len(s.text) <= MAX_SENTENCE_CHARS]
    if len(short) < len(sentences):
        warnings.append(
            f"{len(sentences) - len(short)} sentence(s) not read: longer than "
            f"{MAX_SENTENCE_CHARS} characters"
        )
    return short
