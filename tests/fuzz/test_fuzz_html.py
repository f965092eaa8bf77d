"""Fuzz html_to_text on broken HTML: unclosed and mismatched tags, nesting several thousand
levels deep, attribute values of about 1 MB, random and invalid entities, mojibake and
contradicting charset declarations. It must return an HtmlArticle (it documents no error;
callers turn any exception into an InputError, which is still counted here as a finding), and
within the time limit."""

from __future__ import annotations

import datetime as dt

import pytest
from fuzzlib import EXAMPLES, TIME_LIMIT, fuzz_settings, probe, valid_unicode
from hypothesis import given
from hypothesis import strategies as st

from trucewatch.extract.timelimit import time_limit
from trucewatch.ingest.html import HtmlArticle, html_to_text

pytestmark = pytest.mark.fuzz

_TAGS = (
    "html head body title meta p div span a b i table tr td ul li article main section nav header "
    "footer aside script style noscript template pre code br hr img iframe svg math form select "
    "option textarea frameset xmp plaintext time"
).split()
_ATTRS = "class id href src style charset content name property datetime lang dir".split()
_ENTITIES = st.sampled_from(
    [
        "&amp;",
        "&lt;",
        "&gt",
        "&nbsp;",
        "&#0;",
        "&#x110000;",
        "&#xD800;",
        "&#99999999999;",
        "&#x;",
        "&bogus;",
        "&",
        "&#8238;",
        "&zwj;",
        "&rlm;",
        "&NotANamedEntity",
        "&#x202E;",
    ]
)
_JUNK = st.sampled_from(
    [
        "<!--",
        "-->",
        "<![CDATA[",
        "]]>",
        "<!DOCTYPE html>",
        "<!doctype>",
        "<?xml version='1.0'?>",
        "</",
        "<",
        ">",
        '"',
        "'",
        "=",
        "<!ENTITY x 'y'>",
        "\x00",
        "\x0b",
        "\r",
        "\ufeff",
        "\u202e",
        "\u200d",
        "<meta charset='utf-16'>",
        '<meta http-equiv="content-type" content="text/html; charset=shift_jis">',
        "<base href='javascript:alert(1)'>",
    ]
)
_WORDS = st.sampled_from(
    "Azerbaijani forces shelled positions near Tavush , killing two soldiers . The ministry said"
    " “ ” « » : 12 August 2021".split()
)


@st.composite
def _attribute(draw: st.DrawFn) -> str:
    name = draw(st.sampled_from(_ATTRS) | st.text("abcxyz-:", min_size=1, max_size=8))
    value = draw(st.text(max_size=20) | _ENTITIES)
    quote = draw(st.sampled_from(['"', "'", ""]))
    return f" {name}={quote}{value}{quote}" if draw(st.booleans()) else f" {name}"


@st.composite
def _tag(draw: st.DrawFn) -> str:
    name = draw(st.sampled_from(_TAGS) | st.text("abcdefgh:-", min_size=1, max_size=6))
    attrs = "".join(draw(st.lists(_attribute(), max_size=3)))
    kind = draw(st.sampled_from(["open", "open", "close", "self", "unterminated"]))
    if kind == "close":
        return f"</{name}>"
    if kind == "self":
        return f"<{name}{attrs}/>"
    return f"<{name}{attrs}" + ("" if kind == "unterminated" else ">")


def _mojibake(text: str, encoding: str) -> str:
    """`text` as UTF-8 bytes read back in another encoding (what a wrong charset does)."""
    return text.encode("utf-8").decode(encoding, errors="replace")


_FRAGMENT = st.lists(
    st.one_of(
        _tag(),
        _WORDS,
        _ENTITIES,
        _JUNK,
        st.text(max_size=30),
        st.builds(_mojibake, st.text(max_size=30), st.sampled_from(["latin-1", "cp1252", "cp500"])),
    ),
    max_size=40,
).map("".join)


@st.composite
def broken_html(draw: st.DrawFn, max_depth: int = 5000) -> str:
    """A page skeleton (maybe) around broken fragments, one of them nested `depth` levels deep
    with its closing tags (maybe) left out."""
    before = draw(_FRAGMENT)
    inner = draw(_FRAGMENT)
    depth = draw(st.integers(0, 20) | st.integers(0, max_depth))
    tag = draw(st.sampled_from(["div", "b", "table", "span", "p", "li", "x"]))
    closed = draw(st.booleans())
    nested = f"<{tag}>" * depth + inner + (f"</{tag}>" * depth if closed else "")
    page = before + nested + draw(_FRAGMENT)
    if draw(st.booleans()):
        page = f"<html><head><title>{draw(_FRAGMENT)}</title></head><body>{page}</body></html>"
    return page


def _check(article: object) -> None:
    assert isinstance(article, HtmlArticle), f"unexpected {type(article).__name__}"
    assert isinstance(article.text, str)
    assert "\r" not in article.text, "clean text has \\n line ends only"
    assert article.title is None or (isinstance(article.title, str) and article.title.strip())
    assert article.published is None or isinstance(article.published, dt.date)
    assert valid_unicode(article.text)
    assert valid_unicode(article.title)


@fuzz_settings()
@given(html=broken_html())
def test_html_to_text_on_broken_html(html: str) -> None:
    with probe("html_to_text", html), time_limit(TIME_LIMIT):
        _check(html_to_text(html))


@fuzz_settings(examples=max(2, EXAMPLES // 10))
@given(
    size=st.sampled_from([100_000, 500_000, 1_000_000]),
    filler=st.sampled_from(["a", "related ", "&amp;", "\u202e", "é", '"', "<"]),
    attr=st.sampled_from(["class", "id", "content", "href", "data-x"]),
    page=broken_html(max_depth=300),
)
def test_html_to_text_with_a_huge_attribute(size: int, filler: str, attr: str, page: str) -> None:
    """One attribute value of up to ~1 MB (few examples: each takes about a second)."""
    value = (filler * (size // len(filler) + 1))[:size]
    html = f'<html><body><div {attr}="{value}">Shelling near the village.</div>{page}</body></html>'
    with probe("html_to_text/huge-attribute", html), time_limit(TIME_LIMIT):
        _check(html_to_text(html))
