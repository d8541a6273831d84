"""Benchmark the PDF case file export against a plain reportlab floor.

    python benchmarks/bench_export.py [--dir DIR] [--repeat 2] [--keep]

Generates (untimed) a case with 300 exhibits (50 of them PNG screenshots of 1280x800 px, the
rest text, CSV and binary files), a 40-item red-flag checklist with every item answered, and
200 timeline notes, in a fresh passphrase-mode store. Then measures in the same run:

* ``export``: ``caseapp.services.casefile.exports.export_case_file`` end to end (re-hashing every
  exhibit from the vault, the layout pass, writing atomically, recording custody and audit);
* ``build``: the PDF build alone on the gathered content (no vault, no database);
* ``floor``: a plain reportlab ``SimpleDocTemplate`` build of the same number of pages of
  simple text (Helvetica, one paragraph per page, a single pass).

Medians of ``--repeat`` rounds, wall time and this process's CPU time side by side (the
machine is shared: CPU time is steadier), with the load average before and after; the target
(issue 18) is ``export <= 2 x floor``. The export is PDF/A-2b (written so by reportlab
itself, :mod:`caseapp.pdf.pdfa`; the tests validate it). Everything is fictional.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

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


def generate(ws: Any, folder: Path, seed: int = 6) -> str:
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


@contextlib.contextmanager
def bench_case(work_dir: Path | None, *, keep: bool) -> Iterator[tuple[Any, str, Path]]:
    """(workspace, case ref, work folder) of a freshly generated benchmark case; the folder
    goes afterwards unless it was given or ``keep``."""
    work = work_dir or Path(tempfile.mkdtemp(prefix="caseapp-bench-"))
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from caseapp.services.workspace import open_workspace

    try:
        ws = open_workspace(work / "home", lambda _purpose: "benchmark", key_mode="passphrase")
        started = time.perf_counter()
        ref = generate(ws, work / "files")
        print(f"generated {ref} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        try:
            yield ws, ref, work
        finally:
            ws.close()
    finally:
        if not keep and work_dir is None:
            shutil.rmtree(work, ignore_errors=True)


def timed(fn: Callable[..., Any], *args: Any) -> tuple[Any, float, float]:
    """(``fn(*args)``, wall seconds, CPU seconds of this process)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn(*args)
    return result, time.perf_counter() - wall, time.process_time() - cpu


def load_average() -> str:
    """The 1/5/15-minute load averages (the machine is shared: figures depend on them)."""
    return " ".join(f"{v:.2f}" for v in os.getloadavg()) if hasattr(os, "getloadavg") else "-"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--dir", type=Path, help="work folder (default: a temp folder)")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args(argv)
    with bench_case(args.dir, keep=args.keep) as (ws, ref, work):
        from caseapp.pdf.case_file import build_case_file
        from caseapp.pdf.options import ExportOptions
        from caseapp.services.casefile import exports
        from caseapp.services.casefile.content import gather

        load_before = load_average()
        wall: dict[str, list[float]] = {"export": [], "build": [], "floor": []}
        cpu: dict[str, list[float]] = {"export": [], "build": [], "floor": []}
        rounds, result, built = [], None, None
        for round_no in range(args.repeat):
            out = work / f"case-{round_no}.pdf"
            result, w, c = timed(exports.export_case_file, ws, ref, out)
            wall["export"].append(w)
            cpu["export"].append(c)
            options = ExportOptions().validated(ref)
            content = gather(ws, ref, options, now=datetime.now(UTC), tz=UTC)
            built, w, c = timed(build_case_file, content, options, io.BytesIO())
            wall["build"].append(w)
            cpu["build"].append(c)
            (_seconds, floor_pages), w, c = timed(floor_build, result.pages)
            if floor_pages != result.pages:
                raise RuntimeError(f"floor built {floor_pages} pages, not {result.pages}")
            wall["floor"].append(w)
            cpu["floor"].append(c)
            rounds.append({"pages": result.pages,
                           **{f"{k}_s": round(v[-1], 2) for k, v in wall.items()},
                           **{f"{k}_cpu_s": round(v[-1], 2) for k, v in cpu.items()}})
        assert result is not None and built is not None
        med = {k: statistics.median(v) for k, v in wall.items()}
        med_cpu = {k: statistics.median(v) for k, v in cpu.items()}
        report = {
            "exhibits": N_EXHIBITS, "images": N_IMAGES, "checklist_items": N_ITEMS,
            "timeline_notes": N_NOTES, "pages": result.pages, "passes": built.passes,
            "pdfa": built.pdfa, "pdf_bytes": result.path.stat().st_size,
            "export_s": round(med["export"], 2), "build_only_s": round(med["build"], 2),
            "floor_s": round(med["floor"], 2), "ratio": round(med["export"] / med["floor"], 2),
            "export_cpu_s": round(med_cpu["export"], 2),
            "build_only_cpu_s": round(med_cpu["build"], 2),
            "floor_cpu_s": round(med_cpu["floor"], 2),
            "cpu_ratio": round(med_cpu["export"] / med_cpu["floor"], 2),
            "target_ratio": TARGET_RATIO, "ok": med["export"] <= TARGET_RATIO * med["floor"],
            "load_average": [load_before, load_average()],
            "rounds": rounds,  # each export adds custody events, so later rounds are longer
        }
        print(json.dumps(report, indent=2))
        print(f"export {med['export']:.2f} s vs floor {med['floor']:.2f} s = "
              f"{report['ratio']:.2f}x wall (target <= {TARGET_RATIO:.1f}x: "
              f"{'OK' if report['ok'] else 'OVER TARGET'}); CPU {med_cpu['export']:.2f} s vs "
              f"{med_cpu['floor']:.2f} s = {report['cpu_ratio']:.2f}x; load average "
              f"{load_before} -> {load_average()}")
        return 0 if report["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
