"""Signal imports and findings are part of their case's recorded state: a direct edit of a
finding's decision or an observation is named by verify (record-altered on the case)."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlcipher3

from caseapp.security.keys import derive_keys
from caseapp.services.maintenance import verify
from caseapp.services.signals.findings import dismiss_finding, list_findings
from caseapp.services.signals.importer import import_signals
from tests.services.signals.helpers import make_case, signin_log


def _attacker(ws) -> sqlcipher3.Connection:  # type: ignore[no-untyped-def]
    conn = sqlcipher3.connect(str(ws.home / "caseapp.db"), isolation_level=None)
    conn.execute(f"PRAGMA key = \"x'{derive_keys(ws.master_key).database.hex()}'\"")
    return conn


@pytest.mark.parametrize("sql", [
    "UPDATE signal_finding SET status = 'open', decision_note = '' WHERE status = 'dismissed'",
    "UPDATE signal_finding SET lines = '[999]' WHERE rule = 'vpn-egress'",
    "UPDATE signal_observation SET ip = '192.0.2.99' WHERE id = 1",
    "DELETE FROM signal_finding WHERE rule = 'impossible-travel'",
])
def test_direct_edits_of_signals_are_record_altered(ws, tmp_path: Path, sql: str) -> None:
    ref = make_case(ws)
    import_signals(ws, ref, signin_log(tmp_path / "s.csv"))
    hours = next(f for f in list_findings(ws, ref).findings if f["rule"] == "working-hours")
    dismiss_finding(ws, ref, hours["id"], reason="agreed night shifts")
    assert verify.verify_store(ws).ok
    conn = _attacker(ws)
    conn.execute(sql)
    conn.close()
    report = verify.verify_store(ws)
    altered = [p["where"] for p in report.problems if p["kind"] == "record-altered"]
    assert ref in altered, report.problems
