"""Main window: audit page and verify, shortcuts, status bar, settings, errors, theme, features."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from uihelpers import wait_task

from caseapp.services.cases import cases
from caseapp.services.evidence import evidence
from caseapp.ui import theme
from caseapp.ui.errors import LOG_DIR, LOG_NAME


def test_audit_page_lists_entries_and_verifies(qtbot, window, tmp_path) -> None:
    ws = window.ctx.ws
    ref = cases.create_case(ws, "Audit case").ref
    src = tmp_path / "a.txt"
    src.write_text("evidence", encoding="utf-8")
    ev = evidence.ingest_file(ws, ref, src)
    page = window.show_page("audit")
    actions = [page.model.record(r).action for r in range(page.model.rowCount())]
    assert actions[0] == "evidence.ingested" and actions[-1] == "store.created"
    assert page.count.text() == f"{len(actions)} entries"
    qtbot.mouseClick(page.verify_button, Qt.MouseButton.LeftButton)
    handle = page.verify_handle
    assert handle is not None and not page.verify_button.isEnabled()
    wait_task(qtbot, handle)
    assert page.banner.kind == "ok" and "1 exhibit file(s)" in page.banner.text()
    assert page.verify_button.isEnabled()
    assert page.model.index(0, 3).data() == "Store verified"
    window.ctx.ws.vault.path_of(ev.blob_id).unlink()
    page.verify()
    wait_task(qtbot, page.verify_handle)
    assert page.banner.kind == "error" and f"blob-missing at {ref}/E-001" in page.banner.text()
    assert "problem" in window.message_label.text()


def test_audit_page_fetches_more_on_scroll(window) -> None:
    for i in range(30):
        cases.create_case(window.ctx.ws, f"Case {i}")
    page = window.show_page("audit")
    page.model.PAGE = 10
    page.refresh()
    assert page.model.rowCount() == 10 and page.model.canFetchMore()
    while page.model.canFetchMore():
        page.model.fetchMore()
    assert page.model.rowCount() == 31


def test_shortcuts_drive_the_window(qtbot, window) -> None:
    ref = cases.create_case(window.ctx.ws, "Shortcut case").ref
    page = window.show_page("cases")
    page.list.reload()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert page.new_case_dialog is not None and page.new_case_dialog.isVisible()
    page.new_case_dialog.reject()
    window.open_case(ref)
    assert window.actions_.action("add-evidence").isEnabled()
    qtbot.keyClick(window, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    assert page.views() == [] and not window.actions_.action("add-evidence").isEnabled()
    qtbot.keyClick(window, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page_key() == "audit"
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page_key() == "audit" and window.pages["audit"].case_filter.hasFocus()
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page_key() == "cases" and page.list.filter.hasFocus()
    shortcuts = window.shortcut_text()
    for expected in ("Ctrl+N", "Ctrl+I", "Ctrl+F", "Ctrl+W", "Ctrl+Shift+V", "Ctrl+1"):
        assert expected in shortcuts


def test_add_evidence_action_asks_for_files(qtbot, window, dialogs, tmp_path) -> None:
    ref = cases.create_case(window.ctx.ws, "Action case").ref
    view = window.open_case(ref)
    src = tmp_path / "x.txt"
    src.write_text("x", encoding="utf-8")
    dialogs.queue("getOpenFileNames", ([str(src)], ""))
    window.actions_.action("add-evidence").trigger()
    assert view.current_key == "evidence"
    wait_task(qtbot, view.tab("evidence").ingest_handle)
    assert [e.exhibit for e in evidence.list_evidence(window.ctx.ws, ref)] == ["E-001"]
    qtbot.waitUntil(lambda: "1 exhibits" in window.counts_label.text())


def test_status_bar_and_settings_hold_no_case_content(qtbot, window, qsettings_tmp) -> None:
    ref = cases.create_case(window.ctx.ws, "Secret title 비밀").ref
    window.open_case(ref)
    window.ctx.notify_changed(ref)  # what every UI change does after saving
    qtbot.waitUntil(lambda: window.counts_label.text().startswith("1 cases"))
    assert "Encrypted" in window.lock_label.text()
    window.show_page("audit")
    window.close()
    settings = QSettings()
    assert settings.value("window/page") == "audit"
    assert settings.value("window/geometry") is not None
    text = "".join(p.read_text(encoding="utf-8", errors="replace")
                   for p in qsettings_tmp.rglob("*") if p.is_file())
    assert "window" in text and "Secret" not in text and ref not in text


def test_unexpected_error_dialog_and_redacted_log(qtbot, window) -> None:
    def fail_with_content() -> None:
        raise RuntimeError("subject Daniel Park, e-mail dp@mailbox.example")

    try:
        fail_with_content()
    except RuntimeError as exc:
        window.show_unexpected(exc)
    dialogs = [w for w in window.findChildren(QWidget) if type(w).__name__ == "ErrorReportDialog"]
    assert len(dialogs) == 1 and dialogs[0].isVisible()
    report = dialogs[0].report.toPlainText()
    assert "Daniel Park" in report and "fail_with_content" in report
    dialogs[0].copy()
    assert "dp@mailbox.example" in QApplication.clipboard().text()
    log = (window.ctx.ws.home / LOG_DIR / LOG_NAME).read_text(encoding="utf-8")
    assert "builtins.RuntimeError" in log and "fail_with_content" in log
    assert "Daniel" not in log and "mailbox" not in log
    assert "Unexpected error" in window.message_label.text()


def test_expected_errors_go_to_the_status_area(window) -> None:
    from caseapp.services.errors import NotFound

    shown = window.ctx.report_error(NotFound("No case 'CASE-1999-0001'."), "Open")
    assert shown == "Open: No case 'CASE-1999-0001'."
    assert window.message_label.text() == shown
    assert not [w for w in window.findChildren(QWidget)
                if type(w).__name__ == "ErrorReportDialog"]


def test_log_event_redacts_non_ids(window) -> None:
    from caseapp.ui.errors import log_event

    log_event("case.opened", case="CASE-2026-0001", title="Daniel Park's laptop")
    log = (window.ctx.ws.home / LOG_DIR / LOG_NAME).read_text(encoding="utf-8")
    assert "case=CASE-2026-0001" in log and "title=<redacted>" in log and "Daniel" not in log


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_palettes_are_readable(qapp, mode) -> None:
    assert theme.apply_theme(qapp, mode) == mode
    pal = qapp.palette()
    base = pal.color(QPalette.ColorRole.Base)
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText):
        assert theme.contrast_ratio(pal.color(role), base) >= 7
    assert theme.contrast_ratio(pal.color(QPalette.ColorRole.HighlightedText),
                                pal.color(QPalette.ColorRole.Highlight)) >= 4.5
    for name in ("open", "in-review", "escalated", "closed", "error", "ok", "warn"):
        colour = theme.accent(name)
        assert theme.contrast_ratio(colour, base) >= 4.5, name
        assert theme.contrast_ratio(colour, pal.color(QPalette.ColorRole.AlternateBase)) >= 4.5
    assert theme.contrast_ratio(QColor("#000000"), QColor("#ffffff")) == pytest.approx(21)
    theme.apply_theme(qapp, "light")


def test_theme_menu_switches_and_remembers(window, qapp) -> None:
    dark = next(a for a in window.theme_group().actions() if a.text() == "Dark")
    dark.trigger()
    assert theme.current() == "dark" and QSettings().value("view/theme") == "dark"
    assert qapp.palette().color(QPalette.ColorRole.Base) == QColor("#16191d")


def test_feature_list_order_and_classes() -> None:
    from caseapp.ui.features import app_features
    from caseapp.ui.widgets.panes import CaseTab, Page

    features = app_features()
    assert [p.key for p in features.pages] == ["cases", "tips", "search", "audit"]
    assert [t.key for t in features.case_tabs] == [
        "overview", "subjects", "redflags", "evidence", "tips", "timeline", "links", "watchlist",
        "findings", "exports"]
    for spec in features.pages:
        cls = spec.factory
        assert isinstance(cls, type) and issubclass(cls, Page), spec.key
        for method in ("refresh", "focus_find"):
            assert getattr(cls, method) is not getattr(Page, method), f"{spec.key}.{method}"
    for spec in features.case_tabs:
        cls = spec.factory
        assert isinstance(cls, type) and issubclass(cls, CaseTab), spec.key
        assert cls.refresh is not CaseTab.refresh, f"{spec.key}.refresh"
    keys = {a.key for a in features.window_actions} | {a.key for a in features.case_actions}
    assert {"new-case", "load-demo", "backup", "verify", "add-evidence", "export-pdf"} <= keys


def test_feature_list_refuses_duplicates_and_unknown_menus() -> None:
    from caseapp.ui.features import CaseTabSpec, Features, WindowActionSpec

    tab = CaseTabSpec("x", "X", lambda ctx, ref: None)  # type: ignore[arg-type,return-value]
    with pytest.raises(ValueError, match="listed twice"):
        Features(case_tabs=(tab, tab)).check()
    with pytest.raises(ValueError, match="no menu"):
        Features(window_actions=(WindowActionSpec("y", "Y", lambda c, p: None,
                                                  menu="Nowhere"),)).check()


def test_listed_tab_and_action_join_the_case_view(qtbot, ui_ws) -> None:
    from dataclasses import replace

    from caseapp.ui.context import AppContext
    from caseapp.ui.features import CaseActionSpec, CaseTabSpec, WindowActionSpec, app_features
    from caseapp.ui.main_window import MainWindow
    from caseapp.ui.widgets.panes import CaseTab
    from caseapp.ui.workers import TaskRunner

    calls: list[str] = []

    class FlagsTab(CaseTab):
        def __init__(self, ctx: Any, ref: str, parent: QWidget | None = None) -> None:
            super().__init__(ctx, ref, parent)
            self.label = QLabel(f"flags of {ref}", self)

        def refresh(self) -> None:
            calls.append("refreshed")

    def broken(ctx: Any, ref: str) -> CaseTab:
        raise RuntimeError("plugin bug")

    shipped = app_features()
    features = replace(
        shipped,
        case_tabs=shipped.case_tabs[:2] + (CaseTabSpec("flags", "Red flags", FlagsTab),)
        + shipped.case_tabs[3:] + (CaseTabSpec("broken", "Broken", broken),),
        case_actions=(CaseActionSpec("test-pdf", "Test &PDF…",
                                     lambda ctx, ref, parent: calls.append(ref),
                                     "Ctrl+Alt+E", toolbar=True),) + shipped.case_actions,
        window_actions=shipped.window_actions + (WindowActionSpec(
            "test-import", "Test import…", lambda ctx, parent: calls.append("window"),
            "File"),),
    ).check()
    win = MainWindow(features=features)
    qtbot.addWidget(win)
    ctx = AppContext(ui_ws, TaskRunner(win), win)
    shown: list[str] = []
    win.show_error_report = lambda summary, report: shown.append(report)  # type: ignore
    win.attach(ctx)
    ref = cases.create_case(ui_ws, "Plugin case").ref
    view = win.open_case(ref)
    keys = [k for k in view.keys if k in ("overview", "subjects", "flags", "evidence",
                                          "timeline", "broken")]
    assert keys == ["overview", "subjects", "flags", "evidence", "timeline", "broken"]
    assert view.tabs.tabText(view.keys.index("flags")) == "Red flags"
    assert view.tab("flags").label.text() == f"flags of {ref}"
    view.show_tab("flags")
    assert "refreshed" in calls
    assert "plugin bug" in shown[0] and "could not be loaded" in view.tab("broken").label.text()
    action = win.actions_.action("test-pdf")
    assert action.shortcut().toString() == "Ctrl+Alt+E" and action.isEnabled()
    action.trigger()
    assert calls[-1] == ref
    file_actions = [a.text() for a in win.actions_.menus["File"].actions()]
    assert "Test import…" in file_actions
    next(a for a in win.actions_.menus["File"].actions() if a.text() == "Test import…").trigger()
    assert calls[-1] == "window"
    win.show_page("audit")
    assert not action.isEnabled(), "case actions need a case in front"


def test_second_window_on_same_home_is_refused(ui_ws, home: Path) -> None:
    from caseapp.services.errors import StoreUnavailable
    from caseapp.services.workspace import open_workspace

    with pytest.raises(StoreUnavailable, match="already open"):
        open_workspace(home, exclusive=True)


def test_backup_action_runs_in_background(qtbot, window, dialogs, tmp_path) -> None:
    cases.create_case(window.ctx.ws, "Backed up")
    dialogs.queue("getExistingDirectory", str(tmp_path))
    window.actions_.action("backup").trigger()
    qtbot.waitUntil(lambda: "Backed up to" in window.message_label.text(), timeout=30_000)
    backups = [p for p in tmp_path.iterdir() if p.name.startswith("caseapp-backup-")]
    assert len(backups) == 1 and (backups[0] / "caseapp.db").exists()


def test_exception_hook_from_a_worker_thread_reaches_the_ui_thread(qtbot, window) -> None:
    import threading

    from caseapp.ui.errors import ExceptionHook, ReportBridge

    bridge = ReportBridge(window)
    seen: list[tuple[str, bool]] = []
    bridge.report.connect(lambda summary, report: seen.append(
        (report, threading.current_thread() is threading.main_thread())))
    hook = ExceptionHook(bridge.report.emit)
    hook.install()
    try:
        def boom() -> None:
            raise ValueError("secret subject name")

        worker = threading.Thread(target=boom)
        worker.start()
        worker.join()
        qtbot.waitUntil(lambda: bool(seen))
    finally:
        hook.uninstall()
    report, on_main = seen[0]
    assert on_main and "secret subject name" in report and "boom" in report
    log = (window.ctx.ws.home / LOG_DIR / LOG_NAME).read_text(encoding="utf-8")
    assert "builtins.ValueError" in log and "secret" not in log
