"""PySide6's per-import source scan is switched off at start-up without changing what Qt does."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QLabel

from caseapp.ui.app import skip_pyside_source_scan

CASEAPP = Path(__file__).resolve().parents[2] / "caseapp"


@pytest.fixture
def feature() -> Any:
    """PySide6's feature module, its scan function restored afterwards."""
    module: Any = sys.modules["PySide6.support.feature"]
    original = module._mod_uses_pyside
    yield module
    module._mod_uses_pyside = original


def _import_fresh(tmp_path: Path, name: str) -> Any:
    (tmp_path / f"{name}.py").write_text(
        "from PySide6.QtWidgets import QLabel\n\n"
        "def text() -> str:\n    return QLabel('plain').text()\n", encoding="utf-8")
    sys.path.insert(0, str(tmp_path))
    try:
        return __import__(name)  # the import statement's way: PySide6 hooks only that one
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop(name, None)


def test_modules_imported_after_the_switch_are_not_scanned(tmp_path, feature, qapp) -> None:
    # control: PySide6 reads the new module's source and finds "PySide6" in it
    before = _import_fresh(tmp_path, "caseapp_scan_control")
    assert feature.pyside_feature_dict["caseapp_scan_control"] == 0
    assert skip_pyside_source_scan()
    after = _import_fresh(tmp_path, "caseapp_scan_skipped")
    assert feature.pyside_feature_dict["caseapp_scan_skipped"] == -1
    # camelCase Qt attributes work the same from both modules
    assert before.text() == after.text() == "plain"
    assert QLabel("x").isVisible() is False


def test_caseapp_selects_no_pyside_feature() -> None:
    """The switch relies on this: with a feature selected somewhere, -1 would follow it."""
    selects = re.compile(r"^\s*(from|import)\s+__feature__\b", re.MULTILINE)
    users = [str(path) for path in CASEAPP.rglob("*.py")
             if selects.search(path.read_text(encoding="utf-8"))]
    assert users == []
