"""CLI: ``links``, ``search`` and ``reindex`` — contract JSON, text output, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.runner import run


def _setup(capsys, home: Path) -> tuple[str, str]:
    code, out, _ = run(capsys, home, "case", "new", "--title", "Kovalenko laptop farm", "--json")
    assert code == 0
    a = json.loads(out)["ref"]
    code, out, _ = run(capsys, home, "case", "new", "--title", "Second applicant", "--json")
    b = json.loads(out)["ref"]
    run(capsys, home, "subject", "add", a, "Olena", "--identifier", "email:o.k@gmail.com",
        "--identifier", "phone:+1 520 555 0142")
    run(capsys, home, "subject", "add", b, "김철수", "--identifier", "email:ok@gmail.com",
        "--identifier", "phone:+15205550142")
    run(capsys, home, "note", "add", b, "담당자 박김철수님: shipped the laptop to Tucson")
    capsys.readouterr()
    return a, b


def test_links_json_and_text(capsys, home) -> None:
    a, b = _setup(capsys, home)
    code, out, err = run(capsys, home, "links", a, "--json")
    assert code == 0, err
    groups = json.loads(out)
    assert [(g["kind"], g["match"]) for g in groups] == [("phone", "exact"), ("email", "near")]
    for group in groups:
        assert {"kind", "normalized", "match", "reason", "cases", "tips"} <= group.keys()
        assert [(c["ref"], c["title"], c["subject"]) for c in group["cases"]] == [
            (b, "Second applicant", "김철수")]
        assert all({"ref"} <= t.keys() for t in group["tips"])
    assert "dots" in groups[1]["reason"]
    code, out, _ = run(capsys, home, "links", a.lower())
    assert code == 0 and b in out and "NEAR" in out and "김철수" in out


def test_links_for_an_identifier_and_unknown_case(capsys, home) -> None:
    a, b = _setup(capsys, home)
    code, out, _ = run(capsys, home, "links", "--identifier", "phone:+1 (520) 555-0142",
                       "--json")
    assert code == 0
    assert {c["ref"] for c in json.loads(out)[0]["cases"]} == {a, b}
    code, out, err = run(capsys, home, "links", "CASE-1999-0001")
    assert code == 1 and "No case" in err and "Traceback" not in err
    code, _, err = run(capsys, home, "links")
    assert code == 2 and "case ref" in err


def test_search_json_and_text(capsys, home) -> None:
    a, b = _setup(capsys, home)
    code, out, err = run(capsys, home, "search", "laptop", "--json")
    assert code == 0, err
    hits = json.loads(out)
    assert [(h["type"], h["ref"]) for h in hits] == [("case", a), ("note", b)]  # title first
    assert all(set(h) == {"type", "ref", "id", "title", "snippet", "score"} for h in hits)
    assert hits[0]["score"] >= hits[1]["score"]
    code, out, _ = run(capsys, home, "search", "김철수", "--json")
    assert {(h["type"], h["ref"]) for h in json.loads(out)} == {("subject", b), ("note", b)}
    code, out, _ = run(capsys, home, "search", "type:note", "tucson")
    assert code == 0 and b in out and "«Tucson»" in out
    code, out, _ = run(capsys, home, "search", "nothingmatchesthis")
    assert code == 0 and "No matches" in out


def test_search_bad_syntax_exit_2_without_traceback(capsys, home) -> None:
    _setup(capsys, home)
    for query in ('"unbalanced', "*", "planet:mars", "status:sleeping"):
        code, out, err = run(capsys, home, "search", query, "--json")
        assert code == 2 and out == "" and "Traceback" not in err
        assert err.startswith("caseapp: ")


def test_search_without_a_store_is_exit_3(capsys, home) -> None:
    code, _, err = run(capsys, home, "search", "anything")
    assert code == 3 and "No caseapp store" in err
    assert not (home / "caseapp.db").exists()


def test_reindex(capsys, home) -> None:
    a, _b = _setup(capsys, home)
    code, out, _ = run(capsys, home, "reindex", "--json")
    counts = json.loads(out)
    assert code == 0 and counts["case"] == 2 and counts["identifier"] == 4
    code, out, _ = run(capsys, home, "search", "kovalenko", "--json")
    assert [h["ref"] for h in json.loads(out)] == [a]
