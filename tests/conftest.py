"""Fixtures shared by the whole test suite."""

from __future__ import annotations

from pathlib import Path

import pytest

from trucewatch.extract.pipeline import Extractor


@pytest.fixture(scope="session")
def extractor() -> Extractor:
    """One extractor per session: loading the spaCy pipeline takes about a second."""
    return Extractor()


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The project's shared folder (corpus, eval gold files, scorer) next to the checkout."""
    path = Path(__file__).resolve().parents[2] / "shared"
    if not path.is_dir():
        pytest.skip(f"../shared is not beside the checkout: {path} does not exist")
    return path
