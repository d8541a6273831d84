"""CLI contract of ``export``: JSON shape, package, options, exit codes."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.cli.runner import run

KEYS = {"path", "sha256", "pages", "bates_first", "bates_last", "package"}


def _text(path: Path, password: str | None = None) -> str:
    reader = PdfReader(path)
    if password is not None:
        reader.decrypt(password)
    return "\n".join(p.extract_text() for p in reader.pages)


def test_json_shape_and_file(capsys, demo_home: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out_pdf = tmp_path / "case.pdf"
    code, out, err = run(capsys, demo_home, "export", "CASE-2026-0001", "--out", str(out_pdf),
                         "--json")
    assert code == 0, err
    data = json.loads(out)
    assert set(data) == KEYS
    assert data["path"] == str(out_pdf) and data["package"] is None
    assert data["sha256"] == hashlib.sha256(out_pdf.read_bytes()).hexdigest()
    assert data["pages"] == len(PdfReader(out_pdf).pages)
    assert data["bates_first"] == "CASE-2026-0001-000001"
    assert data["bates_last"] == f"CASE-2026-0001-{data['pages']:06d}"


def test_options_reach_the_pdf(capsys, demo_home: Path, tmp_path: Path,  # type: ignore[no-untyped-def]
                               monkeypatch: pytest.MonkeyPatch) -> None:
    out_pdf = tmp_path / "case.pdf"
    monkeypatch.setenv("CASEAPP_PDF_PASSWORD", "pw for counsel")
    code, out, err = run(capsys, demo_home, "export", "case-2026-0002", "--out", str(out_pdf),
                         "--bates-prefix", "ACME", "--bates-start", "41",
                         "--classification", "HIGHLY CONFIDENTIAL – AEO",
                         "--recipient", "Counsel 김철수", "--reveal-tipsters",
                         "--reveal-accounts", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["bates_first"] == "ACME-000041"
    text = _text(out_pdf, "pw for counsel")
    assert "HIGHLY CONFIDENTIAL – AEO" in text and "Counsel 김철수" in text
    assert "Sam Okafor (fictional)" in text and "US00 FICT 0000 1234 5678 90" in text
    assert PdfReader(out_pdf).is_encrypted


def test_package(capsys, demo_home: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out_pdf, folder = tmp_path / "case.pdf", tmp_path / "production"
    code, out, err = run(capsys, demo_home, "export", "CASE-2026-0001", "--out", str(out_pdf),
                         "--package", str(folder), "--json")
    assert code == 0, err
    assert json.loads(out)["package"] == str(folder)
    checked = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=folder,
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "case.pdf: OK" in checked.stdout and "natives/E-002_profile-photo.png: OK" in \
        checked.stdout
    # The folder is not reused: a second package into it is refused (exit 1), PDF untouched.
    before = out_pdf.read_bytes()
    code, _, err = run(capsys, demo_home, "export", "CASE-2026-0001", "--out", str(out_pdf),
                       "--package", str(folder))
    assert code == 1 and "not an empty folder" in err
    assert out_pdf.read_bytes() == before


def test_errors_and_exit_codes(capsys, demo_home: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out_pdf = tmp_path / "x.pdf"
    code, _, err = run(capsys, demo_home, "export", "CASE-2026-0099", "--out", str(out_pdf))
    assert code == 1 and "CASE-2026-0099" in err
    code, _, err = run(capsys, demo_home, "export", "CASE-2026-0001", "--out", str(out_pdf),
                       "--bates-prefix", "no spaces allowed")
    assert code == 2 and "Bates prefix" in err
    code, _, err = run(capsys, demo_home, "export", "CASE-2026-0001", "--out", str(out_pdf),
                       "--bates-start", "-3")
    assert code == 2
    code, _, err = run(capsys, demo_home, "export", "CASE-2026-0001", "--out", str(out_pdf),
                       "--sections", "summary,bogus")
    assert code == 2 and "bogus" in err
    assert not out_pdf.exists()


def test_text_output_and_section_subset(capsys, demo_home: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out_pdf = tmp_path / "short.pdf"
    code, out, err = run(capsys, demo_home, "export", "CASE-2026-0003", "--out", str(out_pdf),
                         "--sections", "summary,subjects")
    assert code == 0, err
    path, sha, pages, bates = out.strip().split("\t")
    assert path == str(out_pdf) and len(sha) == 64 and pages.endswith(" pages")
    text = _text(out_pdf)
    assert "1. Case summary" in text and "2. Subjects and identifiers" in text
    assert "Exhibit list" not in text and "王伟" in text
