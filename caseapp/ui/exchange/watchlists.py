"""Watchlists in the app: import a list (then every open case is checked, in the background,
and the cases it hits are named at once), the case's Watchlist tab, and the list manager.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from caseapp.ui.context import AppContext
from caseapp.ui.widgets.common import (
    Banner,
    action_button,
    head_with_banner,
    open_dialog,
    run_with_progress,
)
from caseapp.ui.widgets.panes import CaseTab
from caseapp.ui.widgets.records import Column, RecordTableModel, read_only_table
from caseapp.ui.workers import TaskControl, TaskHandle

if TYPE_CHECKING:
    from caseapp.services.exchange.watchlists import WatchlistHit, WatchlistInfo

    Imported = tuple[WatchlistInfo, dict[str, list[WatchlistHit]]]


HIT_COLUMNS: list[Column[WatchlistHit]] = [
    Column("Strength", lambda h: h.strength.upper(),
           colour=lambda h: "error" if h.strength == "strong" else "warn"),
    Column("Subject", lambda h: h.subject),
    Column("Kind", lambda h: h.kind),
    Column("Case value", lambda h: h.case_value),
    Column("Listed as", lambda h: h.entry_name or h.listed_value,
           tooltip=lambda h: f"{h.entry_type} {h.entry_ref}: {h.listed_value}"),
    Column("Programmes", lambda h: ", ".join(h.programmes)),
    Column("Match", lambda h: h.match if h.match != "name" else f"name {h.score}%"),
    Column("List", lambda h: f"{h.list} ({h.list_date or 'undated'})",
           tooltip=lambda h: f"{h.publisher}\nSHA-256 {h.list_sha256}"),
]
LIST_COLUMNS: list[Column[WatchlistInfo]] = [
    Column("Name", lambda w: w.name), Column("Format", lambda w: w.format),
    Column("List date", lambda w: w.list_date), Column("Entries", lambda w: f"{w.entries:,}",
                                                      right=True),
    Column("Skipped", lambda w: str(w.skipped), right=True,
           tooltip=lambda w: "\n".join(w.problems)),
    Column("Publisher", lambda w: w.publisher), Column("File", lambda w: w.file_name,
                                                     tooltip=lambda w: w.sha256),
]


def hit_summary(hits: list[WatchlistHit]) -> tuple[str, str]:
    """(banner text, kind) for a case's hits."""
    strong = [h for h in hits if h.strength == "strong"]
    if strong:
        lists = ", ".join(sorted({h.list for h in strong}))
        return (f"{len(strong)} strong watchlist hit(s) on this case ({lists}). A hit "
                "changes nothing by itself: the red-flag items it suggests are marked on the "
                "Red flags tab; review it and record your decision there.", "error")
    if hits:
        return (f"{len(hits)} weak (name-only) watchlist hit(s): look before you rely on "
                "them.", "warn")
    return "", "ok"


class WatchlistHitsPanel(QWidget):
    """The case's watchlist hits as a section of the Links tab: a heading, the banner and
    the hits table (strong first); hidden while the case has no hit."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.heading = QLabel("Watchlist hits")
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        font = self.heading.font()
        font.setBold(True)
        self.heading.setFont(font)
        layout.addWidget(self.heading)
        self.banner = Banner()
        layout.addWidget(self.banner)
        self.model = RecordTableModel(HIT_COLUMNS, self)
        self.table = read_only_table(self.model, "Watchlist hits")
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table)
        self.hide()

    def show_hits(self, hits: list[WatchlistHit]) -> None:
        self.model.set_records(hits)
        self.setVisible(bool(hits))
        if not hits:
            return
        self.table.resizeColumnsToContents()
        rows = min(len(hits), 4)
        self.table.setMaximumHeight(self.table.horizontalHeader().sizeHint().height()
                                    + rows * self.table.verticalHeader().defaultSectionSize()
                                    + 2 * self.table.frameWidth() + 4)
        text, kind = hit_summary(hits)
        self.heading.setText(f"Watchlist hits ({len(hits)})")
        self.banner.show_text(text, kind)


class WatchlistTab(CaseTab):
    """The watchlist hits on one case's subjects (strong first)."""

    def __init__(self, ctx: AppContext, case_ref: str, parent: QWidget | None = None) -> None:
        super().__init__(ctx, case_ref, parent)
        self.handle: TaskHandle | None = None
        layout = QVBoxLayout(self)
        self.banner = head_with_banner(
            layout,
            action_button("&Import watchlist…", lambda: import_watchlist_action(self.ctx, self)),
            action_button("&Manage lists…", lambda: open_watchlists_dialog(self.ctx, self)))
        self.model = RecordTableModel(HIT_COLUMNS, self)
        self.table = read_only_table(self.model, "Watchlist hits")
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table, 1)
        self.empty = QLabel("No watchlist hits. Import the OFAC SDN list or an advisory "
                            "(Tools > Import watchlist…); every open case is checked.")
        self.empty.setWordWrap(True)
        self.empty.setEnabled(False)
        layout.addWidget(self.empty)

    def refresh(self) -> None:
        ws, ref = self.ctx.ws, self.case_ref

        def work(_control: TaskControl) -> list[WatchlistHit]:
            from caseapp.services.exchange.hits import hits_for_case

            return hits_for_case(ws, ref)

        self.handle = self.ctx.runner.submit(work, name="watchlist-hits")
        self.handle.succeeded.connect(self.show_hits)
        self.handle.failed.connect(lambda exc: self.ctx.report_error(exc, "Watchlist hits"))

    def show_hits(self, hits: list[WatchlistHit]) -> None:
        self.model.set_records(hits)
        self.table.resizeColumnsToContents()
        self.empty.setVisible(not hits)
        text, kind = hit_summary(hits)
        if text:
            self.banner.show_text(text, kind)
        else:
            self.banner.hide()

    def select_record(self, record_type: str, record_id: int | None,
                      exhibit: str | None) -> bool:
        del record_type, record_id, exhibit
        return False


def import_watchlist_action(ctx: AppContext, parent: QWidget) -> TaskHandle | None:
    """Tools > Import watchlist…: choose a file, import it, check every open case."""
    path, _ = QFileDialog.getOpenFileName(
        parent, "Import a watchlist (OFAC sdn.csv / sdn.xml, STIX, MISP, CSV)", "",
        "Watchlists (*.csv *.xml *.json *.zip);;All files (*)")
    if not path:
        return None
    return start_import(ctx, parent, path)


def start_import(ctx: AppContext, parent: QWidget, path: str) -> TaskHandle:
    """Import ``path`` in the background, then say which open cases it hits."""
    ws = ctx.ws

    def work(control: TaskControl) -> Imported:
        from caseapp.services.exchange import hits, watchlists

        info = watchlists.import_watchlist(ws, path, progress=control.progress,
                                           cancel=control.cancelled)
        found = hits.hits_for_open_cases(ws, progress=control.progress,
                                         cancel=control.cancelled)
        return info, {ref: [h for h in hs if h.list == info.name] for ref, hs in found.items()
                      if any(h.list == info.name for h in hs)}

    def done(result: Imported) -> None:
        info, found = result
        for ref in found:
            ctx.notify_changed(ref)
        ctx.notify_changed()
        QMessageBox.information(parent, "Watchlist imported", import_message(info, found))

    handle, _dialog = run_with_progress(ctx, parent, "Importing the watchlist", work,
                                        name="watchlist-import", on_done=done)
    return handle


def import_message(info: WatchlistInfo, found: dict[str, list[WatchlistHit]]) -> str:
    """What the import did and which cases it hits (plain text)."""
    lines = [f"{info.name}: {info.entries:,} identifiers and names from {info.records:,} "
             f"entries ({info.list_date}); {info.skipped} skipped."]
    lines += [f"Note: {p}" for p in info.problems[:8]]
    if found:
        lines.append("")
        lines.append("Cases with hits on this list:")
        for ref, hits in sorted(found.items()):
            strong = sum(1 for h in hits if h.strength == "strong")
            lines.append(f"  {ref}: {strong} strong, {len(hits) - strong} weak")
    else:
        lines.append("No open case has a hit on this list.")
    return "\n".join(lines)


class WatchlistsDialog(QDialog):
    """The imported lists; remove one."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Watchlists")
        layout = QVBoxLayout(self)
        self.model = RecordTableModel(LIST_COLUMNS, self)
        self.table = read_only_table(self.model, "Watchlists")
        layout.addWidget(self.table, 1)
        note = QLabel("Lists are files you download yourself; caseapp never fetches them.")
        note.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(note)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.remove_button = box.addButton("&Remove list", QDialogButtonBox.ButtonRole.ActionRole)
        self.remove_button.clicked.connect(self.remove_selected)
        box.rejected.connect(self.reject)
        layout.addWidget(box)
        self.resize(820, 360)
        self.reload()

    def reload(self) -> None:
        from caseapp.services.exchange.watchlists import list_watchlists

        self.model.set_records(list_watchlists(self.ctx.ws))
        self.table.resizeColumnsToContents()

    def remove_selected(self) -> None:
        from caseapp.services.exchange.watchlists import remove_watchlist

        index = self.table.currentIndex()
        if not index.isValid():
            return
        name = self.model.record(index.row()).name
        answer = QMessageBox.question(self, "Remove watchlist",
                                      f"Remove {name} and its entries?")
        if answer != QMessageBox.StandardButton.Yes:
            return
        remove_watchlist(self.ctx.ws, name)
        self.ctx.notify_changed()
        self.reload()


def open_watchlists_dialog(ctx: AppContext, parent: QWidget) -> WatchlistsDialog:
    return open_dialog(WatchlistsDialog(ctx, parent), delete_on_close=True)
