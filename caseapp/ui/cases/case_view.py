"""One open case: a header (ref, title, status, priority, tags) over the case tabs."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from caseapp.domain.enums import CaseStatus, Priority
from caseapp.ui.cases.dialogs import split_tags
from caseapp.ui.context import AppContext
from caseapp.ui.errors import log_event
from caseapp.ui.features import CaseTabSpec
from caseapp.ui.widgets.common import ErrorLabel
from caseapp.ui.widgets.panes import CaseTab, FailedTab

if TYPE_CHECKING:
    from caseapp.domain.models import Case
    from caseapp.ui.widgets.conflict_dialog import ConflictDialog


T = TypeVar("T", bound=CaseTab)


class CaseHeader(QWidget):
    """Editable header of a case; each change is saved at once through the services."""

    changed = Signal()

    def __init__(self, ctx: AppContext, case_ref: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.case_ref = case_ref
        self._loading = False
        grid = QGridLayout(self)
        grid.setContentsMargins(8, 8, 8, 4)
        self.ref_label = QLabel(case_ref)
        font = QFont(self.ref_label.font())
        font.setBold(True)
        font.setPointSize(font.pointSize() + 3)
        self.ref_label.setFont(font)
        self.ref_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.title_edit = QLineEdit()
        self.title_edit.setFont(font)
        self.title_edit.setAccessibleName("Case title")
        self.status = QComboBox()
        self.status.setAccessibleName("Status")
        self.priority = QComboBox()
        self.priority.setAccessibleName("Priority")
        for prio in Priority:
            self.priority.addItem(prio.title, prio.value)
        self.tags = QLineEdit(placeholderText="tags, comma-separated")
        self.tags.setAccessibleName("Tags")
        self.error = ErrorLabel()
        grid.addWidget(self.ref_label, 0, 0)
        grid.addWidget(self.title_edit, 0, 1, 1, 5)
        status_label = QLabel("&Status:")
        status_label.setBuddy(self.status)
        priority_label = QLabel("&Priority:")
        priority_label.setBuddy(self.priority)
        tags_label = QLabel("Ta&gs:")
        tags_label.setBuddy(self.tags)
        grid.addWidget(status_label, 1, 0)
        grid.addWidget(self.status, 1, 1)
        grid.addWidget(priority_label, 1, 2)
        grid.addWidget(self.priority, 1, 3)
        grid.addWidget(tags_label, 1, 4)
        grid.addWidget(self.tags, 1, 5)
        grid.addWidget(self.error, 2, 0, 1, 6)
        grid.setColumnStretch(5, 1)
        self.title_edit.editingFinished.connect(self._save_title)
        self.tags.editingFinished.connect(self._save_tags)
        self.status.activated.connect(self._save_status)
        self.priority.activated.connect(self._save_priority)
        self.case: Case | None = None
        self.conflict: ConflictDialog | None = None
        # (text, case version) each line edit was last filled with: what a save started from
        self._title_base: tuple[str, int] = ("", 1)
        self._tags_base: tuple[str, int] = ("", 1)

    def load(self) -> None:
        """Read the case and fill the header."""
        from caseapp.domain.text import load_list
        from caseapp.services.cases import cases

        self.case = case = cases.get_case(self.ctx.ws, self.case_ref)
        self._loading = True
        try:
            # A line the user is typing in keeps their text (and the version it started
            # from, so its save still conflicts with a colleague's change of that field).
            if not self.title_edit.isModified():
                self.title_edit.setText(case.title)
                self.title_edit.setCursorPosition(0)
                self._title_base = (case.title, case.version)
            self.status.clear()
            current = CaseStatus.parse(case.status)
            self.status.addItem(current.title, current.value)
            for target in cases.allowed_statuses(case):
                self.status.addItem(f"→ {target.title}", target.value)
            self.status.setCurrentIndex(0)
            self.priority.setCurrentIndex(max(0, self.priority.findData(case.priority)))
            if not self.tags.isModified():
                tags = ", ".join(load_list(case.tags))
                self.tags.setText(tags)
                self._tags_base = (tags, case.version)
        finally:
            self._loading = False

    def _apply(self, what: str, fn: Callable[[int | None], object],
               loaded: str | None = None, version: int | None = None) -> None:
        """Save one field with ``fn(expected version)``; ``loaded``: its text as loaded.

        If the case was saved since but not this field, save again at the new version
        (nothing of theirs is lost); if this field too, open the conflict dialog."""
        from caseapp.services.cases.cases import CASE_FIELDS
        from caseapp.services.errors import EditConflict
        from caseapp.ui.widgets.conflict_dialog import only_other_fields, settle_conflict

        if self._loading or self.case is None:
            return
        try:
            fn(self.case.version if version is None else version)
        except EditConflict as exc:
            field = CASE_FIELDS.get(what, what.capitalize())
            if loaded is not None and only_other_fields(exc, {field: loaded}):
                self._apply(what, fn, loaded, exc.theirs.version)
                return
            self.conflict = settle_conflict(self.ctx, self, exc, save_mine=fn,
                                            done=lambda _choice: self._reloaded(what))
            return
        except Exception as exc:  # noqa: BLE001 - shown inline; header reloads below
            self.error.show_error(self.ctx.report_error(exc, what))
            self.load()
            return
        self._reloaded(what)

    def _reloaded(self, what: str) -> None:
        self.error.clear_error()
        log_event("case.edited", case=self.case_ref, field=what)
        self.load()
        self.changed.emit()

    def _save_title(self) -> None:
        from caseapp.services.cases import cases

        title = self.title_edit.text()
        self.title_edit.setModified(False)
        base, version = self._title_base
        if self.case is None or title.strip() == self.case.title:
            return
        if title.strip() == base:  # typed back to where it started: show the stored title
            self.load()
            return
        self._apply("title", lambda v: cases.update_case(
            self.ctx.ws, self.case_ref, title=title, expected_version=v), base, version)

    def _save_tags(self) -> None:
        from caseapp.domain.text import load_list
        from caseapp.services.cases import cases

        tags = split_tags(self.tags.text())
        self.tags.setModified(False)
        base, version = self._tags_base
        if self.case is None or tags == load_list(self.case.tags):
            return
        if tags == split_tags(base):  # typed back to where it started: show the stored tags
            self.load()
            return
        self._apply("tags", lambda v: cases.update_case(
            self.ctx.ws, self.case_ref, tags=tags, expected_version=v), base, version)

    def _save_status(self, index: int) -> None:
        from caseapp.services.cases import cases

        if index > 0:
            target = self.status.itemData(index)
            self._apply("status", lambda v: cases.set_status(
                self.ctx.ws, self.case_ref, target, expected_version=v),
                self.case.status if self.case else None)

    def _save_priority(self, _index: int) -> None:
        from caseapp.services.cases import cases

        value = self.priority.currentData()
        if self.case is not None and value != self.case.priority:
            self._apply("priority", lambda v: cases.update_case(
                self.ctx.ws, self.case_ref, priority=value, expected_version=v),
                self.case.priority)


class CaseView(QWidget):
    """Header plus one tab per listed case tab; tabs refresh lazily when shown."""

    def __init__(self, ctx: AppContext, case_ref: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.case_ref = case_ref
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.header = CaseHeader(ctx, case_ref)
        layout.addWidget(self.header)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        layout.addWidget(self.tabs, 1)
        self._keys: list[str] = []
        self._widgets: list[CaseTab] = []
        self._stale: set[str] = set()
        for spec in ctx.features.case_tabs:
            widget = self._build(spec)
            self.tabs.addTab(widget, spec.title)
            self._keys.append(spec.key)
            self._widgets.append(widget)
            self._stale.add(spec.key)
        self.header.changed.connect(lambda: ctx.notify_changed(case_ref))
        self.tabs.currentChanged.connect(lambda _i: self._refresh_current())
        self.header.load()
        self._refresh_current()

    def _build(self, spec: CaseTabSpec) -> CaseTab:
        try:
            return spec.factory(self.ctx, self.case_ref)
        except Exception as exc:  # noqa: BLE001 - one broken tab must not break the case
            self.ctx.report_error(exc, f"{spec.title} tab")
            return FailedTab(self.ctx, self.case_ref, spec.title)

    @property
    def title(self) -> str:
        """The case title as last loaded."""
        return self.header.case.title if self.header.case is not None else self.case_ref

    @property
    def keys(self) -> list[str]:
        """The tab keys, in tab order."""
        return list(self._keys)

    def tab(self, key: str) -> CaseTab:
        """The tab listed as ``key``; raises KeyError when there is none."""
        if key not in self._keys:
            raise KeyError(key)
        return self._widgets[self._keys.index(key)]

    def show_tab(self, key: str) -> CaseTab:
        """Bring the tab ``key`` to the front and return it."""
        tab = self.tab(key)
        self.tabs.setCurrentWidget(tab)
        return tab

    def show_tab_of(self, cls: type[T]) -> T:
        """Bring the tab of class ``cls`` to the front and return it."""
        for widget in self._widgets:
            if isinstance(widget, cls):
                self.tabs.setCurrentWidget(widget)
                return widget
        raise KeyError(cls.__name__)

    @property
    def current_key(self) -> str:
        return self._keys[self.tabs.currentIndex()] if self._keys else ""

    def refresh(self) -> None:
        """Reload the header and the visible tab; the others reload when shown."""
        self.header.load()
        self._stale = set(self._keys)
        self._refresh_current()

    def _refresh_current(self) -> None:
        key = self.current_key
        if not key or key not in self._stale:
            return
        self._stale.discard(key)
        try:
            self.tab(key).refresh()
        except Exception as exc:  # noqa: BLE001 - shown; the rest of the app keeps going
            self.ctx.report_error(exc, "Loading the tab")
