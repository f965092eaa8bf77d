"""Options shared by the commands (one definition each, as sqlite-utils does)."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import click

if TYPE_CHECKING:
    from trucewatch.store import SqlStore

F = TypeVar("F", bound=Callable[..., object])

DEFAULT_DB = "trucewatch.db"


def db_option(func: F) -> F:
    """--db FILE|URL: the registry database (SQLite file by default)."""
    return click.option(
        "--db",
        default=DEFAULT_DB,
        show_default=True,
        envvar="TRUCEWATCH_DB",
        metavar="FILE|URL",
        help="Registry database: a SQLite file, or a database URL.",
    )(func)


def parse_day(_ctx: click.Context, _param: click.Parameter, value: str | None) -> dt.date | None:
    """A click callback for YYYY-MM-DD options."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date in YYYY-MM-DD form") from None


def published_option(func: F) -> F:
    """--published YYYY-MM-DD: the publication date of reports that carry none."""
    return click.option(
        "--published",
        callback=parse_day,
        metavar="YYYY-MM-DD",
        help="Publication date for reports that do not carry their own.",
    )(func)


def profiles_option(func: F) -> F:
    """--profiles DIR (repeatable): folders of extra conflict profiles."""
    return click.option(
        "--profiles",
        "profile_dirs",
        multiple=True,
        type=click.Path(path_type=Path, file_okay=False, exists=True),
        help="A folder of extra conflict profiles (YAML); may be given more than once.",
    )(func)


ORIGINS = ("trucewatch", "acled", "ucdp", "all")


def origin_option(func: F) -> F:
    """--origin: whose incidents (ours by default; imported reference data on request)."""
    return click.option(
        "--origin",
        type=click.Choice(ORIGINS),
        default="trucewatch",
        show_default=True,
        help="Our incidents, an imported reference dataset's, or all.",
    )(func)


@contextlib.contextmanager
def registry(db: str, *, must_exist: bool = False) -> Iterator[SqlStore]:
    """The store behind --db, with its errors as command-line errors (no traceback). Commands
    that only read refuse a SQLite file that does not exist rather than create an empty one."""
    from trucewatch.store import StoreError, open_store

    if must_exist and "://" not in db and not Path(db).exists():
        raise click.UsageError(f"no registry at {db}: ingest reports first, or give --db")
    try:
        store = open_store(db)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        yield store
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        store.close()
