"""Filter texts of a large case list are built on a worker right after it loads (issue 18);
a keystroke before they are in leaves the list as it is and is applied when they arrive."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex

from caseapp.services.cases import cases
from caseapp.services.cases.caselist_source import CaseListSource, open_case_list
from caseapp.services.redflags.risk import case_risk
from caseapp.ui.cases.case_list_model import CaseListModel

ROOT = QModelIndex()
TITLES = ["Alpha laptop farm", "beta payroll redirect", "Gamma laptop proxy", "delta VPN",
          "Épsilon LAPTOP résumé", "Zeta payroll", "eta camera off"]
LAPTOPS = 3


class GatedSource(CaseListSource):
    """The real source over the store's reader; its worker waits at ``gate`` before each part
    it reads (outside the reader's lock, so the UI thread keeps reading meanwhile)."""

    HAY_PART = 2

    def __init__(self, ws: Any) -> None:
        self.gate = threading.Event()
        self.parts: list[int] = []
        self.workers: set[str] = set()
        super().__init__(ws.store.case_list_reader(), lambda ids: case_risk(ws, ids))

    def _read_part(self, generation: int, after: int) -> dict[int, str] | None:
        assert self.gate.wait(30), "the test never opened the gate"
        self.parts.append(after)
        self.workers.add(threading.current_thread().name)
        return super()._read_part(generation, after)


@pytest.fixture
def listed(ui_ws: Any) -> list[str]:
    return [cases.create_case(ui_ws, title).ref for title in TITLES]


def _model(source: CaseListSource) -> CaseListModel:
    model = CaseListModel()
    model.background_from = 0  # these few cases count as a large list
    model.set_source(source)
    return model


def _refs(model: CaseListModel) -> list[str]:
    while model.canFetchMore(ROOT):
        model.fetchMore(ROOT)
    return [model.index(r, 0).data() for r in range(model.rowCount())]


def test_a_keystroke_before_the_texts_are_in_is_applied_when_they_arrive(
        qtbot: Any, ui_ws: Any, listed: list[str]) -> None:
    source = GatedSource(ui_ws)
    model = _model(source)
    qtbot.waitUntil(source.building_haystack)  # started once the loaded list is idle
    assert not source.has_haystack()
    model.set_filter("laptop")  # the worker is held at the gate: this returned at once
    assert model.pending() and model.matching() == len(TITLES)  # the list as it was
    assert len(_refs(model)) == len(TITLES), "the UI thread reads rows during the build"
    with qtbot.waitSignal(model.filter_applied, timeout=30_000):
        source.gate.set()
    assert not model.pending() and model.matching() == LAPTOPS
    assert source.workers == {"case-list-texts"} and threading.current_thread().name not in \
        source.workers
    assert len(source.parts) == -(-len(TITLES) // 2) + 1  # parts of two, then the empty one
    # control: the same filter over texts built on the first keystroke, on this thread
    control = CaseListModel()
    control.set_source(open_case_list(ui_ws))
    control.set_filter("laptop")
    assert not control.pending() and sorted(_refs(control)) == sorted(_refs(model))
    model.set_filter("laptop farm")  # texts in: filtered at once
    assert not model.pending() and _refs(model) == [listed[0]]
    source.close()
    control.source.close()  # type: ignore[union-attr]


def test_texts_read_before_a_change_elsewhere_are_dropped(qtbot: Any, ui_ws: Any,
                                                          listed: list[str]) -> None:
    source = GatedSource(ui_ws)
    model = _model(source)
    model.set_filter("courier")
    assert model.pending()
    first = source._building  # noqa: SLF001
    cases.update_case(ui_ws, listed[3], title="delta courier")  # as another process would
    model.reload()  # any case may have changed: the build under way is for older data
    assert source._building is not first and model.pending()  # noqa: SLF001
    with qtbot.waitSignal(model.filter_applied, timeout=30_000):
        source.gate.set()
    assert first is not None
    first.join(30)  # released with the new build, it may still be returning its stale part
    assert not first.is_alive()
    assert _refs(model) == [listed[3]] and model.matching() == 1
    source.close()


def test_closing_the_source_stops_its_build(qtbot: Any, ui_ws: Any, listed: list[str]) -> None:
    source = GatedSource(ui_ws)
    model = _model(source)
    applied: list[bool] = []
    model.filter_applied.connect(lambda: applied.append(True))
    model.set_filter("laptop")  # before the idle start: this keystroke starts the build
    worker = source._building  # noqa: SLF001
    assert worker is not None and model.pending()
    source.close()
    source.gate.set()
    worker.join(30)
    assert not worker.is_alive() and not source.has_haystack() and source.parts == [0]
    qtbot.wait(50)  # a queued delivery would have arrived by now
    assert applied == [] and model.pending()


def test_a_small_list_builds_its_texts_on_the_first_keystroke(ui_ws: Any,
                                                              listed: list[str]) -> None:
    model = CaseListModel()  # the shipped threshold: a few cases need no worker
    model.set_source(open_case_list(ui_ws))
    assert model.source is not None and not model.source.building_haystack()
    model.set_filter("laptop")
    assert not model.pending() and model.matching() == LAPTOPS
    model.source.close()


def test_enter_while_the_filter_is_pending_opens_the_case_it_finds(qtbot: Any, ui_ws: Any,
                                                                   listed: list[str]) -> None:
    from PySide6.QtCore import Qt

    from caseapp.ui.cases.case_list import CaseListPanel

    panel = CaseListPanel(None)
    qtbot.addWidget(panel)
    panel.model.background_from = 0
    source = GatedSource(ui_ws)
    panel.set_source(source)
    opened: list[str] = []
    panel.open_case.connect(opened.append)
    panel.filter.setText("farm")
    qtbot.keyClick(panel.filter, Qt.Key.Key_Return)
    assert panel.model.pending() and opened == [], "not the first row of the unfiltered list"
    with qtbot.waitSignal(panel.open_case, timeout=30_000):
        source.gate.set()
    assert opened == [listed[0]] and panel.count.text() == f"1 of {len(TITLES)} cases"
    qtbot.keyClick(panel.filter, Qt.Key.Key_Return)  # control: texts in, Enter opens at once
    assert opened == [listed[0], listed[0]]
    panel.release()


def test_a_build_finished_after_close_hands_nothing_over(qtbot: Any, ui_ws: Any,
                                                         listed: list[str]) -> None:
    source = open_case_list(ui_ws)
    handed: list[bool] = []
    done = threading.Event()

    def ready(_texts: dict[int, str]) -> None:  # on the worker, the texts read
        handed.append(source.unless_closed(lambda: handed.append(True)))
        done.set()

    assert source.unless_closed(lambda: handed.append(True)) and handed == [True]  # control
    handed.clear()
    original = source._read_haystack  # noqa: SLF001

    def read_then_close(generation: int, risks: Any) -> dict[int, str] | None:
        hay = original(generation, risks)
        source.close()  # the UI thread closes between the read and the hand-over
        return hay

    source._read_haystack = read_then_close  # type: ignore[method-assign]  # noqa: SLF001
    assert source.prepare_haystack(ready)
    assert done.wait(30)
    assert handed == [False]


def test_closing_the_window_releases_the_case_list(window: Any) -> None:
    model = window.cases_page().list.model
    source = model.source
    assert source is not None
    window.close()
    assert model.source is None and not source.prepare_haystack()  # closed: no new build
