"""The same case file from a local store and a team store: the demo loaded into each, the
same case exported at the same time, and every page's text compared. Only what identifies the
store itself may differ (its id, the audit chain head that id is part of) and the temp folder
the demo's files were acquired from."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from pypdf import PdfReader

from caseapp.services.casefile.exports import export_case_file
from caseapp.services.maintenance.demo import load_demo
from caseapp.services.workspace import open_workspace

NOW = datetime(2026, 3, 2, 10, 15, tzinfo=UTC)
_STORE_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_HASH = re.compile(r"[0-9a-f]{32,}")
#: the demo's files are written to a fresh temp folder (its name may wrap onto the next line)
_DEMO_TMP = re.compile(r"caseapp-demo-[\w\n]+?/0/")


def _pages(path: Path) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(str(path)).pages]


def _normalised(text: str) -> str:
    """Without the store's id and chain head, the demo's temp folder, and the wall-clock
    minutes of ingest (the two stores are loaded one after the other)."""
    today = re.compile(datetime.now(UTC).strftime("%Y-%m-%d") + r" \d{2}:\d{2}")
    text = _DEMO_TMP.sub("<tmp>/0/", _STORE_ID.sub("<store>", text))
    return today.sub("<today>", _HASH.sub("<hash>", text))


def test_the_demo_case_file_is_the_same_on_both_stores(pg_url: str, tmp_path: Path) -> None:
    pages: dict[str, list[str]] = {}
    for name, url in (("local", ""), ("team", pg_url)):
        with open_workspace(tmp_path / name, store_url=url) as ws:
            assert ws.store.kind == ("sqlcipher" if name == "local" else "postgresql")
            load_demo(ws)
            result = export_case_file(ws, "CASE-2026-0001", tmp_path / f"{name}.pdf", now=NOW)
            pages[name] = _pages(result.path)
    local, team = pages["local"], pages["team"]
    assert len(local) == len(team) >= 10
    assert local != team  # the store ids differ, so the comparison below is not vacuous
    assert [_normalised(p) for p in local] == [_normalised(p) for p in team]
