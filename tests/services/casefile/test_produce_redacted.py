"""Documents produced redacted: the case's account/ID numbers show only their last four
characters and tipster identities are replaced, in the rendition and the TEXT file; no native;
the load file's hashes are of the redacted text; the privilege and redaction log lists the
document with its Bates range and reason. Refusals: non-text exhibits, nothing to redact."""

from __future__ import annotations

import hashlib
import io
import subprocess
from pathlib import Path

import pytest
from exhibit_files import ingest_files
from PIL import Image
from pypdf import PdfReader

from caseapp.cli.main import main
from caseapp.domain import loadfiles
from caseapp.services.casefile import produce as prod
from caseapp.services.cases import cases, subjects
from caseapp.services.errors import InvalidInput
from caseapp.services.evidence import evidence
from caseapp.services.tips import casework, tips

IBAN = "DE89 3704 0044 0532 0130 00"
TIPSTER = "Maria Kowalska"


@pytest.fixture
def case_ref(ws, tmp_path: Path) -> str:
    return _populate(ws, tmp_path)


def _populate(ws, tmp_path: Path) -> str:  # type: ignore[no-untyped-def]
    ref = cases.create_case(ws, "Redaction case").ref
    subject = subjects.add_subject(ws, ref, "Daniel Park")
    subjects.add_identifier(ws, subject.subject.id, "bank", IBAN)
    tip = tips.create_tip(ws, "He was paid to a German account.", channel="email",
                          tipster_name=TIPSTER, tipster_contact="maria@example.org")
    casework.link_tip(ws, tip.tip.ref, ref)
    png = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 10, 10)).save(png, "PNG")
    files = {
        "payroll.txt": (f"Salary paid to {IBAN.replace(' ', '')} monthly.\n"
                        f"Reported by {TIPSTER} (maria@example.org).\n").encode(),
        "plain.txt": b"Nothing sensitive here.\n",
        "photo.png": png.getvalue(),
    }
    ingest_files(ws, ref, tmp_path / "src", files, acquired_from="Payroll")
    return ref


def test_redacted_document_in_volume_and_privilege_log(ws, case_ref, tmp_path: Path) -> None:
    out = tmp_path / "prod"
    result = prod.produce(ws, case_ref, out, prod.ProduceOptions(
        prefix="RED", exhibits=("E-001", "E-002"),
        redact=(prod.Redact("E-001", "pii"),)))
    assert [r["exhibit"] for r in result.redacted] == ["E-001"]
    assert result.redacted[0]["redactions"] == 3  # the IBAN, the name, the contact
    rows = loadfiles.parse_dat((out / "VOL001" / "DATA" / "VOL001.dat")
                               .read_bytes().decode("utf-8"))
    red = next(r for r in rows if r["EXHIBIT"] == "E-001")
    assert red["NATIVELINK"] == ""
    text_path = out / "VOL001" / Path(*red["TEXTLINK"].split("\\"))
    text = text_path.read_text(encoding="utf-8")
    assert "[REDACTED] …3000" in text and TIPSTER not in text and "maria@" not in text
    assert red["SHA256"] == hashlib.sha256(text.encode("utf-8")).hexdigest()
    pdf_text = PdfReader(str(out / "VOL001" / Path(*red["IMAGELINK"].split("\\")))
                         ).pages[0].extract_text()
    assert "…3000" in pdf_text and TIPSTER not in pdf_text
    # the original appears nowhere in the volume: not its digits, not its hash
    original = evidence.list_evidence(ws, case_ref)[0].sha256
    for path in out.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert b"370400440532" not in data and TIPSTER.encode() not in data
            assert original.encode() not in data
    assert not list((out / "VOL001" / "NATIVES").glob(f"{red['BEGBATES']}.*"))
    plain = next(r for r in rows if r["EXHIBIT"] == "E-002")
    assert plain["NATIVELINK"]  # the other document keeps its native
    log = (out / "PRIVILEGE_LOG.csv").read_text(encoding="utf-8-sig")
    line = next(ln for ln in log.splitlines() if "E-001" in ln)
    assert f"{red['BEGBATES']} to {red['ENDBATES']}" in line
    assert "Personal information (FRCP 5.2) (produced redacted)" in line
    assert "3 redactions" in line
    log_pdf = PdfReader(str(out / "PRIVILEGE_LOG.pdf")).pages[0].extract_text()
    assert "produced redacted" in log_pdf
    done = subprocess.run(["sha256sum", "-c", "--quiet", "SHA256SUMS"], cwd=out,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_redaction_refusals_leave_nothing(ws, case_ref, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="only text exhibits"):
        prod.produce(ws, case_ref, tmp_path / "a", prod.ProduceOptions(
            redact=(prod.Redact("E-003", "pii"),)))
    with pytest.raises(InvalidInput, match="nothing to redact"):  # control: no sensitive value
        prod.produce(ws, case_ref, tmp_path / "b", prod.ProduceOptions(
            redact=(prod.Redact("E-002", "pii"),)))
    with pytest.raises(InvalidInput, match="both withheld and produced redacted"):
        prod.produce(ws, case_ref, tmp_path / "c", prod.ProduceOptions(
            withhold=(prod.Withhold("E-001", "pii"),), redact=(prod.Redact("E-001", "pii"),)))
    assert not (tmp_path / "b").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".b.")]
    assert prod.list_productions(ws, case_ref) == []


def test_cli_redact(home: Path, tmp_path: Path, capsys) -> None:
    from caseapp.services.workspace import open_workspace

    own = open_workspace(home)  # the CLI opens the home's own (SQLCipher) store
    try:
        case_ref = _populate(own, tmp_path)
    finally:
        own.close()
    code = main(["--home", str(home), "produce", case_ref, "--to", str(tmp_path / "cli"),
                 "--redact", "E-001=pii:Payroll note, account numbers masked", "--json"])
    assert code == 0
    import json

    data = json.loads(capsys.readouterr().out)
    assert data["redacted"][0]["exhibit"] == "E-001"
    assert [d["redacted"] for d in data["documents"]] == [True, False, False]
    log = (tmp_path / "cli" / "PRIVILEGE_LOG.csv").read_text(encoding="utf-8-sig")
    assert "Payroll note, account numbers masked" in log


def test_redacted_file_name_and_title_are_masked_too(ws, case_ref, tmp_path: Path) -> None:
    src = tmp_path / "named"
    src.mkdir()
    name = f"call with {TIPSTER}.txt"
    (src / name).write_bytes(f"Account {IBAN} was named on the call.\n".encode())
    evidence.ingest_file(ws, case_ref, src / name, title=f"Call note from {TIPSTER}",
                         acquisition=evidence.Acquisition(acquired_by="J. Doe",
                                                          acquired_from="Phone",
                                                          method="copy"))
    out = tmp_path / "prod"
    prod.produce(ws, case_ref, out, prod.ProduceOptions(
        prefix="NM", exhibits=("E-002", "E-004"), redact=(prod.Redact("E-004", "pii"),)))
    rows = loadfiles.parse_dat((out / "VOL001" / "DATA" / "VOL001.dat")
                               .read_bytes().decode("utf-8"))
    red = next(r for r in rows if r["EXHIBIT"] == "E-004")
    assert red["FILENAME"] == "call with [REDACTED].txt"
    assert red["TITLE"] == "Call note from [REDACTED]"
    plain = next(r for r in rows if r["EXHIBIT"] == "E-002")  # control: not redacted
    assert plain["FILENAME"] == "plain.txt"
    for path in out.rglob("*"):
        if path.is_file():
            assert TIPSTER.encode() not in path.read_bytes(), path
