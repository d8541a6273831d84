"""Moving work between a local home and the team store (``team publish`` / ``team checkout``)
on the real test cluster, with evidence in moto's S3 server or a shared folder: two members,
each from their own home."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import two_members as shared

# The two-member team store (bucket or shared folder) and the S3 endpoint it may use.
team = shared.team
moto_endpoint = shared.moto_endpoint
s3_env = shared.s3_env
s3_bucket = shared.s3_bucket
run, as_, stored_bytes = shared.run, shared.as_, shared.stored_bytes

MARKER = b"LOCAL-ONLY-PAYSLIP-NGUYEN-7731 "
FLAG = "identity.inconsistent-profiles"


def local_case(capsys: Any, tmp_path: Path) -> tuple[Path, str, bytes]:
    """(home, ref, payslip bytes) of a case in Alice's local home (``tmp_path/alice-local``):
    a subject with an identifier, a note, two exhibits, a red-flag answer."""
    home = tmp_path / "alice-local"

    def local(*args: str) -> Any:
        code, out, err = run(capsys, "--home", str(home), *args)
        assert code == 0, err
        return out

    case = local("case", "new", "--title", "Offline work, contract 19", "--json")
    local("subject", "add", case["ref"], "Dana Q", "--identifier", "email:dq@example.org",
          "--json")
    local("note", "add", case["ref"], "Interview notes: the camera was always off", "--json")
    body = MARKER * 3000
    for name, data in (("payslip.csv", body), ("chat.txt", b"second exhibit " * 100)):
        path = tmp_path / name
        path.write_bytes(data)
        local("evidence", "add", case["ref"], str(path), "--json")
    local("flags", "set", case["ref"], FLAG, "confirmed", "--note", "profiles disagree",
          "--exhibit", "E-002", "--json")
    return home, case["ref"], body


def publish_as(capsys: Any, person: dict[str, Any], ref: str, home: Path) -> dict[str, Any]:
    """``team publish REF --from-home HOME --json`` as ``person``; it must succeed."""
    code, moved, err = run(capsys, *as_(person, "team", "publish", ref, "--from-home", str(home),
                                        "--json"))
    assert code == 0, err
    return moved


def audit_of(capsys: Any, *args: str) -> list[dict[str, Any]]:
    code, entries, err = run(capsys, *args, "audit", "list", "--limit", "1000", "--json")
    assert code == 0, err
    return entries


def test_publish_copies_a_local_case_and_checkout_brings_it_back(
        capsys: Any, team: dict[str, Any], tmp_path: Path) -> None:
    alice, bob = team["alice"], team["bob"]
    home, ref, body = local_case(capsys, tmp_path)
    before = len(stored_bytes(team["location"]))

    moved = publish_as(capsys, alice, ref, home)
    assert moved["source_ref"] == ref and moved["exhibits"] == 2
    assert moved["history_entries"] >= 5  # created, subject, note, two exhibits
    team_ref = moved["ref"]
    # The team holds the exhibits as ciphertext only, sealed under the new case key.
    blobs = stored_bytes(team["location"])
    assert len(blobs) == before + 2 and all(MARKER not in b for b in blobs)
    code, shown, err = run(capsys, *as_(alice, "case", "show", team_ref, "--json"))
    assert code == 0, err
    assert shown["title"] == "Offline work, contract 19"
    out = tmp_path / "alice.csv"
    assert run(capsys, *as_(alice, "evidence", "export", team_ref, "E-001", "--out",
                            str(out)))[0] == 0
    assert out.read_bytes() == body
    # The red-flag answer keeps its state and its exhibit (remapped to the team's rows).
    code, flags, err = run(capsys, *as_(alice, "flags", "show", team_ref, "--json"))
    assert code == 0, err
    item = next(i for i in flags["items"] if i["id"] == FLAG)
    assert item["state"] == "confirmed" and item["note"] == "profiles disagree"
    assert "E-002" in json.dumps(item["exhibits"])
    pinned = team["cluster"].psql(  # the pinned template text went along with it
        f"SELECT count(*) FROM template_blob WHERE template_id = '{flags['template']}' AND "
        f"version = {flags['version']}", database=team["db"])
    assert pinned.strip() == "1"
    # The team's search finds the copied records.
    code, hits, err = run(capsys, *as_(alice, "search", "camera", "--json"))
    assert code == 0, err
    assert {(h["type"], h["ref"]) for h in hits} >= {("note", team_ref)}
    # Recorded on both sides; the imported history says where it came from.
    entries = audit_of(capsys, *as_(alice))
    origin = [e for e in entries if e["action"] == "case.published-from-local"]
    assert len(origin) == 1 and origin[0]["detail"]["from_case"] == ref
    imported = [e for e in entries if e["action"] == "history.imported"]
    assert {e["detail"]["original"]["action"] for e in imported} >= {
        "case.created", "subject.added", "note.added", "evidence.ingested"}
    assert all(e["detail"]["imported_from"]["case"] == ref and e["case"] == team_ref
               for e in imported)
    assert any(e["summary"].startswith(f"Case opened in {ref} (entry ")
               and e["summary"].endswith(": Offline work, contract 19") for e in imported)
    assert origin[0]["event"] == "Case published from a local home"
    local_entries = audit_of(capsys, "--home", str(home))
    published = [e for e in local_entries if e["action"] == "case.published"]
    assert len(published) == 1 and published[0]["detail"]["team_ref"] == team_ref
    for args in (as_(alice), ["--home", str(home)]):
        code, report, err = run(capsys, *args, "verify", "--json")
        assert code == 0 and report["ok"] is True, (err, report)
    # The team home itself is no local home to publish from or check out into.
    code, _out, err = run(capsys, *as_(alice, "team", "checkout", team_ref, "--to-home",
                                       str(alice["home"])))
    assert code == 2 and "ordinary" in err  # InvalidInput
    # Publishing the same case again is refused, and changes nothing.
    code, _out, err = run(capsys, *as_(alice, "team", "publish", ref, "--from-home",
                                       str(home)))
    assert code == 1 and team_ref in err
    assert len(stored_bytes(team["location"])) == before + 2

    # Bob is not on the case: he cannot see it; once added he reads the exhibit.
    assert run(capsys, *as_(bob, "case", "show", team_ref, "--json"))[0] != 0
    assert run(capsys, *as_(alice, "team", "member", "add", team_ref, bob["role"], "--as",
                            "viewer"))[0] == 0
    # Bob (a viewer) checks it out into a new local home for offline work.
    offline = tmp_path / "bob-offline"
    code, back, err = run(capsys, *as_(bob, "team", "checkout", team_ref, "--to-home",
                                       str(offline), "--json"))
    assert code == 0, err
    assert back["source_ref"] == team_ref and back["exhibits"] == 2
    out = tmp_path / "offline.csv"
    code, _o, err = run(capsys, "--home", str(offline), "evidence", "export", back["ref"],
                        "E-001", "--out", str(out))
    assert code == 0, err
    assert out.read_bytes() == body
    offline_entries = audit_of(capsys, "--home", str(offline))
    assert any(e["action"] == "case.checked-out-from-team"
               and e["detail"]["from_case"] == team_ref for e in offline_entries)
    assert any(e["action"] == "history.imported" for e in offline_entries)
    checked = [e for e in audit_of(capsys, *as_(alice)) if e["action"] == "case.checked-out"]
    assert len(checked) == 1 and checked[0]["detail"]["local_ref"] == back["ref"]
    assert checked[0]["detail"]["db_user"] == bob["role"]
    code, report, err = run(capsys, "--home", str(offline), "verify", "--json")
    assert code == 0 and report["ok"] is True, (err, report)


def test_a_publish_failing_mid_way_leaves_no_case_and_no_blob(
        capsys: Any, team: dict[str, Any], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from caseapp.services.evidence import case_keys

    alice = team["alice"]
    home, ref, _body = local_case(capsys, tmp_path)
    before = len(stored_bytes(team["location"]))

    def fail(*_args: Any, **_kwargs: Any) -> int:
        raise RuntimeError("the connection dropped while the case key was being written")

    # After the case, its records and history are written, before the team commit.
    real = case_keys.seal_new_case
    monkeypatch.setattr(case_keys, "seal_new_case", fail)
    code, _out, _err = run(capsys, *as_(alice, "team", "publish", ref, "--from-home",
                                        str(home)))
    assert code != 0
    monkeypatch.setattr(case_keys, "seal_new_case", real)
    cases = team["cluster"].psql("SELECT count(*) FROM case_file", database=team["db"])
    assert cases.strip() == "0"
    history = team["cluster"].psql("SELECT count(*) FROM audit_entry WHERE action = "
                                   "'history.imported'", database=team["db"])
    assert history.strip() == "0"
    assert len(stored_bytes(team["location"])) == before  # the uploaded blobs were removed
    local_entries = audit_of(capsys, "--home", str(home))
    assert not any(e["action"] == "case.published" for e in local_entries)
    # Control: without the fault the same publish goes through.
    moved = publish_as(capsys, alice, ref, home)
    assert len(stored_bytes(team["location"])) == before + 2
    assert json.loads(team["cluster"].psql(
        "SELECT json_agg(ref) FROM case_file", database=team["db"])) == [moved["ref"]]


def test_a_checkout_whose_local_commit_fails_leaves_no_team_record(
        capsys: Any, team: dict[str, Any], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from sqlalchemy import event

    from caseapp.services.team import publish

    alice = team["alice"]
    home, ref, _body = local_case(capsys, tmp_path)
    moved = publish_as(capsys, alice, ref, home)
    real = publish.write_case

    def write_then_fail_commit(session: Any, *args: Any) -> Any:
        def refuse(_session: Any) -> None:
            raise RuntimeError("the disk filled up at the local commit")

        event.listen(session, "before_commit", refuse, once=True)
        return real(session, *args)

    # The local copy is written and the team's entry appended; the local commit then fails.
    monkeypatch.setattr(publish, "write_case", write_then_fail_commit)
    offline = tmp_path / "alice-offline"
    code, _out, _err = run(capsys, *as_(alice, "team", "checkout", moved["ref"],
                                        "--to-home", str(offline)))
    assert code != 0
    monkeypatch.setattr(publish, "write_case", real)
    checked = [e for e in audit_of(capsys, *as_(alice)) if e["action"] == "case.checked-out"]
    assert checked == []
    code, cases, err = run(capsys, "--home", str(offline), "case", "list", "--json")
    assert code == 0 and cases == [], err
    # Control: without the fault the same checkout goes through and is recorded once.
    code, back, err = run(capsys, *as_(alice, "team", "checkout", moved["ref"], "--to-home",
                                       str(offline), "--json"))
    assert code == 0, err
    checked = [e for e in audit_of(capsys, *as_(alice)) if e["action"] == "case.checked-out"]
    assert len(checked) == 1 and checked[0]["detail"]["local_ref"] == back["ref"]
