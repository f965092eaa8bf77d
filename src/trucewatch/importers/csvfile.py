"""Reading a published CSV file row by row, each row with its line number and its exact bytes.

A row may span several physical lines (a quoted note with line breaks); its `line` is the first
of them and its `raw` the bytes of all of them, as they are in the file, so that the store keeps
the row as published. The header is the first row; a row with more cells than the header is
refused, a row with fewer has the missing cells empty (a missing cell and an empty one are the
same to the importers: "not given").
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from trucewatch.models.figures import MAX_FIGURE, describe, plausible

_BOM = b"\xef\xbb\xbf"


class BadRow(ValueError):
    """A row the importer cannot use; the message says why (the caller adds FILE:LINE)."""


class FileError(ValueError):
    """The file as a whole cannot be read past `line` (0: not at all)."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason


@dataclass(frozen=True)
class CsvRow:
    line: int
    raw: bytes
    cells: dict[str, str]
    problem: str | None = None  # why the row cannot be read as cells, when it cannot

    def get(self, name: str) -> str | None:
        """The stripped cell of column `name`; None when the column or the value is missing."""
        value = self.cells.get(name, "").strip()
        return value or None

    def require(self, name: str) -> str:
        value = self.get(name)
        if value is None:
            raise BadRow(f"missing {name}")
        return value


class _Lines:
    """The file's physical lines, decoded, remembering the raw bytes of those not yet taken."""

    def __init__(self, data: Iterator[bytes]) -> None:
        self._data = data
        self.taken: list[bytes] = []
        self.line = 0
        self.undecodable: int | None = None  # the first line taken that is not UTF-8

    def __iter__(self) -> Iterator[str]:
        for chunk in self._data:
            self.line += 1
            if self.line == 1 and chunk.startswith(_BOM):
                chunk = chunk[len(_BOM) :]
            self.taken.append(chunk)
            try:
                text = chunk.decode("utf-8")
            except UnicodeDecodeError:
                if self.undecodable is None:
                    self.undecodable = self.line
                text = chunk.decode("utf-8", "replace")
            yield text

    def take(self) -> bytes:
        raw, self.taken, self.undecodable = b"".join(self.taken), [], None
        return raw


def read_rows(path: Path, required: Sequence[str]) -> Iterator[CsvRow]:
    """The data rows of `path`, its first row being the header.

    A FileError for a file that cannot be read, is empty, or whose header is not UTF-8 text or
    lacks a `required` column; a row with bytes that are not UTF-8 comes with its problem."""
    try:
        handle = path.open("rb")
    except OSError as error:
        raise FileError(0, error.strerror or str(error)) from None
    with handle:
        lines = _Lines(iter(handle))
        reader = csv.reader(iter(lines))
        try:
            header = [name.strip() for name in next(reader)]
        except StopIteration:
            raise FileError(1, "empty file") from None
        except csv.Error as error:
            raise FileError(1, f"unreadable CSV header: {error}") from None
        if lines.undecodable is not None:
            raise FileError(1, "the header is not UTF-8 text")
        missing = [name for name in required if name not in header]
        if missing:
            raise FileError(1, f"missing required column(s): {', '.join(missing)}")
        lines.take()
        while True:
            first = lines.line + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                yield CsvRow(first, lines.take(), {}, f"unreadable CSV: {error}")
                return
            undecodable = lines.undecodable
            raw = lines.take()
            if undecodable is not None:
                where = "" if undecodable == first else f" (line {undecodable})"
                yield CsvRow(first, raw, {}, f"not UTF-8 text{where}")
                continue
            if not any(c.strip() for c in cells):
                continue
            if len(cells) > len(header):
                problem = f"{len(cells)} cells but the header has {len(header)} columns"
                yield CsvRow(first, raw, {}, problem)
                continue
            yield CsvRow(first, raw, dict(zip(header, cells, strict=False)))


# --- cell values ------------------------------------------------------------------------------

# day-month-year in words only: "03/04/2021" is read one way in Europe, the other in the US
_DAY_FORMATS = ("%d %B %Y", "%d-%B-%Y", "%d %b %Y", "%d-%b-%Y", "%B %d, %Y")


def parse_day(value: str, column: str) -> dt.date:
    """A day written YYYY-MM-DD (a time after it is ignored), "15 January 2021" and the like."""
    text = value.strip()
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        pass
    for form in _DAY_FORMATS:
        try:
            return dt.datetime.strptime(text, form).date()
        except ValueError:
            continue
    raise BadRow(f"{column} {value!r} is not a date")


def parse_int(value: str | None, column: str) -> int | None:
    if value is None:
        return None
    shown = describe(value)
    try:
        number = int(float(value)) if "." in value else int(value)
    except (ValueError, OverflowError):  # OverflowError: "1e400.0"; ValueError: > 4,300 digits
        raise BadRow(f"{column} {shown!r} is not a whole number") from None
    if number < 0:
        raise BadRow(f"{column} {shown!r} is negative")
    return number


def parse_figure(value: str | None, column: str) -> int | None:
    """A count or toll: a whole number from 0 to MAX_FIGURE (trucewatch.models.figures)."""
    number = parse_int(value, column)
    if not plausible(number):
        raise BadRow(f"{column} {describe(value)!r} is not plausible (more than {MAX_FIGURE:,})")
    return number


def parse_coordinate(value: str | None, column: str, bound: float) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        raise BadRow(f"{column} {value!r} is not a number") from None
    if not -bound <= number <= bound:
        raise BadRow(f"{column} {value!r} is out of range")
    return number
