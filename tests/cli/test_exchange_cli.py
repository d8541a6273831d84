"""CLI contract of ``share`` (and, below, ``watchlist``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from caseapp.cli.main import main

SHARE_KEYS = {"case", "format", "tlp", "files", "counts", "redactions", "sent"}


def run(capsys, home: Path, *args: str) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    code = main(["--home", str(home), *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def demo_home(capsys, home: Path) -> Path:  # type: ignore[no-untyped-def]
    code, _, _ = run(capsys, home, "demo")
    assert code == 0
    return home


def test_share_stix_json(capsys, demo_home: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "case1.json"
    code, stdout, err = run(capsys, demo_home, "share", "CASE-2026-0001", "--format", "stix",
                            "--tlp", "green", "--out", str(out), "--json")
    assert code == 0, err
    data = json.loads(stdout)
    assert set(data) == SHARE_KEYS and data["tlp"] == "green" and data["sent"] is False
    assert data["files"][0]["path"] == str(out) and out.is_file()
    assert data["counts"]["threat-actor"] == 1


def test_share_refuses_red_for_a_chart(capsys, demo_home: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code, _, err = run(capsys, demo_home, "share", "CASE-2026-0001", "--format", "graphml",
                       "--tlp", "red", "--out", str(tmp_path / "c.graphml"))
    assert code == 2 and "TLP:RED" in err
    assert not (tmp_path / "c.graphml").exists()
