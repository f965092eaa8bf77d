"""`trucewatch extract` end to end: through click's CliRunner and once as a real process.

Each invocation builds its own Extractor (spaCy load, about a second), so the inputs of several
checks are grouped into few invocations.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from trucewatch.cli import cli

TALLY = "Indian troops violated the ceasefire 120 times over the past 24 hours, Pakistan said."
BULLETIN = (
    "Ukraine's General Staff said on Sunday that Russian forces shelled Ukrainian positions near "
    "Avdiivka with mortars. There were no casualties."
)
HTML = """<!doctype html>
<html><head><title>Shelling near Avdiivka</title></head>
<body>
<nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article>
<h1>Shelling near Avdiivka</h1>
<p>{text}</p>
<p>Monitors said they would visit the area once the fighting stopped.</p>
</article>
<div class="donate-box"><p>Support our journalism. Donate now.</p></div>
</body></html>
"""


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, ["extract", *args], catch_exceptions=True)


def ok(result: Result) -> Result:
    assert result.exception is None, result.stderr
    assert result.exit_code == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result


def read_jsonl(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def write_jsonl(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def current(events: list[dict[str, object]]) -> list[dict[str, object]]:
    return [e for e in events if not e["historical"] and e["type"] != "mediation"]


def test_jsonl_in_one_line_per_record_out(tmp_path: Path) -> None:
    source = write_jsonl(
        tmp_path / "in.jsonl",
        [
            {"id": "own-date", "text": TALLY, "published": "2021-03-02"},
            {"id": "no-date", "text": TALLY},
            {"id": "quiet", "text": "The talks will resume in Geneva next month."},
        ],
    )
    out = tmp_path / "out" / "result.jsonl"
    result = ok(invoke(str(source), "-o", str(out), "--published", "2022-09-15"))
    lines = read_jsonl(out.read_text(encoding="utf-8"))
    assert [line["id"] for line in lines] == ["own-date", "no-date", "quiet"]
    assert all(set(line) == {"id", "events"} for line in lines)
    own, given, quiet = (line["events"] for line in lines)
    # a record's own publication date wins; --published fills in for records without one
    assert [e["date"] for e in current(own)] == ["2021-03-01"]
    assert [e["date"] for e in current(given)] == ["2022-09-14"]
    assert [e["count"] for e in current(given)] == [120]
    assert current(quiet) == []
    assert "extracted 3 document(s)" in result.stderr
    assert result.stdout == ""


def test_txt_html_and_folder_inputs(tmp_path: Path) -> None:
    (tmp_path / "bulletin.txt").write_text(BULLETIN + "\n", encoding="utf-8")
    (tmp_path / "page.html").write_text(HTML.format(text=BULLETIN), encoding="utf-8")
    folder = tmp_path / "folder"
    (folder / "deeper").mkdir(parents=True)
    (folder / "b-tally.txt").write_text(TALLY, encoding="utf-8")
    (folder / "deeper" / "a-bulletin.txt").write_text(BULLETIN, encoding="utf-8")
    (folder / "notes.md").write_text("ignored: not a report format", encoding="utf-8")
    result = ok(
        invoke(
            str(tmp_path / "bulletin.txt"),
            str(tmp_path / "page.html"),
            str(folder),
            "--published",
            "2022-09-15",
        )
    )
    lines = read_jsonl(result.stdout)
    assert [line["id"] for line in lines] == ["bulletin", "page", "b-tally", "a-bulletin"]
    by_id = {line["id"]: current(line["events"]) for line in lines}
    for doc_id in ("bulletin", "page", "a-bulletin"):
        (event,) = by_id[doc_id]
        assert (event["type"], event["actor"], event["source"]) == ("shelling", "Russia", "Ukraine")
        assert (event["weapon"], event["killed"], event["injured"]) == ("mortar", 0, 0)
        assert event["date"] == "2022-09-11"
    (tally,) = by_id["b-tally"]
    assert (tally["count"], tally["date"]) == (120, "2022-09-14")


def test_table_format_has_a_header_per_document(tmp_path: Path) -> None:
    source = write_jsonl(
        tmp_path / "in.jsonl",
        [
            {"id": "first", "text": BULLETIN, "published": "2022-09-15"},
            {"id": "second", "text": "The talks will resume in Geneva next month."},
        ],
    )
    result = ok(invoke(str(source), "--format", "table"))
    headers = [line for line in result.stdout.splitlines() if line.startswith("== ")]
    assert headers == ["== first (published 2022-09-15)", "== second"]
    assert "shelling" in result.stdout
    assert "Russia → Ukraine" in result.stdout
    with pytest.raises(json.JSONDecodeError):
        json.loads(result.stdout.splitlines()[0])


def test_bad_published_date_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(BULLETIN, encoding="utf-8")
    result = invoke(str(tmp_path / "a.txt"), "--published", "15/09/2022")
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.stderr
    assert "Traceback" not in result.stderr


# -- bad inputs ----------------------------------------------------------------------------------


def make_bad_inputs(folder: Path) -> tuple[list[str], dict[str, str]]:
    """Good and bad inputs in command-line order, and each bad input's expected reason."""
    folder.mkdir()
    (folder / "good.txt").write_text(BULLETIN, encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (folder / "latin1.txt").write_bytes("Shelling near Mari\u00efnka.".encode("latin-1"))
    write_jsonl(folder / "mixed.jsonl", [{"id": "j1", "text": TALLY}])
    with (folder / "mixed.jsonl").open("a", encoding="utf-8") as handle:
        handle.write('{"id": "broken", "text": "unterminated\n')
        handle.write(json.dumps({"id": "j3", "text": BULLETIN}) + "\n")
    names = ["good.txt", "empty.txt", "binary.txt", "latin1.txt", "mixed.jsonl", "missing.txt"]
    reasons = {
        str(folder / "empty.txt"): "empty file",
        str(folder / "binary.txt"): "binary content",
        str(folder / "latin1.txt"): "invalid UTF-8 at byte",
        f"{folder / 'mixed.jsonl'}:2": "malformed JSON",
        str(folder / "missing.txt"): "no such file or directory",
    }
    return [str(folder / n) for n in names], reasons


def check_bad_run(exit_code: int, stdout: str, stderr: str, reasons: dict[str, str]) -> None:
    assert exit_code == 1, stderr
    assert "Traceback" not in stderr
    lines = stderr.splitlines()
    for origin, reason in reasons.items():
        named = [line for line in lines if line.startswith(f"error: {origin}: ")]
        assert len(named) == 1, (origin, stderr)
        assert reason in named[0]
    # the summary comes last: the count of documents, then every failure once more
    summary_at = next(i for i, line in enumerate(lines) if line.startswith("extracted "))
    assert lines[summary_at] == "extracted 3 document(s), " + lines[summary_at].split(", ")[1]
    assert lines[summary_at + 1] == f"{len(reasons)} input(s) failed:"
    assert all(not line.startswith("error:") for line in lines[summary_at:])
    assert len(lines) == summary_at + 2 + len(reasons)
    written = read_jsonl(stdout)
    assert [line["id"] for line in written] == ["good", "j1", "j3"]


def test_bad_inputs_are_reported_and_good_ones_written(tmp_path: Path) -> None:
    args, reasons = make_bad_inputs(tmp_path / "in")
    result = invoke(*args, "--published", "2022-09-15")
    assert result.exception is None or isinstance(result.exception, SystemExit)
    check_bad_run(result.exit_code, result.stdout, result.stderr, reasons)


def test_real_process_reports_bad_inputs(tmp_path: Path) -> None:
    args, reasons = make_bad_inputs(tmp_path / "in")
    out = tmp_path / "out.jsonl"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "trucewatch",
            "extract",
            *args,
            "-o",
            str(out),
            "--published",
            "2022-09-15",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.stdout == ""
    check_bad_run(proc.returncode, out.read_text(encoding="utf-8"), proc.stderr, reasons)
    good = read_jsonl(out.read_text(encoding="utf-8"))[0]
    (event,) = current(good["events"])
    assert event["date"] == (dt.date(2022, 9, 15) - dt.timedelta(days=4)).isoformat()


def test_user_profile_folder_names_a_new_conflicts_sides(tmp_path: Path) -> None:
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "thailand-cambodia.yaml").write_text(
        "id: thailand-cambodia\n"
        "title: Thailand and Cambodia border\n"
        "keywords: [Ta Muen Thom]\n"
        "sides:\n"
        "  Thailand: [Royal Thai Army]\n"
        "  Cambodia: [Royal Cambodian Armed Forces]\n",
        encoding="utf-8",
    )
    text = "The enemy opened fire on our positions near Ta Muen Thom, the Royal Thai Army said."
    src = write_jsonl(tmp_path / "in.jsonl", [{"id": "t", "text": text, "published": "2025-07-29"}])
    out = read_jsonl(ok(invoke(str(src), "--profiles", str(profiles))).stdout)
    (event,) = current(out[0]["events"])  # type: ignore[arg-type]
    assert (event["actor"], event["target"], event["source"]) == (
        "Cambodia",
        "Thailand",
        "Thailand",
    )

    (profiles / "broken.yaml").write_text("id: broken\n", encoding="utf-8")
    failed = invoke(str(src), "--profiles", str(profiles))
    assert failed.exit_code == 2
    assert "broken.yaml" in failed.stderr
    assert "Traceback" not in failed.stderr
