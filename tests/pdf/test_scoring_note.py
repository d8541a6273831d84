"""The scoring note of the case file states the rules of the template in use, not the
defaults: a custom template with other weights and another suspected factor says so."""

from __future__ import annotations

import subprocess
from pathlib import Path

from template_text import template_toml

from caseapp.services.casefile.exports import export_case_file
from caseapp.services.cases import cases
from caseapp.services.redflags import checklists, templates

CUSTOM = template_toml(
    "custom-scoring", version=3, title="Custom scoring", items=(("c.one", "One", 3),),
    scoring="[scoring]\np = { 1 = 0.2, 2 = 0.35, 3 = 0.6 }\nsuspected_factor = 0.25",
    bands=(15, 35, 70))


def _text(pdf: Path) -> str:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                         text=True, check=True).stdout
    return " ".join(out.split())


def test_scoring_note_follows_the_template_in_use(ws, tmp_path: Path) -> None:
    (tmp_path / "custom.toml").write_text(CUSTOM, encoding="utf-8")
    templates.import_template(ws, tmp_path / "custom.toml")
    case = cases.create_case(ws, "Custom scored")
    checklists.start_checklist(ws, case.ref, "custom-scoring")
    checklists.set_item(ws, case.ref, "c.one", state="suspected")
    text = _text(export_case_file(ws, case.ref, tmp_path / "custom.pdf").path)
    assert "template custom-scoring v3" in text
    assert "weight 1: 0.2, weight 2: 0.35, weight 3: 0.6" in text
    assert "× 0.25" in text and "elevated from 15" in text and "critical from 70" in text
    assert "count half" not in text

    default_case = cases.create_case(ws, "Default scored")
    checklists.start_checklist(ws, default_case.ref)
    text = _text(export_case_file(ws, default_case.ref, tmp_path / "default.pdf").path)
    assert "weight 1: 0.1, weight 2: 0.25, weight 3: 0.45" in text and "× 0.5" in text
