"""Which store the app opens: the data home's own, or a team store remembered in settings.

Order: the store chosen in the Connect dialog this session, else ``--store`` /
``CASEAPP_STORE``, else the team store remembered in the app's settings (its URL only, never a
password: that stays in the OS keyring), else the home's own database. Cheap to import (the
start-up path uses it before the database layer is loaded).
"""

from __future__ import annotations

import os

from PySide6.QtCore import QSettings

#: QSettings key of the remembered team store URL (``postgresql://ROLE@HOST:PORT/DB?...``).
SETTINGS_STORE_URL = "team/store_url"


def chosen_store(settings: QSettings, explicit: str | None = None) -> str:
    """The store URL to open ("" for the data home's own database)."""
    if explicit is not None:
        return explicit
    env = os.environ.get("CASEAPP_STORE")
    if env:
        return env
    remembered = settings.value(SETTINGS_STORE_URL, "")
    return remembered if isinstance(remembered, str) else ""


def remember_store(settings: QSettings, url: str) -> None:
    """Open ``url`` ("" for the home's own database) at the next start."""
    if url:
        settings.setValue(SETTINGS_STORE_URL, url)
    else:
        settings.remove(SETTINGS_STORE_URL)
    settings.sync()
