"""The Cases page: the filterable case list and the open cases, each in its own tab."""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from caseapp.ui.cases.case_list import CaseListPanel, CaseTable
from caseapp.ui.cases.case_view import CaseView
from caseapp.ui.cases.dialogs import NewCaseDialog
from caseapp.ui.context import AppContext
from caseapp.ui.errors import log_event
from caseapp.ui.widgets.panes import Page

__all__ = ["CaseListPanel", "CaseTable", "CasesPage"]


class CasesPage(Page):
    """The case list plus a closable tab per open case."""

    current_case_changed = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.tabs = QTabWidget()
        self.tabs.setTabsClosable(True)
        self.tabs.setMovable(True)
        self.list = CaseListPanel(ctx)
        self.tabs.addTab(self.list, "All cases")
        self.tabs.tabBar().setTabButton(0, self.tabs.tabBar().ButtonPosition.RightSide, None)
        layout.addWidget(self.tabs)
        self.list.open_case.connect(self.open_case)
        self.list.new_button.clicked.connect(self.new_case)
        self.tabs.tabCloseRequested.connect(self.close_tab)
        self.tabs.currentChanged.connect(self._current_changed)
        self._stale_refs: set[str] = set()
        self._changed_refs: set[str] | None = set()  # None: any case may have changed
        self._reload_timer = QTimer(self, singleShot=True, interval=0)
        self._reload_timer.timeout.connect(self._apply_changes)
        ctx.data_changed.connect(self._data_changed)
        self.new_case_dialog: NewCaseDialog | None = None
        self.list.reload()

    # -- case tabs ---------------------------------------------------------------------------
    def views(self) -> list[CaseView]:
        """Every open case view, in tab order."""
        return [w for i in range(self.tabs.count())
                if isinstance(w := self.tabs.widget(i), CaseView)]

    def open_case(self, ref: str) -> CaseView:
        """Show the case ``ref``, opening a tab for it if needed."""
        for view in self.views():
            if view.case_ref == ref:
                self.tabs.setCurrentWidget(view)
                return view
        view = CaseView(self.ctx, ref)
        index = self.tabs.addTab(view, ref)
        self.tabs.setTabToolTip(index, view.title)
        self.tabs.setCurrentIndex(index)
        log_event("case.opened", case=ref)
        return view

    def current_case_view(self) -> CaseView | None:
        widget = self.tabs.currentWidget()
        return widget if isinstance(widget, CaseView) else None

    def close_tab(self, index: int) -> bool:
        """Close a case tab (the list tab stays)."""
        widget = self.tabs.widget(index)
        if not isinstance(widget, CaseView):
            return False
        self.tabs.removeTab(index)
        widget.deleteLater()
        return True

    def close_current(self) -> bool:
        return self.close_tab(self.tabs.currentIndex())

    def _current_changed(self, _index: int) -> None:
        view = self.current_case_view()
        if view is not None and view.case_ref in self._stale_refs:
            self._stale_refs.discard(view.case_ref)
            view.refresh()
        self.current_case_changed.emit(view.case_ref if view else None)

    # -- list --------------------------------------------------------------------------------
    def show_list(self) -> None:
        self.tabs.setCurrentIndex(self.tabs.indexOf(self.list))

    def focus_find(self) -> None:
        self.show_list()
        self.list.focus_find()

    def new_case(self) -> None:
        """Ask for a new case; on success open it."""
        dialog = NewCaseDialog(self)
        self.new_case_dialog = dialog
        dialog.accepted.connect(lambda: self._create(dialog))
        dialog.open()

    def _create(self, dialog: NewCaseDialog) -> None:
        from caseapp.services.cases import cases

        try:
            case = cases.create_case(self.ctx.ws, **dialog.values())  # type: ignore[arg-type]
        except Exception as exc:  # noqa: BLE001 - reopen the dialog with the message inline
            message = self.ctx.report_error(exc, "New case")
            dialog.error.show_error(message)
            dialog.open()
            return
        log_event("case.created", case=case.ref)
        self.ctx.show_message(f"Created {case.ref}.")
        self.ctx.notify_changed(case.ref)
        self.list.reload({case.ref})
        self.open_case(case.ref)

    def refresh(self) -> None:
        """Reload the list and the visible case."""
        self.list.reload()
        view = self.current_case_view()
        if view is not None:
            view.refresh()
        self._stale_refs = {v.case_ref for v in self.views() if v is not view}

    def _data_changed(self, ref: str) -> None:
        self._stale_refs |= ({ref} if ref else {v.case_ref for v in self.views()})
        if self._changed_refs is not None:
            self._changed_refs = self._changed_refs | {ref} if ref else None
        self._reload_timer.start()

    def _apply_changes(self) -> None:
        changed, self._changed_refs = self._changed_refs, set()
        self.list.reload(changed)
        view = self.current_case_view()
        if view is not None and view.case_ref in self._stale_refs:
            self._stale_refs.discard(view.case_ref)
            view.refresh()
        for v in self.views():
            index = self.tabs.indexOf(v)
            self.tabs.setTabToolTip(index, v.title)
