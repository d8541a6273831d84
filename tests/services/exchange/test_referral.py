"""Referral packs: IC3 worksheet and RFJ brief as PDF + text, filled from the case."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from caseapp.domain.exchange.tlp import TLP
from caseapp.services.errors import InvalidInput
from caseapp.services.exchange.gather import ShareOptions
from caseapp.services.exchange.share import share_case
from tests.services.exchange.conftest import MARKUP, TIPSTER


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def test_ic3_worksheet_fields(demo: Any, tmp_path: Path) -> None:
    result = share_case(demo, "CASE-2026-0001", "ic3", tmp_path / "ic3.pdf",
                        options=ShareOptions(victim="Acme Widgets Inc. (fictional)"))
    assert [p.name for p in result.paths] == ["ic3.pdf", "ic3.txt"]
    text = (tmp_path / "ic3.txt").read_text(encoding="utf-8")
    for label in ("Business name:", "Recipient bank account(s):", "Subject information: "
                  "Daniel Park", "E-mail address(es):", "IP address(es):", "Description:",
                  "Evidence available:"):
        assert label in text
    assert "Acme Widgets Inc. (fictional)" in text and "198.51.100.23" in text
    assert "daniel.park.dev+jobs@mailbox.example" in text.lower()
    assert "[REDACTED] …7890" in text and "1234 5678" not in text
    assert "caseapp sends nothing" in text and "TLP:AMBER" in text
    assert "[to complete: each payment" in text
    pdf = pdf_text(tmp_path / "ic3.pdf")
    assert "IC3 complaint worksheet" in pdf and "Daniel Park" in pdf


def test_rfj_brief_one_page_zip_with_markup(demo: Any, tmp_path: Path) -> None:
    out = tmp_path / "rfj.zip"
    share_case(demo, "CASE-2026-0004", "rfj", out, tlp=TLP.GREEN)
    with zipfile.ZipFile(out) as archive:
        assert sorted(archive.namelist()) == ["rfj.pdf", "rfj.txt"]
        text = archive.read("rfj.txt").decode("utf-8")
        (tmp_path / "rfj.pdf").write_bytes(archive.read("rfj.pdf"))
    assert MARKUP in text and "김철수" in text and "bc1q" in text
    for label in ("Who:", "Identifiers:", "Wallets:", "What happened:",
                  "Evidence and who holds it:"):
        assert label in text
    assert len(PdfReader(tmp_path / "rfj.pdf").pages) == 1
    assert "Kim" in pdf_text(tmp_path / "rfj.pdf")  # markup drawn as text, not parsed


def test_tipster_masked_in_referral_and_red_refused(demo: Any, tmp_path: Path) -> None:
    share_case(demo, "CASE-2026-0002", "ic3", tmp_path / "c2")
    assert TIPSTER not in (tmp_path / "c2.txt").read_text(encoding="utf-8")
    with pytest.raises(InvalidInput, match="TLP:AMBER\\+STRICT"):
        share_case(demo, "CASE-2026-0002", "rfj", tmp_path / "x", tlp=TLP.AMBER_STRICT)
