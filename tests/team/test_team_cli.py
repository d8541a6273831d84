"""Two investigators on one team store, through the CLI: init, join, member add/list/remove.

Each runs as their own login role with their own data home; the database keeps them out of
each other's cases. Case keys are wrapped for each member and rotate on removal.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import psycopg
import pytest
import two_members as shared
from pg_cluster import PgCluster
from store_backends import new_database, store_password

from caseapp.store.postgresql.access import CUSTODIAN, MEMBER

# The CLI runner and the ``--home/--store`` of a member, as the other team tests use them.
run, as_, new_case = shared.run, shared.as_, shared.new_case


def test_team_init_json_and_refresh(capsys: Any, pg_cluster: PgCluster, memory_keyring: Any,
                                    tmp_path: Path) -> None:
    url = new_database(pg_cluster)
    store_password(url)
    code, out, err = run(capsys, "team", "init", "--dsn", url, "--blobs", str(tmp_path),
                         "--json")
    assert code == 0, err
    assert out["created"] is True and out["blobs"] == str(tmp_path.resolve())
    assert set(out["roles"]) >= {MEMBER, CUSTODIAN} and "case_file" in out["protected_tables"]
    code, again, err = run(capsys, "team", "init", "--dsn", url, "--blobs", str(tmp_path),
                           "--json")
    assert code == 0 and again["created"] is False and again["store_id"] == out["store_id"]


def test_team_init_refuses_a_missing_folder_and_a_non_owner(capsys: Any, team_db: Any,
                                                             tmp_path: Path) -> None:
    code, _out, err = run(capsys, "team", "init", "--dsn", team_db.dsn, "--blobs",
                          str(tmp_path / "nowhere"))
    assert code != 0 and "Traceback" not in err
    alice = team_db.role("alice", MEMBER)
    code, _out, err = run(capsys, "team", "init", "--dsn", team_db.dsn_as(alice), "--blobs",
                          str(team_db.blobs))
    assert code != 0 and "owner" in err and "SQL" not in err


@pytest.fixture
def two_investigators(capsys: Any, team_db: Any, tmp_path: Path,
                      monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Two investigators (homes in passphrase mode, member keys under the home's key)."""
    monkeypatch.setenv("CASEAPP_PASSPHRASE", "correct horse battery staple")
    people: dict[str, Any] = {"db": team_db}
    for short in ("alice", "bob"):
        role = team_db.role(short, MEMBER)
        home = tmp_path / f"home-{short}"
        code, out, err = run(capsys, "--home", str(home), "team", "join", "--dsn",
                             team_db.dsn_as(role), "--json")
        assert code == 0, err
        assert out["member"] == role and out["new_key"] is True and "RECOVERY CODE" in err
        people[short] = {"role": role, "home": home, "dsn": team_db.dsn_as(role),
                         "fingerprint": out["fingerprint"]}
    return people


def wraps(team_db: Any, case_ref: str) -> set[tuple[int, str]]:
    with team_db.connect() as admin:
        return {(int(v), str(m)) for v, m in admin.execute(
            "SELECT w.version, w.member FROM case_key_wrap w JOIN case_file c ON c.id = "
            "w.case_id WHERE c.ref = %s", (case_ref,)).fetchall()}


def test_join_registers_the_key_under_the_login_role(two_investigators: Any) -> None:
    team_db, alice = two_investigators["db"], two_investigators["alice"]
    with team_db.connect() as admin:
        rows = admin.execute("SELECT member, fingerprint FROM team_member_key "
                             "ORDER BY member").fetchall()
        joined = admin.execute("SELECT detail FROM audit_entry WHERE action = 'team.key-registered' "
                               "ORDER BY id").fetchall()
    assert (alice["role"], alice["fingerprint"]) in rows and len(rows) == 2
    assert [json.loads(d[0])["db_user"] for (d,) in [(r,) for r in joined]] == [
        two_investigators["alice"]["role"], two_investigators["bob"]["role"]]
    assert (alice["home"] / "member_key.json").exists()
    assert "private" not in (alice["home"] / "member_key.json").read_text()
    assert json.loads((alice["home"] / "blobs.json").read_text())["location"] == \
        str(team_db.blobs.resolve())


def test_two_investigators_share_one_case_and_are_kept_out_of_the_other(
        capsys: Any, two_investigators: Any) -> None:
    team_db = two_investigators["db"]
    alice, bob = two_investigators["alice"], two_investigators["bob"]
    a_case = new_case(capsys, alice, "Alice's case", "--subject", "Kim")
    b_case = new_case(capsys, bob, "Bob's case")
    # references are allocated across cases the other cannot see
    assert a_case["ref"] != b_case["ref"] and b_case["ref"].endswith("-0002")
    code, listed, _ = run(capsys, *as_(bob, "case", "list", "--json"))
    assert [c["ref"] for c in listed] == [b_case["ref"]]
    code, _out, err = run(capsys, *as_(bob, "team", "member", "list", a_case["ref"]))
    assert code != 0 and "No case" in err  # the same answer as for a case that is not there

    code, added, err = run(capsys, *as_(alice, "team", "member", "add", a_case["ref"],
                                        bob["role"], "--as", "viewer", "--json"))
    assert code == 0, err
    assert added == {"case": a_case["ref"], "role_name": bob["role"], "access": "viewer",
                     "fingerprint": bob["fingerprint"], "added_at": added["added_at"],
                     "added_by": alice["role"]}
    assert wraps(team_db, a_case["ref"]) == {(1, alice["fingerprint"]),
                                             (1, bob["fingerprint"])}
    code, members, _ = run(capsys, *as_(bob, "team", "member", "list", a_case["ref"],
                                        "--json"))
    assert [(m["role_name"], m["access"]) for m in members] == sorted(
        [(alice["role"], "lead"), (bob["role"], "viewer")])
    code, listed, _ = run(capsys, *as_(bob, "case", "list", "--json"))
    assert sorted(c["ref"] for c in listed) == sorted([a_case["ref"], b_case["ref"]])

    # a viewer cannot change the membership (the database refuses; no SQL shown)
    code, _out, err = run(capsys, *as_(bob, "team", "member", "add", a_case["ref"],
                                       bob["role"], "--as", "lead"))
    assert code != 0 and "lead" in err and "SQL" not in err and "Traceback" not in err

    code, removed, err = run(capsys, *as_(alice, "team", "member", "remove", a_case["ref"],
                                          bob["role"], "--json"))
    assert code == 0, err
    assert removed == {"case": a_case["ref"], "role_name": bob["role"], "removed": True,
                       "key_version": 2}
    assert wraps(team_db, a_case["ref"]) == {(1, alice["fingerprint"]),
                                             (2, alice["fingerprint"])}
    code, listed, _ = run(capsys, *as_(bob, "case", "list", "--json"))
    assert [c["ref"] for c in listed] == [b_case["ref"]]


def test_the_case_key_opens_for_an_added_member_only(capsys: Any,
                                                    two_investigators: Any) -> None:
    from caseapp.domain.team_models import CaseKeyWrap
    from caseapp.security.team_keys import MemberKeyStore, state_from_rows
    from caseapp.services.workspace import open_workspace

    team_db = two_investigators["db"]
    alice, bob = two_investigators["alice"], two_investigators["bob"]
    case = new_case(capsys, alice, "K")
    assert run(capsys, *as_(alice, "team", "member", "add", case["ref"], bob["role"], "--as",
                            "investigator"))[0] == 0
    with team_db.connect() as admin:
        store_id = admin.execute("SELECT value FROM store_meta WHERE key = 'store_id'"
                                 ).fetchone()[0]
        rows = admin.execute("SELECT w.case_id, w.version, w.member, w.ephemeral, w.nonce, "
                             "w.sealed FROM case_key_wrap w JOIN case_file c ON c.id = "
                             "w.case_id WHERE c.ref = %s", (case["ref"],)).fetchall()
    wrapped = [CaseKeyWrap(case_id=r[0], version=r[1], member=r[2], ephemeral=r[3],
                           nonce=r[4], sealed=r[5]) for r in rows]
    state = state_from_rows(rows[0][0], wrapped, {})
    keys = {}
    for person in (alice, bob):
        ws = open_workspace(person["home"], lambda _p: None, create=False,
                            store_url=person["dsn"])
        try:
            private = MemberKeyStore(person["home"], store_id).unlock_with_master(ws.master_key)
        finally:
            ws.close()
        keys[person["role"]] = state.key(private)
    assert keys[alice["role"]] == keys[bob["role"]] and len(keys[bob["role"]]) == 32


def test_only_the_custodian_reveals_a_tipster_and_it_is_audited_with_the_user(
        capsys: Any, two_investigators: Any, tmp_path: Path) -> None:
    team_db, alice = two_investigators["db"], two_investigators["alice"]
    dora = team_db.role("dora", MEMBER, CUSTODIAN)
    dora_p = {"role": dora, "home": tmp_path / "home-dora", "dsn": team_db.dsn_as(dora)}
    assert run(capsys, "--home", str(dora_p["home"]), "team", "join", "--dsn",
               dora_p["dsn"])[0] == 0
    code, tip, err = run(capsys, *as_(alice, "tips", "new", "--content", "He is not who he "
                                      "says", "--channel", "hotline", "--tipster-name",
                                      "Jane Roe", "--tipster-contact", "jane@example.org",
                                      "--json"))
    assert code == 0, err
    code, out, err = run(capsys, *as_(alice, "tips", "show", tip["ref"], "--reveal"))
    assert code != 0 and "custodian" in err and "Jane" not in out + err
    code, shown, err = run(capsys, *as_(dora_p, "tips", "show", tip["ref"], "--reveal",
                                        "--json"))
    assert code == 0, err
    assert shown["tipster"]["name"] == "Jane Roe"
    assert shown["tipster"]["contact"] == "jane@example.org"
    with team_db.connect() as admin:
        entries = [json.loads(d) for (d,) in admin.execute(
            "SELECT detail FROM audit_entry WHERE action = 'tip.tipster-revealed'").fetchall()]
        logged = admin.execute("SELECT db_user FROM tipster_reveal").fetchall()
        in_tip = admin.execute("SELECT tipster_name, tipster_contact FROM tip").fetchall()
    assert [e["db_user"] for e in entries] == [dora]
    assert logged == [(dora,)]
    assert all("Jane" not in str(row) and "jane@" not in str(row) for row in in_tip)
    with team_db.connect(alice["role"]) as conn, pytest.raises(
            psycopg.errors.InsufficientPrivilege):
        conn.execute("SELECT * FROM tipster_identity")


def test_verify_by_a_member_checks_the_chain_and_their_own_cases(
        capsys: Any, two_investigators: Any) -> None:
    team_db = two_investigators["db"]
    alice, bob = two_investigators["alice"], two_investigators["bob"]
    a_case = new_case(capsys, alice, "A", "--subject", "Kim")
    new_case(capsys, bob, "B")
    for person in (alice, bob):
        code, report, err = run(capsys, *as_(person, "verify", "--json"))
        assert code == 0 and report["ok"] is True and report["problems"] == [], err
    with team_db.connect() as admin:  # the server's superuser removes a subject quietly
        admin.execute("DELETE FROM search_near_key")
        admin.execute("DELETE FROM identifier")
        admin.execute("DELETE FROM search_fts WHERE id IN (SELECT id FROM search_doc WHERE "
                      "doc_type = 'subject')")
        admin.execute("DELETE FROM search_doc WHERE doc_type = 'subject'")
        admin.execute("DELETE FROM subject")
    code, report, _ = run(capsys, *as_(alice, "verify", "--json"))
    assert report["ok"] is False
    assert [p["where"] for p in report["problems"]] == [f"{a_case['ref']}/subject#1"]
    code, report, _ = run(capsys, *as_(bob, "verify", "--json"))
    assert report["ok"] is True  # bob cannot see alice's case: not his to vouch for


def test_a_viewer_is_told_plainly_that_the_database_refused_an_edit(
        capsys: Any, two_investigators: Any) -> None:
    alice, bob = two_investigators["alice"], two_investigators["bob"]
    case = new_case(capsys, alice, "Shared")
    assert run(capsys, *as_(alice, "team", "member", "add", case["ref"], bob["role"], "--as",
                            "viewer"))[0] == 0
    for args in (("case", "edit", case["ref"], "--title", "Bob was here"),
                 ("note", "add", case["ref"], "a viewer's note"),
                 ("subject", "add", case["ref"], "Somebody")):
        code, out, err = run(capsys, *as_(bob, *args))
        assert code != 0 and "refused this change" in err, (args, err)
        assert "SQL" not in err and "Traceback" not in err
    code, shown, _ = run(capsys, *as_(bob, "case", "show", case["ref"], "--json"))
    assert code == 0 and shown["title"] == "Shared" and shown["notes"] == 0
    assert run(capsys, *as_(alice, "case", "edit", case["ref"], "--title", "Shared, edited"))[0] \
        == 0


def test_audit_entries_of_a_case_are_read_only_by_its_members(
        capsys: Any, two_investigators: Any) -> None:
    team_db = two_investigators["db"]
    alice, bob = two_investigators["alice"], two_investigators["bob"]
    a_case = new_case(capsys, alice, "Secret title", "--subject", "Hidden Name")
    assert run(capsys, *as_(alice, "note", "add", a_case["ref"], "private note"))[0] == 0
    new_case(capsys, bob, "Bob's")
    with team_db.connect() as admin:
        placed = admin.execute("SELECT a.action, c.ref FROM audit_entry a LEFT JOIN case_file "
                               "c ON c.id = a.case_id ORDER BY a.id").fetchall()
    about_alice = {action for action, ref in placed if ref == a_case["ref"]}
    assert {"case.created", "subject.added", "note.added"} <= about_alice
    with team_db.connect(bob["role"]) as conn:
        seen = conn.execute("SELECT detail FROM audit_entry").fetchall()
    assert seen and all("Secret" not in d and "Hidden Name" not in d for (d,) in seen)
    assert len(seen) == len(placed) - sum(1 for _a, ref in placed if ref == a_case["ref"])
    # bob still writes onto the true head and verifies every link
    assert run(capsys, *as_(bob, "case", "edit", "CASE-2026-0002" if a_case["ref"].endswith(
        "0001") else a_case["ref"], "--title", "Bob's, renamed"))[0] == 0
    for person in (alice, bob):
        code, report, err = run(capsys, *as_(person, "verify", "--json"))
        assert code == 0 and report["ok"] is True, err
        assert report["audit_entries"] >= len(placed) + 1  # verify records itself too


def test_a_case_opened_from_a_tip_takes_a_ref_no_hidden_case_has(
        capsys: Any, two_investigators: Any) -> None:
    alice, bob = two_investigators["alice"], two_investigators["bob"]
    a_case = new_case(capsys, alice, "Alice's case")
    code, tip, err = run(capsys, *as_(bob, "tips", "new", "--content", "A lead for Bob",
                                      "--channel", "hotline", "--json"))
    assert code == 0, err
    code, b_case, err = run(capsys, *as_(bob, "tips", "new-case", tip["ref"], "--title",
                                         "Bob's case from a tip", "--json"))
    assert code == 0, err
    assert b_case["ref"] != a_case["ref"] and b_case["ref"].endswith("-0002")
    code, listed, _ = run(capsys, *as_(bob, "case", "list", "--json"))
    assert [c["ref"] for c in listed] == [b_case["ref"]]


def test_an_exhibit_sealed_while_a_member_is_removed_is_sealed_again_under_the_new_key(
        capsys: Any, two_investigators: Any, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from caseapp.security.team_keys import MemberKeyStore
    from caseapp.security.vault import BlobCorrupt, Vault
    from caseapp.services.evidence import case_keys, evidence
    from caseapp.services.workspace import open_workspace
    from caseapp.store.blobs import open_backend

    alice, bob = two_investigators["alice"], two_investigators["bob"]
    case = new_case(capsys, alice, "K")
    assert run(capsys, *as_(alice, "team", "member", "add", case["ref"], bob["role"], "--as",
                            "investigator"))[0] == 0
    real, sealed = evidence.vault_ingest, []

    def ingest_then_bob_is_removed(*args: Any, **kwargs: Any) -> Any:
        result = real(*args, **kwargs)
        sealed.append(result.blob_id)
        if len(sealed) == 1:  # another process takes bob off the case meanwhile
            code, _out, err = run(capsys, *as_(alice, "team", "member", "remove",
                                               case["ref"], bob["role"]))
            assert code == 0, err
        return result

    monkeypatch.setattr(evidence, "vault_ingest", ingest_then_bob_is_removed)
    exhibit = tmp_path / "late.csv"
    exhibit.write_bytes(b"sealed while bob left " * 500)
    ws = open_workspace(alice["home"], lambda _p: None, create=False, store_url=alice["dsn"])
    try:
        added = evidence.ingest_file(ws, case["ref"], exhibit)
        private = MemberKeyStore(ws.home, ws.store_id).unlock_with_master(ws.master_key)
        with ws.session() as session:
            state = case_keys.case_state(session, evidence.get_case_in(session, case["ref"]))
        assert state is not None and state.current == 2
        keys = state.keys(private)
    finally:
        ws.close()
    assert len(sealed) == 2 and added.blob_id == sealed[1] and added.exhibit == "E-001"
    backend = open_backend(str(two_investigators["db"].blobs))
    assert sealed[0] not in set(backend.blob_ids())  # the first sealing was discarded
    assert Vault(None, keys[2], backend=backend).verify(added.blob_id)[0] == added.sha256
    with pytest.raises(BlobCorrupt):  # bob's old key (version 1) does not open it
        Vault(None, keys[1], backend=backend).verify(added.blob_id)
