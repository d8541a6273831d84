"""User text on production pages (exhibit title, file name, slip reason, endorsement, privilege
log cells) is typeset literally: markup characters are text, hidden bidi controls are shown."""

from __future__ import annotations

import io

from pypdf import PdfReader

from caseapp.pdf.privlog import COLUMNS, render_privilege_log
from caseapp.pdf.rendition import KIND_NATIVE, KIND_TEXT, Document, Stamp, render

TITLE = 'Memo <b>bold?</b> & <font name="Courier">x</font>'
FILE = "invoice\u202egpj.exe"
ENDORSE = "CONFIDENTIAL <i>AEO</i> & <para>"


def _text(data: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def test_slip_sheet_and_footer_show_user_text_literally() -> None:
    out = io.BytesIO()
    doc = Document(KIND_NATIVE, exhibit="E-001", title=TITLE, file_name=FILE,
                   media_type="application/x-msdownload", sha256="ab" * 32,
                   reason="Not rendered <br/> & kept native")
    pages, _ = render(doc, Stamp("PX", 7, ENDORSE), out)
    text = _text(out.getvalue())
    assert pages == 1
    assert "<b>bold?</b> &" in text and '<font name="Courier">x</font>' in text
    assert "invoice⟨U+202E⟩gpj.exe" in text and "\u202e" not in text
    assert "<br/> & kept native" in text
    assert "CONFIDENTIAL <i>AEO</i> & <para>" in text and "PX-000007" in text


def test_text_rendition_keeps_markup_characters() -> None:
    out = io.BytesIO()
    body = "a < b && c > d <br/> &amp; </font>\n"
    doc = Document(KIND_TEXT, exhibit="E-002", title=TITLE, file_name="n.txt",
                   media_type="text/plain", sha256="cd" * 32, data=body.encode())
    render(doc, Stamp("PX", 1), out)
    assert "a < b && c > d <br/> &amp; </font>" in _text(out.getvalue())


def test_privilege_log_cells_and_endorsement_are_literal() -> None:
    out = io.BytesIO()
    row = ["PRIV-001-0001", "E-003", "2026-03-02", "Payroll <HR>", "TXT",
           "Attorney-client privilege", "Advice re <b>settlement</b> & \u202eterms"]
    assert len(row) == len(COLUMNS)
    render_privilege_log([row], title="Log <for> Case & Co", endorsement=ENDORSE, out=out)
    text = _text(out.getvalue())
    assert "Log <for> Case & Co" in text and "Payroll <HR>" in text
    assert "<b>settlement</b> &" in text and "⟨U+202E⟩terms" in text
    assert "CONFIDENTIAL <i>AEO</i> & <para>" in text
