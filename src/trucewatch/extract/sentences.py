"""Sentence splitting with character offsets and quotation tracking.

Lines are hard boundaries (headlines and datelines carry no full stop); inside a line spaCy's
rule-based sentencizer splits. Each sentence records whether it lies inside a quotation, so that
a quoted statement spread over several sentences can take its speaker from where the quote ends.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import spacy
from spacy.language import Language

_OPEN = "“«"
_CLOSE = "”»"


@dataclass(frozen=True)
class Sentence:
    index: int
    text: str
    start: int
    end: int
    line: int
    quote_open_at_start: bool  # the sentence begins inside a quotation opened earlier
    quote_open_at_end: bool  # a quotation is still open when the sentence ends


@functools.cache
def _sentencizer() -> Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


_LINE = re.compile(r"[^\n]+")


def split_sentences(text: str) -> list[Sentence]:
    """Sentences of `text` in order, with offsets into `text`."""
    nlp = _sentencizer()
    spans: list[tuple[int, int, int]] = []
    for line_no, line in enumerate(_LINE.finditer(unwrap(text))):
        if not line.group().strip():
            continue
        for sent in nlp(line.group()).sents:
            stripped = sent.text.strip()
            if not stripped:
                continue
            start = line.start() + sent.start_char + (len(sent.text) - len(sent.text.lstrip()))
            spans.append((start, start + len(stripped), line_no))
    spans = _move_opening_quotes(text, _join_fragments(text, spans))
    out: list[Sentence] = []
    open_quote = False
    last_line = -1
    for index, (start, end, line_no) in enumerate(spans):
        if (
            line_no != last_line
            and open_quote
            and not text[start:end].lstrip().startswith(tuple(_CLOSE) + ('"',))
        ):
            # a quote never closed in its paragraph does not run on into the next one
            open_quote = False
        last_line = line_no
        at_start = open_quote
        open_quote = _quote_state(text[start:end], open_quote)
        out.append(Sentence(index, text[start:end], start, end, line_no, at_start, open_quote))
    return out


_PARAGRAPH = re.compile(r"(?:[^\n]+\n?)+")
_WRAP_WIDTH = 40


def unwrap(text: str) -> str:
    """`text` with the line breaks of hard-wrapped paragraphs turned into spaces (same length,
    same offsets): wire copy and e-mailed bulletins break lines inside sentences."""
    chars = list(text)
    for para in _PARAGRAPH.finditer(text):
        lines = para.group().rstrip("\n").split("\n")
        if len(lines) < 3:  # a title over one line of text is not a wrapped paragraph
            continue
        inner = lines[:-1]
        wrapped = [
            ln
            for ln in inner
            if len(ln) >= _WRAP_WIDTH and not ln.rstrip().endswith((".", "!", "?", ":", '"', "”"))
        ]
        if len(wrapped) * 5 >= len(inner) * 3:  # at least 60% of the lines run on
            offset = para.start()
            for ln in inner:
                offset += len(ln)
                chars[offset] = " "
                offset += 1
    return "".join(chars)


def _join_fragments(text: str, spans: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """Re-join splits after abbreviations the sentencizer breaks on ("Lt. Col.", "No. 5")."""
    joined: list[tuple[int, int, int]] = []
    for start, end, line_no in spans:
        if joined:
            p_start, p_end, p_line = joined[-1]
            previous = text[p_start:p_end]
            if p_line == line_no and (
                re.search(
                    r"(?:^|\s)(?:[A-Z]|No|St|Gen|Col|Lt|Maj|Capt|Sgt|Mr|Mrs|Ms|Dr|Jr|Sr|Gov|"
                    r"Sen|Rep|Brig|Adm|Cmdr|Pvt|Lt\. Col|Maj\. Gen|a\.m|p\.m)\.$",
                    previous,
                )
                or len(text[start:end]) < 3
            ):
                joined[-1] = (p_start, end, p_line)
                continue
        joined.append((start, end, line_no))
    return joined


def _move_opening_quotes(
    text: str, spans: list[tuple[int, int, int]]
) -> list[tuple[int, int, int]]:
    """'... it said. “The next ...': an opening quote left at the end of a sentence belongs to
    the sentence that follows it on the same line."""
    out = list(spans)
    for i in range(len(out) - 1):
        start, end, line = out[i]
        n_start, n_end, n_line = out[i + 1]
        tail = text[start:end]
        if line == n_line and len(tail) > 1 and tail[-1] in _OPEN and tail[-2].isspace():
            out[i] = (start, start + len(tail[:-1].rstrip()), line)
            out[i + 1] = (end - 1, n_end, n_line)
    return out


def _quote_state(sentence: str, open_quote: bool) -> bool:
    """Whether a quotation is open after `sentence`, given whether one was open before it."""
    for char in sentence:
        if char in _OPEN:
            open_quote = True
        elif char in _CLOSE:
            open_quote = False
        elif char == '"':
            open_quote = not open_quote
    return open_quote
