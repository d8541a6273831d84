"""The ``caseapp tips`` commands: import JSON shape and exit codes, masking, reveal, linking."""

from __future__ import annotations

import json
from pathlib import Path

from sqlmodel import select

from caseapp.domain.models import AuditEntry
from caseapp.services.workspace import open_workspace
from tests.cli.runner import run

HEADER = ("received_at,channel,programme,reference,anonymous,tipster_name,tipster_contact,"
          "content,identifiers,reliability,credibility\n")
NAME = "Barnaby Quillfeather (fictional)"
CONTACT = "b.quill@tipster.example"


def _audit(home: Path) -> list[AuditEntry]:
    ws = open_workspace(home, create=False)
    try:
        with ws.session() as session:
            return list(session.exec(select(AuditEntry)).all())
    finally:
        ws.close()


def test_import_json_shape_row_errors_exit_0_and_reimport(capsys, home, tmp_path) -> None:
    path = tmp_path / "tips.csv"
    path.write_text(
        HEADER
        + f"2026-03-01T10:00,reward program,Rewards,R-1,no,{NAME},{CONTACT},"
          "\"Lead about the NJ flat\nsecond line\",https://x.example/p;2001:db8::1,B,2\n"
        + "not-a-date,email,,,,,,bad row,,,\n"
        + '2026-03-02,hotline,,,yes,,,"=HYPERLINK(""http://evil.example"",""x"")",,,\n',
        encoding="utf-8")
    code, out, err = run(capsys, home, "tips", "import", str(path), "--json")
    assert code == 0, err
    report = json.loads(out)
    assert {"imported", "skipped_duplicates", "errors", "warnings"} <= report.keys()
    assert (report["imported"], report["skipped_duplicates"]) == (2, 0)
    assert report["errors"] == [{"line": 4, "error": "received_at 'not-a-date' is not an ISO "
                                                     "8601 time"}]
    assert isinstance(report["warnings"], list)
    code, out, _ = run(capsys, home, "tips", "import", str(path), "--json")
    again = json.loads(out)
    assert code == 0 and (again["imported"], again["skipped_duplicates"]) == (0, 2)

    code, out, _ = run(capsys, home, "tips", "list", "--json")
    listed = json.loads(out)
    assert code == 0 and [t["ref"] for t in listed] == ["TIP-2026-0001", "TIP-2026-0002"]
    assert all(isinstance(t["id"], int) for t in listed)
    assert listed[0]["identity_masked"] is True and listed[0]["tipster"] is None
    assert listed[1]["anonymous"] is True and listed[1]["identity_masked"] is False
    assert listed[1]["content"] == '=HYPERLINK("http://evil.example","x")'
    assert NAME not in out and CONTACT not in out
    assert [i["normalized"] for i in listed[0]["identifiers"]] == [
        "https://x.example/p", "2001:db8::1"]

    code, out, _ = run(capsys, home, "tips", "list")
    assert code == 0 and out.splitlines()[0].startswith("TIP-2026-0001\tnew\tB2\t")
    assert NAME not in out


def test_import_refusals_exit_2_without_traceback(capsys, home, tmp_path) -> None:
    bad = tmp_path / "latin1.csv"
    bad.write_bytes((HEADER + "2026-03-01,email,,,,,,Café crème,,,\n").encode("latin-1"))
    code, out, err = run(capsys, home, "tips", "import", str(bad), "--json")
    assert code == 2 and out == ""
    assert "not UTF-8" in err and "Traceback" not in err
    code, _, err = run(capsys, home, "tips", "import", str(tmp_path / "missing.csv"))
    assert code == 2 and "Cannot read" in err
    code, out, _ = run(capsys, home, "tips", "list", "--json")
    assert json.loads(out) == []


def test_new_show_reveal_link_and_new_case(capsys, home, tmp_path) -> None:
    (tmp_path / "mail.eml").write_text("forwarded mail body")
    code, out, err = run(capsys, home, "tips", "new", "--content", "Same GitHub profile",
                         "--channel", "e-mail", "--tipster-name", NAME, "--tipster-contact",
                         CONTACT, "--reliability", "c", "--credibility", "3", "--identifier",
                         "url:https://github.com/AlexMorganQA", "--attach",
                         str(tmp_path / "mail.eml"), "--follow-up",
                         "2026-01-01T00:00:00+00:00", "--json")
    assert code == 0, err
    tip = json.loads(out)
    assert tip["ref"].startswith("TIP-") and tip["channel"] == "email" and tip["grade"] == "C3"
    assert tip["overdue"] is True and tip["duplicate_candidates"] == []
    assert len(tip["attachments"]) == 1 and NAME not in out
    code, out, _ = run(capsys, home, "tips", "new", "--content", "Same GitHub profile!",
                       "--channel", "hotline", "--anonymous", "--json")
    second = json.loads(out)
    assert [c["ref"] for c in second["duplicate_candidates"]] == [tip["ref"]]

    code, out, _ = run(capsys, home, "tips", "show", tip["ref"], "--json")
    assert code == 0 and NAME not in out and json.loads(out)["tipster"] is None
    assert not any(e.action == "tip.tipster-revealed" for e in _audit(home))
    code, out, _ = run(capsys, home, "tips", "show", tip["ref"], "--reveal", "--json")
    shown = json.loads(out)
    assert shown["tipster"]["name"] == NAME and shown["tipster"]["contact"] == CONTACT
    entries = _audit(home)
    assert [e.entity_id for e in entries if e.action == "tip.tipster-revealed"] == [tip["ref"]]
    assert not any(NAME in e.detail or CONTACT in e.detail for e in entries)

    code, _, err = run(capsys, home, "tips", "new", "--content", "x", "--channel", "email",
                       "--anonymous", "--tipster-name", NAME)
    assert code == 2 and NAME not in err and "anonymous" in err
    code, _, err = run(capsys, home, "tips", "new", "--content", "x", "--channel", "email",
                       "--reliability", "Q")
    assert code == 2 and "A-F" in err

    code, out, _ = run(capsys, home, "case", "new", "--title", "Existing case", "--json")
    case_ref = json.loads(out)["ref"]
    code, out, _ = run(capsys, home, "tips", "link", tip["ref"], case_ref, "--json")
    assert code == 0 and json.loads(out)["cases"] == [case_ref]
    assert json.loads(out)["status"] == "linked"
    code, _, err = run(capsys, home, "tips", "link", tip["ref"], "CASE-1999-0001")
    assert code == 1 and "No case" in err

    code, out, _ = run(capsys, home, "tips", "duplicate", second["ref"], "--of", tip["ref"],
                       "--json")
    assert code == 0 and json.loads(out)["duplicate_of"] == tip["ref"]
    code, out, _ = run(capsys, home, "tips", "status", second["ref"], "closed", "--json")
    assert code == 0 and json.loads(out)["status"] == "closed"
    code, _, err = run(capsys, home, "tips", "status", second["ref"], "linked")
    assert code == 1 and "cannot move" in err

    code, out, _ = run(capsys, home, "tips", "new-case", tip["ref"], "--title", "From the tip",
                       "--subject", "Alex Morgan", "--json")
    new_case = json.loads(out)
    assert code == 0 and new_case["ref"].startswith("CASE-") and new_case["ref"] != case_ref
    code, out, _ = run(capsys, home, "evidence", "list", new_case["ref"], "--json")
    exhibits = json.loads(out)
    assert [(e["exhibit"], e["name"], e["sha256"]) for e in exhibits] == [
        ("E-001", "mail.eml", tip["attachments"][0]["sha256"])]
    code, out, _ = run(capsys, home, "tips", "show", tip["ref"], "--json")
    assert json.loads(out)["cases"] == [case_ref, new_case["ref"]]
