"""The PDF case file: contents, Bates/page numbering, redaction, escaping, scripts, wrapping,
metadata, determinism, atomic writing, history/custody/audit, production package."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import keyring
import pytest
from memkeyring import MemoryKeyring
from PIL import Image
from pypdf import PdfReader
from reportlab.pdfbase import pdfmetrics
from sqlmodel import col, select

from caseapp.domain.models import AuditEntry
from caseapp.pdf.case_file import build_case_file
from caseapp.pdf.layout import MARGIN_X
from caseapp.pdf.options import SECTIONS, ExportOptions
from caseapp.pdf.text import register_fonts
from caseapp.services.casefile import exports
from caseapp.services.casefile.content import gather
from caseapp.services.cases import cases, notes, subjects
from caseapp.services.discovery.links import links_for_case
from caseapp.services.errors import Cancelled, Conflict, IntegrityProblem, InvalidInput
from caseapp.services.evidence import evidence
from caseapp.services.maintenance.demo import load_demo
from caseapp.services.redflags import checklists
from caseapp.services.workspace import open_workspace

MARKUP_NOTE = 'Literal <b>bold?</b> & <font name="Courier">x</font> <para>p</para> &amp;'
LONG_URL = ("https://evidence.example/shared/" + "/".join(
    f"folder-{i:02d}_segment?x={i}&y=zz" for i in range(14)))
LONG_TOKEN = "Q" * 420
GOV_ID = "123-45-6789"
KOREAN = "김민준"
FIXED_NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@dataclass
class Demo:
    ws: object
    refs: list[str]
    tmp: Path


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """The demo store plus awkward data on CASE 1 (built once for this module)."""
    tmp = tmp_path_factory.mktemp("casefile")
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    try:
        ws = open_workspace(tmp / "home")
    finally:
        keyring.set_keyring(previous)
    refs = load_demo(ws)["cases"]
    ref = refs[0]
    notes.add_note(ws, ref, MARKUP_NOTE, occurred_at=datetime(2026, 3, 10, 8, 0, tzinfo=UTC))
    notes.add_note(ws, ref, f"Unbroken token {LONG_TOKEN} and the account US00 FICT 0000 1234 "
                   "5678 90 pasted into a note.", occurred_at=datetime(2026, 3, 11, tzinfo=UTC))
    notes.add_note(ws, ref, "\n".join(f"Line {i} of a very long note." for i in range(260)),
                   occurred_at=datetime(2026, 3, 12, tzinfo=UTC))
    subject_id = subjects.list_subjects(ws, ref)[0].subject.id
    subjects.add_identifier(ws, subject_id, "url", LONG_URL)
    subjects.add_identifier(ws, subject_id, "gov-id", GOV_ID)
    files = tmp / "files"
    files.mkdir()
    (files / "formula.txt").write_text("=1+1\n", encoding="utf-8")
    evidence.ingest_file(ws, ref, files / "formula.txt", title="=HYPERLINK(\"x\")")
    big = io.BytesIO()
    Image.new("RGB", (2600, 1200), (30, 90, 160)).save(big, format="PNG")
    (files / "wide screenshot.png").write_bytes(big.getvalue())
    evidence.ingest_file(ws, ref, files / "wide screenshot.png")
    (files / "blob.bin").write_bytes(bytes(range(256)) * 8)
    evidence.ingest_file(ws, ref, files / "blob.bin")
    (files / "withdrawn.txt").write_text("withdrawn content\n", encoding="utf-8")
    withdrawn = evidence.ingest_file(ws, ref, files / "withdrawn.txt")
    evidence.withdraw(ws, ref, withdrawn.exhibit, "Duplicate of E-001 from another mailbox")
    yield Demo(ws, refs, tmp)
    ws.close()


@dataclass
class Built:
    result: exports.ExportResult
    reader: PdfReader
    pages: list[str]

    @property
    def text(self) -> str:
        return "\n".join(self.pages)

    @property
    def flat(self) -> str:
        return re.sub(r"\s+", "", self.text)


def _export(demo: Demo, name: str, ref: str | None = None, **options: object) -> Built:
    out = demo.tmp / f"{name}.pdf"
    result = exports.export_case_file(demo.ws, ref or demo.refs[0], out,
                                      ExportOptions(**options))  # type: ignore[arg-type]
    reader = PdfReader(out)
    return Built(result, reader, [p.extract_text() for p in reader.pages])


@pytest.fixture(scope="module")
def default(demo: Demo) -> Built:
    return _export(demo, "default", prepared_for="Outside counsel (Kim & Lee)",
                   prepared_by="Investigator Ann", privilege_legend="Privileged & Confidential"
                   " — Prepared at the direction of counsel", package_dir=demo.tmp / "prod")


def test_every_section_heading_and_clickable_contents(default: Built) -> None:
    headings = [f"{i}. {title}" for i, title in enumerate(
        [*SECTIONS.values(), "Export record", "Hash certification"], 1)]
    for heading in headings:
        assert heading in default.text
        assert heading in default.pages[1]  # the contents page lists it
    toc_links = [a.get_object() for a in default.reader.pages[1].get("/Annots", [])]
    assert sum(1 for a in toc_links if a["/Subtype"] == "/Link") >= len(headings)
    outline = [o.title for o in default.reader.outline if not isinstance(o, list)]
    assert outline[:1] == ["Contents"] and all(h in outline for h in headings)


def test_bates_and_page_x_of_y_on_every_page(default: Built) -> None:
    n = len(default.pages)
    assert default.result.pages == n and n > 10
    for i, text in enumerate(default.pages, 1):
        assert f"CASE-2026-0001-{i:06d}" in text
        assert f"Page {i} of {n}" in text
        assert "CONFIDENTIAL" in text and "Privileged & Confidential" in text
    assert (default.result.bates_first, default.result.bates_last) == (
        "CASE-2026-0001-000001", f"CASE-2026-0001-{n:06d}")
    assert f"CASE-2026-0001-000001 to CASE-2026-0001-{n:06d} ({n} pages)" in default.pages[0]


def test_bates_prefix_and_start_past_six_digits(demo: Demo) -> None:
    built = _export(demo, "bates", ref=demo.refs[2], bates_prefix="ACME", bates_start=999_998,
                    sections=("summary",))
    labels = [f"ACME-{n:06d}" for n in range(999_998, 999_998 + len(built.pages))]
    assert labels[2] == "ACME-1000000"
    for label, text in zip(labels, built.pages, strict=True):
        assert label in text
    assert built.result.bates_last == labels[-1]


def test_cover_recipient_date_and_metadata(default: Built) -> None:
    cover = default.pages[0]
    assert "Outside counsel (Kim & Lee)" in cover and "Investigator Ann" in cover
    assert re.search(r"Date of export\s*\n?\s*\d{4}-\d\d-\d\d \d\d:\d\d \S+", cover)
    meta = default.reader.metadata
    assert meta.title.startswith("CASE-2026-0001 — Contract developer")
    assert meta.author == "Investigator Ann"
    assert "CASE-2026-0001" in meta.subject and "CONFIDENTIAL" in meta.subject
    assert meta.creation_date is not None and meta.creation_date.year >= 2026


def test_every_exhibit_sha256_in_full(demo: Demo, default: Built) -> None:
    exhibits = evidence.list_evidence(demo.ws, demo.refs[0])
    assert len(exhibits) == 7
    for ev in exhibits:
        assert default.flat.count(ev.sha256) >= 2  # exhibit list + certification


def test_sections_render_the_case_data(demo: Demo, default: Built) -> None:
    text, flat = default.text, default.flat
    checklist = checklists.get_checklist(demo.ws, demo.refs[0]).to_json()
    assert f"{checklist['score']} / 100 — band {checklist['band']}" in text
    for item in checklist["items"]:
        if item["state"] != "not-assessed":
            assert re.sub(r"\s+", "", item["label"]) in flat
    for group in links_for_case(demo.ws, demo.refs[0]):
        for other in group.to_json()["cases"]:
            assert other["ref"] in text
    assert "Duplicate of E-001 from another mailbox" in text  # withdrawn with its reason
    assert "HR flagged the shipping address change" in text  # a timeline note
    assert re.sub(r"\s+", "", LONG_URL) in flat
    assert "Shown scaled down from 2600×1200 px" in text


def test_user_markup_is_rendered_literally(default: Built) -> None:
    assert MARKUP_NOTE in default.text


def test_korean_name_extracted_intact(default: Built) -> None:
    assert f"{KOREAN} (Kim Min-jun)" in default.text


def test_fonts_are_all_embedded(default: Built) -> None:
    seen = set()
    for page in default.reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            seen.add(font["/BaseFont"])
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in \
                font else font
            assert "/FontFile2" in descendant["/FontDescriptor"], font["/BaseFont"]
    assert any("NanumGothic" in name for name in seen)
    assert not any("Helvetica" in name for name in seen)


def _text_runs(reader: PdfReader) -> list[tuple[int, float, str]]:
    """(page, right edge, text) of every text run, from pypdf's visitor."""
    register_fonts()
    by_face = {pdfmetrics.getFont(n).face.name: n for n in (
        "DejaVuSans", "DejaVuSans-Bold", "DejaVuSansMono", "NanumGothic", "NanumGothicBold",
        "DroidSansFallbackFull")}
    by_face = {(k.decode() if isinstance(k, bytes) else k): v for k, v in by_face.items()}
    runs: list[tuple[int, float, str]] = []
    for number, page in enumerate(reader.pages, 1):
        last: dict[str, object] = {"key": None, "end": 0.0}

        def visit(text, cm, tm, font, size, _n=number, _last=last):  # type: ignore[no-untyped-def]
            if not text.strip() or font is None:
                return
            face = str(font["/BaseFont"]).split("+", 1)[-1]
            width = pdfmetrics.stringWidth(text.strip("\n"), by_face[face], size) * tm[0] * cm[0]
            key = (tuple(cm), tuple(tm))
            # pypdf does not advance the matrix between runs of one line: chain them.
            start = _last["end"] if key == _last["key"] else tm[4] * cm[0] + cm[4]
            _last["key"], _last["end"] = key, start + width
            runs.append((_n, start + width, text))

        page.extract_text(visitor_text=visit)
    return runs


def test_long_values_wrap_inside_the_page(default: Built) -> None:
    page_width = float(default.reader.pages[0].mediabox.width)
    runs = _text_runs(default.reader)
    assert len(runs) > 500
    too_wide = [(p, round(end, 1), t[:30]) for p, end, t in runs
                if end > page_width - MARGIN_X + 1]
    assert too_wide == []
    url_pieces = [t for _p, _e, t in runs if "evidence.example" in t or "folder-" in t]
    assert len(url_pieces) > 2  # the URL did wrap over several lines
    assert LONG_TOKEN in default.flat


def test_redaction_on_by_default(default: Built) -> None:
    text, flat = default.text, default.flat
    assert "[REDACTED] …7890" in text and "[REDACTED] …6789" in text
    assert "US00FICT0000123456" not in flat and "1234 5678" not in text
    assert GOV_ID not in text and "123456789" not in flat
    assert "Reveal account / ID numbers" in text


def test_tipster_redacted_by_default_and_revealed_on_request(demo: Demo) -> None:
    masked = _export(demo, "tips-masked", ref=demo.refs[1])
    assert "TIP-2026-0003" in masked.text and "staffing agency" in masked.text
    assert "[REDACTED]" in masked.text
    assert "Okafor" not in masked.text and "partner.example" not in masked.text
    revealed = _export(demo, "tips-revealed", ref=demo.refs[1], reveal_tipsters=True,
                       reveal_accounts=True)
    assert "Sam Okafor (fictional)" in revealed.text
    assert "sam.okafor@partner.example" in revealed.text
    assert "US00 FICT 0000 1234 5678 90" in revealed.text
    with demo.ws.session() as session:
        actions = [a for a in session.exec(select(AuditEntry.action)).all()]
    assert "tip.tipster-revealed" in actions


def test_export_is_recorded_in_history_custody_and_audit(demo: Demo, default: Built) -> None:
    result = default.result
    assert hashlib.sha256(result.path.read_bytes()).hexdigest() == result.sha256
    record = next(r for r in exports.export_history(demo.ws, demo.refs[0])
                  if r.id == result.record_id)
    assert (record.recipient, record.pages, record.sha256) == (
        "Outside counsel (Kim & Lee)", result.pages, result.sha256)
    assert (record.bates_first, record.bates_last) == (result.bates_first, result.bates_last)
    assert record.path == str(result.path) and record.package_dir == str(result.package)
    options = json.loads(record.options)
    assert options["reveal_accounts"] is False and options["password_protected"] is False
    for ev in evidence.list_evidence(demo.ws, demo.refs[0]):
        log = evidence.custody_log(demo.ws, ev.id)
        pdf_events = [e for e in log if e.action == "exported-in-pdf"
                      and json.loads(e.detail)["export"] == result.record_id]
        assert len(pdf_events) == 1
        assert json.loads(pdf_events[0].detail)["pdf_sha256"] == result.sha256
        natives = [e for e in log if e.action == "exported"
                   and json.loads(e.detail).get("export") == result.record_id]
        assert len(natives) == (0 if ev.withdrawn_at else 1)
    with demo.ws.session() as session:
        entry = session.exec(select(AuditEntry).where(AuditEntry.action == "case.exported")
                             .order_by(col(AuditEntry.id))).all()
    assert any(json.loads(e.detail)["sha256"] == result.sha256 for e in entry)


def test_production_package(demo: Demo, default: Built) -> None:
    folder = default.result.package
    assert folder is not None
    names = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    exhibits = evidence.list_evidence(demo.ws, demo.refs[0])
    natives = [f"natives/{e.exhibit}_" for e in exhibits if e.withdrawn_at is None]
    assert {"SHA256SUMS", "manifest.csv", "default.pdf", "AUDIT-HEAD.txt"} <= set(names)
    assert sum(1 for n in names if n.startswith("natives/")) == len(natives)
    for prefix in natives:
        assert any(n.startswith(prefix) for n in names)
    checked = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=folder,
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.count(": OK") == len(natives) + 3  # the PDF, manifest, AUDIT-HEAD.txt
    with open(folder / "manifest.csv", encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["exhibit"] for r in rows] == [e.exhibit for e in exhibits]
    by_exhibit = {r["exhibit"]: r for r in rows}
    formula = next(e for e in exhibits if e.title.startswith("="))
    assert by_exhibit[formula.exhibit]["title"] == "'" + formula.title
    for ev in exhibits:
        row = by_exhibit[ev.exhibit]
        assert row["sha256"] == ev.sha256 and int(row["size"]) == ev.size
        first = int(row["bates_begin"].rsplit("-", 1)[1])
        last = int(row["bates_end"].rsplit("-", 1)[1])
        assert first <= last
        assert ev.exhibit in default.pages[first - 1]  # the entry starts on that page
        if ev.withdrawn_at is None:
            assert re.sub(r"\s+", "", f"{ev.exhibit} — {ev.title}") in re.sub(
                r"\s+", "", default.pages[first - 1])
        else:
            assert row["status"] == "withdrawn" and row["native_file"] == ""


def test_same_state_and_options_give_the_same_pdf(demo: Demo) -> None:
    options = ExportOptions(prepared_for="Court").validated(demo.refs[2])
    outputs = []
    for _ in range(2):
        content = gather(demo.ws, demo.refs[2], options, now=FIXED_NOW, tz=UTC)
        buffer = io.BytesIO()
        build_case_file(content, options, buffer)
        outputs.append(buffer.getvalue())
    assert outputs[0] == outputs[1]


def test_failure_mid_build_leaves_nothing(demo: Demo, monkeypatch: pytest.MonkeyPatch) -> None:
    target = demo.tmp / "failed.pdf"
    before = len(exports.export_history(demo.ws, demo.refs[2]))

    def broken(content, options, out, **kw):  # type: ignore[no-untyped-def]
        out.write(b"%PDF-1.4 partial")
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(exports, "build_case_file", broken)
    with pytest.raises(RuntimeError):
        exports.export_case_file(demo.ws, demo.refs[2], target)
    assert not target.exists()
    assert not [p for p in demo.tmp.iterdir() if p.name.startswith(".failed.pdf")]
    assert len(exports.export_history(demo.ws, demo.refs[2])) == before


def test_existing_file_survives_a_cancelled_export(demo: Demo) -> None:
    target = demo.tmp / "keep.pdf"
    target.write_bytes(b"previous export")
    seen: list[str] = []

    def progress(done: int, total: int, stage: str = "") -> None:
        seen.append(stage)

    with pytest.raises(Cancelled):
        exports.export_case_file(demo.ws, demo.refs[2], target, progress=progress,
                                 cancel=lambda: any("Laying out" in s for s in seen))
    assert target.read_bytes() == b"previous export"
    assert not [p for p in demo.tmp.iterdir() if p.name.startswith(".keep.pdf")]


def test_password_protects_with_aes_256(demo: Demo) -> None:
    built_path = demo.tmp / "locked.pdf"
    result = exports.export_case_file(demo.ws, demo.refs[2], built_path,
                                      ExportOptions(password="s3cret pw"))
    reader = PdfReader(built_path)
    assert reader.is_encrypted
    assert reader.decrypt("wrong") == 0
    assert reader.decrypt("s3cret pw") != 0
    assert reader.trailer["/Encrypt"]["/V"] == 5  # AES-256
    assert "Hash certification" in "".join(p.extract_text() for p in reader.pages)
    assert hashlib.sha256(built_path.read_bytes()).hexdigest() == result.sha256


def test_section_subset_keeps_record_and_certification(demo: Demo) -> None:
    built = _export(demo, "subset", ref=demo.refs[2], sections=("summary", "timeline"))
    assert "1. Case summary" in built.text and "2. Timeline and notes" in built.text
    assert "3. Export record" in built.text and "4. Hash certification" in built.text
    assert "Exhibit list" not in built.text and "Chain of custody" not in built.text


def test_bad_options_and_paths_are_refused(demo: Demo) -> None:
    ref = demo.refs[2]
    with pytest.raises(InvalidInput):
        exports.export_case_file(demo.ws, ref, demo.tmp / "x.pdf",
                                 ExportOptions(bates_prefix="bad prefix!"))
    with pytest.raises(InvalidInput):
        exports.export_case_file(demo.ws, ref, demo.tmp / "x.pdf",
                                 ExportOptions(sections=("nonsense",)))
    with pytest.raises(InvalidInput):
        exports.export_case_file(demo.ws, ref, demo.tmp / "x.pdf", ExportOptions(
            sections=("summary",), package_dir=demo.tmp / "pkg-x"))
    busy = demo.tmp / "busy"
    busy.mkdir()
    (busy / "other.txt").write_text("x")
    with pytest.raises(Conflict):
        exports.export_case_file(demo.ws, ref, demo.tmp / "x.pdf",
                                 ExportOptions(package_dir=busy))
    with pytest.raises(InvalidInput):
        exports.export_case_file(demo.ws, ref, demo.tmp / "missing" / "x.pdf")
    assert not (demo.tmp / "x.pdf").exists()


def test_exhibit_that_does_not_verify_stops_the_export(ws, tmp_path: Path) -> None:
    ref = cases.create_case(ws, "Tampered").ref
    (tmp_path / "a.txt").write_text("original", encoding="utf-8")
    ev = evidence.ingest_file(ws, ref, tmp_path / "a.txt")
    blob = ws.vault.path_of(ev.blob_id)
    data = bytearray(blob.read_bytes())
    data[-5] ^= 0xFF
    blob.write_bytes(bytes(data))
    target = tmp_path / "out.pdf"
    with pytest.raises(IntegrityProblem, match="E-001"):
        exports.export_case_file(ws, ref, target, ExportOptions(package_dir=tmp_path / "p"))
    assert not target.exists() and not (tmp_path / "p").exists()


def test_worker_thread_reports_progress_and_finishes(demo: Demo) -> None:
    import threading

    events: list[tuple[str, int, int]] = []
    outcome: dict[str, object] = {}

    def work() -> None:
        try:
            outcome["result"] = exports.export_case_file(
                demo.ws, demo.refs[2], demo.tmp / "threaded.pdf",
                ExportOptions(timezone="Asia/Seoul"),
                progress=lambda done, total, stage="": events.append((stage, done, total)),
                cancel=lambda: False)
        except BaseException as exc:  # noqa: BLE001 - reported to the test thread
            outcome["error"] = exc

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(120)
    assert "error" not in outcome, outcome.get("error")
    result = outcome["result"]
    assert isinstance(result, exports.ExportResult)
    stages = [stage for stage, _d, _t in events]
    for expected in ("Reading and re-hashing exhibits", "Laying out and drawing pages (pass 1)",
                     "Recording the export"):
        assert expected in stages
    assert all(0 <= done <= total for _s, done, total in events)
    assert set(result.to_json()) == {"path", "sha256", "pages", "bates_first", "bates_last",
                                     "package"}
    text = "\n".join(p.extract_text() for p in PdfReader(result.path).pages)
    assert "KST (UTC+09:00)" in text and "Asia/Seoul" in text


def test_failure_while_recording_takes_the_files_back(
        demo: Demo, monkeypatch: pytest.MonkeyPatch) -> None:
    from caseapp.security import audit

    target, folder = demo.tmp / "unrecorded.pdf", demo.tmp / "unrecorded-package"
    before = len(exports.export_history(demo.ws, demo.refs[2]))
    real_append = audit.append

    def failing(session, action, *args, **kw):  # type: ignore[no-untyped-def]
        if action == "case.exported":
            raise RuntimeError("audit write failed")
        return real_append(session, action, *args, **kw)

    monkeypatch.setattr(audit, "append", failing)
    with pytest.raises(RuntimeError, match="audit write failed"):
        exports.export_case_file(demo.ws, demo.refs[2], target,
                                 ExportOptions(package_dir=folder))
    assert not target.exists() and not folder.exists()
    assert not [p for p in demo.tmp.iterdir() if p.name.startswith((".unrecorded", ".tmp"))]
    assert len(exports.export_history(demo.ws, demo.refs[2])) == before
    for ev in evidence.list_evidence(demo.ws, demo.refs[2]):
        assert not [e for e in evidence.custody_log(demo.ws, ev.id)
                    if json.loads(e.detail).get("pdf") == str(target)]


def test_empty_case_still_has_every_section(ws, tmp_path: Path) -> None:
    ref = cases.create_case(ws, "Nothing recorded yet").ref
    result = exports.export_case_file(ws, ref, tmp_path / "empty.pdf")
    text = "\n".join(p.extract_text() for p in PdfReader(result.path).pages)
    for i, title in enumerate([*SECTIONS.values(), "Export record", "Hash certification"], 1):
        assert f"{i}. {title}" in text
    assert "No exhibits are recorded for this case." in text
    assert "This case has no exhibits." in text
    assert "No subjects are recorded for this case." in text
