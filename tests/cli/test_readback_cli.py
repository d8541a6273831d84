"""Reading cases back from the command line: case show/edit, subject list/show/edit and
identifiers, note list/edit, evidence show with custody, audit list with filters."""

from __future__ import annotations

import json

from tests.cli.runner import run

CASE1, CASE3 = "CASE-2026-0001", "CASE-2026-0003"


def test_case_show_reads_back_everything(capsys, demo_home) -> None:
    code, out, err = run(capsys, demo_home, "case", "show", CASE1, "--json")
    assert code == 0 and err == ""
    data = json.loads(out)
    assert {"id", "ref", "title", "status", "priority", "tags", "summary", "key_facts",
            "opened_at", "closed_at", "updated_at", "notes", "subjects", "exhibits",
            "checklist", "tips"} <= data.keys()
    assert data["ref"] == CASE1 and data["opened_at"] == "2026-03-02T09:30:00+00:00"
    subject = data["subjects"][0]
    assert subject["name"] == "Daniel Park" and "김민준 (Kim Min-jun)" in subject["aliases"]
    assert {"id", "kind", "raw", "normalized", "normalized_ok"} <= subject["identifiers"][0].keys()
    assert [e["exhibit"] for e in data["exhibits"]][:3] == ["E-001", "E-002", "E-003"]
    assert len(data["exhibits"][0]["sha256"]) == 64
    checklist = data["checklist"]
    assert checklist["template"] == "dprk-remote-it-worker" and checklist["assessed"] >= 6
    assert checklist["flagged"] and {"id", "label", "state"} <= checklist["flagged"][0].keys()
    assert data["notes"] == 3
    linked = json.loads(run(capsys, demo_home, "case", "show", "CASE-2026-0002", "--json")[1])
    assert [t["ref"] for t in linked["tips"]] == ["TIP-2026-0003"]
    code, out, _ = run(capsys, demo_home, "case", "show", CASE1)
    assert code == 0 and "Daniel Park" in out and "E-001" in out and "red flags:" in out


def test_case_show_does_not_start_a_checklist(capsys, demo_home) -> None:
    code, out, _ = run(capsys, demo_home, "case", "new", "--title", "Fresh", "--json")
    ref = json.loads(out)["ref"]
    before = json.loads(run(capsys, demo_home, "audit", "list", "--json")[1])
    code, out, _ = run(capsys, demo_home, "case", "show", ref, "--json")
    assert code == 0 and json.loads(out)["checklist"] is None
    after = json.loads(run(capsys, demo_home, "audit", "list", "--json")[1])
    assert len(after) == len(before)


def test_case_edit_changes_only_what_is_given(capsys, demo_home) -> None:
    code, out, _ = run(capsys, demo_home, "case", "edit", CASE3, "--priority", "high",
                       "--tags", "voip, borrowed profile", "--key-facts",
                       "Profile belongs to a real designer (E-001)", "--json")
    assert code == 0 and json.loads(out)["priority"] == "high"
    data = json.loads(run(capsys, demo_home, "case", "show", CASE3, "--json")[1])
    assert data["tags"] == ["voip", "borrowed profile"] and "(E-001)" in data["key_facts"]
    assert data["title"].startswith("Designer applicant")  # unchanged
    code, _, err = run(capsys, demo_home, "case", "edit", "CASE-2026-9999", "--title", "X")
    assert code != 0 and "CASE-2026-9999" in err


def test_subjects_and_identifiers(capsys, demo_home) -> None:
    code, out, _ = run(capsys, demo_home, "subject", "list", CASE3, "--json")
    subjects = json.loads(out)
    assert code == 0 and [s["name"] for s in subjects] == ["Li Wei"]
    code, out, _ = run(capsys, demo_home, "subject", "show", CASE3, "li wei", "--json")
    assert code == 0 and json.loads(out)["id"] == subjects[0]["id"]
    code, out, _ = run(capsys, demo_home, "subject", "identifier", "add", CASE3, "Li Wei",
                       "email:Li.Wei@Example.org", "--json")
    added = json.loads(out)
    assert code == 0 and added["kind"] == "email" and added["normalized"] == "li.wei@example.org"
    shown = json.loads(run(capsys, demo_home, "subject", "show", CASE3,
                           str(subjects[0]["id"]), "--json")[1])
    assert added["id"] in [i["id"] for i in shown["identifiers"]]
    code, out, _ = run(capsys, demo_home, "subject", "identifier", "remove", CASE3, "Li Wei",
                       "email:li.wei@example.org", "--json")
    assert code == 0 and json.loads(out)["removed"]["id"] == added["id"]
    code, _, err = run(capsys, demo_home, "subject", "identifier", "remove", CASE3, "Li Wei",
                       "email:li.wei@example.org")
    assert code != 0 and "no email identifier" in err
    code, out, _ = run(capsys, demo_home, "subject", "edit", CASE3, "Li Wei", "--location",
                       "Toronto (claimed)", "--json")
    assert code == 0 and json.loads(out)["claimed_location"] == "Toronto (claimed)"
    code, _, err = run(capsys, demo_home, "subject", "show", CASE3, "Nobody")
    assert code != 0 and "no subject" in err


def test_notes_list_and_edit(capsys, demo_home) -> None:
    code, out, _ = run(capsys, demo_home, "note", "list", CASE1, "--json")
    notes = json.loads(out)
    assert code == 0 and len(notes) == 3
    assert [n["occurred_at"] for n in notes] == sorted(n["occurred_at"] for n in notes)
    first = notes[0]
    code, out, _ = run(capsys, demo_home, "note", "edit", str(first["id"]), "--text",
                       "HR flagged the address change (corrected).", "--json")
    assert code == 0 and json.loads(out)["version"] == 2
    again = json.loads(run(capsys, demo_home, "note", "list", CASE1, "--json")[1])
    assert again[0]["text"] == "HR flagged the address change (corrected)."


def test_evidence_show_has_the_custody_chain(capsys, demo_home) -> None:
    code, out, _ = run(capsys, demo_home, "evidence", "show", CASE1, "E-001", "--json")
    data = json.loads(out)
    assert code == 0 and data["exhibit"] == "E-001" and data["case"] == CASE1
    actions = [e["action"] for e in data["custody"]]
    assert actions[:2] == ["acquired", "ingested"]
    assert {"at", "action", "actor", "sha256", "detail"} <= data["custody"][0].keys()
    code, out, _ = run(capsys, demo_home, "evidence", "show", CASE1, "E-001")
    assert code == 0 and "custody:" in out and data["sha256"] in out
    code, _, err = run(capsys, demo_home, "evidence", "show", CASE1, "E-999")
    assert code != 0 and "E-999" in err


def test_audit_list_filters(capsys, demo_home) -> None:
    code, out, _ = run(capsys, demo_home, "audit", "list", "--json")
    every = json.loads(out)
    assert code == 0 and every[0]["id"] > every[-1]["id"]
    assert {"id", "at", "actor", "action", "event", "case", "record", "summary", "detail",
            "hash"} <= every[0].keys()
    of_case = json.loads(run(capsys, demo_home, "audit", "list", "--case", CASE3, "--json")[1])
    assert of_case and {e["case"] for e in of_case} == {CASE3}
    items = json.loads(run(capsys, demo_home, "audit", "list", "--action",
                           "checklist.item-set", "--json")[1])
    assert items and {e["action"] for e in items} == {"checklist.item-set"}
    assert items[0]["event"] == "Red-flag item assessed"
    assert json.loads(run(capsys, demo_home, "audit", "list", "--since", "1d", "--json")[1])
    assert json.loads(run(capsys, demo_home, "audit", "list", "--since", "2999-01-01",
                          "--json")[1]) == []
    assert len(json.loads(run(capsys, demo_home, "audit", "list", "--limit", "2",
                              "--json")[1])) == 2
    code, _, err = run(capsys, demo_home, "audit", "list", "--since", "yesterday")
    assert code == 2 or "not a time" in err


def test_profile_set_show_and_used_as_actor(capsys, home) -> None:
    code, out, _ = run(capsys, home, "profile", "show", "--json")
    assert code == 0 and json.loads(out) is None
    code, out, _ = run(capsys, home, "profile", "set", "--name", "Jane Doe", "--organisation",
                       "Acme Investigations", "--role", "Investigator", "--json")
    data = json.loads(out)
    assert code == 0 and data["actor"] == "Jane Doe (Acme Investigations)"
    assert {"name", "organisation", "role", "badge", "actor", "os_account"} <= data.keys()
    run(capsys, home, "case", "new", "--title", "Profiled")
    entries = json.loads(run(capsys, home, "audit", "list", "--action", "case.created",
                             "--json")[1])
    assert entries[0]["actor"] == "Jane Doe (Acme Investigations)"
    assert entries[0]["detail"]["os_account"] == data["os_account"]
    code, _, err = run(capsys, home, "profile", "set", "--name", "  ")
    assert code != 0 and "needs a name" in err


def test_export_prepared_by_defaults_to_the_profile(capsys, home, tmp_path) -> None:
    from pypdf import PdfReader

    run(capsys, home, "profile", "set", "--name", "Jane Doe", "--organisation", "Acme")
    ref = json.loads(run(capsys, home, "case", "new", "--title", "Export me", "--json")[1])["ref"]
    out = tmp_path / "case.pdf"
    code, _, err = run(capsys, home, "export", ref, "--out", str(out), "--recipient", "Counsel")
    assert code == 0, err
    cover = PdfReader(str(out)).pages[0].extract_text()
    assert "Jane Doe (Acme)" in cover
