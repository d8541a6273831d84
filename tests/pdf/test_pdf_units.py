"""Building blocks of the case file: fast markup, plain lines, redaction, options, manifest."""

from __future__ import annotations

import csv
import io
import random

import pytest
from reportlab.platypus import Paragraph

from caseapp.pdf.layout import PlainLines, make_styles, mk
from caseapp.pdf.options import ExportOptions, OptionsError, bates_label
from caseapp.pdf.redact import REDACTED, Redactor, last_four
from caseapp.pdf.text import markup
from caseapp.services.casefile.production import ManifestRow, manifest_csv, neutralise


def test_fast_markup_equals_markup_for_plain_text() -> None:
    rng = random.Random(5)
    alphabet = "ab Z09<>&\"'\t\n;#/-"
    samples = ["", "  padded  ", "<b>x</b> & <para>", "tab\tand\nnew line\n\n", "'q' \"d\""]
    samples += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
                for _ in range(300)]
    for text in samples:
        for bold in (False, True):
            for mono in (False, True):
                assert mk(text, bold=bold, mono=mono) == markup(text, bold=bold, mono=mono)
    assert mk("김민준") == markup("김민준")  # non-ASCII goes through markup itself


def test_plain_lines_draw_directly_or_fall_back_to_a_paragraph() -> None:
    style = make_styles().cell
    short = PlainLines("E-001 · 202 bytes", style, lambda: Paragraph("x", style))
    assert short.wrap(200, 100) == (200, style.leading)
    assert short._para is None
    long_text = "word " * 80
    made: list[Paragraph] = []

    def make() -> Paragraph:
        made.append(Paragraph(mk(long_text), style))
        return made[-1]

    wide = PlainLines(long_text, style, make)
    width, height = wide.wrap(200, 1000)
    assert made and height > 3 * style.leading  # wrapped by the paragraph


def test_redactor_masks_identifiers_and_free_text() -> None:
    r = Redactor(reveal_accounts=False, reveal_tipsters=False,
                 account_values=["DE89 3704 0044 0532 0130 00", "123-45-6789"],
                 tipster_values=["Jane Q. Public", "jane@tips.example"])
    assert r.identifier("bank", "DE89 3704 0044 0532 0130 00") == f"{REDACTED} …3000"
    assert r.identifier("gov-id", "123-45-6789") == f"{REDACTED} …6789"
    assert r.identifier("email", "a@b.example") == "a@b.example"
    text = ("Paid to DE89370400440532013000 and de89-3704-0044-0532-0130-00; SSN 123 45 6789; "
            "told by JANE  Q. PUBLIC (jane@tips.example).")
    masked = r.text(text)
    assert "0532" not in masked and "123 45" not in masked
    assert masked.count(f"{REDACTED} …3000") == 2 and f"{REDACTED} …6789" in masked
    assert "Jane" not in masked and "JANE" not in masked and "tips.example" not in masked
    assert r.tipster("Jane Q. Public") == REDACTED and r.tipster(None) == "—"
    open_r = Redactor(reveal_accounts=True, reveal_tipsters=True,
                      account_values=["123-45-6789"], tipster_values=["Jane Q. Public"])
    assert open_r.text(text) == text and open_r.identifier("gov-id", "123-45-6789") == \
        "123-45-6789"
    assert last_four("12") == REDACTED


def test_options_validation_and_bates_labels() -> None:
    opts = ExportOptions().validated("CASE-2026-0001")
    assert opts.bates_prefix == "CASE-2026-0001" and opts.bates(1) == "CASE-2026-0001-000001"
    assert bates_label("X", 999_999) == "X-999999" and bates_label("X", 1_000_000) == \
        "X-1000000"
    assert ExportOptions(bates_start=41).validated("C").bates(2) == "C-000042"
    assert ExportOptions(sections=("links", "summary")).validated("C").sections == (
        "summary", "links")
    record = ExportOptions(password="secret").validated("C").to_record()
    assert record["password_protected"] is True and "secret" not in str(record)
    for bad in (ExportOptions(classification="  "), ExportOptions(bates_prefix="a b"),
                ExportOptions(bates_start=-1), ExportOptions(sections=("cover",)),
                ExportOptions(password=""), ExportOptions(timezone="Mars/Olympus")):
        with pytest.raises(OptionsError):
            bad.validated("C")


def test_manifest_cells_are_neutralised() -> None:
    assert [neutralise(v) for v in ("=1+1", "+3", "-2", "@x", "\tt", "\rr", "ok", 5)] == [
        "'=1+1", "'+3", "'-2", "'@x", "'\tt", "'\rr", "ok", "5"]
    rows = [ManifestRow("E-001", "=HYPERLINK(\"http://x\")", "-a.txt", "text/plain", 3,
                        "a" * 64, (4, 5), "natives/E-001_a.txt", "produced"),
            ManifestRow("E-002", "gone", "b.bin", "application/octet-stream", 1, "b" * 64,
                        (3, 3), None, "withdrawn")]
    data = manifest_csv(rows, ExportOptions().validated("CASE-2026-0001"))
    assert data.startswith(b"\xef\xbb\xbf")
    parsed = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert parsed[0]["title"] == "'=HYPERLINK(\"http://x\")"
    assert parsed[0]["original_file_name"] == "'-a.txt"
    assert (parsed[0]["bates_begin"], parsed[0]["bates_end"], parsed[0]["pages"]) == (
        "CASE-2026-0001-000004", "CASE-2026-0001-000005", "2")
    assert parsed[1]["native_file"] == "" and parsed[1]["status"] == "withdrawn"
