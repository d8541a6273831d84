"""``team publish`` names what it leaves behind: the tips linked to the case, its productions,
and the exhibits that lose the tip they came from - in its output, its JSON and the team's
audit entry. A case with none of them says nothing of the kind (the checkout back)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import two_members as shared

from caseapp.domain.models import Production, utcnow
from caseapp.services.workspace import open_workspace
from caseapp.store.postgresql.access import MEMBER

run, as_ = shared.run, shared.as_


def _local_case_from_a_tip(home: Path, tmp_path: Path) -> tuple[str, str]:
    """A local case opened from a tip with one attachment (E-001), and one production."""
    from caseapp.services.cases.cases import get_case_in
    from caseapp.services.tips import casework, tips

    attachment = tmp_path / "tip-mail.eml"
    attachment.write_bytes(b"From: someone\n\nThe contractor is not who he says. " * 50)
    with open_workspace(home, lambda _why: shared.PASSPHRASE) as ws:
        tip = tips.create_tip(ws, "The contractor is not who he says", channel="email").tip
        casework.add_attachment(ws, tip.ref, attachment)
        case = casework.create_case_from_tip(ws, tip.ref, "Contractor from a tip")
        with ws.transaction() as session:  # the row a production leaves (no PDF built here)
            case_id = get_case_in(session, case.ref).id or 0
            session.add(Production(case_id=case_id, number=1, created_at=utcnow(),
                                   actor="tester", prefix="ACME", volume="VOL001",
                                   bates_first=1, bates_last=40, documents=3, pages=40))
        return case.ref, tip.ref


def test_publish_names_the_tips_productions_and_tip_exhibits_it_leaves(
        capsys: Any, team_db: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASEAPP_PASSPHRASE", shared.PASSPHRASE)
    role = team_db.role("alice", MEMBER)
    alice = {"home": tmp_path / "team-home", "dsn": team_db.dsn_as(role)}
    code, _out, err = run(capsys, "--home", str(alice["home"]), "team", "join", "--dsn",
                          alice["dsn"])
    assert code == 0, err
    local = tmp_path / "local-home"
    ref, tip_ref = _local_case_from_a_tip(local, tmp_path)

    code, out, err = run(capsys, *as_(alice, "team", "publish", ref, "--from-home",
                                      str(local)))
    assert code == 0, err
    lines = out.splitlines()
    assert f"Not carried over: links to tips (the tips stay in the other store): {tip_ref}." \
        in lines
    assert "Not carried over: productions (Bates numbers are each store's own): PROD-001 " \
        "(ACME-000001 to ACME-000040)." in lines
    assert "Not carried over: the tip these exhibits came from: E-001." in lines
    with team_db.connect() as admin:
        (detail,) = admin.execute("SELECT detail FROM audit_entry WHERE action = "
                                  "'case.published-from-local'").fetchone()
        team_ref, exhibits = admin.execute(
            "SELECT c.ref, count(e.id) FROM case_file c JOIN evidence e ON e.case_id = c.id "
            "GROUP BY c.ref").fetchone()
    assert json.loads(detail)["not_carried"] == {
        "tip_links": 1, "productions": 1, "tips": [tip_ref],
        "production_list": ["PROD-001 (ACME-000001 to ACME-000040)"],
        "tip_exhibits": ["E-001"]}
    assert exhibits == 1  # the exhibit itself is copied; only its tip is not

    code, moved, err = run(capsys, *as_(alice, "team", "checkout", team_ref, "--to-home",
                                        str(tmp_path / "offline"), "--json"))
    assert code == 0, err
    assert moved["not_carried"] == {"tip_links": 0, "productions": 0, "tips": [],
                                    "production_list": [], "tip_exhibits": []}
    code, out, err = run(capsys, *as_(alice, "team", "checkout", team_ref, "--to-home",
                                      str(tmp_path / "offline-2")))
    assert code == 0 and "checked out" in out and "Not carried" not in out, err
