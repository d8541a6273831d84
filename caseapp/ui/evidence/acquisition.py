"""Acquisition details (by, from, method) recorded with the next files added as exhibits."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QWidget

if TYPE_CHECKING:
    from caseapp.services.evidence.evidence import Acquisition



class AcquisitionFields(QWidget):
    """A compact row of the chain-of-custody facts the investigator states on ingest.

    The values stay filled between batches (several files often come from one source).
    """

    def __init__(self, default_by: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.acquired_by = QLineEdit(default_by)
        self.acquired_from = QLineEdit()
        self.acquired_from.setPlaceholderText("e.g. HR system export, IT security, the tipster")
        self.method = QLineEdit()
        self.method.setPlaceholderText("e.g. export from source system, screenshot, e-mail")
        for label, edit in (("Acquired b&y:", self.acquired_by),
                            ("F&rom:", self.acquired_from), ("&Method:", self.method)):
            caption = QLabel(label)
            caption.setBuddy(edit)
            row.addWidget(caption)
            row.addWidget(edit, 1)
        self.setToolTip("Recorded in the chain of custody of the next files you add or drop")

    def acquisition(self) -> Acquisition:
        """The services' Acquisition for the next ingest."""
        from caseapp.services.evidence.evidence import Acquisition

        return Acquisition(acquired_by=self.acquired_by.text(),
                           acquired_from=self.acquired_from.text(), method=self.method.text())
