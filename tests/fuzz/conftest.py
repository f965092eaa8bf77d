"""Fuzz properties (hypothesis): every reader and the extractor on hostile input.

Budget: $TRUCEWATCH_FUZZ_EXAMPLES examples per property (60 by default, the whole folder in
well under a minute); long campaigns: ``python tests/fuzz/run.py``.
"""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    # also registered in pyproject.toml; declared here too so that the folder runs on its own
    config.addinivalue_line("markers", "fuzz: hypothesis fuzzing of the readers and extractor")
