"""Window details from the desk tour: the start label, the status bar, the F1 list."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from caseapp.services.cases import cases
from caseapp.services.tips import tips


def test_start_label_has_room_for_its_sentence(qtbot) -> None:
    from caseapp.ui.main_window import MainWindow

    win = MainWindow()
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    win.show_start("Creating the encrypted store…")
    QApplication.processEvents()
    label = win.start_panel.label
    assert label.width() >= label.fontMetrics().horizontalAdvance(label.text())


def test_status_bar_parts_stay_apart(window) -> None:
    cases.create_case(window.ctx.ws, "Status case")
    tips.create_tip(window.ctx.ws, "A tip about laptops", channel="hotline")
    window.update_counts()
    QApplication.processEvents()
    counts, lock = window.counts_label, window.lock_label
    assert counts.text().endswith("1 tips") and lock.text().startswith("Encrypted store")
    left = counts.geometry().right() - counts.contentsMargins().right()
    right = lock.geometry().left() + lock.contentsMargins().left()
    assert right - left >= 10  # margins and a rule between them


def test_f1_lists_shortcuts_in_aligned_rows(window, dialogs) -> None:
    window.show_shortcuts()
    name, args = dialogs.calls[-1]
    assert name == "information" and args[1] == "Keyboard shortcuts"
    html = args[2]
    rows = window.shortcut_rows()
    assert html.startswith("<table>") and html.count("<tr>") == len(rows)
    assert ("Ctrl+N", "New case") in rows
    assert "Ctrl+N\tNew case" in window.shortcut_text()
