"""Which store the app opens: the dialog's choice, else --store/CASEAPP_STORE, else the one
remembered in settings, else the data home's own."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from caseapp.ui.team.store_choice import SETTINGS_STORE_URL, chosen_store, remember_store

TEAM = "postgresql://alice@db.example:5432/caseteam?sslmode=prefer"


def test_order_of_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CASEAPP_STORE", raising=False)
    settings = QSettings()
    assert chosen_store(settings) == ""  # nothing remembered: the home's own
    remember_store(settings, TEAM)
    assert chosen_store(QSettings()) == TEAM
    monkeypatch.setenv("CASEAPP_STORE", "postgresql://bob@other/db")
    assert chosen_store(QSettings()) == "postgresql://bob@other/db"  # --store wins
    assert chosen_store(QSettings(), "") == ""  # the dialog's "Use local store" wins
    remember_store(settings, "")
    assert QSettings().value(SETTINGS_STORE_URL) is None
