"""A case file carries the audit chain head it was made from; ``verify --anchor FILE.pdf``
reads it back and finds a log that was cut short since."""

from __future__ import annotations

import subprocess
from pathlib import Path

from pypdf import PdfReader

from caseapp.services.casefile.exports import export_case_file
from caseapp.services.cases import cases, notes
from caseapp.services.maintenance import verify


def test_case_file_carries_the_chain_head_and_verify_reads_it(ws, tmp_path: Path) -> None:
    case = cases.create_case(ws, "Anchored case")
    notes.add_note(ws, case.ref, "Interview held")
    out = export_case_file(ws, case.ref, tmp_path / "case.pdf").path
    meta = PdfReader(str(out)).metadata or {}
    line = str(meta.get("/CaseappAuditHead", ""))
    assert line.startswith("caseapp audit chain head: entry ")
    assert meta.get("/Title", "").startswith(case.ref)  # the usual keys are still there
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(out), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "caseapp verify --anchor" in text
    assert line.split("SHA-256 ")[1][:16] in text.replace("\n", "")
    log = (ws.home / "anchors.log").read_text(encoding="ascii")
    assert '"reason": "export"' in log
    report = verify.verify_store(ws, anchor_files=[out])
    assert report.ok, report.problems


def test_production_package_carries_the_chain_head(ws, tmp_path: Path) -> None:
    from caseapp.pdf.options import ExportOptions

    case = cases.create_case(ws, "Packaged case")
    package = tmp_path / "production"
    export_case_file(ws, case.ref, tmp_path / "case.pdf", ExportOptions(package_dir=package))
    head = (package / "AUDIT-HEAD.txt").read_text(encoding="ascii")
    assert head.startswith("caseapp audit chain head: entry ")
    sums = (package / "SHA256SUMS").read_text(encoding="utf-8")
    assert "  AUDIT-HEAD.txt" in sums
    checked = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=package,
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert verify.verify_store(ws, anchor_files=[package]).ok
