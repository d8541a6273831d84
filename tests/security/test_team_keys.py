"""Team keys: member key pairs, case keys wrapped per member, add/remove with rotation."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from caseapp.security.keys import KeyUnavailable, WrongSecret
from caseapp.security.team_keys import (
    MemberKeyStore,
    TeamKeyError,
    WrappedKey,
    add_member,
    fingerprint,
    new_case_keys,
    new_member_key,
    public_bytes,
    remove_member,
    unwrap_case_key,
    wrap_case_key,
)
from caseapp.security.vault import BlobCorrupt, Vault


def test_wrap_unwrap_round_trip_and_binding() -> None:
    alice = new_member_key()
    key = bytes(range(32))
    wrapped = wrap_case_key(key, public_bytes(alice), case_id="CASE-2026-0001", version=3)
    assert unwrap_case_key(wrapped, alice) == key
    assert key not in json.dumps(wrapped.to_json()).encode()
    assert WrappedKey.from_json(json.loads(json.dumps(wrapped.to_json()))) == wrapped
    again = wrap_case_key(key, public_bytes(alice), case_id="CASE-2026-0001", version=3)
    assert again.sealed != wrapped.sealed and again.ephemeral != wrapped.ephemeral
    # Moved to another case or version, or altered: it does not open.
    for bad in (replace(wrapped, case_id="CASE-2026-0002"), replace(wrapped, version=4),
                replace(wrapped, sealed=bytes([wrapped.sealed[0] ^ 1]) + wrapped.sealed[1:]),
                replace(wrapped, ephemeral=public_bytes(new_member_key()))):
        with pytest.raises(TeamKeyError):
            unwrap_case_key(bad, alice)
    with pytest.raises(TeamKeyError, match="another member"):
        unwrap_case_key(wrapped, new_member_key())
    with pytest.raises(TeamKeyError):  # the right fingerprint claimed, the wrong key
        unwrap_case_key(replace(wrapped, member=fingerprint(public_bytes(alice))),
                        new_member_key())
    with pytest.raises(TeamKeyError):
        wrap_case_key(key, bytes(32), case_id="c", version=1)  # low-order point


def test_add_and_remove_member_rotates_for_new_evidence(tmp_path: Path) -> None:
    alice, bob, carol = new_member_key(), new_member_key(), new_member_key()
    state, k1 = new_case_keys("case-7", [public_bytes(alice), public_bytes(bob)])
    assert state.current == 1 and state.key(alice) == state.key(bob) == k1
    with pytest.raises(TeamKeyError):
        state.key(carol)
    # Evidence sealed under version 1.
    v1 = Vault(tmp_path / "v", state.key(alice)).ingest_stream([b"exhibit one"])

    state = add_member(state, bob, public_bytes(carol))
    assert state.key(carol) == k1 and len(state.members) == 3
    assert add_member(state, bob, public_bytes(carol)) is state  # already a member
    with pytest.raises(TeamKeyError):
        add_member(state, new_member_key(), public_bytes(new_member_key()))  # not a member

    bob_fp = fingerprint(public_bytes(bob))
    state, k2 = remove_member(state, alice, bob_fp)
    assert state.current == 2 and k2 != k1 and bob_fp not in state.members
    assert state.key(alice) == state.key(carol) == k2
    assert state.keys(carol) == {1: k1, 2: k2}  # old evidence stays readable
    assert state.keys(bob) == {}  # nothing is wrapped for bob any more
    assert all(w.member != bob_fp for w in state.wrapped)
    v2 = Vault(tmp_path / "v", state.key(carol)).ingest_stream([b"exhibit two"])
    old = Vault(tmp_path / "v", state.key(carol, version=1))
    assert b"".join(old.iter_plaintext(v1.blob_id)) == b"exhibit one"
    with pytest.raises(BlobCorrupt):  # bob's old key does not open new evidence
        Vault(tmp_path / "v", k1).verify(v2.blob_id)

    # A member added after the rotation gets every version.
    dave = new_member_key()
    state = add_member(state, carol, public_bytes(dave))
    assert state.keys(dave) == {1: k1, 2: k2}
    with pytest.raises(TeamKeyError):
        remove_member(state, alice, fingerprint(public_bytes(alice)))  # not oneself
    with pytest.raises(TeamKeyError):
        remove_member(state, alice, bob_fp)  # already gone
    with pytest.raises(TeamKeyError):
        new_case_keys("empty", [])


def test_member_key_in_keyring_with_recovery(tmp_path: Path) -> None:
    keys = MemberKeyStore(tmp_path, "store-1")
    public, code = keys.create()
    text = keys.path.read_text(encoding="utf-8")
    private = keys.unlock()
    raw = private.private_bytes_raw()
    assert public_bytes(private) == public and raw.hex() not in text
    assert json.loads(text)["mode"] == "keyring" and keys.public_key() == public
    assert public_bytes(keys.unlock_with_recovery(code.lower())) == public
    with pytest.raises(WrongSecret):
        keys.unlock_with_recovery(code[:-1] + ("A" if code[-1] != "A" else "B"))
    with pytest.raises(Exception, match="already"):
        keys.create()


def test_member_key_lost_keyring_needs_recovery(tmp_path: Path, memory_keyring) -> None:  # noqa: ANN001
    keys = MemberKeyStore(tmp_path, "store-2")
    public, code = keys.create()
    memory_keyring.delete_password("caseapp", f"store-2/member-key/{fingerprint(public)}")
    with pytest.raises(KeyUnavailable, match="recovery code"):
        keys.unlock()
    assert public_bytes(keys.unlock_with_recovery(code)) == public


@pytest.mark.usefixtures("no_keyring")
def test_member_key_by_passphrase(tmp_path: Path) -> None:
    keys = MemberKeyStore(tmp_path, "store-3")
    with pytest.raises(KeyUnavailable, match="passphrase"):
        keys.create()
    public, code = keys.create("correct horse")
    assert json.loads(keys.path.read_text(encoding="utf-8"))["mode"] == "passphrase"
    assert public_bytes(keys.unlock("correct horse")) == public
    with pytest.raises(WrongSecret):
        keys.unlock("wrong")
    with pytest.raises(KeyUnavailable):
        keys.unlock()
    assert public_bytes(keys.unlock_with_recovery(code)) == public
    # The file is bound to this member key: another member's wrapped blob does not fit.
    other = MemberKeyStore(tmp_path / "other", "store-3")
    other.home.mkdir()
    other.create("correct horse")
    data = json.loads(keys.path.read_text(encoding="utf-8"))
    data["passphrase"] = json.loads(other.path.read_text(encoding="utf-8"))["passphrase"]
    keys.path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(WrongSecret):
        keys.unlock("correct horse")


def test_wrapped_keys_persist_in_the_store_tables(ws) -> None:  # noqa: ANN001
    from sqlmodel import select

    from caseapp.domain.models import utcnow
    from caseapp.domain.team_models import CaseKeyWrap, TeamMemberKey
    from caseapp.security.team_keys import case_context, state_from_rows, to_row
    from caseapp.services.cases import cases

    alice, bob = new_member_key(), new_member_key()
    publics = {"alice": public_bytes(alice), "bob": public_bytes(bob)}
    first = cases.create_case(ws, "Shared case")
    other = cases.create_case(ws, "Another case")
    state, key = new_case_keys(case_context(first.id), publics.values())
    now = utcnow()
    with ws.transaction() as session:
        for name, public in publics.items():
            session.add(TeamMemberKey(fingerprint=fingerprint(public), member=name,
                                      public_key=public, registered_at=now))
        session.flush()
        for wrapped in state.wrapped:
            session.add(to_row(wrapped, first.id, at=now, by="alice"))
    # Bob leaves: his rows go, a new version is wrapped for those who remain.
    state, new_key = remove_member(state, alice, fingerprint(publics["bob"]))
    with ws.transaction() as session:
        for row in session.exec(select(CaseKeyWrap).where(
                CaseKeyWrap.member == fingerprint(publics["bob"]))).all():
            session.delete(row)
        for wrapped in state.wrapped:
            if wrapped.version == 2:
                session.add(to_row(wrapped, first.id, at=now, by="alice"))
    with ws.session() as session:
        rows = list(session.exec(select(CaseKeyWrap).where(CaseKeyWrap.case_id == first.id)))
        members = {m.fingerprint: m.public_key for m in session.exec(select(TeamMemberKey))
                   if m.member != "bob"}
    loaded = state_from_rows(first.id, rows, members)
    assert loaded.current == 2 and loaded.keys(alice) == {1: key, 2: new_key}
    assert loaded.keys(bob) == {}
    # A row moved to another case does not open there.
    moved = state_from_rows(other.id, rows, members)
    with pytest.raises(TeamKeyError):
        moved.key(alice)
    with pytest.raises(TeamKeyError):
        to_row(state.wrapped[0], other.id, at=now)


def test_vault_seals_under_a_case_key_and_finds_the_version(tmp_path: Path) -> None:
    from caseapp.security.vault import VaultError

    home_key, k1, k2 = bytes(32), bytes(range(32)), bytes(range(1, 33))
    vault = Vault(tmp_path / "v", home_key, chunk_size=64)
    old = vault.ingest_stream([b"sealed under version 1" * 20], key=k1)
    new = vault.ingest_stream([b"sealed under version 2" * 20], key=k2)
    own = vault.ingest_stream([b"a local exhibit"])
    with pytest.raises(BlobCorrupt):  # the home key alone does not open case evidence
        vault.verify(old.blob_id)
    vault.keys_for = lambda blob_id: [k2, k1]
    assert vault.verify(old.blob_id) == (old.sha256, old.size)
    assert vault.verify(new.blob_id) == (new.sha256, new.size)
    assert vault.verify(own.blob_id) == (own.sha256, own.size)  # the vault key still works
    out = tmp_path / "out.bin"
    assert vault.decrypt_to(old.blob_id, out) == old.sha256
    vault.keys_for = lambda blob_id: [k2]  # a member who never had version 1
    with pytest.raises(BlobCorrupt):
        vault.verify(old.blob_id)
    with pytest.raises(VaultError):
        vault.ingest_stream([b"x"], key=b"short")


def test_member_key_under_the_home_master_key(tmp_path: Path) -> None:
    keys = MemberKeyStore(tmp_path, "store-4")
    master = bytes(range(32))
    public, code = keys.create(master=master)
    assert json.loads(keys.path.read_text(encoding="utf-8"))["mode"] == "home"
    assert public_bytes(keys.unlock_with_master(master)) == public
    with pytest.raises(WrongSecret):
        keys.unlock_with_master(bytes(32))
    with pytest.raises(KeyUnavailable):
        keys.unlock()
    assert public_bytes(keys.unlock_with_recovery(code)) == public


def test_two_homes_of_one_account_keep_separate_keyring_entries(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first, second = MemberKeyStore(tmp_path / "a", "team-1"), MemberKeyStore(tmp_path / "b",
                                                                             "team-1")
    pa, _ = first.create()
    pb, _ = second.create()
    assert public_bytes(first.unlock()) == pa and public_bytes(second.unlock()) == pb
