"""Six writers at once on one data home while the desktop app holds it open: every command
succeeds or says busy, and the store adds up afterwards (tests/stress/writers.py).

CI runs a small N with 8 MB ingests; benchmarks/stress_writers.py runs the large one by hand.
"""

from __future__ import annotations

from pathlib import Path

from harness import verify
from writers import Outcome, check, facts, prepare, run_writers, start_gui


def test_six_writers_beside_the_gui_lose_nothing(tmp_path: Path) -> None:
    ctx = prepare(tmp_path, big_size=8 << 20)
    before = facts(ctx.home, ctx.base_case)
    gui = start_gui(ctx.home)
    try:
        report = run_writers(ctx, processes=6, ops_each=3)
        assert gui.poll() is None, "the GUI died while the CLI wrote"
    finally:
        gui.terminate()
        gui.wait(timeout=60)
    after = facts(ctx.home, ctx.base_case)
    assert check(before, after, report) == []
    assert sum(report.succeeded.values()) + report.busy == report.operations
    assert len(report.succeeded) >= 6, report.succeeded  # most kinds really ran
    result = verify(ctx.home)
    assert result["ok"], result["problems"]

    # The check is not blind: a success that left nothing behind is caught.
    report.outcomes.append(Outcome("case-new", 0, ""))
    assert any(p.startswith("cases:") for p in check(before, after, report))
