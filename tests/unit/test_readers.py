"""Tests for trucewatch.ingest.readers and trucewatch.ingest.html, on real files under tmp_path."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest

from trucewatch.ingest import MAX_BYTES, InputError, html_to_text, read_inputs
from trucewatch.models import Document

GOOD_TEXT = "Monitors recorded two breaches of the truce near the river crossing on Sunday."
ARTICLE_P1 = (
    "Monitors counted three violations overnight along the northern line, "
    "the mission said in a statement on Friday morning."
)
ARTICLE_P2 = (
    "The mission said two of the incidents involved mortar fire near the village "
    "and one involved small arms fire at dawn."
)
APPEAL = "Our newsroom depends on readers like you. Please give what you can today."
PAGE = f"""<!doctype html>
<html><head><title>Truce largely holds | Borderland News</title>
<meta property="og:title" content="Truce largely holds">
<meta property="article:published_time" content="2021-08-13T10:00:00+00:00">
</head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World desk</a></li></ul></nav>
<main><article>
<h1>Truce largely holds</h1>
<p>{ARTICLE_P1}</p>
<div class="donate-box"><p>{APPEAL}</p><a href="/donate">Donate now</a></div>
<p>{ARTICLE_P2}</p>
</article></main>
<aside><h2>Most read</h2><p>Storm damage closes the coastal highway for a second week.</p></aside>
<footer><p>Copyright 2021 Borderland News. All rights reserved.</p></footer>
</body></html>
"""


def _read(*paths: Path, published: dt.date | None = None) -> list[Document | InputError]:
    return list(read_inputs(list(paths), published=published))


def _good(tmp_path: Path) -> Path:
    path = tmp_path / "good.txt"
    path.write_text(GOOD_TEXT + "\n", encoding="utf-8")
    return path


def _assert_error_then_good(items: list[Document | InputError], origin: Path, reason: str) -> None:
    assert len(items) == 2, items
    error, doc = items
    assert error == InputError(str(origin), reason)
    assert isinstance(doc, Document)
    assert doc.text == GOOD_TEXT


# --- plain text ---------------------------------------------------------------------------------


def test_txt_file_becomes_cleaned_document(tmp_path: Path) -> None:
    path = tmp_path / "report-1.txt"
    path.write_text(f"\ufeff{GOOD_TEXT}\nShare this\nRemind me later.\n", encoding="utf-8")
    [doc] = _read(path, published=dt.date(2021, 8, 13))
    assert doc == Document(
        id="report-1", text=GOOD_TEXT, published=dt.date(2021, 8, 13), origin=str(path)
    )


def test_unknown_suffix_given_explicitly_is_read_as_text(tmp_path: Path) -> None:
    path = tmp_path / "bulletin.md"
    path.write_text(GOOD_TEXT, encoding="utf-8")
    [doc] = _read(path)
    assert isinstance(doc, Document)
    assert (doc.id, doc.text, doc.published) == ("bulletin", GOOD_TEXT, None)


# --- bad inputs: each is reported and the next input still comes through -------------------------


def test_missing_path(tmp_path: Path) -> None:
    missing = tmp_path / "nope.txt"
    _assert_error_then_good(_read(missing, _good(tmp_path)), missing, "no such file or directory")


def test_dangling_symlink(tmp_path: Path) -> None:
    link = tmp_path / "link.txt"
    link.symlink_to(tmp_path / "gone.txt")
    _assert_error_then_good(_read(link, _good(tmp_path)), link, "no such file or directory")


def test_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    _assert_error_then_good(_read(empty, _good(tmp_path)), empty, "empty file")


def test_whitespace_only_file(tmp_path: Path) -> None:
    blank = tmp_path / "blank.html"
    blank.write_bytes(b"\xef\xbb\xbf \n\t\n")
    _assert_error_then_good(_read(blank, _good(tmp_path)), blank, "empty file")


def test_boilerplate_only_file(tmp_path: Path) -> None:
    chrome = tmp_path / "chrome.txt"
    chrome.write_text("Skip to main content\nAdvertisement\nLeave a Reply\n", encoding="utf-8")
    _assert_error_then_good(
        _read(chrome, _good(tmp_path)), chrome, "empty after removing boilerplate"
    )


def test_binary_file(tmp_path: Path) -> None:
    binary = tmp_path / "scan.txt"
    binary.write_bytes(b"%PDF-1.7\n\x00\x01\x02 not text")
    _assert_error_then_good(_read(binary, _good(tmp_path)), binary, "binary content (NUL bytes)")


def test_invalid_utf8_reports_byte_offset(tmp_path: Path) -> None:
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("Caf\u00e9 near the line".encode("latin-1"))
    _assert_error_then_good(_read(latin1, _good(tmp_path)), latin1, "invalid UTF-8 at byte 3")


def test_invalid_utf8_offset_counts_the_bom(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbfab\xff")
    [error] = _read(path)
    assert error == InputError(str(path), "invalid UTF-8 at byte 5")


def test_file_too_large_is_refused_before_reading(tmp_path: Path) -> None:
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as handle:
        handle.truncate(MAX_BYTES)  # sparse: takes no disk space
    _assert_error_then_good(_read(huge, _good(tmp_path)), huge, "file too large (50.0 MB >= 50 MB)")


def test_huge_jsonl_is_streamed_not_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    record = json.dumps({"text": GOOD_TEXT}).encode() + b"\n"
    count = 100  # more than the 8 KiB sniffed for NUL bytes
    with path.open("wb") as handle:
        handle.write(record * count)
        handle.truncate(handle.tell() + MAX_BYTES)  # sparse tail: one over-long line of NULs
    items = _read(path)
    assert len(items) == count + 1
    assert items[0] == Document(id="big-1", text=GOOD_TEXT, origin=f"{path}:1")
    assert items[-1] == InputError(f"{path}:{count + 1}", "line too long (>= 50 MB)")


@pytest.mark.skipif(
    hasattr(os, "geteuid") and os.geteuid() == 0,
    reason="running as root: file permissions do not stop root from reading",
)
def test_permission_denied(tmp_path: Path) -> None:
    locked = tmp_path / "locked.txt"
    locked.write_text(GOOD_TEXT, encoding="utf-8")
    locked.chmod(0)
    try:
        _assert_error_then_good(_read(locked, _good(tmp_path)), locked, "permission denied")
    finally:
        locked.chmod(0o600)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs os.mkfifo")
def test_fifo_is_not_read(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    _assert_error_then_good(_read(fifo, _good(tmp_path)), fifo, "not a regular file")


def test_folder_named_like_a_file_with_nothing_to_read(tmp_path: Path) -> None:
    folder = tmp_path / "x.txt"
    folder.mkdir()
    (folder / "notes.docx").write_bytes(b"ignored")
    _assert_error_then_good(
        _read(folder, _good(tmp_path)), folder, "folder has no .txt, .html, .htm or .jsonl files"
    )


def test_input_error_str() -> None:
    assert str(InputError("a/b.jsonl:3", "malformed JSON")) == "a/b.jsonl:3: malformed JSON"


# --- JSONL ---------------------------------------------------------------------------------------


def test_jsonl_bad_records_are_reported_and_the_rest_continues(tmp_path: Path) -> None:
    path = tmp_path / "batch.jsonl"
    lines = [
        json.dumps({"id": "r1", "text": "First report.", "published": "2021-08-12"}),
        "",
        '{"id": "r3", "text": "broken',
        json.dumps(["not", "an", "object"]),
        json.dumps({"id": "r5"}),
        json.dumps({"id": "r6", "text": "   "}),
        json.dumps({"id": 7, "text": "Numeric id."}),
        json.dumps({"id": "r8", "text": "Bad date.", "published": "13/08/2021"}),
        json.dumps({"text": "No id here.", "published": "2021-08-13T07:29:00+04:00"}),
        json.dumps({"id": "r10", "text": "Last report.\nRead more: elsewhere", "url": "https://x"}),
        "   ",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = _read(path, published=dt.date(2021, 8, 1))
    origin = str(path)
    assert items == [
        Document(
            id="r1", text="First report.", published=dt.date(2021, 8, 12), origin=f"{origin}:1"
        ),
        InputError(f"{origin}:3", "malformed JSON: Unterminated string starting at (column 22)"),
        InputError(f"{origin}:4", "record is a JSON list, not an object"),
        InputError(f"{origin}:5", "record has no 'text' string"),
        InputError(f"{origin}:6", "record 'text' is empty"),
        InputError(f"{origin}:7", "record 'id' is not a string: 7"),
        InputError(
            f"{origin}:8",
            "invalid 'published' date: '13/08/2021' (expected ISO 8601, e.g. 2021-08-13)",
        ),
        Document(
            id="batch-9", text="No id here.", published=dt.date(2021, 8, 13), origin=f"{origin}:9"
        ),
        Document(
            id="r10",
            text="Last report.",
            published=dt.date(2021, 8, 1),
            url="https://x",
            origin=f"{origin}:10",
        ),
    ]


def test_jsonl_invalid_utf8_names_the_line_and_file_offset(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    first = json.dumps({"id": "a", "text": "Fine."}).encode() + b"\n"
    path.write_bytes(first + b'{"id": "b", "text": "caf\xe9"}\n')
    items = _read(path)
    assert items[0] == Document(id="a", text="Fine.", origin=f"{path}:1")
    assert items[1] == InputError(f"{path}:2", f"invalid UTF-8 at byte {len(first) + 24}")


def test_jsonl_with_only_blank_lines_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "blank.jsonl"
    path.write_text("\n\n  \n", encoding="utf-8")
    assert _read(path) == [InputError(str(path), "empty file")]


def test_jsonl_binary_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "blob.jsonl"
    path.write_bytes(b'{"id": "a"}\n\x00\x00\x00')
    assert _read(path) == [InputError(str(path), "binary content (NUL bytes)")]


def test_jsonl_html_record_is_converted(tmp_path: Path) -> None:
    path = tmp_path / "pages.jsonl"
    path.write_text(json.dumps({"id": "p1", "text": "  " + PAGE}) + "\n", encoding="utf-8")
    [doc] = _read(path)
    assert isinstance(doc, Document)
    assert ARTICLE_P1 in doc.text
    assert APPEAL not in doc.text
    assert doc.title == "Truce largely holds"
    assert doc.published == dt.date(2021, 8, 13)


def test_jsonl_text_starting_with_angle_bracket_but_no_tags_stays_text(tmp_path: Path) -> None:
    path = tmp_path / "quote.jsonl"
    path.write_text(json.dumps({"id": "q", "text": "<<Ceasefire now>>, the banner read."}))
    [doc] = _read(path)
    assert isinstance(doc, Document)
    assert doc.text == "<<Ceasefire now>>, the banner read."


# --- HTML ----------------------------------------------------------------------------------------


def test_html_to_text_keeps_article_drops_appeal_and_chrome() -> None:
    article = html_to_text(PAGE)
    assert ARTICLE_P1 in article.text
    assert ARTICLE_P2 in article.text
    for chrome in (APPEAL, "Donate now", "World desk", "Storm damage", "Copyright"):
        assert chrome not in article.text
    assert article.title == "Truce largely holds"
    assert article.published == dt.date(2021, 8, 13)


def test_html_to_text_falls_back_to_body_text() -> None:
    page = (
        "<html><body><nav>Home</nav><div>Tiny</div><div>note<br>here</div>"
        "<script>var x = 1;</script></body></html>"
    )
    article = html_to_text(page)
    assert "Tiny" in article.text
    assert "var x" not in article.text


def test_html_file_uses_metadata_unless_published_is_given(tmp_path: Path) -> None:
    path = tmp_path / "page.htm"
    path.write_text(PAGE, encoding="utf-8")
    [from_page] = _read(path)
    [from_flag] = _read(path, published=dt.date(2021, 8, 14))
    assert isinstance(from_page, Document)
    assert isinstance(from_flag, Document)
    assert (from_page.id, from_page.origin) == ("page", str(path))
    assert from_page.published == dt.date(2021, 8, 13)
    assert from_flag.published == dt.date(2021, 8, 14)
    assert from_page.title == "Truce largely holds"
    assert ARTICLE_P2 in from_page.text


# --- folders -------------------------------------------------------------------------------------


def test_folder_is_read_recursively_in_name_order(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    (root / "b" / "deeper").mkdir(parents=True)
    (root / ".hidden").mkdir()
    (root / "a.txt").write_text("Report A.", encoding="utf-8")
    (root / "b" / "c.html").write_text(PAGE, encoding="utf-8")
    (root / "b" / "deeper" / "d.jsonl").write_text(
        json.dumps({"id": "d1", "text": "Report D."}) + "\n", encoding="utf-8"
    )
    (root / "b" / "empty.txt").write_bytes(b"")
    (root / "b" / "image.png").write_bytes(b"\x89PNG\x00")
    (root / "e.HTM").write_text("<html><body><p>Report E.</p></body></html>", encoding="utf-8")
    (root / "readme.md").write_text("ignored", encoding="utf-8")
    (root / ".hidden" / "secret.txt").write_text("ignored", encoding="utf-8")
    (root / "loop").symlink_to(root)

    items = _read(root, published=dt.date(2021, 8, 15))

    assert [item.id if isinstance(item, Document) else str(item) for item in items] == [
        "a",
        "c",
        "d1",
        f"{root / 'b' / 'empty.txt'}: empty file",
        "e",
    ]
    docs = [item for item in items if isinstance(item, Document)]
    assert all(doc.published == dt.date(2021, 8, 15) for doc in docs)
    assert docs[2].origin == f"{root / 'b' / 'deeper' / 'd.jsonl'}:1"
    assert docs[3].text == "Report E."
