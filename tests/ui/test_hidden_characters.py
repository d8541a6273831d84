"""Names that lie: a bidi override in an exhibit's file name is shown, not obeyed, in the
evidence table, its details, the case list, and the PDF case file."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument

from caseapp.services.casefile.exports import export_case_file
from caseapp.services.cases import cases
from caseapp.services.evidence import evidence

SPOOF = "rtl\u202egpj.exe"  # reads as "rtlexe.jpg" where bidi is obeyed
SHOWN = "rtl⟨U+202E⟩gpj.exe"


def _case_with_spoof(window: Any, tmp_path: Path) -> tuple[str, Any]:
    ref = cases.create_case(window.ctx.ws, "Spoof \u2066case\u2069").ref
    src = tmp_path / SPOOF
    src.write_bytes(b"MZ not really a picture")
    return ref, evidence.ingest_file(window.ctx.ws, ref, src)


def test_evidence_tab_and_case_list_show_hidden_characters(qtbot, window, tmp_path) -> None:
    ref, ev = _case_with_spoof(window, tmp_path)
    assert ev.original_name == SPOOF  # kept as recorded: evidence is evidence
    page = window.show_page("cases")
    page.list.reload()
    model = page.list.table.model()
    titles = [model.index(r, 1).data() for r in range(model.rowCount())]
    assert "Spoof ⟨U+2066⟩case⟨U+2069⟩" in titles
    view = window.open_case(ref)
    tab = view.show_tab("evidence")
    tab.refresh()
    tab.table.selectRow(0)
    shown = tab.model.index(0, 1).data(Qt.ItemDataRole.DisplayRole)
    assert shown == SHOWN and "\u202e" not in shown
    tooltip = QTextDocument()
    tooltip.setHtml(tab.model.index(0, 1).data(Qt.ItemDataRole.ToolTipRole))
    assert tooltip.toPlainText() == SHOWN
    details = tab.info.text()
    assert SHOWN in details and "hidden characters (U+202E)" in details
    assert "\u202e" not in details


@pytest.mark.skipif(subprocess.run(["which", "pdftotext"], capture_output=True).returncode,
                    reason="needs poppler's pdftotext")
def test_pdf_case_file_shows_hidden_characters(qtbot, window, tmp_path) -> None:
    ref, _ev = _case_with_spoof(window, tmp_path)
    out = export_case_file(window.ctx.ws, ref, tmp_path / "case.pdf").path
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(out), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "U+202E" in text
    assert "\u202e" not in text
