"""The batch manifest: which shards are done, for which outputs, at which content.

A JSON file kept in the output folder (`trucewatch-batch.json`), or beside the SQLite database
when there is no output folder (`<db>.batch.json`). Each done shard is recorded under its
resolved path with the SHA-256 of its bytes, a fingerprint of the extraction settings (package
version, default publication date, extra profiles) and the sinks it was written to
(`parquet:<dir>`, `db:<url>`). A re-run skips a shard whose content, settings and sinks match,
and re-does one that changed, was extracted with other settings, or was not yet written to a
sink now asked for. The file is rewritten atomically (temporary
file, then rename) after every shard, so a crash loses at most the shard in flight.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

__all__ = ["MANIFEST_NAME", "Manifest", "ManifestError", "file_sha256", "manifest_path"]

MANIFEST_NAME = "trucewatch-batch.json"
VERSION = 1
_CHUNK = 1 << 20


class ManifestError(Exception):
    """The manifest exists but cannot be used."""


def file_sha256(path: str | os.PathLike[str]) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def manifest_path(out_dir: str | os.PathLike[str] | None, db: str | None) -> Path:
    """In the output folder; else beside a SQLite file; else (a database URL) in the current
    folder, named after the URL's hash so two databases do not share one."""
    if out_dir is not None:
        return Path(out_dir) / MANIFEST_NAME
    if db is None:
        raise ValueError("a manifest needs an output folder or a database")
    if "://" not in db:
        path = Path(db)
        return path.with_name(path.name + ".batch.json")
    tag = hashlib.sha256(db.encode("utf-8")).hexdigest()[:12]
    return Path.cwd() / f"trucewatch-batch-{tag}.json"


class Manifest:
    """Done shards, loaded from and saved to `path`."""

    def __init__(self, path: Path, shards: dict[str, dict[str, Any]] | None = None) -> None:
        self.path = path
        self.shards: dict[str, dict[str, Any]] = shards if shards is not None else {}

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Manifest:
        """The manifest at `path`, or an empty one if there is none yet."""
        target = Path(path)
        try:
            data = json.loads(target.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls(target)
        except (OSError, ValueError) as exc:
            raise ManifestError(f"cannot read batch manifest {target}: {exc}") from exc
        if not isinstance(data, dict) or not isinstance(data.get("shards"), dict):
            raise ManifestError(f"{target} is not a trucewatch batch manifest")
        if data.get("version") != VERSION:
            raise ManifestError(f"{target}: unsupported manifest version {data.get('version')!r}")
        return cls(target, data["shards"])

    def is_done(self, shard: str, sha256: str, sinks: Iterable[str], settings: str = "") -> bool:
        """Done at this content, with these extraction settings, for every one of `sinks`."""
        entry = self.shards.get(shard)
        if entry is None or not self._same(entry, sha256, settings):
            return False
        return set(sinks) <= set(entry.get("sinks", []))

    @staticmethod
    def _same(entry: dict[str, Any], sha256: str, settings: str) -> bool:
        return entry.get("sha256") == sha256 and entry.get("settings", "") == settings

    def record(
        self, shard: str, sha256: str, sinks: Iterable[str], settings: str = "", **facts: Any
    ) -> None:
        """Mark `shard` done at content `sha256` and `settings` for `sinks` (added to the sinks
        it was already done for at that content and settings), and save."""
        before = self.shards.get(shard) or {}
        same = self._same(before, sha256, settings)
        done = set(before.get("sinks", [])) if same else set()
        self.shards[shard] = {
            "sha256": sha256,
            "settings": settings,
            "sinks": sorted(done | set(sinks)),
            "finished_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            **facts,
        }
        self.save()

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        body = {"version": VERSION, "shards": self.shards}
        try:
            temp.write_text(json.dumps(body, indent=1, sort_keys=True) + "\n", encoding="utf-8")
            temp.replace(self.path)
        finally:
            temp.unlink(missing_ok=True)
