"""The Share dialog: STIX 2.1 / MISP / link chart / referral pack of a case, with a preview
of what leaves (counts per object type, what is redacted), then the export in a worker with
progress and Cancel. caseapp prepares the file; it sends nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from caseapp.ui.casefile.widgets import hint
from caseapp.ui.context import AppContext
from caseapp.ui.errors import log_event
from caseapp.ui.widgets.common import open_dialog
from caseapp.ui.widgets.records import Column, RecordTableModel, read_only_table
from caseapp.ui.widgets.task_dialog import TaskDialog, browse_row
from caseapp.ui.workers import TaskControl, TaskHandle

if TYPE_CHECKING:
    from caseapp.domain.exchange.tlp import TLP
    from caseapp.services.exchange.gather import ShareOptions
    from caseapp.services.exchange.share import SharePreview, ShareResult

SENDS_NOTHING = ("caseapp prepares these files and sends nothing: you pass them on to the "
                 "threat-intel team, the sharing community, the FBI (IC3) or Rewards for "
                 "Justice yourself.")
_SUFFIX = {"stix": ".stix.json", "misp": ".misp.json", "anx": ".anx", "graphml": ".graphml",
           "ic3": "-ic3.pdf", "rfj": "-rfj.pdf"}
COUNT_COLUMNS: list[Column[tuple[str, int]]] = [
    Column("What leaves", lambda r: r[0]), Column("Count", lambda r: str(r[1]), right=True)]


class ShareDialog(TaskDialog["ShareResult"]):
    """Format, TLP and redaction choices for one share export of ``case_ref``."""

    task_name, what = "share", "Share"

    def __init__(self, ctx: AppContext, case_ref: str, parent: QWidget | None = None,
                 fmt: str = "stix") -> None:
        from caseapp.domain.exchange.tlp import FORMATS

        super().__init__(ctx, case_ref, "Share", parent)
        self.preview_handle: TaskHandle | None = None
        self.preview_result: SharePreview | None = None
        layout = QVBoxLayout(self)
        notice = QLabel(SENDS_NOTHING)
        notice.setWordWrap(True)
        notice.setTextFormat(Qt.TextFormat.PlainText)
        notice.setAccessibleName("caseapp sends nothing")
        layout.addWidget(notice)
        form = QFormLayout()
        self.format = QComboBox()
        self.format.setAccessibleName("Format")
        for key, label in FORMATS.items():
            self.format.addItem(label, key)
        self.format.setCurrentIndex(max(0, self.format.findData(fmt)))
        form.addRow("&Format:", self.format)
        self.tlp = QComboBox()
        self.tlp.setAccessibleName("TLP level")
        form.addRow("&TLP:", self.tlp)
        self.reveal_tipsters = QCheckBox("Show ti&pster names/contacts found in text "
                                         "(masked by default)")
        self.reveal_accounts = QCheckBox("Bank and ID numbers in &full (default: last four)")
        form.addRow(self.reveal_tipsters)
        form.addRow(self.reveal_accounts)
        self.victim = QLineEdit()
        self.victim.setAccessibleName("Victim business")
        self.victim.setPlaceholderText("your organisation (IC3 worksheet)")
        self.contact = QLineEdit()
        self.contact.setAccessibleName("Contact")
        self.contact.setPlaceholderText("who the recipient should contact (referral packs)")
        form.addRow("&Victim business:", self.victim)
        form.addRow("&Contact:", self.contact)
        self.out = QLineEdit()
        self.out.setAccessibleName("Output file")
        browse_row(form, "&Save as:", self.out, self._browse)
        layout.addLayout(form)
        layout.addWidget(hint("Preview: what this export holds. Exhibit contents, tip "
                              "content and tipster fields never leave."))
        self.model = RecordTableModel(COUNT_COLUMNS, self)
        self.table = read_only_table(self.model, "What leaves")
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setMinimumHeight(140)
        layout.addWidget(self.table, 1)
        self.redactions = QLabel()
        self.redactions.setWordWrap(True)
        self.redactions.setTextFormat(Qt.TextFormat.PlainText)
        self.redactions.setMinimumHeight(self.redactions.fontMetrics().lineSpacing() * 3)
        layout.addWidget(self.redactions)
        self.share_button = self.add_buttons(layout, "&Write file")
        self.format.currentIndexChanged.connect(self._format_changed)
        for widget in (self.tlp,):
            widget.currentIndexChanged.connect(lambda _i: self.refresh_preview())
        for box_ in (self.reveal_tipsters, self.reveal_accounts):
            box_.toggled.connect(lambda _c: self.refresh_preview())
        self.resize(760, 720)
        self._format_changed()
        self.format.setFocus()

    def fmt(self) -> str:
        return str(self.format.currentData())

    def _format_changed(self) -> None:
        from caseapp.domain.exchange.tlp import TLP, allowed_levels

        current = self.tlp.currentData() or TLP.AMBER.value
        self.tlp.blockSignals(True)
        self.tlp.clear()
        for level in allowed_levels(self.fmt()):
            self.tlp.addItem(level.label, level.value)
        index = self.tlp.findData(current)
        self.tlp.setCurrentIndex(index if index >= 0 else self.tlp.findData(TLP.AMBER.value))
        self.tlp.blockSignals(False)
        referral = self.fmt() in ("ic3", "rfj")
        self.victim.setEnabled(self.fmt() == "ic3")
        self.contact.setEnabled(referral)
        text = self.out.text().strip()
        if not text or any(text.endswith(s) for s in _SUFFIX.values()):
            self.out.setText(str(Path.home() / f"{self.case_ref}{_SUFFIX[self.fmt()]}")
                             if not text else _swap_suffix(text, self.fmt()))
        self.refresh_preview()

    def _browse(self) -> None:
        chosen, _ = QFileDialog.getSaveFileName(self, "Save the share export as",
                                                self.out.text())
        if chosen:
            self.out.setText(chosen)

    def options(self) -> ShareOptions:
        from caseapp.services.exchange.gather import ShareOptions

        return ShareOptions(reveal_accounts=self.reveal_accounts.isChecked(),
                            reveal_tipsters=self.reveal_tipsters.isChecked(),
                            victim=self.victim.text().strip(),
                            contact=self.contact.text().strip())

    def tlp_level(self) -> TLP:
        from caseapp.domain.exchange.tlp import parse_tlp

        return parse_tlp(str(self.tlp.currentData()))

    def refresh_preview(self) -> TaskHandle:
        """Build the export in memory in the background and show what it holds."""
        fmt, tlp, opts, ws, ref = self.fmt(), self.tlp_level(), self.options(), \
            self.ctx.ws, self.case_ref
        self.redactions.setText("Building the preview…")

        def work(_control: TaskControl) -> SharePreview:
            from caseapp.services.exchange.share import preview_share

            return preview_share(ws, ref, fmt, tlp, opts)

        handle = self.ctx.runner.submit(work, name="share-preview")
        self.preview_handle = handle
        handle.succeeded.connect(lambda result, h=handle: self._show_preview(h, result))
        handle.failed.connect(lambda exc, h=handle: self._preview_failed(h, exc))
        return handle

    def _show_preview(self, handle: TaskHandle, preview: SharePreview) -> None:
        if handle is not self.preview_handle:
            return  # an older preview
        self.preview_result = preview
        self.model.set_records(sorted(preview.counts.items()))
        self.table.resizeColumnsToContents()
        self.redactions.setText(f"{preview.tlp.label}. Redacted: "
                                + "; ".join(preview.redactions) + ".")

    def _preview_failed(self, handle: TaskHandle, exc: BaseException) -> None:
        if handle is self.preview_handle:
            self.redactions.setText("")
            self.error.show_error(self.ctx.report_error(exc, "Share preview"))

    def begin(self) -> TaskHandle | None:
        """Validate, then write the export in the background."""
        out = self.out.text().strip()
        if not out:
            return self.refuse(self.out, "Choose the file to write.")
        fmt, tlp, opts, ws, ref = self.fmt(), self.tlp_level(), self.options(), \
            self.ctx.ws, self.case_ref
        log_event("share.started", case=ref, format=fmt)

        def work(control: TaskControl) -> ShareResult:
            from caseapp.services.exchange.share import share_case

            return share_case(ws, ref, fmt, Path(out).expanduser(), tlp=tlp, options=opts,
                              progress=control.progress, cancel=control.cancelled)

        return self.run_task(f"Sharing {ref}", work)

    def finish(self, result: ShareResult) -> None:
        log_event("share.done", case=self.case_ref, format=result.format)
        self.ctx.notify_changed(self.case_ref)
        names = ", ".join(p.name for p in result.paths)
        self.ctx.show_message(f"{self.case_ref}: wrote {names} ({result.tlp.label}). "
                              "Nothing was sent.")
        self.accept()


def _swap_suffix(text: str, fmt: str) -> str:
    for suffix in _SUFFIX.values():
        if text.endswith(suffix):
            return text[: -len(suffix)] + _SUFFIX[fmt]
    return text


def open_share_dialog(ctx: AppContext, case_ref: str, parent: QWidget) -> ShareDialog:
    """Case > Share…: the dialog, non-blocking (tests drive it directly)."""
    return open_dialog(ShareDialog(ctx, case_ref, parent), delete_on_close=True)
