"""The base of the tip editor's panels about the loaded tip (attachments, linked cases)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from caseapp.services.tips.views import TipView
    from caseapp.ui.context import AppContext


class TipPanel(QWidget):
    """A panel showing part of the loaded tip (``tip`` None: a new tip, not saved yet);
    ``changed`` carries the ref of a tip the panel changed."""

    changed = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.tip: TipView | None = None

    def set_tip(self, tip: TipView | None) -> None:
        """Show ``tip``'s part (the editor loaded, saved or cleared a tip)."""
        raise NotImplementedError(f"{type(self).__name__}.set_tip")
