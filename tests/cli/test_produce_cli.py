"""CLI contract of ``produce`` and ``productions``; a production killed mid-way (kill -9)
leaves no volume and uses no Bates number."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from caseapp.domain import loadfiles
from tests.cli.runner import run

KEYS = {"production", "path", "prefix", "volume", "bates_first", "bates_last", "pages",
        "documents", "withheld", "redacted", "sha256sums", "signed", "audit_head"}


def test_produce_json_and_productions(capsys, demo_home: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run(capsys, demo_home, "produce", "CASE-2026-0001", "--to",
                         str(tmp_path / "p1"), "--prefix", "ACME", "--volume", "VOL001",
                         "--exhibits", "E-001,E-003", "--endorse", "CONFIDENTIAL", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert set(data) == KEYS and data["bates_first"] == "ACME-000001" and not data["signed"]
    assert [d["exhibit"] for d in data["documents"]] == ["E-001", "E-003"]
    code, out, err = run(capsys, demo_home, "produce", "CASE-2026-0001", "--to",
                         str(tmp_path / "p2"), "--prefix", "ACME", "--all",
                         "--withhold", "E-002=pii:Identity document", "--json")
    assert code == 0, err
    second = json.loads(out)
    last = int(data["bates_last"].rsplit("-", 1)[1])
    assert second["bates_first"] == loadfiles.bates_label("ACME", last + 1)
    assert second["volume"] == "VOL002" and second["withheld"][0]["exhibit"] == "E-002"
    code, out, _ = run(capsys, demo_home, "productions", "CASE-2026-0001", "--json")
    assert code == 0
    assert [(p["production"], p["bates_first"]) for p in json.loads(out)] == [
        (1, "ACME-000001"), (2, second["bates_first"])]
    code, _, err = run(capsys, demo_home, "verify", "--anchor",
                       str(tmp_path / "p1" / "AUDIT-HEAD.txt"))
    assert code == 0, err
    # usage and input errors
    code, _, err = run(capsys, demo_home, "produce", "CASE-2026-0001", "--to",
                       str(tmp_path / "p2"))
    assert code != 0 and "not an empty folder" in err
    code, _, _ = run(capsys, demo_home, "produce", "CASE-2026-0001", "--to", "x", "--all",
                     "--exhibits", "E-001")
    assert code == 2


def caseapp_process(home: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """``caseapp --home HOME ARGS...`` in a real process; ``fault=STEP`` kills it with SIGKILL
    at that step (CASEAPP_FAULT_AT)."""
    env = {**os.environ, "CASEAPP_PASSPHRASE": "pp", "CASEAPP_SCRYPT_LOG2N": "10",
           "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    env.pop("CASEAPP_FAULT_AT", None)

    def caseapp(*args: str, fault: str | None = None) -> subprocess.CompletedProcess[str]:
        run_env = {**env, **({"CASEAPP_FAULT_AT": fault} if fault else {})}
        return subprocess.run([sys.executable, "-m", "caseapp", "--home", str(home), *args],
                              env=run_env, capture_output=True, text=True, timeout=300)

    return caseapp


def test_killed_production_leaves_no_volume_and_no_number(tmp_path: Path) -> None:
    caseapp = caseapp_process(tmp_path / "home")

    assert caseapp("demo").returncode == 0
    killed = caseapp("produce", "CASE-2026-0001", "--to", str(tmp_path / "out"),
                     "--prefix", "ACME", fault="produce.staged")
    assert killed.returncode in (-9, 137)
    assert not (tmp_path / "out").exists()
    listed = caseapp("productions", "CASE-2026-0001", "--json")
    assert json.loads(listed.stdout) == []
    done = caseapp("produce", "CASE-2026-0001", "--to", str(tmp_path / "out"), "--prefix",
                   "ACME", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["bates_first"] == "ACME-000001"
    # killed after the record: the numbers stay used, the next production starts after them
    again = caseapp("produce", "CASE-2026-0001", "--to", str(tmp_path / "out2"), "--prefix",
                    "ACME", fault="produce.recorded")
    assert again.returncode in (-9, 137) and not (tmp_path / "out2").exists()
    rows = json.loads(caseapp("productions", "CASE-2026-0001", "--json").stdout)
    assert [r["present"] for r in rows] == [True, False]
    staged = Path(rows[1]["staged"])  # the recorded volume is kept where it was staged
    assert staged.parent == tmp_path and (staged / "VOL002" / "DATA" / "VOL002.dat").is_file()
    assert "not in place" in caseapp("productions", "CASE-2026-0001").stdout
    third = json.loads(caseapp("produce", "CASE-2026-0001", "--to", str(tmp_path / "out3"),
                               "--prefix", "ACME", "--json").stdout)
    assert int(third["bates_first"].rsplit("-", 1)[1]) == int(
        rows[1]["bates_last"].rsplit("-", 1)[1]) + 1
    assert caseapp("verify").returncode == 0


def test_export_sign_validates(capsys, demo_home: Path, tmp_path: Path,  # type: ignore[no-untyped-def]
                               monkeypatch: pytest.MonkeyPatch) -> None:
    import warnings

    out = tmp_path / "signed.pdf"
    code, stdout, err = run(capsys, demo_home, "export", "CASE-2026-0001", "--out", str(out),
                            "--sign", "--json")
    assert code == 0, err
    data = json.loads(stdout)
    assert data["signed"] is True
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pyhanko.pdf_utils.reader import PdfFileReader
        from pyhanko.sign.validation import validate_pdf_signature
        from pyhanko_certvalidator import ValidationContext
    import hashlib

    assert hashlib.sha256(out.read_bytes()).hexdigest() == data["sha256"]  # hash after signing
    with open(out, "rb") as handle:
        status = validate_pdf_signature(PdfFileReader(handle).embedded_signatures[0],
                                        ValidationContext(trust_roots=[]))
    assert status.intact and status.valid  # self-signed: intact, not trusted without a root
    monkeypatch.setenv("CASEAPP_PDF_PASSWORD", "pw")
    code, _, err = run(capsys, demo_home, "export", "CASE-2026-0001", "--out",
                       str(tmp_path / "both.pdf"), "--sign")
    assert code != 0 and "password" in err


def test_signed_case_file_names_its_signer(capsys, demo_home: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from pypdf import PdfReader

    out = tmp_path / "named.pdf"
    code, _, err = run(capsys, demo_home, "export", "CASE-2026-0001", "--out", str(out),
                       "--sign")
    assert code == 0, err
    text = "\n".join(p.extract_text() for p in PdfReader(str(out)).pages)
    assert "digitally signed (PAdES B-B)" in text and "self-signed" in text
    assert "pyhanko sign validate" in text


def test_finish_completes_a_killed_production_and_removes_stale_staging(tmp_path: Path) -> None:
    """Real processes killed with SIGKILL at named steps (CASEAPP_FAULT_AT): ``productions
    --finish`` moves the recorded volume into place only after its files check, refuses a
    tampered one, and removes the garbage of a production killed before it was recorded."""
    caseapp = caseapp_process(tmp_path / "home")

    def staged_dirs(name: str) -> list[Path]:
        return sorted(p for p in tmp_path.glob(f".{name}.*.part") if p.is_dir())

    assert caseapp("demo").returncode == 0
    nothing = caseapp("productions", "CASE-2026-0001", "--finish", "--json")
    assert nothing.returncode == 0 and json.loads(nothing.stdout) == {
        "finished": [], "problems": [], "removed": []}
    # killed after the record (twice: one to tamper with, one to finish)
    for name in ("a", "b"):
        killed = caseapp("produce", "CASE-2026-0001", "--to", str(tmp_path / name),
                         "--prefix", "FIN", fault="produce.recorded")
        assert killed.returncode in (-9, 137) and not (tmp_path / name).exists()
    staged_a, staged_b = staged_dirs("a")[0], staged_dirs("b")[0]
    # killed before the record: a stale staging folder beside a production folder
    early = caseapp("produce", "CASE-2026-0001", "--to", str(tmp_path / "c"), "--prefix",
                    "FIN", fault="produce.staged")
    assert early.returncode in (-9, 137)
    stale = staged_dirs("c")
    assert len(stale) == 1
    # tamper with one staged volume: it must not be moved into place
    dat = staged_a / "VOL001" / "DATA" / "VOL001.dat"
    dat.write_bytes(dat.read_bytes() + b"x")
    done = caseapp("productions", "CASE-2026-0001", "--finish", "--json")
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert [f["production"] for f in report["finished"]] == [2]
    assert report["problems"][0]["production"] == 1
    assert "VOL001.dat" in report["problems"][0]["problem"]
    assert report["removed"] == [str(stale[0])] and not stale[0].exists()
    assert not (tmp_path / "a").exists() and staged_a.is_dir()  # left as it was
    assert (tmp_path / "b" / "VOL002" / "DATA" / "VOL002.dat").is_file()
    assert not staged_b.exists()
    checked = subprocess.run(["sha256sum", "-c", "--quiet", "SHA256SUMS"], cwd=tmp_path / "b",
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    rows = json.loads(caseapp("productions", "CASE-2026-0001", "--json").stdout)
    assert [r["present"] for r in rows] == [False, True]
    audit_log = caseapp("audit", "list", "--case", "CASE-2026-0001", "--json")
    assert "case.production-finished" in audit_log.stdout
    assert caseapp("verify").returncode == 0
    # the production killed before recording used no number: the next one continues after b
    nxt = json.loads(caseapp("produce", "CASE-2026-0001", "--to", str(tmp_path / "c"),
                             "--prefix", "FIN", "--json").stdout)
    assert int(nxt["bates_first"].rsplit("-", 1)[1]) == int(
        rows[1]["bates_last"].rsplit("-", 1)[1]) + 1
