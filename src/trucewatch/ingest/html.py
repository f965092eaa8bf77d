"""HTML page to article text, title and date: trafilatura first, a plain lxml fallback second."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import lxml.etree
import lxml.html
import trafilatura
from trafilatura.settings import Document as _TrafilaturaDocument

from trucewatch.ingest.clean import clean_text

__all__ = ["HtmlArticle", "html_to_text"]

# Boxes removed before extraction: any element whose class or id contains one of these words.
# The page skeleton (html, body, main, article) is never removed, whatever its class says.
_PRUNE_WORDS = ("donate", "donation", "newsletter", "subscribe", "related", "share")
_LOWER = "translate({attr}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"
_PRUNE_XPATH = "//*[not(self::html or self::body or self::main or self::article)][{}]".format(
    " or ".join(
        f"contains({_LOWER.format(attr=attr)}, '{word}')"
        for word in _PRUNE_WORDS
        for attr in ("@class", "@id")
    )
)
# Elements never worth reading in the fallback path.
_FALLBACK_DROP_TAGS = tuple("script style noscript template nav header footer aside".split())
# Elements that end a line of text in the fallback path.
_BLOCK_TAGS = tuple(
    "p div br li h1 h2 h3 h4 h5 h6 tr section article blockquote pre figcaption dd dt table ul ol"
    " main".split()
)
_INLINE_SPACE = re.compile(r"[ \t\f\v]+")
# Characters XML forbids: lxml's HTML parser keeps them in text, but refuses them when a tail is
# set back (ValueError), so the fallback drops them before parsing.
_NOT_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class HtmlArticle:
    """Main text of a page after boilerplate removal, with the page's own title and date."""

    text: str
    title: str | None
    published: dt.date | None


def _parse_date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def _fallback_text(html: str) -> str:
    """Block-aware text content of <body> with scripts, navigation and prunable boxes removed."""
    try:
        root = lxml.html.document_fromstring(_NOT_XML_CHARS.sub("", html))
    except (lxml.etree.ParserError, ValueError):
        return ""
    body = root.find("body")
    if body is None:
        body = root
    for element in body.xpath(_PRUNE_XPATH) + list(body.iter(*_FALLBACK_DROP_TAGS)):
        if element.getparent() is not None:
            element.drop_tree()
    for element in body.iter(*_BLOCK_TAGS):
        element.tail = "\n" + (element.tail or "")
    raw = body.text_content()
    lines = (_INLINE_SPACE.sub(" ", line).strip() for line in raw.split("\n"))
    return "\n".join(line for line in lines if line)


def html_to_text(html: str) -> HtmlArticle:
    """Extract the article of an HTML page as clean text plus its title and publication date."""
    extracted = trafilatura.bare_extraction(
        html,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        prune_xpath=_PRUNE_XPATH,
        date_extraction_params={"original_date": True, "extensive_search": False},
    )
    text: str | None = None
    title: str | None = None
    date: str | None = None
    if isinstance(extracted, _TrafilaturaDocument):
        text, title, date = extracted.text, extracted.title, extracted.date
    if not text or not text.strip():
        text = _fallback_text(html)
        if title is None and date is None and text:
            metadata = trafilatura.extract_metadata(html)
            title, date = metadata.title, metadata.date
    return HtmlArticle(
        text=clean_text(text),
        title=title.strip() if title and title.strip() else None,
        published=_parse_date(date),
    )
