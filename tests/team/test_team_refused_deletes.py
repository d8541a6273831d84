"""A delete row-level security filters to zero rows is refused out loud, not a silent no-op.

Alice leads a case, carol is an investigator on it and bob a viewer, each as their own login
role with their own home. A refused delete exits like a refused edit, says so without SQL,
leaves the row, writes no audit entry and (for a member's removal) rotates no key; the same
delete by someone allowed to make it is the control.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import two_members as shared

from caseapp.services.errors import Conflict
from caseapp.services.workspace import REFUSED, Workspace, open_workspace
from caseapp.store.postgresql.access import MEMBER

run, as_ = shared.run, shared.as_
# The ORM's own warning about a delete that matched nothing must not reach the user either.
pytestmark = pytest.mark.filterwarnings("error::sqlalchemy.exc.SAWarning")


@pytest.fixture
def crew(capsys: Any, team_db: Any, tmp_path: Path,
         monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Alice (lead) with case ``ref`` and subject Kim (email kim@example.org); carol an
    investigator and bob a viewer on it."""
    monkeypatch.setenv("CASEAPP_PASSPHRASE", shared.PASSPHRASE)
    people: dict[str, Any] = {"db": team_db}
    for short in ("alice", "bob", "carol"):
        role = team_db.role(short, MEMBER)
        home = tmp_path / f"home-{short}"
        code, _out, err = run(capsys, "--home", str(home), "team", "join", "--dsn",
                              team_db.dsn_as(role), "--json")
        assert code == 0, err
        people[short] = {"role": role, "home": home, "dsn": team_db.dsn_as(role)}
    alice = people["alice"]
    code, case, err = run(capsys, *as_(alice, "case", "new", "--title", "Shared", "--subject",
                                       "Kim", "--json"))
    assert code == 0, err
    people["ref"] = case["ref"]
    code, _o, err = run(capsys, *as_(alice, "subject", "identifier", "add", case["ref"],
                                     "Kim", "email:kim@example.org"))
    assert code == 0, err
    for short, access in (("carol", "investigator"), ("bob", "viewer")):
        code, _o, err = run(capsys, *as_(alice, "team", "member", "add", case["ref"],
                                         people[short]["role"], "--as", access))
        assert code == 0, err
    return people


@pytest.fixture
def workspace_of() -> Iterator[Any]:
    opened: list[Workspace] = []

    def open_as(person: dict[str, Any]) -> Workspace:
        ws = open_workspace(person["home"], lambda _why: shared.PASSPHRASE, create=False,
                            store_url=person["dsn"])
        opened.append(ws)
        return ws

    yield open_as
    for ws in opened:
        ws.close()


def _count(team_db: Any, sql: str, *params: Any) -> int:
    with team_db.connect() as admin:
        return int(admin.execute(sql, params).fetchone()[0])


def _refused_edit_code(capsys: Any, crew: Any) -> int:
    """The exit code of a viewer's refused edit (what every refusal should exit with)."""
    code, _out, err = run(capsys, *as_(crew["bob"], "case", "edit", crew["ref"], "--title",
                                       "Bob was here"))
    assert code != 0 and "refused this change" in err
    return code


IDENTS = "SELECT count(*) FROM identifier WHERE normalized = 'kim@example.org'"
REMOVALS = "SELECT count(*) FROM audit_entry WHERE action = %s"


def test_a_viewer_removing_an_identifier_is_refused(capsys: Any, crew: Any) -> None:
    team_db, ref = crew["db"], crew["ref"]
    refused = _refused_edit_code(capsys, crew)
    args = ("subject", "identifier", "remove", ref, "Kim", "email:kim@example.org")
    code, out, err = run(capsys, *as_(crew["bob"], *args))
    assert code == refused, (code, out, err)
    assert "refused this change" in err and "SQL" not in err and "DELETE" not in err
    assert "Traceback" not in err and "Warning" not in err and "removed" not in out
    assert _count(team_db, IDENTS) == 1
    assert _count(team_db, REMOVALS, "identifier.removed") == 0
    code, out, err = run(capsys, *as_(crew["carol"], *args))  # control: an investigator may
    assert code == 0 and "removed" in out, err
    assert _count(team_db, IDENTS) == 0
    assert _count(team_db, REMOVALS, "identifier.removed") == 1


def test_a_non_lead_removing_a_member_is_refused_and_rotates_no_key(capsys: Any,
                                                                    crew: Any) -> None:
    team_db, ref = crew["db"], crew["ref"]
    wraps = "SELECT count(*) FROM case_key_wrap"
    before = _count(team_db, wraps)
    on_case = "SELECT count(*) FROM case_member WHERE role_name = %s"
    code, out, err = run(capsys, *as_(crew["carol"], "team", "member", "remove", ref,
                                      crew["bob"]["role"]))
    assert code == _refused_edit_code(capsys, crew), (code, out, err)
    assert "Only a lead" in err and "SQL" not in err and "Warning" not in err
    assert " is off " not in out
    assert _count(team_db, on_case, crew["bob"]["role"]) == 1
    assert _count(team_db, wraps) == before  # no rotation happened either
    assert _count(team_db, REMOVALS, "team.member-removed") == 0
    code, out, err = run(capsys, *as_(crew["alice"], "team", "member", "remove", ref,
                                      crew["bob"]["role"]))
    assert code == 0 and " is off " in out, err
    assert _count(team_db, on_case, crew["bob"]["role"]) == 0
    assert _count(team_db, wraps) > before
    assert _count(team_db, REMOVALS, "team.member-removed") == 1


def test_a_viewer_unlinking_a_tip_or_settling_a_copy_is_refused(crew: Any,
                                                                workspace_of: Any) -> None:
    from caseapp.services.cases import notes
    from caseapp.services.errors import EditConflict
    from caseapp.services.tips import casework, tips

    team_db, ref = crew["db"], crew["ref"]
    alice, bob, carol = (workspace_of(crew[p]) for p in ("alice", "bob", "carol"))
    tip = tips.create_tip(alice, "A tip about Kim", channel="email").tip
    casework.link_tip(alice, tip.ref, ref)
    note = notes.add_note(alice, ref, "first text")
    notes.edit_note(alice, note.id or 0, text="alice's text", expected_version=note.version)
    with pytest.raises(EditConflict) as raised:  # carol saves over a version she did not see
        notes.edit_note(carol, note.id or 0, text="carol's text",
                        expected_version=note.version)
    copy = raised.value.kept_copy
    assert copy is not None
    links = "SELECT count(*) FROM tip_case_link"
    copies = "SELECT count(*) FROM note WHERE conflict_of IS NOT NULL"
    status = "SELECT count(*) FROM tip WHERE status = 'linked'"
    with pytest.raises(Conflict) as refused:
        casework.unlink_tip(bob, tip.ref, ref)
    assert str(refused.value) == REFUSED
    assert (_count(team_db, links), _count(team_db, status)) == (1, 1)
    with pytest.raises(Conflict) as refused:
        notes.resolve_copy(bob, copy, "theirs")
    assert str(refused.value) == REFUSED
    assert _count(team_db, copies) == 1
    assert _count(team_db, REMOVALS, "note.conflict-settled") == 0
    casework.unlink_tip(carol, tip.ref, ref)  # control: an investigator may do both
    notes.resolve_copy(carol, copy, "theirs")
    assert (_count(team_db, links), _count(team_db, status), _count(team_db, copies)) == \
        (0, 0, 0)
    assert _count(team_db, REMOVALS, "note.conflict-settled") == 1
