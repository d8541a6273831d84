"""The Produce dialog: a legal production volume with a live preview of its Bates ranges, then
the production in a worker with progress and Cancel.

Each exhibit is produced, left out, or withheld for a reason (listed in the privilege log); the
preview shows the Bates range each produced exhibit would get (text page counts are estimates
until the volume is written). A problem the user can fix comes back inline at the foot.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from caseapp.ui.casefile.widgets import hint
from caseapp.ui.context import AppContext
from caseapp.ui.errors import log_event
from caseapp.ui.widgets.records import Column, RecordTableModel, read_only_table
from caseapp.ui.widgets.task_dialog import TaskDialog, browse_row
from caseapp.ui.workers import TaskControl, TaskHandle

if TYPE_CHECKING:
    from caseapp.services.casefile.produce import ProduceOptions, ProductionResult
    from caseapp.services.casefile.produce_preview import PreviewRow
    from caseapp.services.casefile.signing import SigningIdentity

PRODUCE, LEAVE_OUT = "produce", "leave-out"
REDACT = "redact:"  # + a reason key: produce the text exhibit redacted
PDFA_NOTE = ("Every PDF is PDF/A-2b (archival: fonts embedded, sRGB colour, XMP metadata), "
             "checked as it is written; productions are never encrypted, because PDF/A "
             "forbids encryption.")
TSA_ENV = "CASEAPP_TSA_URL"


def _columns() -> list[Column[PreviewRow]]:
    def pages(r: PreviewRow) -> str:
        return "" if not r.pages else (f"≈{r.pages}" if r.estimated else str(r.pages))

    return [Column("Exhibit", lambda r: r.exhibit), Column("Title", lambda r: r.title),
            Column("Treatment", lambda r: r.treatment), Column("Pages", pages, right=True),
            Column("Bates first", lambda r: r.bates_first),
            Column("Bates last", lambda r: r.bates_last)]


class ProduceDialog(TaskDialog["ProductionResult"]):
    """Options and preview of one production of ``case_ref``; Produce runs it."""

    task_name, what = "produce", "Produce"
    cancelled_text = ("Production cancelled; nothing was written and no Bates number was "
                      "used.")

    def __init__(self, ctx: AppContext, case_ref: str, parent: QWidget | None = None) -> None:
        from caseapp.services.casefile.produce import WITHHOLD_REASONS

        super().__init__(ctx, case_ref, "Produce", parent)
        self.choices: dict[str, str] = {}  # exhibit -> PRODUCE | LEAVE_OUT | a withhold reason
        layout = QVBoxLayout(self)
        layout.addWidget(hint("A production writes one Bates-stamped PDF per document, its "
                              "native and text, Concordance DAT and Opticon OPT load files and "
                              "a privilege log into a new folder. Bates numbers continue after "
                              "the last production under the same prefix and are never "
                              "reused."))
        form = QFormLayout()
        self.folder = QLineEdit()
        self.folder.setAccessibleName("Production folder")
        browse_row(form, "&Folder:", self.folder, self._browse)
        self.prefix = QLineEdit()
        self.prefix.setPlaceholderText(case_ref)
        self.prefix.setAccessibleName("Bates prefix")
        form.addRow("Bates &prefix:", self.prefix)
        self.volume = QLineEdit()
        self.volume.setPlaceholderText("VOL001")
        form.addRow("&Volume:", self.volume)
        self.endorse = QLineEdit()
        self.endorse.setPlaceholderText("CONFIDENTIAL - SUBJECT TO PROTECTIVE ORDER")
        self.endorse.setAccessibleName("Endorsement")
        form.addRow("&Endorsement:", self.endorse)
        self.case_file = QCheckBox("Include the PDF &case file as the last document (it "
                                   "lists every exhibit: not with withheld exhibits)")
        form.addRow(self.case_file)
        self.sign = QCheckBox("&Sign every PDF (PAdES)")
        self.cert = QLineEdit()
        self.cert.setPlaceholderText("empty: this store's self-signed certificate")
        self.cert_password = QLineEdit()
        self.cert_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.cert_password.setAccessibleName("Certificate password")
        form.addRow(self.sign)
        form.addRow("Certificate (.p12):", self.cert)
        form.addRow("Certificate pass&word:", self.cert_password)
        self.tsa = QLineEdit()  # offline by default: empty unless the user configured one
        self.tsa.setText(os.environ.get(TSA_ENV, ""))
        self.tsa.setPlaceholderText("empty: no timestamp (offline)")
        self.tsa.setAccessibleName("Timestamp authority URL")
        self.tsa.setToolTip("An RFC 3161 timestamp authority (http:// or https://); each "
                            "signature then asks it for a timestamp over the network.")
        form.addRow("&Timestamp authority (RFC 3161):", self.tsa)
        layout.addLayout(form)
        layout.addWidget(hint(PDFA_NOTE))
        self.model = RecordTableModel(_columns(), self)
        self.table = read_only_table(self.model, "Bates preview")
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table, 1)
        treat = QHBoxLayout()
        self.treatment = QComboBox()
        self.treatment.setAccessibleName("Treatment of the selected exhibit")
        self.treatment.addItem("Produce", PRODUCE)
        self.treatment.addItem("Leave out", LEAVE_OUT)
        for key, label in WITHHOLD_REASONS.items():
            self.treatment.addItem(f"Withhold: {label}", key)
        for key, label in WITHHOLD_REASONS.items():
            self.treatment.addItem(f"Produce redacted (text): {label}", REDACT + key)
        apply = QPushButton("&Apply to selected")
        apply.clicked.connect(self.apply_treatment)
        treat.addWidget(QLabel("Selected exhibit:"))
        treat.addWidget(self.treatment, 1)
        treat.addWidget(apply)
        layout.addLayout(treat)
        self.summary = QLabel()
        layout.addWidget(self.summary)
        self.produce_button = self.add_buttons(layout, "P&roduce")
        self.prefix.editingFinished.connect(self.refresh_preview)
        self.resize(900, 640)
        self.refresh_preview()
        self.folder.setFocus()

    def _browse(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Production folder")
        if chosen:
            self.folder.setText(chosen)

    def options(self, *, signer: SigningIdentity | None = None) -> ProduceOptions:
        """The ProduceOptions the form describes."""
        from caseapp.services.casefile.produce import ProduceOptions, Redact, Withhold

        exhibits = tuple(e for e, c in self.choices.items()
                         if c == PRODUCE or c.startswith(REDACT))
        redact = tuple(Redact(e, c[len(REDACT):]) for e, c in self.choices.items()
                       if c.startswith(REDACT))
        withhold = tuple(Withhold(e, c) for e, c in self.choices.items()
                         if c not in (PRODUCE, LEAVE_OUT) and not c.startswith(REDACT))
        return ProduceOptions(prefix=self.prefix.text().strip() or None,
                              volume=self.volume.text().strip() or None,
                              exhibits=exhibits if self.choices else None, withhold=withhold,
                              redact=redact,
                              endorsement=self.endorse.text().strip(), signer=signer,
                              case_file=self.case_file.isChecked())

    def refresh_preview(self) -> None:
        """Recompute the Bates ranges from the current choices."""
        from caseapp.services.casefile.produce_preview import preview_production
        from caseapp.services.errors import CaseappError

        self.error.clear_error()
        try:
            sel, rows = preview_production(self.ctx.ws, self.case_ref, self.options())
        except CaseappError as exc:
            self.error.show_error(str(exc))
            return
        if not self.choices:  # first look: what --all would produce
            self.choices = {r.exhibit: PRODUCE if r.treatment not in ("withdrawn",)
                            else LEAVE_OUT for r in rows}
        self.model.set_records(rows)
        self.table.resizeColumnsToContents()
        produced = [r for r in rows if r.pages]
        span = (f"{produced[0].bates_first} to {produced[-1].bates_last}" if produced
                else "nothing")
        self.volume.setPlaceholderText(sel.volume)
        self.summary.setText(f"Production {sel.number} of {self.case_ref}: {len(produced)} "
                             f"documents, {span}; "
                             f"{sum(1 for r in rows if r.treatment == 'withheld')} withheld.")

    def apply_treatment(self) -> None:
        """Set the selected exhibit's treatment from the combo box."""
        index = self.table.currentIndex()
        if not index.isValid():
            return
        exhibit = self.model.record(index.row()).exhibit
        choice = self.treatment.currentData()
        if choice == PRODUCE:  # produced exhibits keep their order; a newcomer goes last
            self.choices.pop(exhibit, None)
        self.choices[exhibit] = choice
        self.refresh_preview()

    def begin(self) -> TaskHandle | None:
        """Validate, then run the production in the background."""
        folder = self.folder.text().strip()
        if not folder:
            return self.refuse(self.folder, "Choose a new or empty folder for the production.")
        sign, cert = self.sign.isChecked(), self.cert.text().strip()
        password = self.cert_password.text() or None
        tsa = self.tsa.text().strip()
        if tsa and not (sign or cert):
            return self.refuse(self.tsa, "A timestamp goes with a signature: tick Sign, or "
                               "clear the timestamp authority.")
        if tsa and not tsa.startswith(("http://", "https://")):
            return self.refuse(self.tsa, "A timestamp authority is an http:// or https:// URL.")
        options = self.options()
        log_event("produce.started", case=self.case_ref)
        ws, ref = self.ctx.ws, self.case_ref

        def work(control: TaskControl) -> ProductionResult:
            from dataclasses import replace

            from caseapp.services.casefile import produce, signing

            signer = None
            if cert:
                signer = signing.load_p12(Path(os.path.expanduser(cert)), password)
            elif sign:
                signer = signing.self_signed(ws)
            if signer is not None and tsa:
                signer = signing.with_tsa(signer, tsa)
            return produce.produce(ws, ref, Path(folder), replace(options, signer=signer),
                                   progress=control.progress, cancel=control.cancelled)

        handle = self.run_task(f"Producing {ref}", work)
        if self.progress is not None:
            self.progress.setLabelText("Preparing the production…")
        return handle

    def finish(self, result: ProductionResult) -> None:
        log_event("produce.done", case=self.case_ref, pages=result.pages)
        self.ctx.notify_changed(self.case_ref)
        span = (f"{result.bates_first} to {result.bates_last}" if result.bates_first
                else "no documents")
        self.ctx.show_message(f"Production {result.number} of {self.case_ref}: {span}.")
        self.accept()

    def on_cancelled(self) -> None:
        log_event("produce.cancelled", case=self.case_ref)
        super().on_cancelled()


def open_produce_dialog(ctx: AppContext, case_ref: str, parent: QWidget) -> ProduceDialog:
    """Case action: show the Produce dialog of ``case_ref`` (the one open, if any)."""
    for existing in parent.findChildren(ProduceDialog):
        if existing.case_ref == case_ref and existing.isVisible():
            existing.raise_()
            return existing
    dialog = ProduceDialog(ctx, case_ref, parent)
    dialog.show()
    return dialog
