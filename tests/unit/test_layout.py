"""The package's layout: at its root only the package itself and `__main__`; everything else
lives in a package named after its job, the data contracts in `models` (docs/architecture.md)."""

from __future__ import annotations

from pathlib import Path

import trucewatch

ROOT = Path(trucewatch.__file__).parent
ALLOWED_ROOT_MODULES = {"__init__.py", "__main__.py"}


def test_no_loose_modules_at_the_package_root() -> None:
    loose = {p.name for p in ROOT.glob("*.py")}
    assert loose <= ALLOWED_ROOT_MODULES, sorted(loose - ALLOWED_ROOT_MODULES)


def test_one_home_for_the_data_contracts() -> None:
    """`records` was merged into `models`: no second import path for the same classes."""
    assert not (ROOT / "records").exists()
    assert not (ROOT / "records.py").exists()
