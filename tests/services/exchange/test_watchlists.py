"""Watchlist import (OFAC SDN CSV set and XML, STIX, MISP, CSV) and hits on the demo cases."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

import pytest

from caseapp.services.errors import InvalidInput, NotFound
from caseapp.services.exchange import watchlists as wl
from caseapp.services.exchange.hits import hits_for_case, hits_for_open_cases
from tests.services.exchange import listfixtures as fx


def sdn_set(folder: Path) -> Path:
    folder.mkdir()
    fx.write(folder, "add.csv", fx.ADD_CSV)
    fx.write(folder, "alt.csv", fx.ALT_CSV)
    return fx.write(folder, "sdn.csv", fx.SDN_CSV)


def test_sdn_csv_set_hits_and_clean_control(demo: Any, tmp_path: Path) -> None:
    info = wl.import_watchlist(demo, sdn_set(tmp_path / "ofac"))
    assert info.name == "ofac-sdn" and info.format == "ofac-sdn" and info.records == 3
    assert "OFAC" in info.publisher and len(info.sha256) == 64
    hits = hits_for_case(demo, "CASE-2026-0003")  # Li Wei's ETH wallet, mixed case
    wallet = next(h for h in hits if h.kind == "wallet")
    assert wallet.match == "exact" and wallet.strength == "strong"
    assert wallet.programmes == ("DPRK3", "CYBER2") and "DPRK3" in wallet.reason
    email = [h for h in hits_for_case(demo, "CASE-2026-0002") if h.kind == "email"]
    assert email and email[0].entry_name.startswith("KOREA SOFTWARE FRONT")
    site = [h for h in hits_for_case(demo, "CASE-2026-0004") if h.match == "site"
            or h.kind == "url"]
    assert site and site[0].strength == "strong"  # https://front-company.example/
    names = [h for h in hits_for_case(demo, "CASE-2026-0001") if h.match == "name"]
    assert names and all(h.strength == "weak" for h in names)  # 김민준 (Kim Min-jun)
    assert not [h for h in hits_for_case(demo, "CASE-2026-0001") if h.strength == "strong"]
    everywhere = hits_for_open_cases(demo)
    assert set(everywhere) >= {"CASE-2026-0002", "CASE-2026-0003"}


def test_clean_list_gives_no_hits(demo: Any, tmp_path: Path) -> None:
    path = fx.write(tmp_path, "clean.csv", "kind,value,name\nemail,nobody@else.example,X\n"
                    "wallet,bc1qnothingmatcheshere0000000000000000000,Y\nname,Zebulon "
                    "Quartermaine,Zebulon Quartermaine\n")
    wl.import_watchlist(demo, path)
    for ref in ("CASE-2026-0001", "CASE-2026-0002", "CASE-2026-0003", "CASE-2026-0004"):
        assert hits_for_case(demo, ref) == []


def test_sdn_xml_with_date_and_hangul_alias(demo: Any, tmp_path: Path) -> None:
    info = wl.import_watchlist(demo, fx.write(tmp_path, "sdn.xml", fx.SDN_XML))
    assert info.list_date == "2026-12-01" and info.records == 2
    assert any(h.kind == "wallet" for h in hits_for_case(demo, "CASE-2026-0003"))
    names = [h for h in hits_for_case(demo, "CASE-2026-0001") if h.match == "name"]
    assert names  # 김민준 listed; the subject's alias is "김민준 (Kim Min-jun)"


def test_reimport_replaces_entries(demo: Any, tmp_path: Path) -> None:
    path = sdn_set(tmp_path / "ofac")
    first = wl.import_watchlist(demo, path)
    second = wl.import_watchlist(demo, path)
    assert first.entries == second.entries
    assert [w.name for w in wl.list_watchlists(demo)] == ["ofac-sdn"]
    wl.remove_watchlist(demo, "ofac-sdn")
    assert wl.list_watchlists(demo) == [] and hits_for_case(demo, "CASE-2026-0003") == []
    with pytest.raises(NotFound):
        wl.remove_watchlist(demo, "ofac-sdn")


def test_stix_bundle_reports_what_it_skips(demo: Any, tmp_path: Path) -> None:
    info = wl.import_watchlist(demo, fx.write_json(tmp_path, "advisory.json", fx.stix_bundle()),
                               name="cert-advisory")
    assert info.format == "stix" and info.publisher == "Partner CERT (fictional)"
    assert info.skipped == 2
    assert any("not a simple equality" in p for p in info.problems)
    assert any("x-unknown-thing" in p for p in info.problems)
    # each problem names where it is: the object's place in the bundle and its id
    assert any(p.startswith("advisory.json object 3 (indicator--44444444-4444-4444-8444-")
               for p in info.problems)
    assert any(p.startswith("advisory.json object 5 (x-unknown-thing--6)")
               for p in info.problems)
    ip = [h for h in hits_for_case(demo, "CASE-2026-0001") if h.kind == "ip"]
    assert ip and ip[0].list == "cert-advisory"
    assert [h for h in hits_for_case(demo, "CASE-2026-0002") if h.match == "name"]


def test_misp_event(demo: Any, tmp_path: Path) -> None:
    info = wl.import_watchlist(demo, fx.write_json(tmp_path, "event.json", fx.misp_event()))
    assert info.format == "misp" and info.list_date == "2026-11-29"
    assert any("sha256" in p for p in info.problems)
    btc = [h for h in hits_for_case(demo, "CASE-2026-0004") if h.kind == "wallet"]
    assert btc and btc[0].programmes == ("dprk-it-workers",)


def test_exported_stix_round_trips_as_a_watchlist(demo: Any, tmp_path: Path) -> None:
    from caseapp.services.exchange.share import share_case

    out = tmp_path / "c1.json"
    share_case(demo, "CASE-2026-0001", "stix", out)
    info = wl.import_watchlist(demo, out, name="own-export")
    assert info.entries > 0
    assert any(h.strength == "strong" for h in hits_for_case(demo, "CASE-2026-0001"))


@pytest.mark.parametrize(("name", "content", "message"), [
    ("sdn.csv", '1,"A","-0- "\n', "sdn.csv line 1: 3 fields, expected 12"),
    ("sdn.csv", '"x1",' + '"-0- ",' * 10 + '"-0- "\n', "is not a number"),
    ("sdn.xml", "<sdnList><sdnEntry><uid>1</uid>", "not well-formed"),
    ("bad.json", '{"type": "bundle", "objects": [\n{"a": }]}', "line 2, column"),
    ("event.json", '{"Event": 3}', "no MISP Event"),
    ("list.csv", "kind;value\nemail;a@b.example\n", "the header must name"),
])
def test_malformed_files_import_nothing(demo: Any, tmp_path: Path, name: str, content: str,
                                        message: str) -> None:
    fmt = {"sdn.csv": "ofac-sdn", "sdn.xml": "ofac-sdn", "bad.json": "stix",
           "event.json": "misp", "list.csv": "csv"}[name]
    with pytest.raises(InvalidInput, match="Nothing was imported") as exc:
        wl.import_watchlist(demo, fx.write(tmp_path, name, content), fmt=fmt)
    assert message in str(exc.value)
    assert wl.list_watchlists(demo) == []
    assert gc.isenabled()  # paused for the parse only, back on after a refused file


def test_cycle_collection_resumes_after_import(demo: Any, tmp_path: Path) -> None:
    assert gc.isenabled()
    wl.import_watchlist(demo, sdn_set(tmp_path / "ofac"))
    assert gc.isenabled()
    gc.disable()  # a caller that had it off keeps it off
    try:
        wl.import_watchlist(demo, tmp_path / "ofac", name="again")
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_other_encoding_and_size_limit(demo: Any, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    latin = fx.SDN_CSV.replace("UNRELATED TRADING", "SOCIÉTÉ UNRELATED").encode("cp1252")
    folder = tmp_path / "latin"
    folder.mkdir()
    info = wl.import_watchlist(demo, fx.write(folder, "sdn.csv", latin))
    assert any("Windows-1252" in p for p in info.problems)
    with pytest.raises(InvalidInput, match="JSON must be UTF-8"):
        wl.import_watchlist(demo, fx.write(tmp_path, "b.json", '{"type": "bundle", "objects": '
                                           '[{"name": "é"}]}'.encode("cp1252")), fmt="stix")
    monkeypatch.setattr(wl, "MAX_BYTES", 100)
    with pytest.raises(InvalidInput, match="up to 0 MB|Nothing was imported|MB"):
        wl.import_watchlist(demo, fx.write_json(tmp_path, "big.json", fx.stix_bundle()))
    assert [w.name for w in wl.list_watchlists(demo)] == ["ofac-sdn"]


def test_xml_entities_refused(demo: Any, tmp_path: Path) -> None:
    bomb = ('<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]>'
            "<sdnList><sdnEntry><uid>1</uid><lastName>&b;</lastName></sdnEntry></sdnList>")
    with pytest.raises(InvalidInput, match="entities or a DTD"):
        wl.import_watchlist(demo, fx.write(tmp_path, "sdn.xml", bomb))


def test_case_file_pdf_lists_the_hit_with_list_date_and_hash(demo: Any, tmp_path: Path) -> None:
    from pypdf import PdfReader

    from caseapp.services.casefile.exports import export_case_file

    info = wl.import_watchlist(demo, fx.write(tmp_path, "sdn.xml", fx.SDN_XML))
    out = tmp_path / "case3.pdf"
    export_case_file(demo, "CASE-2026-0003", out)
    text = " ".join((p.extract_text() or "") for p in PdfReader(out).pages)
    flat = " ".join(text.split())
    assert "Watchlist hits" in flat and "KOREA SOFTWARE FRONT" in flat
    assert "ofac-sdn, 2026-12-01" in flat and info.sha256[:16] in flat.replace(" ", "")


def test_search_watchlist_filter(demo: Any, tmp_path: Path) -> None:
    from caseapp.services.cases import cases, subjects
    from caseapp.services.cases.subjects import IdentifierInput as Ident
    from caseapp.services.discovery.search import search

    clean = cases.create_case(demo, "Clean control")
    subjects.add_subject(demo, clean.ref, "Zebulon Quartermaine",
                         identifiers=[Ident("email", "zq@elsewhere.example")])
    assert search(demo, "watchlist:ofac") == []  # no list yet: nothing, not everything
    wl.import_watchlist(demo, fx.write(tmp_path, "sdn.xml", fx.SDN_XML))
    hits = search(demo, "watchlist:ofac")
    refs = {h.ref for h in hits}
    assert "CASE-2026-0003" in refs and all(h.type == "case" for h in hits)
    assert clean.ref not in refs
    assert search(demo, f"watchlist:ofac case:{clean.ref}") == []
    assert search(demo, "watchlist:other-list") == []
