"""Reports in several languages through the registry on a real SQLite file: a Russian bulletin,
its English relay and a Ukrainian report (written for this test) give the right incidents,
linked across languages, with each language stored and the evidence in the original; a report
in a language without a reader is stored and listed as not extracted."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from trucewatch.extract.languages.dispatch import ENGLISH, READERS
from trucewatch.extract.pipeline import Extractor
from trucewatch.geo import Geocoder
from trucewatch.ingest.sources import read_sources
from trucewatch.models import Incident
from trucewatch.registry import Registry
from trucewatch.store import SqlStore, open_store

DAY = "2021-03-06"
RUSSIAN = (
    "Представительство ДНР в СЦКК сообщило, что за минувшие сутки украинские силовики "
    "обстреляли Горловку из минометов. Ранены двое мирных жителей."
)
ENGLISH_RELAY = (
    "The DPR representation in the JCCC said on Saturday that Ukrainian forces had shelled "
    "Horlivka with mortars on Friday, wounding two civilians."
)
UKRAINIAN = (
    "Минулої доби, 5 березня, противник тричі обстріляв позиції Об'єднаних сил біля Авдіївки "
    "з гранатометів, повідомляє штаб ООС. Втрат серед наших воїнів немає."
)
FRENCH = (
    "Le ministère a indiqué que des tirs de mortier avaient visé la ville de Horlivka vendredi, "
    "blessant deux civils."
)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStore]:
    with open_store(tmp_path / "registry.db") as s:
        yield s


@pytest.fixture
def ingested(
    store: SqlStore, extractor: Extractor, geocoder: Geocoder, tmp_path: Path
) -> tuple[SqlStore, list[str]]:
    rows = [
        {"id": name, "text": text, "published": DAY}
        for name, text in (
            ("ru", RUSSIAN),
            ("en", ENGLISH_RELAY),
            ("uk", UKRAINIAN),
            ("fr", FRENCH),
        )
    ]
    path = tmp_path / "reports.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    summary = Registry(store, extractor=extractor, geocoder=geocoder).ingest(
        read_sources([str(path)])
    )
    assert not summary.failed, summary.failed
    return store, summary.not_extracted


def violent(store: SqlStore) -> list[Incident]:
    return [i for i in store.incidents() if i.type != "ceasefire_agreement" and not i.historical]


def test_russian_bulletin_and_its_english_relay_are_one_incident(
    ingested: tuple[SqlStore, list[str]],
) -> None:
    store, _ = ingested
    [horlivka] = [i for i in violent(store) if i.location == "Horlivka"]
    assert horlivka.sources == 2
    assert horlivka.blamed == {"Donetsk separatists": ["Ukraine"]}
    assert str(horlivka.first_date) == "2021-03-05"
    assert horlivka.injured.best == 2


def test_ukrainian_report_is_an_incident_of_its_own(ingested: tuple[SqlStore, list[str]]) -> None:
    store, _ = ingested
    [avdiivka] = [i for i in violent(store) if i.location == "Avdiivka"]
    assert avdiivka.sources == 1
    assert avdiivka.blamed == {"Ukraine": ["Russia"]}
    assert str(avdiivka.first_date) == "2021-03-05"
    assert len(violent(store)) == 2


def test_evidence_stays_in_the_original_language(ingested: tuple[SqlStore, list[str]]) -> None:
    store, _ = ingested
    sentences = {
        claim.event.evidence[0].sentence for incident in violent(store) for claim in incident.claims
    }
    assert RUSSIAN.split(". ")[0] + "." in sentences
    assert any(s.startswith("Минулої доби, 5 березня") for s in sentences)


def test_each_language_is_stored_and_the_unread_one_listed(
    ingested: tuple[SqlStore, list[str]],
) -> None:
    store, not_extracted = ingested
    assert sorted(d.language or "" for d in store.documents()) == ["en", "fr", "ru", "uk"]
    [unread] = store.documents_not_extracted((ENGLISH, *READERS))
    assert unread.language == "fr"
    assert unread.text == FRENCH
    assert len(not_extracted) == 1
    assert not_extracted[0].endswith("(fr)")


def test_extract_command_reads_russian_and_names_the_unread(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from trucewatch.cli import cli

    rows = [
        {"id": "ru", "text": RUSSIAN, "published": DAY},
        {"id": "fr", "text": FRENCH, "published": DAY},
    ]
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    result = CliRunner().invoke(cli, ["extract", str(path)], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    lines = {r["id"]: r for r in map(json.loads, result.stdout.splitlines())}
    [event] = lines["ru"]["events"]
    assert (event["actor"], event["location"], event["date"]) == (
        "Ukraine",
        "Horlivka",
        "2021-03-05",
    )
    assert event["evidence"][0]["sentence"].startswith("Представительство ДНР")
    assert lines["fr"]["events"] == []
    assert f"not extracted: {path}:2: no pipeline for language 'fr'" in result.stderr
