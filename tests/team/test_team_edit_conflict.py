"""Two investigators, each as their own login role under row-level security, edit the same
note of a shared case from their own homes through the CLI: the second save is a visible
conflict (exit 4) and both texts are kept, readable by both."""

from __future__ import annotations

from typing import Any

import pytest
import two_members as shared

team = shared.team
run, as_ = shared.run, shared.as_


@pytest.mark.parametrize("team", ["shared"], indirect=True)  # evidence is not involved
def test_two_members_editing_one_note_conflict_and_both_texts_are_kept(
        capsys: Any, team: dict[str, Any]) -> None:
    alice, bob = team["alice"], team["bob"]
    code, case, err = run(capsys, *as_(alice, "case", "new", "--title", "Shared", "--json"))
    assert code == 0, err
    ref = case["ref"]
    assert run(capsys, *as_(alice, "team", "member", "add", ref, bob["role"], "--as",
                            "investigator"))[0] == 0
    code, note, err = run(capsys, *as_(alice, "note", "add", ref, "first draft", "--json"))
    assert code == 0, err
    # both open the note at version 1
    (read_by_bob,) = run(capsys, *as_(bob, "note", "list", ref, "--json"))[1]
    assert read_by_bob["version"] == 1
    code, saved, err = run(capsys, *as_(alice, "note", "edit", str(note["id"]), "--text",
                                        "alice's text", "--expected-version", "1", "--json"))
    assert code == 0 and saved["version"] == 2, err
    code, out, err = run(capsys, *as_(bob, "note", "edit", str(note["id"]), "--text",
                                      "bob's text", "--expected-version", "1"))
    assert code == 4 and out == ""
    assert "changed by someone else" in err and "conflicting copy" in err
    for person in (alice, bob):
        rows = run(capsys, *as_(person, "note", "list", ref, "--json"))[1]
        assert {(r["text"], r["conflict_of"]) for r in rows} == {
            ("alice's text", None), ("bob's text", note["id"])}
    # the copy is bob's, recorded in the audit log under his login role
    entries = run(capsys, *as_(alice, "audit", "list", "--case", ref, "--json"))[1]
    copy = next(e for e in entries if e["action"] == "note.conflict-copy")
    assert copy["detail"]["db_user"] == bob["role"]
    code, report, err = run(capsys, *as_(alice, "verify", "--json"))
    assert code == 0 and report["ok"], (err, report)
