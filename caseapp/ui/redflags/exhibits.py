"""The exhibit picker of the Red flags panel: the case's exhibits, ticked when linked."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QFont

from caseapp.ui.widgets.records import Index, plain_tooltip

if TYPE_CHECKING:
    from caseapp.domain.models import Evidence

_DISPLAY = Qt.ItemDataRole.DisplayRole


class ExhibitLinkModel(QAbstractListModel):
    """The case's exhibits with a check box each: checked = linked to the current item."""

    #: A check box was toggled: (exhibit label, linked).
    toggled = Signal(str, bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.exhibits: list[Evidence] = []
        self.linked: set[str] = set()
        self.enabled = False

    def set_exhibits(self, exhibits: Sequence[Evidence]) -> None:
        """Replace the list (records from ``services.evidence.list_evidence``)."""
        self.beginResetModel()
        self.exhibits = list(exhibits)
        self.endResetModel()

    def set_linked(self, linked: Sequence[str], enabled: bool = True) -> None:
        """Tick the exhibits linked to the current item."""
        self.linked = set(linked)
        self.enabled = enabled
        if self.exhibits:
            self.dataChanged.emit(self.index(0), self.index(len(self.exhibits) - 1))

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.exhibits)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        ev = self.exhibits[index.row()]
        usable = self.enabled and (ev.withdrawn_at is None or ev.exhibit in self.linked)
        flags = Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsUserCheckable
        return flags | Qt.ItemFlag.ItemIsEnabled if usable else flags

    def data(self, index: Index, role: int = _DISPLAY) -> object:
        if not index.isValid():
            return None
        ev = self.exhibits[index.row()]
        if role == _DISPLAY:
            gone = " (withdrawn)" if ev.withdrawn_at is not None else ""
            return f"{ev.exhibit}  {ev.title}{gone}"
        if role == Qt.ItemDataRole.CheckStateRole:
            return (Qt.CheckState.Checked if ev.exhibit in self.linked
                    else Qt.CheckState.Unchecked)
        if role == Qt.ItemDataRole.FontRole and ev.exhibit in self.linked:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            if ev.withdrawn_at is not None:
                return f"{ev.exhibit} was withdrawn; it can be unlinked but not linked."
            return plain_tooltip(f"{ev.original_name} — Space toggles the link")
        return None

    def setData(self, index: Index, value: object,  # noqa: N802
                role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.CheckStateRole:
            return False
        checked = value in (Qt.CheckState.Checked, Qt.CheckState.Checked.value)
        ev = self.exhibits[index.row()]
        if checked != (ev.exhibit in self.linked):
            self.toggled.emit(ev.exhibit, checked)
        return True
