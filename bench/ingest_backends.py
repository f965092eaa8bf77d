"""Ingest throughput into SQLite vs PostgreSQL (documents/s). Prints figures; asserts nothing.

Two figures per backend, on the same documents:
- ingest: `Registry.ingest` end to end (extraction, geocoding, one transaction per document,
  linking) — what a user waits for; extraction dominates it, so the backends come out close;
- store: writing already-extracted documents with their claims and period reports, then saving
  the linked incidents — the part the backend decides.

PostgreSQL is a throwaway server started for the run (tests/postgres_server.py: initdb, a free
127.0.0.1 port, removed afterwards); the run says so and goes on with SQLite alone when the
server binaries are not installed.

    .venv/bin/python bench/ingest_backends.py ../shared/bench/muc4_dev_texts.jsonl --limit 300
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from postgres_server import PostgresServer, find_binaries  # noqa: E402
from trucewatch.extract.pipeline import Extractor  # noqa: E402
from trucewatch.geo import Geocoder  # noqa: E402
from trucewatch.ingest.readers import InputError  # noqa: E402
from trucewatch.ingest.sources import SourceItem, read_sources  # noqa: E402
from trucewatch.link import link  # noqa: E402
from trucewatch.models import Claim, StoredDocument, document_id  # noqa: E402
from trucewatch.registry import Registry  # noqa: E402
from trucewatch.store import SqlStore, open_store  # noqa: E402


def load(path: Path, limit: int) -> list[SourceItem]:
    items = [i for i in read_sources([str(path)]) if not isinstance(i, InputError)]
    return items[:limit]


def timed(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def prepared(
    items: list[SourceItem], extractor: Extractor
) -> list[tuple[StoredDocument, bytes, list[Claim]]]:
    """The documents with their claims, extracted once, to time the store alone."""
    out = []
    now = dt.datetime.now(dt.UTC)
    for item in items:
        doc = item.document
        did = document_id(doc.text)
        events = extractor.extract(doc)
        claims = [
            Claim(id=Claim.make_id(did, i), document_id=did, index=i, event=e)
            for i, e in enumerate(events)
        ]
        stored = StoredDocument(
            id=did, text=doc.text, published=doc.published, origin=doc.origin, ingested_at=now
        )
        out.append((stored, item.raw, claims))
    return out


def store_only(store: SqlStore, docs: list[tuple[StoredDocument, bytes, list[Claim]]]) -> None:
    claims: list[Claim] = []
    for stored, raw, doc_claims in docs:
        if store.add_document(stored, raw, doc_claims):
            claims.extend(doc_claims)
    store.save_incidents(link(claims))


def measure(
    target: str,
    items: list[SourceItem],
    docs: list[tuple[StoredDocument, bytes, list[Claim]]],
    extractor: Extractor,
    geocoder: Geocoder,
    second: str,
) -> dict[str, float]:
    with open_store(target) as store:
        registry = Registry(store, extractor=extractor, geocoder=geocoder)
        ingest_s = timed(lambda: registry.ingest(iter(items)))
    with open_store(second) as store:
        store_s = timed(lambda: store_only(store, docs))
    n = len(items)
    return {"ingest_docs_per_s": n / ingest_s, "store_docs_per_s": n / store_s}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--limit", type=int, default=300)
    args = parser.parse_args()
    items = load(args.corpus, args.limit)
    extractor, geocoder = Extractor(), Geocoder()
    geocoder.locate("Donetsk")  # build or open the gazetteer index outside the timings
    docs = prepared(items, extractor)
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        results["sqlite"] = measure(
            str(Path(tmp) / "a.db"), items, docs, extractor, geocoder, str(Path(tmp) / "b.db")
        )
    binaries = find_binaries()
    if binaries is None:
        print("PostgreSQL server binaries not found: PostgreSQL skipped")
    else:
        with PostgresServer(binaries) as server:
            results["postgresql"] = measure(
                server.create_database("bench_a"),
                items,
                docs,
                extractor,
                geocoder,
                server.create_database("bench_b"),
            )
    print(f"{len(items)} documents from {args.corpus.name}")
    print(f"{'backend':<12}{'ingest docs/s':>16}{'store docs/s':>16}")
    for name, figures in results.items():
        print(
            f"{name:<12}{figures['ingest_docs_per_s']:>16.1f}{figures['store_docs_per_s']:>16.1f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
