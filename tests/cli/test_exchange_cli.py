"""CLI contract of ``share`` (and, below, ``watchlist``)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.runner import run

SHARE_KEYS = {"case", "format", "tlp", "files", "counts", "redactions", "sent"}


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


HIT_KEYS = {"case", "subject", "subject_id", "list", "list_date", "list_sha256", "publisher",
            "entry_ref", "entry_name", "entry_type", "programmes", "kind", "case_value",
            "listed_value", "match", "strength", "score"}


def test_watchlist_import_list_hits_remove(capsys, demo_home: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from tests.services.exchange import listfixtures as fx

    path = fx.write(tmp_path, "sdn.xml", fx.SDN_XML)
    code, out, err = run(capsys, demo_home, "watchlist", "import", str(path), "--json")
    assert code == 0, err
    info = json.loads(out)
    assert info["name"] == "ofac-sdn" and info["list_date"] == "2026-12-01"
    assert "CASE-2026-0003" in info["cases_with_hits"]
    code, out, _ = run(capsys, demo_home, "watchlist", "import", str(path))
    assert code == 0 and "HIT\tCASE-2026-0003" in out  # shown at once
    code, out, _ = run(capsys, demo_home, "watchlist", "list", "--json")
    assert [r["name"] for r in json.loads(out)] == ["ofac-sdn"]
    code, out, _ = run(capsys, demo_home, "watchlist", "hits", "CASE-2026-0003", "--json")
    hits = json.loads(out)
    assert hits and set(hits[0]) == HIT_KEYS and hits[0]["programmes"] == ["DPRK3", "CYBER2"]
    code, out, err = run(capsys, demo_home, "watchlist", "hits", "CASE-2026-0099", "--json")
    assert code == 1 and "CASE-2026-0099" in err
    code, out, _ = run(capsys, demo_home, "watchlist", "remove", "ofac-sdn")
    assert code == 0
    code, out, _ = run(capsys, demo_home, "watchlist", "hits", "--json")
    assert json.loads(out) == []


def test_watchlist_malformed_is_one_message(capsys, demo_home: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "sdn.csv"
    bad.write_text('1,"A"\n', encoding="utf-8")
    code, _, err = run(capsys, demo_home, "watchlist", "import", str(bad))
    assert code == 2 and "sdn.csv line 1" in err and "Nothing was imported" in err


def test_links_text_shows_watchlist_hits_first(capsys, demo_home: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from tests.services.exchange import listfixtures as fx

    run(capsys, demo_home, "watchlist", "import", str(fx.write(tmp_path, "sdn.xml", fx.SDN_XML)))
    code, out, _ = run(capsys, demo_home, "links", "CASE-2026-0003")
    assert code == 0 and out.startswith("Watchlist hits: 1") and "STRONG  Li Wei" in out
    code, out, _ = run(capsys, demo_home, "links", "CASE-2026-0003", "--json")
    assert isinstance(json.loads(out), list)  # the links contract is unchanged
