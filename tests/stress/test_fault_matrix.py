"""kill -9 at named steps of every multi-step operation; the next start must find the store as
before or as after, never between, with nothing left unreported.

Each case copies one prepared data home, runs the real ``caseapp`` command in a child process
with ``CASEAPP_FAULT_AT`` naming the step (caseapp/faults.py: the process SIGKILLs itself
there), then opens the home again in this process (the "next start": leftovers of interrupted
writes are removed and audited) and compares what a user would see, and ``verify``, with the
same command run to completion on another copy.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from harness import KILLED, PASSPHRASE, caseapp
from sqlmodel import select
from template_text import template_toml

from caseapp.domain.models import AuditEntry
from caseapp.services.cases import cases
from caseapp.services.evidence import evidence
from caseapp.services.maintenance import verify
from caseapp.services.redflags import checklists, templates
from caseapp.services.tips import tips
from caseapp.services.workspace import open_workspace

KEPT = (("identity.keep", "Kept", 2),)
TEMPLATE_V1 = template_toml("fault-test", title="Fault test", items=KEPT,
                            category=("identity", "Identity"))
TEMPLATE_V2 = template_toml("fault-test", version=2, title="Fault test",
                            items=(*KEPT, ("identity.added", "Added in v2", 1)),
                            category=("identity", "Identity"))
TIPS_CSV = ("received_at,channel,content,identifiers\n"
            "2026-03-01T10:00:00Z,hotline,First tip about a laptop farm,email:a@x.example\n"
            "2026-03-02T10:00:00Z,email,Second tip about a forwarding address,phone:+1 202 555 0101\n"
            "2026-03-03T10:00:00Z,web-form,Third tip about a VPN sign-in,ip:203.0.113.7\n")


def _open(home: Path) -> Any:
    return open_workspace(home, lambda _p: PASSPHRASE, create=False)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fault-base")
    home = root / "home"
    ws = open_workspace(home, lambda _p: PASSPHRASE, key_mode="passphrase")
    case = cases.create_case(ws, "Fault case")
    (root / "small.txt").write_text("small exhibit", encoding="utf-8")
    evidence.ingest_file(ws, case.ref, root / "small.txt")
    tips.create_tip(ws, content="An earlier tip", channel="hotline")
    (root / "v1.toml").write_text(TEMPLATE_V1, encoding="utf-8")
    templates.import_template(ws, root / "v1.toml")
    checklists.start_checklist(ws, case.ref, "fault-test")
    checklists.set_item(ws, case.ref, "identity.keep", state="suspected")
    ws.close()
    (root / "big.bin").write_bytes(bytes(range(256)) * 16384)  # 4 MiB: several vault chunks
    (root / "tips.csv").write_text(TIPS_CSV, encoding="utf-8")
    (root / "v2.toml").write_text(TEMPLATE_V2, encoding="utf-8")
    return root


def _copy(base: Path, tmp_path: Path, name: str) -> Path:
    shutil.copytree(base / "home", tmp_path / name)
    return tmp_path / name


def snapshot(home: Path) -> dict[str, Any]:
    """What a user sees, read after the next start (which settles leftovers)."""
    ws = _open(home)
    try:
        out: dict[str, Any] = {"cases": [], "tips": sorted(t.ref for t in tips.list_tips(ws))}
        for case in cases.list_cases(ws):
            view = checklists.get_checklist(ws, case.ref)
            out["cases"].append((case.ref, case.title, case.status,
                                 [(e.exhibit, e.sha256) for e in
                                  evidence.list_evidence(ws, case.ref)],
                                 (view.template.version, sorted((i.item.id, i.state.value)
                                                       for i in view.items))
                                 if view else None))
        out["blobs"] = sorted(ws.vault.blob_ids())
        with ws.session() as session:
            out["actions"] = sorted(a for a in session.exec(select(AuditEntry.action)).all()
                                    if not a.startswith(("store.verified", "vault.")))
        report = verify.verify_store(ws)
        out["verify"] = sorted((p["kind"], p["where"]) for p in report.problems)
        return out
    finally:
        ws.close()


# (name, command args built from the base folder, fault steps)
OPERATIONS = [
    ("ingest", lambda b: ["evidence", "add", "CASE-2026-0001", str(b / "big.bin")],
     ["vault.chunk@2", "vault.before-rename", "vault.renamed", "evidence.before-commit",
      "evidence.recorded"]),
    ("export", lambda b: ["export", "CASE-2026-0001", "--out", str(b / "out" / "case.pdf")],
     ["export.built", "export.published"]),
    ("production", lambda b: ["export", "CASE-2026-0001", "--out", str(b / "out" / "p.pdf"),
                              "--package", str(b / "out" / "production")],
     ["export.built", "export.staged", "export.published"]),
    ("template-upgrade", lambda b: ["flags", "upgrade", "CASE-2026-0001"],
     ["redflags.upgrade.before-commit"]),
]


@pytest.mark.parametrize(("name", "command", "step"),
                         [(n, c, s) for n, c, steps in OPERATIONS for s in steps],
                         ids=[f"{n}-{s}" for n, _c, steps in OPERATIONS for s in steps])
def test_kill_leaves_before_or_after(base, tmp_path, name, command, step) -> None:
    before_home, after_home, killed_home = (_copy(base, tmp_path, n)
                                            for n in ("before", "after", "killed"))
    if name == "template-upgrade":
        for home in (after_home, killed_home):
            assert caseapp(home, "templates", "import", str(base / "v2.toml")).code == 0
            shutil.copytree(home, tmp_path / "before-upgrade", dirs_exist_ok=True)
        before_home = tmp_path / "before-upgrade"
    def fresh_out() -> None:
        shutil.rmtree(base / "out", ignore_errors=True)
        (base / "out").mkdir()

    fresh_out()
    ok = caseapp(after_home, *command(base))
    assert ok.code == 0, ok.err
    fresh_out()
    killed = caseapp(killed_home, *command(base), fault=step)
    assert killed.code == KILLED, (killed.code, killed.err)
    before, after, now = snapshot(before_home), snapshot(after_home), snapshot(killed_home)

    def records(snap: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in snap.items() if k not in ("verify", "blobs")}

    assert records(now) in (records(before), records(after)), f"between states at {step}"
    if records(now) == records(after):
        # blob ids are random per run: the same number of blobs, each verified by its exhibit
        assert len(now["blobs"]) == len(after["blobs"]) and now["verify"] == []
    else:  # as before: the only trace allowed is a complete blob verify reports as orphaned
        extra = sorted(set(now["blobs"]) - set(before["blobs"]))
        assert now["verify"] == [("blob-orphan", f"vault/{b}") for b in extra]
        assert set(before["blobs"]) <= set(now["blobs"])
    shutil.rmtree(base / "out", ignore_errors=True)


def test_killed_csv_import_keeps_whole_rows_and_a_rerun_completes_it(base, tmp_path) -> None:
    home = _copy(base, tmp_path, "home")
    killed = caseapp(home, "tips", "import", str(base / "tips.csv"), fault="tips.row@2")
    assert killed.code == KILLED
    ws = _open(home)
    try:
        imported = [t for t in tips.list_tips(ws) if "tip about" in t.content]
        assert len(imported) == 2, "one transaction per row: two whole rows, nothing partial"
        from caseapp.services.discovery import search

        assert {h.ref for h in search.search(ws, "type:identifier")} >= {t.ref for t in imported}
        assert verify.verify_store(ws).ok
    finally:
        ws.close()
    rerun = caseapp(home, "tips", "import", str(base / "tips.csv"), "--json")
    assert rerun.code == 0 and rerun.json()["imported"] == 1
    assert rerun.json()["skipped_duplicates"] == 2


@pytest.mark.parametrize("step", ["backup.db-copied", "backup.blob@1", "backup.before-rename"])
def test_killed_backup_leaves_no_backup_and_the_next_one_works(base, tmp_path, step) -> None:
    home = _copy(base, tmp_path, "home")
    dest = tmp_path / "bk"
    assert caseapp(home, "backup", str(dest), fault=step).code == KILLED
    assert not dest.exists(), "a backup folder appears only when complete"
    assert snapshot(home)["verify"] == []
    again = caseapp(home, "backup", str(dest))
    assert again.code == 0, again.err
    assert (dest / "backup.json").exists()


@pytest.mark.parametrize("step", ["restore.copied", "restore.item@2", "restore.adopted"])
def test_killed_restore_is_undone_at_the_next_start(base, tmp_path, step) -> None:
    home = _copy(base, tmp_path, "home")
    code = _recovery_code(home)  # before the backup: the backup carries this code's key wrap
    assert caseapp(home, "backup", str(tmp_path / "bk")).code == 0
    target = tmp_path / "restored"
    env = {"CASEAPP_RECOVERY_CODE": code}
    killed = caseapp(target, "restore", str(tmp_path / "bk"), fault=step, env=env)
    assert killed.code == KILLED
    opened = caseapp(target, "case", "list")
    assert opened.code == 3 and "interrupted" in opened.err
    assert not (target / "caseapp.db").exists() and not (target / "store.json").exists()
    again = caseapp(target, "restore", str(tmp_path / "bk"), env=env)
    assert again.code == 0, again.err
    assert snapshot(target)["cases"] == snapshot(home)["cases"]


def _recovery_code(home: Path) -> str:
    run = caseapp(home, "key", "recovery-code")
    assert run.code == 0, run.err
    return next(w for w in run.out.split() if w.count("-") >= 3)


def test_killed_passphrase_change_keeps_the_old_passphrase(base, tmp_path) -> None:
    home = _copy(base, tmp_path, "home")
    env = {"CASEAPP_NEW_PASSPHRASE": "the new one"}
    killed = caseapp(home, "key", "change-passphrase", env=env,
                     fault="files.before-rename.keyfile.json")
    assert killed.code == KILLED
    assert caseapp(home, "case", "list").code == 0, "the old passphrase still opens it"
    assert caseapp(home, "key", "change-passphrase", env=env).code == 0
    assert caseapp(home, "case", "list", env={"CASEAPP_PASSPHRASE": "the new one"}).code == 0


def test_killed_recovery_code_reissue_keeps_the_old_code(base, tmp_path) -> None:
    home = _copy(base, tmp_path, "home")
    old = _recovery_code(home)
    killed = caseapp(home, "key", "recovery-code", fault="files.before-rename.recovery.json")
    assert killed.code == KILLED
    from caseapp.security.keys import KeyManager

    KeyManager(home).unlock_with_recovery(old)  # raises if the old code stopped working


def test_killed_migration_leaves_the_old_schema_and_the_next_open_migrates(tmp_path) -> None:
    from caseapp.security.keys import KeyManager, derive_keys
    from caseapp.store.migrations.runner import alembic_config
    from caseapp.store.sqlcipher.engine import HEAD_REVISION, current_revision, make_engine

    home = tmp_path / "old"
    home.mkdir()
    master, _code = KeyManager(home).create("old-store", "2026-01-01T00:00:00+00:00",
                                            PASSPHRASE)
    engine = make_engine(home / "caseapp.db", derive_keys(master).database)
    from alembic import command

    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0002_search")
        conn.exec_driver_sql("INSERT INTO store_meta (key, value) VALUES ('store_id', "
                             "'old-store')")
    engine.dispose()
    killed = caseapp(home, "case", "list", fault="migrate.before-commit")
    assert killed.code == KILLED
    engine = make_engine(home / "caseapp.db", derive_keys(master).database)
    assert current_revision(engine) == "0002_search", "the migration rolled back whole"
    engine.dispose()
    assert caseapp(home, "case", "list").code == 0
    engine = make_engine(home / "caseapp.db", derive_keys(master).database)
    assert current_revision(engine) == HEAD_REVISION
    engine.dispose()
