"""The tip editor: every field of a tip, new or saved, saved with one Save.

Field edits, the tipster's identity, identifiers to add or remove and a status change are
applied by :meth:`TipEditor.save`. Linking, attachments and duplicate decisions act at once
(they live in :mod:`caseapp.ui.tips.panels`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from caseapp.domain import tips as rules
from caseapp.domain.enums import TipChannel, TipStatus
from caseapp.ui import theme
from caseapp.ui.context import AppContext
from caseapp.ui.errors import log_event
from caseapp.ui.formatting import label, local_time
from caseapp.ui.tips.attachments import AttachmentsPanel
from caseapp.ui.tips.details import TipDetails, labelled
from caseapp.ui.tips.fields import TipsterBox
from caseapp.ui.tips.identifiers import IdentifiersPanel
from caseapp.ui.tips.models import channel_label
from caseapp.ui.tips.panels import CasesPanel, DuplicatesPanel
from caseapp.ui.widgets.common import Banner, ErrorLabel

if TYPE_CHECKING:
    from caseapp.services.errors import EditConflict
    from caseapp.services.tips.tips import TipSaved
    from caseapp.services.tips.views import TipView
    from caseapp.ui.widgets.conflict_dialog import ConflictDialog


class TipEditor(QWidget):
    """Edit one tip (or a new one); shows likely duplicates after each save."""

    saved = Signal(str)
    changed = Signal(str)
    open_tip = Signal(str)
    dirty_changed = Signal(bool)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.tip: TipView | None = None
        self.conflict: ConflictDialog | None = None
        self.dirty = False
        self._loading = False
        self._initial: dict[str, Any] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 0, 0, 0)
        head = QHBoxLayout()
        self.heading = QLabel()
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        font = self.heading.font()
        font.setBold(True)
        font.setPointSize(font.pointSize() + 2)
        self.heading.setFont(font)
        self.status = QComboBox()
        self.status.setAccessibleName("Status")
        self.status.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.save_button = QPushButton("&Save tip")
        self.save_button.setToolTip("Save the tip (Ctrl+S)")
        self.discard_button = QPushButton("Disc&ard changes")
        self.dups_button = QPushButton("Find du&plicates")
        self.dups_button.setToolTip("Look for likely duplicates of this tip (Ctrl+D)")
        head.addWidget(self.heading, 1)
        head.addWidget(labelled("Stat&us:", self.status))
        head.addWidget(self.status)
        for button in (self.save_button, self.discard_button, self.dups_button):
            head.addWidget(button)
        layout.addLayout(head)
        sub = QHBoxLayout()
        self.subheading = QLabel()
        self.subheading.setTextFormat(Qt.TextFormat.PlainText)
        self.subheading.setWordWrap(True)
        self.overdue = QLabel("⚠ Follow-up overdue")
        self.overdue.setTextFormat(Qt.TextFormat.PlainText)
        sub.addWidget(self.subheading, 1)
        sub.addWidget(self.overdue)
        layout.addLayout(sub)
        self.error = ErrorLabel()
        layout.addWidget(self.error)
        self.banner = Banner()
        layout.addWidget(self.banner)
        self.duplicates = DuplicatesPanel(ctx)
        layout.addWidget(self.duplicates)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        layout.addWidget(self.tabs, 1)
        self.details = TipDetails()
        d = self.details
        self.received, self.channel, self.programme, self.reference = (
            d.received, d.channel, d.programme, d.reference)
        self.reliability, self.credibility, self.grade, self.due, self.reward = (
            d.reliability, d.credibility, d.grade, d.due, d.reward)
        self.assignee_note, self.content = d.assignee_note, d.content
        self.tipster = TipsterBox()
        self.identifiers = IdentifiersPanel()
        self.attachments = AttachmentsPanel(ctx)
        self.cases = CasesPanel(ctx)
        for widget, title in ((self.details, "Detai&ls"), (self.tipster, "Tipste&r"),
                              (self.identifiers, "I&dentifiers"),
                              (self.attachments, "Attach&ments"),
                              (self.cases, "Lin&ked cases")):
            self.tabs.addTab(widget, title)
        self._suggest_timer = QTimer(self, singleShot=True, interval=300)
        self._suggest_timer.timeout.connect(
            lambda: self.identifiers.suggest_from(self.content.toPlainText()))
        self._connect()
        self.new_tip()

    def _connect(self) -> None:
        for signal in (self.received.changed, self.channel.currentIndexChanged,
                       self.programme.textEdited, self.reference.textEdited,
                       self.reliability.currentIndexChanged,
                       self.credibility.currentIndexChanged, self.due.changed,
                       self.reward.currentIndexChanged, self.assignee_note.textChanged,
                       self.content.textChanged, self.status.currentIndexChanged,
                       self.tipster.changed, self.identifiers.changed):
            signal.connect(self._mark_dirty)
        self.content.textChanged.connect(lambda: self._suggest_timer.start())
        self.save_button.clicked.connect(self.save)
        self.discard_button.clicked.connect(self.discard)
        self.dups_button.clicked.connect(self.find_duplicates)
        self.tipster.reveal_requested.connect(self.reveal)
        self.duplicates.open_tip.connect(self.open_tip.emit)
        for panel in (self.duplicates, self.cases, self.attachments):
            panel.changed.connect(self._acted)

    # -- loading -----------------------------------------------------------------------------
    @property
    def ref(self) -> str | None:
        """Ref of the tip being edited (None for a new tip)."""
        return self.tip.ref if self.tip is not None else None

    def new_tip(self) -> None:
        """An empty form for a new tip (received now, local time)."""
        from datetime import datetime

        self._fill(None)
        self._loading = True
        self.received.set_value(datetime.now().astimezone())
        self._loading = False
        self._initial = self._snapshot()
        self.content.setFocus()

    def load(self, tip: TipView) -> None:
        """Show a saved tip (identity masked)."""
        self._fill(tip)
        self._initial = self._snapshot()

    def _fill(self, tip: TipView | None) -> None:
        self._loading = True
        try:
            if tip is None or self.duplicates.tip_ref != tip.ref:
                self.duplicates.hide()
            self.tip = tip
            self.error.clear_error()
            self.banner.hide()
            if tip is not None:
                self.received.set_value(tip.received_at)
            self.channel.setCurrentIndex(max(0, self.channel.findData(
                tip.channel if tip else TipChannel.EMAIL.value)))
            self.programme.setText(tip.programme if tip else "")
            self.reference.setText(tip.reference if tip else "")
            self.reliability.set_value(tip.reliability if tip else None)
            self.credibility.set_value(tip.credibility if tip else None)
            self.due.set_value(tip.follow_up_due if tip else None)
            self.reward.setCurrentIndex(max(0, self.reward.findData(
                tip.reward_status if tip else "not-applicable")))
            self.assignee_note.setPlainText(tip.assignee_note if tip else "")
            self.content.setPlainText(tip.content if tip else "")
            if tip is None:
                self.tipster.clear_for_new()
            else:
                self.tipster.load(tip)
            self.identifiers.load(tip)
            self.identifiers.suggest_from(self.content.toPlainText())
            self._fill_status(tip)
            self.attachments.set_tip(tip)
            self.cases.set_tip(tip)
            self.details.show_grade()
            self._titles()
        finally:
            self._loading = False
        self._set_dirty(False)

    def _fill_status(self, tip: TipView | None) -> None:
        self.status.clear()
        if tip is None:
            self.status.addItem("New", TipStatus.NEW.value)
            self.status.setEnabled(False)
            return
        current = TipStatus.parse(tip.status)
        now = label(current.value) + (f" (of {tip.duplicate_of})" if tip.duplicate_of else "")
        self.status.addItem(now, current.value)
        for target in rules.next_statuses(current):
            if target == TipStatus.DUPLICATE:
                continue  # entered with "Mark as duplicate of selected"
            if target == TipStatus.LINKED and not tip.cases:
                continue  # entered by linking the tip to a case
            self.status.addItem(f"→ {label(target.value)}", target.value)
        self.status.setEnabled(self.status.count() > 1)

    def _titles(self) -> None:
        tip = self.tip
        self.heading.setText(tip.ref if tip else "New tip")
        if tip is None:
            self.subheading.setText("Not saved yet. Likely duplicates are looked for when you "
                                    "save.")
        else:
            parts = [f"Received {local_time(tip.received_at)}",
                     f"via {channel_label(tip.channel)}"]
            if tip.grade:
                parts.append(f"graded {tip.grade} ({tip.grade_meaning})")
            self.subheading.setText(" · ".join(parts))
        self.overdue.setVisible(bool(tip is not None and tip.overdue))
        theme.style_with(self.overdue, lambda: f"color: {theme.accent('error').name()}; "
                         "font-weight: 600;")
        idents = len(self.identifiers.saved)
        self.tabs.setTabText(2, f"I&dentifiers ({idents})" if idents else "I&dentifiers")
        n_att = len(tip.attachments) if tip else 0
        self.tabs.setTabText(3, f"Attach&ments ({n_att})" if n_att else "Attach&ments")
        n_cases = len(tip.cases) if tip else 0
        self.tabs.setTabText(4, f"Lin&ked cases ({n_cases})" if n_cases else "Lin&ked cases")
        self.dups_button.setEnabled(tip is not None)

    # -- dirty state -------------------------------------------------------------------------
    def _snapshot(self) -> dict[str, Any]:
        return {"received": self.received.value(), "due": self.due.value(),
                "reliability": self.reliability.value(),
                "credibility": self.credibility.value()}

    def _mark_dirty(self, *_args: object) -> None:
        if not self._loading:
            self._set_dirty(True)

    def _set_dirty(self, dirty: bool) -> None:
        self.dirty = dirty
        self.save_button.setEnabled(dirty or self.tip is None)
        self.discard_button.setEnabled(dirty)
        if dirty != getattr(self, "_last_dirty", None):
            self._last_dirty = dirty
            self.dirty_changed.emit(dirty)

    def discard(self) -> None:
        """Forget unsaved edits (reload the tip, or clear the new-tip form)."""
        if self.tip is None:
            self.new_tip()
        else:
            self.reload_tip()

    def reload_tip(self) -> None:
        """Fetch the tip again and show it (unsaved edits are dropped)."""
        from caseapp.services.tips import tips

        if self.tip is not None:
            self.load(tips.get_tip(self.ctx.ws, self.tip.ref))

    # -- actions -----------------------------------------------------------------------------
    def _field_values(self) -> dict[str, Any]:
        values: dict[str, Any] = {
            "content": self.content.toPlainText(), "channel": self.channel.currentData(),
            "programme": self.programme.text(), "reference": self.reference.text(),
            "assignee_note": self.assignee_note.toPlainText(),
            "reward_status": self.reward.currentData()}
        current = self._snapshot()
        for key, name in (("received", "received_at"), ("due", "follow_up_due"),
                          ("reliability", "reliability"), ("credibility", "credibility")):
            if self.tip is None or current[key] != self._initial.get(key):
                values[name] = current[key]
        return values

    def save(self) -> bool:
        """Create or update the tip; then show its likely duplicates. False on an error.

        An update is checked against the version loaded; if someone saved the tip since,
        the conflict dialog opens and the form keeps every change."""
        return self.save_over(None)

    def save_over(self, expected_version: int | None) -> bool:
        """:meth:`save`, checked against ``expected_version`` (the version a conflict dialog
        showed: "save mine over theirs") instead of the one loaded."""
        from caseapp.services.errors import EditConflict
        if not self.content.toPlainText().strip():
            self.error.show_error("A tip needs its content: what the tipster said.")
            self.tabs.setCurrentWidget(self.details)
            self.content.setFocus()
            return False
        created = self.tip is None
        try:
            saved = self._create() if created else self._update(expected_version)
        except EditConflict as exc:  # the form keeps every change until the user chooses
            self._conflict(exc)
            return False
        except Exception as exc:  # noqa: BLE001 - shown inline; the edits stay in the form
            self.error.show_error(self.ctx.report_error(exc, "Save tip"))
            return False
        self.load(saved.tip)
        self.duplicates.show_candidates(saved.tip.ref, saved.candidates)
        found = len(saved.candidates)
        self.banner.show_text(f"Saved {saved.tip.ref}." + (
            f" {found} likely duplicate{'s' * (found != 1)} found: decide below." if found
            else " No likely duplicates found."), "warn" if found else "ok")
        self.ctx.show_message(f"Saved {saved.tip.ref}.")
        self.saved.emit(saved.tip.ref)
        if created:
            self.ctx.notify_changed("")  # store-wide counts include tips
        for case_ref in saved.tip.cases:
            self.ctx.notify_changed(case_ref)
        return True

    def _create(self) -> TipSaved:
        from caseapp.services.tips import tips

        values = self._field_values()
        saved = tips.create_tip(self.ctx.ws, values.pop("content"), **values,
                                **self.tipster.values(),
                                identifiers=self.identifiers.pending_inputs())
        log_event("tip.created", tip=saved.tip.ref)
        return saved

    def _conflict(self, exc: EditConflict) -> None:
        from caseapp.ui.widgets.conflict_dialog import THEIRS, settle_conflict

        self.error.show_error(str(exc))

        def done(choice: str | None) -> None:
            if choice == THEIRS:
                self.reload_tip()
                self.banner.show_text("Kept the version saved by someone else.", "ok")

        self.conflict = settle_conflict(self.ctx, self, exc, save_mine=self.save_over,
                                        done=done)

    def _update(self, expected_version: int | None = None) -> TipSaved:
        """One transaction for the whole edit: on an error nothing is stored and the form
        keeps every change, so Save can simply be pressed again."""
        from caseapp.services.tips import tips

        assert self.tip is not None  # only a loaded tip is updated
        ref = self.tip.ref
        identity = self.tipster.changes()
        target = self.status.currentData()
        saved = tips.save_tip_edit(
            self.ctx.ws, ref, fields=self._field_values(), identity=identity,
            remove_identifier_ids=sorted(self.identifiers.removed_ids()),
            add_identifiers=self.identifiers.pending_inputs(),
            status=target if target and target != self.tip.status else None,
            expected_version=self.tip.version if expected_version is None else expected_version)
        self._initial = self._snapshot()
        if identity is not None:
            self.tipster.was_anonymous = bool(identity["anonymous"])
        self.identifiers.removed.clear()
        self.identifiers.pending = []
        log_event("tip.saved", tip=ref)
        return saved

    def reveal(self) -> None:
        """Show the tipster's identity; the reveal is recorded in the audit log."""
        from caseapp.services.tips import tips

        if self.tip is None:
            return
        try:
            identity = tips.reveal_tipster(self.ctx.ws, self.tip.ref)
        except Exception as exc:  # noqa: BLE001
            self.error.show_error(self.ctx.report_error(exc, "Reveal"))
            return
        log_event("tip.tipster-revealed", tip=self.tip.ref)
        self._loading = True
        self.tipster.show_identity(identity)
        self._loading = False
        self.tipster.name.setFocus()

    def find_duplicates(self) -> None:
        """Look for likely duplicates of the saved tip now."""
        from caseapp.services.tips import tips

        if self.tip is None:
            return
        try:
            found = tips.duplicate_candidates(self.ctx.ws, self.tip.ref)
        except Exception as exc:  # noqa: BLE001
            self.error.show_error(self.ctx.report_error(exc, "Find duplicates"))
            return
        self.duplicates.show_candidates(self.tip.ref, found)
        if not found:
            self.banner.show_text(f"No likely duplicates of {self.tip.ref}.", "ok")

    def _acted(self, ref: str) -> None:
        """After a link, attachment or duplicate decision: show the tip's new state,
        keeping unsaved field edits."""
        from caseapp.services.tips import tips

        if self.tip is None or ref != self.tip.ref:
            return
        fresh = tips.get_tip(self.ctx.ws, ref)
        if self.dirty:
            self.tip = fresh
            self._loading = True
            self._fill_status(fresh)
            self.attachments.set_tip(fresh)
            self.cases.set_tip(fresh)
            self._titles()
            self._loading = False
        else:
            self.load(fresh)
        self.changed.emit(ref)
