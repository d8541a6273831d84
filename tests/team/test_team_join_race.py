"""``team join`` racing another join, in separate processes started at once (join_runner.py).

Two homes joining as one login role: one registers, the other is told plainly that the role
registered a key from another home, and keeps no key of its own. One home joined twice at
once: the second join waits for the first and reports the home as joined (no second key, the
home's key is the registered one). Two members at once: both join.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import two_members as shared

from caseapp.security.team_keys import fingerprint
from caseapp.services.errors import Conflict
from caseapp.services.team.members import OTHER_HOME
from caseapp.store.postgresql.access import MEMBER

RUNNER = Path(__file__).with_name("join_runner.py")
KEY_FILE = "member_key.json"


def _join_at_once(team_db: Any, tmp_path: Path,
                  joins: list[tuple[str, Path]]) -> list[tuple[int, Any, str]]:
    """Run ``team join`` for each (role, home) in its own process, released together;
    (exit code, JSON output or None, stderr) each, in order."""
    go = tmp_path / f"go-{len(list(tmp_path.glob('go-*')))}"  # a new one per round
    env = {"CASEAPP_TEST_PG_PASSWORD": team_db.role_password, "PATH": "/usr/bin:/bin",
           "CASEAPP_PASSPHRASE": shared.PASSPHRASE,
           "CASEAPP_TEST_KEYRING": str(tmp_path / "keyring.json")}
    procs = [subprocess.Popen([sys.executable, str(RUNNER), team_db.dsn_as(role), str(home),
                               str(go)], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for role, home in joins]
    go.touch()
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=240)
        assert "Traceback" not in err and "unexpected" not in err, err[-2000:]
        results.append((proc.returncode, json.loads(out) if out.strip() else None, err))
    return results


def _registered(team_db: Any) -> list[tuple[str, str]]:
    with team_db.connect() as admin:
        return [(str(m), str(f)) for m, f in admin.execute(
            "SELECT member, fingerprint FROM team_member_key ORDER BY member").fetchall()]


def test_two_homes_joining_as_one_role_at_once(team_db: Any, tmp_path: Path) -> None:
    alice = team_db.role("alice", MEMBER)
    homes = [tmp_path / "laptop", tmp_path / "desktop"]
    results = _join_at_once(team_db, tmp_path, [(alice, h) for h in homes])
    assert sorted(code for code, _o, _e in results) == [0, 1], results
    won = next(i for i, (code, _o, _e) in enumerate(results) if code == 0)
    lost = 1 - won
    winner, loser_err = results[won][1], results[lost][2]
    assert OTHER_HOME in loser_err and "SQL" not in loser_err
    assert winner["new_key"] is True
    assert _registered(team_db) == [(alice, winner["fingerprint"])]
    assert (homes[won] / KEY_FILE).exists() and not (homes[lost] / KEY_FILE).exists()
    # afterwards, one at a time: the same answers, and the winner's home is joined
    code, _out, err = _join_at_once(team_db, tmp_path, [(alice, homes[lost])])[0]
    assert code == 1 and OTHER_HOME in err
    code, out, err = _join_at_once(team_db, tmp_path, [(alice, homes[won])])[0]
    assert code == 0 and out["new_key"] is False, err
    assert out["fingerprint"] == winner["fingerprint"]


def test_one_home_joined_twice_at_once(team_db: Any, tmp_path: Path) -> None:
    alice = team_db.role("alice", MEMBER)
    home = tmp_path / "home"
    results = _join_at_once(team_db, tmp_path, [(alice, home), (alice, home)])
    assert [code for code, _o, _e in results] == [0, 0], results
    outs = [out for _c, out, _e in results]
    assert sorted(o["new_key"] for o in outs) == [False, True]
    assert outs[0]["fingerprint"] == outs[1]["fingerprint"]
    assert _registered(team_db) == [(alice, outs[0]["fingerprint"])]
    stored = base64.b64decode(json.loads((home / KEY_FILE).read_text())["public"])
    assert fingerprint(stored) == outs[0]["fingerprint"]  # the home's key is the registered one


def test_two_members_joining_at_once(team_db: Any, tmp_path: Path) -> None:
    alice, bob = team_db.role("alice", MEMBER), team_db.role("bob", MEMBER)
    results = _join_at_once(team_db, tmp_path, [(alice, tmp_path / "a"),
                                                (bob, tmp_path / "b")])
    assert [code for code, _o, _e in results] == [0, 0], results
    assert _registered(team_db) == sorted(
        (out["member"], out["fingerprint"]) for _c, out, _e in results)
    with team_db.connect() as admin:
        users = admin.execute("SELECT count(*) FROM audit_entry WHERE action = "
                              "'team.key-registered'").fetchone()
    assert users == (2,)


def test_a_join_that_loses_the_registration_race_says_so(team_db: Any, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """The same race made certain: another home registers the role between this join's
    check and its registration."""
    from caseapp.security import team_keys
    from caseapp.services.team.members import join_team

    alice = team_db.role("alice", MEMBER)
    dsn, laptop, desktop = team_db.dsn_as(alice), tmp_path / "laptop", tmp_path / "desktop"
    real = team_keys.MemberKeyStore.create
    other: dict[str, Any] = {}

    def create_then_lose(self: Any, *args: Any, **kwargs: Any) -> Any:
        made = real(self, *args, **kwargs)
        if not other:
            other["started"] = True
            other["joined"] = join_team(desktop, dsn, lambda _why: shared.PASSPHRASE)
        return made

    monkeypatch.setattr(team_keys.MemberKeyStore, "create", create_then_lose)
    with pytest.raises(Conflict) as lost:
        join_team(laptop, dsn, lambda _why: shared.PASSPHRASE)
    assert str(lost.value) == OTHER_HOME
    assert _registered(team_db) == [(alice, other["joined"].fingerprint)]
    assert not (laptop / KEY_FILE).exists() and (desktop / KEY_FILE).exists()
