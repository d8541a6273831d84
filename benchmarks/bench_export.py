"""Benchmark the PDF case file export against a plain reportlab floor.

    python benchmarks/bench_export.py [--dir DIR] [--repeat 2] [--keep]

Generates (untimed) a case with 300 exhibits (50 of them PNG screenshots of 1280x800 px, the
rest text, CSV and binary files), a 40-item red-flag checklist with every item answered, and
200 timeline notes, in a fresh passphrase-mode store. Then measures in the same run:

* ``export``: ``caseapp.services.casefile.exports.export_case_file`` end to end (re-hashing every
  exhibit from the vault, layout passes, writing atomically, recording custody and audit);
* ``build``: the PDF build alone on the gathered content (no vault, no database);
* ``floor``: a plain reportlab ``SimpleDocTemplate`` build of the same number of pages of
  simple text (Helvetica, one paragraph per page, a single pass).

Medians of ``--repeat`` rounds; the target (issue 18) is ``export <= 2 x floor``. The time
of the PDF/A-2b step inside the build (``caseapp.pdf.pdfa.finish_pdf``: pikepdf rewrites and
validates the file) is reported on its own, so the layout passes can be told from it.
Everything is fictional.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("CASEAPP_SCRYPT_LOG2N", "10")  # unlocking is not what we measure

N_EXHIBITS = 300
N_IMAGES = 50
N_ITEMS = 40
N_NOTES = 200
TARGET_RATIO = 2.0
WORDS = [
    "remote", "contractor", "laptop", "shipped", "forwarded", "address", "interview", "camera",
    "refused", "onboarding", "vpn", "login", "anomaly", "payroll", "account", "beneficiary",
    "wallet", "profile", "reused", "reference", "unreachable", "courier", "customs",
    "reshipper", "farm", "facilitator", "identity",
]


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def _template(path: Path) -> None:
    lines = ['id = "bench-40"', "version = 1", 'title = "Benchmark template (40 items)"',
             "[bands]", "elevated = 25", "high = 50", "critical = 75"]
    for c in range(4):
        lines += ["[[categories]]", f'id = "cat{c}"', f'title = "Category {c}"']
        for i in range(N_ITEMS // 4):
            lines += ["  [[categories.items]]", f'  id = "cat{c}.item-{i}"',
                      f'  label = "Indicator {c}-{i}: {" ".join(WORDS[i:i + 4])}"',
                      f"  weight = {1 + (i % 3)}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _screenshot(rng: random.Random, index: int) -> bytes:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (1280, 800), (245, 246, 248))
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 0, 1280, 48), fill=(36, 59, 83))
    for row in range(18):
        y = 70 + row * 38
        draw.rectangle((40, y, 40 + rng.randint(300, 1100), y + 22),
                       fill=(rng.randint(150, 220),) * 3)
    draw.text((60, 14), f"Screenshot {index}", fill=(255, 255, 255))
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


def generate(ws: object, folder: Path, seed: int = 6) -> str:
    """The benchmark case; returns its ref."""
    from caseapp.services.cases import cases, notes, subjects
    from caseapp.services.cases.subjects import IdentifierInput as Ident
    from caseapp.services.evidence import evidence
    from caseapp.services.redflags import checklists, templates

    rng = random.Random(seed)
    case = cases.create_case(ws, "Benchmark: contractor network with 300 exhibits",
                             summary=_sentence(rng, 60), priority="high")
    subjects.add_subject(ws, case.ref, "Bench Subject", aliases=["김민준", "Алексей"],
                         identifiers=[Ident("email", "bench@mailbox.example"),
                                      Ident("bank", "US00 FICT 0000 9999 8888 77"),
                                      Ident("url", "https://profiles.example/" + "x" * 120)])
    folder.mkdir(parents=True, exist_ok=True)
    acq = evidence.Acquisition(acquired_by="bench", acquired_from="generator", method="synthetic")
    for i in range(1, N_EXHIBITS + 1):
        if i <= N_IMAGES:
            path = folder / f"screenshot-{i:03d}.png"
            path.write_bytes(_screenshot(rng, i))
        elif i % 3 == 0:
            path = folder / f"logins-{i:03d}.csv"
            path.write_text(f"timestamp,ip,country,file {i}\n" + "\n".join(
                f"2026-03-{1 + r % 28:02d}T00:00:00Z,198.51.100.{(r * i) % 250},US"
                for r in range(60)), encoding="utf-8")
        elif i % 3 == 1:
            path = folder / f"message-{i:03d}.txt"
            path.write_text("\n".join(_sentence(rng, 14) for _ in range(30)), encoding="utf-8")
        else:
            path = folder / f"capture-{i:03d}.bin"
            path.write_bytes(rng.randbytes(20_000))
        evidence.ingest_file(ws, case.ref, path, acquisition=acq)
    template = folder / "bench-40.toml"
    _template(template)
    templates.import_template(ws, template)
    checklists.start_checklist(ws, case.ref, "bench-40")
    states = ["confirmed", "suspected", "not-observed", "not-applicable"]
    for c in range(4):
        for i in range(N_ITEMS // 4):
            checklists.set_item(ws, case.ref, f"cat{c}.item-{i}", states[(c + i) % 4],
                                note=_sentence(rng, 18), exhibits=[f"E-{1 + (c * 10 + i) % 300:03d}"])
    start = datetime(2026, 3, 1, tzinfo=UTC)
    for n in range(N_NOTES):
        notes.add_note(ws, case.ref, "\n".join(_sentence(rng, 20) for _ in range(1 + n % 4)),
                       occurred_at=start + timedelta(hours=7 * n))
    return case.ref


FLOOR_PARAGRAPHS_PER_PAGE = 5  # x 100 words: a nearly full A4 page of 10 pt body text


def floor_build(pages: int) -> tuple[float, int]:
    """(seconds, pages) for a plain reportlab build of ``pages`` full pages of simple text.

    ``SimpleDocTemplate``, the standard Helvetica, ``BodyText`` style, five 100-word
    paragraphs then a page break per page, one pass.
    """
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate

    style = getSampleStyleSheet()["BodyText"]
    rng = random.Random(1)
    started = time.perf_counter()
    story = []
    for n in range(pages):
        story += [Paragraph(f"{n + 1}.{k} " + _sentence(rng, 100), style)
                  for k in range(FLOOR_PARAGRAPHS_PER_PAGE)]
        story.append(PageBreak())
    doc = SimpleDocTemplate(io.BytesIO(), pagesize=A4)
    doc.build(story[:-1])
    return time.perf_counter() - started, doc.page


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", type=Path, help="work folder (default: a temp folder)")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args(argv)
    work = args.dir or Path(tempfile.mkdtemp(prefix="caseapp-bench-export-"))
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from caseapp.pdf import case_file
    from caseapp.pdf.case_file import build_case_file
    from caseapp.pdf.options import ExportOptions
    from caseapp.services.casefile import exports
    from caseapp.services.casefile.content import gather
    from caseapp.services.workspace import open_workspace

    try:
        ws = open_workspace(work / "home", lambda _purpose: "benchmark", key_mode="passphrase")
        t0 = time.perf_counter()
        ref = generate(ws, work / "files")
        print(f"generated {ref} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        export_s, build_s, floor_s, rounds = [], [], [], []
        pdfa_s: list[float] = []
        finish = case_file.finish_pdf

        def timed_finish(*a: object, **kw: object) -> bool:
            started = time.perf_counter()
            try:
                return finish(*a, **kw)  # type: ignore[arg-type]
            finally:
                pdfa_s.append(time.perf_counter() - started)

        case_file.finish_pdf = timed_finish  # type: ignore[assignment]
        result = None
        for round_no in range(args.repeat):
            started = time.perf_counter()
            result = exports.export_case_file(ws, ref, work / f"case-{round_no}.pdf")
            export_s.append(time.perf_counter() - started)
            options = ExportOptions().validated(ref)
            content = gather(ws, ref, options, now=datetime.now(UTC), tz=UTC)
            started = time.perf_counter()
            built = build_case_file(content, options, io.BytesIO())
            build_s.append(time.perf_counter() - started)
            seconds, floor_pages = floor_build(result.pages)
            if floor_pages != result.pages:
                raise RuntimeError(f"floor built {floor_pages} pages, not {result.pages}")
            floor_s.append(seconds)
            rounds.append({"pages": result.pages, "export_s": round(export_s[-1], 2),
                           "build_only_s": round(build_s[-1], 2), "floor_s": round(seconds, 2)})
        assert result is not None
        export_med, build_med, floor_med, pdfa_med = (statistics.median(v)
                                                      for v in (export_s, build_s, floor_s,
                                                                pdfa_s))
        report = {
            "exhibits": N_EXHIBITS, "images": N_IMAGES, "checklist_items": N_ITEMS,
            "timeline_notes": N_NOTES, "pages": result.pages, "passes": built.passes,
            "pdf_bytes": result.path.stat().st_size,
            "export_s": round(export_med, 2), "build_only_s": round(build_med, 2),
            "pdfa_step_s": round(pdfa_med, 2),
            "layout_s": round(build_med - pdfa_med, 2),
            "floor_s": round(floor_med, 2), "ratio": round(export_med / floor_med, 2),
            "ratio_without_pdfa": round((export_med - pdfa_med) / floor_med, 2),
            "target_ratio": TARGET_RATIO, "ok": export_med <= TARGET_RATIO * floor_med,
            "rounds": rounds,  # each export adds custody events, so later rounds are longer
        }
        print(json.dumps(report, indent=2))
        print(f"export {export_med:.2f} s vs floor {floor_med:.2f} s = "
              f"{export_med / floor_med:.2f}x (target <= {TARGET_RATIO:.1f}x: "
              f"{'OK' if report['ok'] else 'OVER TARGET'}); PDF/A step {pdfa_med:.2f} s, "
              f"without it {(export_med - pdfa_med) / floor_med:.2f}x")
        ws.close()
        return 0 if report["ok"] else 1
    finally:
        if not args.keep and args.dir is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
