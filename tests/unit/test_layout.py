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


def test_the_old_contract_path_names_the_same_classes() -> None:
    from trucewatch import models, records

    for name in records.__all__:
        assert getattr(records, name) is getattr(models, name)
