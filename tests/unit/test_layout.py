"""``tests/unit/`` mirrors the package: each folder of unit tests stands for a folder of ``interchange``
(``tests/unit/formats/pmml/emit/models/`` for ``interchange/formats/pmml/emit/models/``), so a test of
a module is found beside its path, and a folder left behind by a move shows up here."""

from __future__ import annotations

from pathlib import Path

import interchange

PACKAGE = Path(interchange.__file__).parent
UNIT = Path(__file__).parent


def _folders(root: Path) -> set[Path]:
    return {d.relative_to(root) for d in root.rglob("*") if d.is_dir() and d.name != "__pycache__" and "_data" not in d.parts}


def test_every_unit_test_folder_mirrors_a_package_folder() -> None:
    assert sorted(str(d) for d in _folders(UNIT) - _folders(PACKAGE)) == []


def test_every_unit_test_folder_is_a_package() -> None:
    """Test modules of the same name (``test_compared.py``) stand in several folders: each needs an ``__init__``."""
    assert sorted(str(d) for d in _folders(UNIT) if not (UNIT / d / "__init__.py").exists()) == []
