"""Edit conflicts on the command line: --expected-version, exit 4, nothing written over."""

from __future__ import annotations

import json

from tests.cli.runner import run


def test_a_stale_note_edit_exits_4_and_keeps_both_texts(capsys, home) -> None:
    ref = json.loads(run(capsys, home, "case", "new", "--title", "CLI race", "--json")[1])["ref"]
    note_id = json.loads(run(capsys, home, "note", "add", ref, "draft", "--json")[1])["id"]
    (row,) = json.loads(run(capsys, home, "note", "list", ref, "--json")[1])
    assert row["version"] == 1 and row["conflict_of"] is None
    code, out, _ = run(capsys, home, "note", "edit", str(note_id), "--text", "app's text",
                       "--expected-version", "1", "--json")
    assert code == 0 and json.loads(out)["version"] == 2
    code, out, err = run(capsys, home, "note", "edit", str(note_id), "--text", "cli text",
                         "--expected-version", "1")
    assert (code, out) == (4, "")
    assert f"note #{note_id} was changed by someone else" in err
    assert "it is now version 2" in err and "conflicting copy, note #" in err
    assert "app's text" not in err and "cli text" not in err  # no case data in messages
    rows = json.loads(run(capsys, home, "note", "list", ref, "--json")[1])
    assert {(r["text"], r["conflict_of"]) for r in rows} == {("app's text", None),
                                                             ("cli text", note_id)}


def test_a_stale_case_or_answer_edit_exits_4_and_changes_nothing(capsys, home) -> None:
    ref = json.loads(run(capsys, home, "case", "new", "--title", "T", "--json")[1])["ref"]
    assert json.loads(run(capsys, home, "case", "show", ref, "--json")[1])["version"] == 1
    code, out, _ = run(capsys, home, "case", "edit", ref, "--title", "Theirs",
                       "--expected-version", "1", "--json")
    assert code == 0 and json.loads(out)["version"] == 2
    code, _, err = run(capsys, home, "case", "edit", ref, "--title", "Mine",
                       "--expected-version", "1")
    assert code == 4 and "your change was not saved" in err
    assert json.loads(run(capsys, home, "case", "show", ref, "--json")[1])["title"] == "Theirs"
    # without --expected-version the edit applies to what is stored now
    assert run(capsys, home, "case", "edit", ref, "--title", "Mine")[0] == 0
    items = json.loads(run(capsys, home, "flags", "show", ref, "--json")[1])["items"]
    item = items[0]["id"]
    assert items[0]["version"] == 0
    assert run(capsys, home, "flags", "set", ref, item, "suspected",
               "--expected-version", "0")[0] == 0
    code, _, err = run(capsys, home, "flags", "set", ref, item, "confirmed",
                       "--expected-version", "0")
    assert code == 4 and "was changed by someone else" in err
    items = json.loads(run(capsys, home, "flags", "show", ref, "--json")[1])["items"]
    assert (items[0]["state"], items[0]["version"]) == ("suspected", 1)
