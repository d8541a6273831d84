"""The ``caseapp signals`` commands through main(): JSON shapes, exit codes, decisions."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.runner import run
from tests.domain import signals_fixtures as fx
from tests.services.signals.helpers import signin_log


def _case(capsys, home: Path) -> str:  # noqa: ANN001
    code, out, err = run(capsys, home, "case", "new", "--title", "Signals CLI", "--json")
    assert code == 0, err
    ref = json.loads(out)["ref"]
    for name, mail in (("Jane Roe", "jane.roe@example.com"),
                       ("Carl Control", "carl.control@example.com")):
        code, _out, err = run(capsys, home, "subject", "add", ref, name,
                              "--identifier", f"email:{mail}")
        assert code == 0, err
    return ref


def test_import_json_findings_accept_dismiss(capsys, home, tmp_path) -> None:  # noqa: ANN001
    ref = _case(capsys, home)
    # Claimed residence is set through the service (the CLI has no option for it yet).
    from caseapp.services.cases.subjects import list_subjects, update_subject
    from caseapp.services.workspace import open_workspace

    ws = open_workspace(home, create=False)
    try:
        for subject in list_subjects(ws, ref):
            update_subject(ws, subject.subject.id or 0, claimed_location="Austin, TX")
    finally:
        ws.close()
    log = signin_log(tmp_path / "signins.csv")
    code, out, err = run(capsys, home, "signals", "import", ref, str(log), "--json")
    assert code == 0, err
    report = json.loads(out)
    assert set(report) >= {"case", "exhibit", "format", "rows", "attributed", "unattributed",
                           "errors", "warnings", "identifiers_added", "findings", "data"}
    assert report["exhibit"] == "E-001" and report["format"] == "generic"
    assert report["errors"] == [{"line": 55, "error": report["errors"][0]["error"]}]
    assert report["unattributed"] == [{"account": "stranger@example.com", "rows": 1}]
    rules = {(f["subject"], f["rule"]) for f in report["findings"]}
    assert ("Jane Roe", "vpn-egress") in rules and ("Jane Roe", "working-hours") in rules
    assert not any(subject == "Carl Control" for subject, _ in rules)

    code, out, err = run(capsys, home, "signals", "findings", ref, "--json")
    assert code == 0, err
    view = json.loads(out)
    assert set(view) >= {"case", "findings", "hours", "locations", "imports", "rules"}
    finding = view["findings"][0]
    assert set(finding) >= {"id", "rule", "version", "explanation", "subject", "summary",
                            "score", "status", "redflag_item", "exhibit", "lines",
                            "line_count", "data"}
    assert all(len(h["hours_utc"]) == 24 for h in view["hours"])

    vpn = next(f for f in view["findings"] if f["rule"] == "vpn-egress")
    code, out, err = run(capsys, home, "signals", "accept", ref, str(vpn["id"]), "--json")
    assert code == 0 and json.loads(out)["status"] == "accepted", err
    code, out, _err = run(capsys, home, "flags", "show", ref, "--json")
    item = next(i for i in json.loads(out)["items"] if i["id"] == "technical.vpn-unusual-asn")
    assert item["state"] == "not-assessed" and item["suggestion"] is not None
    code, _out, err = run(capsys, home, "signals", "dismiss", ref, str(vpn["id"] + 999))
    assert code != 0 and "No finding" in err
    code, out, err = run(capsys, home, "signals", "findings", ref)
    assert code == 0 and "vpn-egress v1" in out and "E-001 lines" in out

    code, _out, err = run(capsys, home, "signals", "import", ref, str(log))
    assert code == 1 and "already imported" in err


def test_forced_format_mismatch_is_an_error_and_imports_nothing(capsys, home,  # noqa: ANN001
                                                                 tmp_path) -> None:
    ref = _case(capsys, home)
    path = tmp_path / "entra.csv"
    path.write_text(fx.ENTRA_CSV, encoding="utf-8")
    code, _out, err = run(capsys, home, "signals", "import", ref, str(path),
                          "--format", "okta")
    assert code == 2
    assert "not a okta export" in err and "Nothing was imported" in err
    code, out, _err = run(capsys, home, "evidence", "list", ref, "--json")
    assert json.loads(out) == []
    code, out, err = run(capsys, home, "signals", "import", ref, str(path), "--json")
    assert code == 0 and json.loads(out)["format"] == "entra", err


def test_import_names_the_earlier_case_it_re_evaluated(capsys, home, tmp_path) -> None:  # noqa: ANN001
    first = _case(capsys, home)
    second = _case(capsys, home)
    log = signin_log(tmp_path / "a.csv")  # Jane signs in from 192.0.2.10 among others
    code, out, err = run(capsys, home, "signals", "import", first, str(log))
    assert code == 0, err
    assert "re-evaluated" not in out
    other = tmp_path / "b.csv"
    other.write_text("user,time,ip,user_agent,device_id,result\n"
                     "carl.control@example.com,2026-03-09T10:00:00Z,203.0.113.5,UA,,success\n",
                     encoding="utf-8")
    code, out, err = run(capsys, home, "signals", "import", second, str(other))
    assert code == 0, err
    assert f"re-evaluated {first}: shared-egress finding(s) #" in out
    code, out, err = run(capsys, home, "signals", "import", second, str(signin_log(
        tmp_path / "c.csv", extra="carl.control@example.com,2026-03-10T10:00:00Z,"
                                  "198.51.100.99,UA,,success\n")), "--json")
    assert code == 0, err
    assert [r["case"] for r in json.loads(out)["reevaluated"]] == [first]
