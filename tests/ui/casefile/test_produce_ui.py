"""Produce dialog over the demo data: the Bates preview follows the choices (withhold, leave
out), the production runs in the background, Cancel leaves nothing, and a screenshot."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from uihelpers import type_text, wait_task

from caseapp.services.casefile import produce
from caseapp.services.maintenance import demo
from caseapp.ui.casefile.produce_dialog import ProduceDialog

CASE1 = "CASE-2026-0001"


@pytest.fixture
def dialog(window: Any, qtbot: Any) -> ProduceDialog:
    demo.load_demo(window.ctx.ws)
    window.show_page("cases").list.reload()
    view = window.open_case(CASE1)
    next(a for a in window.actions_.case_actions if "Produce" in a.text().replace("&", "")).trigger()
    found = next(d for d in view.findChildren(ProduceDialog) if d.isVisible())
    qtbot.waitExposed(found)
    return found


def _rows(dialog: ProduceDialog) -> dict[str, Any]:
    return {r.exhibit: r for r in dialog.model.records}


def test_preview_follows_choices_and_production_matches(dialog, qtbot, tmp_path: Path) -> None:
    type_text(dialog.prefix, "ACME")
    dialog.refresh_preview()
    rows = _rows(dialog)
    assert rows["E-001"].bates_first == "ACME-000001"
    assert all(r.treatment != "withheld" for r in rows.values())
    dialog.table.selectRow(1)  # E-002: withhold as work product
    dialog.treatment.setCurrentIndex(dialog.treatment.findData("work-product"))
    dialog.apply_treatment()
    rows = _rows(dialog)
    assert rows["E-002"].treatment == "withheld" and rows["E-002"].bates_first == ""
    assert "1 withheld" in dialog.summary.text()
    type_text(dialog.endorse, "CONFIDENTIAL — 기밀")
    dialog.folder.setText(str(tmp_path / "prod"))
    os.makedirs(tmp_path / "shots", exist_ok=True)
    dialog.grab().save(str(tmp_path / "shots" / "produce-dialog.png"))
    if os.environ.get("CASEAPP_SCREENSHOT_DIR"):
        dialog.grab().save(os.path.join(os.environ["CASEAPP_SCREENSHOT_DIR"],
                                        "produce-dialog.png"))
    preview = {r.exhibit: (r.bates_first, r.bates_last) for r in dialog.model.records
               if r.pages and not r.estimated}
    qtbot.mouseClick(dialog.produce_button, Qt.MouseButton.LeftButton)
    handle = dialog.handle
    assert handle is not None, dialog.error.text()
    wait_task(qtbot, handle)
    result = dialog.outcome
    assert result is not None and result.withheld[0]["exhibit"] == "E-002"
    produced = {d["exhibit"]: (d["bates_first"], d["bates_last"]) for d in result.documents}
    assert "E-002" not in produced
    for exhibit, span in preview.items():  # exact where not estimated
        assert produced[exhibit] == span
    assert (tmp_path / "prod" / "VOL001" / "DATA" / "VOL001.dat").is_file()


def test_cancel_leaves_nothing(dialog, qtbot, tmp_path: Path) -> None:
    dialog.folder.setText(str(tmp_path / "c"))
    handle = dialog.start()
    assert handle is not None
    handle.cancel()
    wait_task(qtbot, handle)
    assert dialog.outcome is None or (tmp_path / "c").exists()
    if dialog.outcome is None:
        assert not (tmp_path / "c").exists()
        assert produce.list_productions(dialog.ctx.ws, CASE1) == []
        assert "cancelled" in dialog.error.text().lower()
    empty = dialog.folder
    empty.setText("")
    assert dialog.start() is None and "folder" in dialog.error.text()


def test_tsa_field_is_passed_to_the_signature(dialog, qtbot, tmp_path: Path) -> None:
    """The Timestamp authority field reaches pyHanko: a signed production asks the TSA (a real
    HTTP one on 127.0.0.1) and each signature carries a timestamp that validates."""
    import warnings

    from local_tsa import served_tsa

    assert dialog.tsa.text() == "" or os.environ.get("CASEAPP_TSA_URL")  # offline default
    dialog.choices = {"E-001": "produce"}
    dialog.refresh_preview()
    dialog.tsa.setText("ftp://tsa.example")
    dialog.sign.setChecked(True)
    dialog.folder.setText(str(tmp_path / "bad"))
    assert dialog.start() is None and "http" in dialog.error.text()
    dialog.sign.setChecked(False)
    dialog.tsa.setText("http://127.0.0.1:9/")
    assert dialog.start() is None and "signature" in dialog.error.text()
    dialog.sign.setChecked(True)
    with served_tsa() as (url, tsa_cert, hits):
        dialog.tsa.setText(url)
        dialog.folder.setText(str(tmp_path / "ts"))
        handle = dialog.start()
        assert handle is not None, dialog.error.text()
        wait_task(qtbot, handle)
        assert dialog.outcome is not None, dialog.error.text()
        assert hits, "the TSA was asked"
    pdf = next((tmp_path / "ts" / "VOL001" / "IMAGES").glob("*.pdf"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pyhanko.pdf_utils.reader import PdfFileReader
        from pyhanko.sign.validation import validate_pdf_signature
        from pyhanko_certvalidator import ValidationContext
    with open(pdf, "rb") as handle_:
        sig = PdfFileReader(handle_).embedded_signatures[0]
        status = validate_pdf_signature(sig, ValidationContext(
            trust_roots=[sig.signer_cert, tsa_cert]))
    assert status.intact and status.valid
    assert status.timestamp_validity is not None and status.timestamp_validity.intact
    assert status.timestamp_validity.valid


def test_redact_treatment_reaches_the_production(dialog, qtbot, tmp_path: Path) -> None:
    """'Produce redacted' marks the row in the preview and goes to the service as a Redact;
    the demo's interview notes hold no recorded account number or tipster, so the production
    is refused with the service's message, inline, and nothing is written."""
    dialog.table.selectRow(0)  # E-001 interview-notes.txt
    dialog.treatment.setCurrentIndex(dialog.treatment.findData("redact:pii"))
    dialog.apply_treatment()
    rows = _rows(dialog)
    assert rows["E-001"].treatment == "redacted text" and rows["E-001"].bates_first
    options = dialog.options()
    assert [(r.exhibit, r.reason) for r in options.redact] == [("E-001", "pii")]
    assert "E-001" in options.exhibits and not options.withhold
    dialog.folder.setText(str(tmp_path / "red"))
    handle = dialog.start()
    assert handle is not None
    wait_task(qtbot, handle)
    assert dialog.outcome is None and "nothing to redact" in dialog.error.text()
    assert not (tmp_path / "red").exists()


def test_finish_interrupted_productions_action(window: Any, qtbot: Any, tmp_path: Path) -> None:
    """Case > Finish interrupted productions: a recorded volume left in its staging folder
    (the state a kill between record and move leaves) is checked and moved into place; a
    tampered one is reported in a message box and left where it is."""
    import json

    from PySide6.QtWidgets import QMessageBox

    demo.load_demo(window.ctx.ws)
    ws = window.ctx.ws
    paths = []
    for name in ("good", "bad"):
        produce.produce(ws, CASE1, tmp_path / name,
                        produce.ProduceOptions(prefix="FIN", exhibits=("E-001",)))
        paths.append(tmp_path / name)
    staged = []
    for row, target in zip(produce.list_productions(ws, CASE1), paths, strict=True):
        staging = Path(row["options"]["staging"])
        os.replace(target, staging)  # as if killed after the record, before the move
        staged.append(staging)
    (staged[1] / "AUDIT-HEAD.txt").write_text("tampered\n", encoding="ascii")
    assert [r["present"] for r in produce.list_productions(ws, CASE1)] == [False, False]
    window.show_page("cases").list.reload()
    view = window.open_case(CASE1)
    action = next(a for a in window.actions_.case_actions
                  if a.text().replace("&", "") == "Finish interrupted productions")
    action.trigger()
    qtbot.waitUntil(lambda: bool(view.window().findChildren(QMessageBox)), timeout=60_000)
    box = next(b for b in view.window().findChildren(QMessageBox) if b.isVisible())
    assert "Production 2" in box.text() and "AUDIT-HEAD.txt" in box.text()
    box.close()
    rows = produce.list_productions(ws, CASE1)
    assert [r["present"] for r in rows] == [True, False]
    assert (paths[0] / "SHA256SUMS").is_file() and staged[1].is_dir()
    assert json.dumps(rows[1]["staged"]) == json.dumps(str(staged[1]))
