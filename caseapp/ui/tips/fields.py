"""Input widgets of the tip editor: Admiralty grade combos, a time with its zone, the tipster.

The tipster box never holds an identity it was not given by an explicit Reveal: a tip's
masked view has no name or contact, and the box shows placeholders until
:meth:`TipsterBox.show_identity` is called with what ``reveal_tipster`` returned.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDateTime, Qt, QTimeZone, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateTimeEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from caseapp.ui.widgets.common import ErrorLabel, to_qdatetime

if TYPE_CHECKING:
    from caseapp.services.tips.tips import TipsterIdentity
    from caseapp.services.tips.views import TipView


MASK = "●●●●●●  hidden — Reveal to see it (recorded in the audit log)"


class GradeCombo(QComboBox):
    """One half of an Admiralty grade: "Not graded" or a letter/digit with its meaning."""

    def __init__(self, grades: dict[str, str], what: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(what)
        self.addItem(f"Not graded ({what.lower()})", None)
        for key, meaning in grades.items():
            self.addItem(f"{key} — {meaning}", key)
            self.setItemData(self.count() - 1, f"{what} {key}: {meaning}",
                             Qt.ItemDataRole.ToolTipRole)
        self.setToolTip(f"{what}: " + "; ".join(f"{k} {v}" for k, v in grades.items()))

    def value(self) -> str | None:
        return self.currentData()

    def set_value(self, value: str | None) -> None:
        self.setCurrentIndex(max(0, self.findData(value)) if value else 0)


def _zone_ids() -> list[str]:
    return [bytes(z.data()).decode("ascii") for z in QTimeZone.availableTimeZoneIds()]


class ZonedDateTimeEdit(QWidget):
    """A date and time plus the zone it was given in; :meth:`value` is timezone-aware."""

    changed = Signal()
    LOCAL = "local"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.edit = QDateTimeEdit(calendarPopup=True)
        self.edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.edit.setAccessibleName("Received date and time")
        self.zone = QComboBox()
        self.zone.setAccessibleName("Time zone")
        self.zone.setEditable(True)
        self.zone.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        system = bytes(QTimeZone.systemTimeZoneId().data()).decode("ascii", "replace")
        self.zone.addItem(f"Local time ({system})", self.LOCAL)
        self.zone.addItem("UTC", "UTC")
        for zone_id in _zone_ids():
            if zone_id != "UTC":
                self.zone.addItem(zone_id, zone_id)
        completer = QCompleter(self.zone.model(), self.zone)
        completer.setFilterMode(completer.filterMode().MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.zone.setCompleter(completer)
        self.zone.setMinimumContentsLength(18)
        layout.addWidget(self.edit)
        layout.addWidget(self.zone, 1)
        self.edit.dateTimeChanged.connect(lambda _d: self.changed.emit())
        self.zone.currentIndexChanged.connect(lambda _i: self.changed.emit())

    def _qzone(self) -> QTimeZone:
        data = self.zone.currentData()
        if data == self.LOCAL or data is None:
            return QTimeZone.systemTimeZone()
        return QTimeZone(str(data).encode("ascii"))

    def set_zone(self, zone_id: str) -> bool:
        """Choose a zone by IANA id ("UTC", "Asia/Seoul") or :attr:`LOCAL`."""
        index = self.zone.findData(zone_id)
        if index >= 0:
            self.zone.setCurrentIndex(index)
        return index >= 0

    def value(self) -> datetime:
        """The moment shown, as an aware datetime with the zone's offset at that moment."""
        shown = self.edit.dateTime()
        moment = QDateTime(shown.date(), shown.time(), self._qzone())
        offset = timedelta(seconds=moment.offsetFromUtc())
        return datetime.fromtimestamp(moment.toSecsSinceEpoch(), tz=timezone(offset))

    def set_value(self, moment: datetime) -> None:
        """Show ``moment`` in the machine's local time."""
        local = moment.astimezone()
        self.set_zone(self.LOCAL)
        self.edit.setDateTime(to_qdatetime(local.replace(tzinfo=None, microsecond=0)))


class DueEdit(QWidget):
    """An optional follow-up date (local time)."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.enabled = QCheckBox("Follow up by")
        self.edit = QDateTimeEdit(calendarPopup=True)
        self.edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.edit.setAccessibleName("Follow-up due (local time)")
        layout.addWidget(self.enabled)
        layout.addWidget(self.edit, 1)
        self.enabled.toggled.connect(self._toggled)
        self.edit.dateTimeChanged.connect(lambda _d: self.changed.emit())
        self.set_value(None)

    def _toggled(self, on: bool) -> None:
        self.edit.setEnabled(on)
        self.changed.emit()

    def set_value(self, moment: datetime | None) -> None:
        self.enabled.setChecked(moment is not None)
        self.edit.setEnabled(moment is not None)
        if moment is None:
            week = (datetime.now() + timedelta(days=7)).replace(hour=17, minute=0, second=0,
                                                                microsecond=0)
            self.edit.setDateTime(to_qdatetime(week))
        else:
            self.edit.setDateTime(to_qdatetime(moment.astimezone().replace(tzinfo=None,
                                                                        microsecond=0)))

    def value(self) -> datetime | None:
        if not self.enabled.isChecked():
            return None
        naive = self.edit.dateTime().toPython()
        assert isinstance(naive, datetime)
        return naive.astimezone()


class TipsterBox(QWidget):
    """Anonymous, or the tipster's name, contact and relationship, masked until revealed."""

    changed = Signal()
    reveal_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        self.anonymous = QCheckBox("Anon&ymous tip (no identity is recorded)")
        form.addRow(self.anonymous)
        self.name = QLineEdit()
        self.name.setAccessibleName("Tipster name")
        self.contact = QLineEdit()
        self.contact.setAccessibleName("Tipster contact")
        self.relationship = QLineEdit()
        self.relationship.setAccessibleName("Relationship to the subject")
        for edit in (self.name, self.contact, self.relationship):
            edit.setMinimumWidth(460)
        self.reveal_button = QPushButton("Reveal &identity")
        self.reveal_button.setToolTip("Show the tipster's identity; the reveal is recorded in "
                                      "the audit log")
        form.addRow("Tipster name:", self.name)
        form.addRow("Tipster contact:", self.contact)
        form.addRow("Relationship to subject:", self.relationship)
        reveal_row = QHBoxLayout()
        reveal_row.addWidget(self.reveal_button)
        reveal_note = QLabel("Each reveal is recorded in the audit log.")
        reveal_note.setEnabled(False)
        reveal_row.addWidget(reveal_note, 1)
        self._reveal_row = QWidget()
        self._reveal_row.setLayout(reveal_row)
        reveal_row.setContentsMargins(0, 0, 0, 0)
        form.addRow("", self._reveal_row)
        self.warning = ErrorLabel()
        form.addRow(self.warning)
        self._form = form
        self.masked = False
        self.had_identity = False
        self.was_anonymous = False
        self._loaded: tuple[str, str, str] = ("", "", "")
        self._loading = False
        self.anonymous.toggled.connect(self._anonymous_toggled)
        self.reveal_button.clicked.connect(self._reveal_clicked)
        for edit in self.fields():
            edit.textEdited.connect(lambda _t: self.changed.emit())

    def fields(self) -> tuple[QLineEdit, QLineEdit, QLineEdit]:
        return (self.name, self.contact, self.relationship)

    # -- states ------------------------------------------------------------------------------
    def clear_for_new(self) -> None:
        """Editable empty identity (a new tip)."""
        self._loading = True
        self.was_anonymous = self.had_identity = False
        self.anonymous.setChecked(False)
        self._set_masked(False, editable=True)
        self._loaded = ("", "", "")
        self._loading = False
        self._sync()

    def load(self, tip: TipView) -> None:
        """Show a saved tip's (masked) tipster state."""
        self._loading = True
        self.was_anonymous = bool(tip.anonymous)
        self.had_identity = bool(tip.has_identity)
        self.anonymous.setChecked(self.was_anonymous)
        self._loaded = ("", "", "")
        self._set_masked(self.had_identity, editable=not self.had_identity)
        self._loading = False
        self._sync()

    def show_identity(self, identity: TipsterIdentity) -> None:
        """Fill the fields with a revealed identity (editable from then on)."""
        self._loaded = (identity.name or "", identity.contact or "", identity.relationship or "")
        self._set_masked(False, editable=True)
        for edit, value in zip(self.fields(), self._loaded, strict=True):
            edit.setText(value)
            edit.setCursorPosition(0)
        self._sync()

    def hide_identity(self) -> None:
        """Mask again (unsaved identity edits are dropped)."""
        self._loaded = ("", "", "")
        self._set_masked(True, editable=False)
        self._sync()

    def _set_masked(self, masked: bool, *, editable: bool) -> None:
        self.masked = masked
        for edit in self.fields():
            edit.clear()
            edit.setReadOnly(not editable)
            edit.setPlaceholderText(MASK if masked else "")
            edit.setToolTip("Hidden to protect the tipster" if masked else "")

    def _reveal_clicked(self) -> None:
        if self.masked:
            self.reveal_requested.emit()
        else:
            self.hide_identity()

    def _anonymous_toggled(self, on: bool) -> None:
        if not on and self.had_identity and not self._loading:
            self.hide_identity()  # back to the saved identity, masked
        self._sync()
        if not self._loading:
            self.changed.emit()

    def _sync(self) -> None:
        anonymous = self.anonymous.isChecked()
        for edit in self.fields():
            self._form.setRowVisible(edit, not anonymous)
        revealable = self.had_identity and not anonymous
        self._form.setRowVisible(self._reveal_row, revealable)
        self.reveal_button.setText("Reveal &identity" if self.masked else "H&ide identity")
        if anonymous and self.had_identity:
            self.warning.show_error("Saving makes this tip anonymous and erases the tipster's "
                                    "identity from it.")
        else:
            self.warning.clear_error()
        if anonymous:
            for edit in self.fields():
                edit.clear()

    # -- values ------------------------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        """Identity keywords for ``create_tip`` (a new tip)."""
        if self.anonymous.isChecked():
            return {"anonymous": True, "tipster_name": None, "tipster_contact": None,
                    "relationship": ""}
        return {"anonymous": False, "tipster_name": self.name.text() or None,
                "tipster_contact": self.contact.text() or None,
                "relationship": self.relationship.text()}

    def changes(self) -> dict[str, Any] | None:
        """Keywords for ``set_tipster`` when the user changed the identity, else None."""
        anonymous = self.anonymous.isChecked()
        if anonymous:
            return None if self.was_anonymous else {"anonymous": True}
        if self.masked:
            return None  # not revealed, so not edited
        current = tuple(e.text() for e in self.fields())
        if not self.was_anonymous and current == self._loaded:
            return None
        return {"anonymous": False, "name": current[0] or None, "contact": current[1] or None,
                "relationship": current[2] or None}
