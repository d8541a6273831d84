"""Qt item models of the Tips page: the triage queue, its filter, identifiers, candidates.

Nothing here ever shows a tipster's identity: the records are masked
:class:`~caseapp.services.tips.views.TipView` objects, and the filter text is built only from
ref, status, grade, channel, programme, reference, content and linked case refs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QObject, QSortFilterProxyModel, Qt
from PySide6.QtGui import QFont

from caseapp.domain.enums import CREDIBILITY_GRADES, RELIABILITY_GRADES
from caseapp.ui.formatting import first_line, label, local_time
from caseapp.ui.widgets.records import Column, Index, RecordTableModel

if TYPE_CHECKING:
    from datetime import datetime

    from caseapp.services.tips.dedup import DuplicateCandidate
    from caseapp.services.tips.views import AttachmentView, TipView


SORT_ROLE = Qt.ItemDataRole.UserRole + 2

#: Accent (see :func:`caseapp.ui.theme.accent`) per tip status.
STATUS_ACCENTS = {"new": "warn", "in-triage": "in-review", "actionable": "ok",
                  "linked": "open", "not-actionable": "closed", "duplicate": "closed",
                  "closed": "closed"}
CHANNEL_LABELS = {"reward-programme": "Reward programme", "hotline": "Hotline / phone",
                  "email": "E-mail", "web-form": "Web form", "walk-in": "Walk-in",
                  "referral": "Partner / agency referral", "internal": "Internal report"}
REWARD_LABELS = {"not-applicable": "Not applicable",
                 "potentially-eligible": "Potentially eligible",
                 "referred": "Referred to programme", "closed": "Closed"}
OVERDUE_MARK = "⚠ OVERDUE"


def channel_label(value: str) -> str:
    """``web-form`` -> ``Web form``."""
    return CHANNEL_LABELS.get(value, label(value))


def grade_tooltip(reliability: str | None, credibility: str | None) -> str:
    """Both halves of an Admiralty grade with their standard meanings."""
    rel = (f"{reliability} — {RELIABILITY_GRADES[reliability]}" if reliability
           in RELIABILITY_GRADES else "Reliability not graded")
    cred = (f"{credibility} — {CREDIBILITY_GRADES[credibility]}" if credibility
            in CREDIBILITY_GRADES else "Credibility not graded")
    return f"Source reliability: {rel}\nInformation credibility: {cred}"


def due_text(tip: TipView) -> str:
    """The follow-up date in local time, flagged when overdue."""
    if tip.follow_up_due is None:
        return ""
    text = local_time(tip.follow_up_due)
    return f"{OVERDUE_MARK} {text}" if tip.overdue else text


def tipster_text(tip: TipView) -> str:
    """Never the identity: only whether there is one."""
    if tip.anonymous:
        return "Anonymous"
    return "Identity hidden" if tip.has_identity else "Not recorded"


def _ref_key(ref: str) -> tuple[str, int]:
    year, _, seq = ref.rpartition("-")
    return (year, int(seq) if seq.isdigit() else 0)


def _timestamp(moment: datetime | None) -> float:
    return moment.timestamp() if moment is not None else float("inf")


QUEUE_COLUMNS: list[Column[TipView]] = [
    Column("Ref", lambda t: t.ref),
    Column("Status", lambda t: label(t.status),
           colour=lambda t: STATUS_ACCENTS.get(t.status, "closed"),
           tooltip=lambda t: f"Duplicate of {t.duplicate_of}" if t.duplicate_of else None),
    Column("Grade", lambda t: t.grade,
           tooltip=lambda t: grade_tooltip(t.reliability, t.credibility)),
    Column("Channel", lambda t: channel_label(t.channel),
           tooltip=lambda t: " · ".join(p for p in (channel_label(t.channel), t.programme,
                                                    t.reference) if p)),
    Column("Received", lambda t: local_time(t.received_at),
           tooltip=lambda t: local_time(t.received_at)),
    Column("Follow-up due", due_text, colour=lambda t: "error" if t.overdue else None,
           tooltip=lambda t: (due_text(t) + (": the follow-up date has passed."
                                             if t.overdue else "")) or None),
    Column("Cases", lambda t: ", ".join(t.cases), tooltip=lambda t: ", ".join(t.cases) or None),
    Column("Tipster", tipster_text, tooltip=tipster_text),
    # (full values of cut cells are in the tooltips: the columns give way at 1280x800)
    Column("Content", lambda t: first_line(t.content, 200), tooltip=lambda t: t.content[:2000]),
]
_QUEUE_SORT: tuple[Callable[[TipView], object], ...] = (
    lambda t: _ref_key(t.ref), lambda t: t.status, lambda t: (t.grade or "~"),
    lambda t: t.channel, lambda t: _timestamp(t.received_at),
    lambda t: _timestamp(t.follow_up_due), lambda t: ", ".join(t.cases),
    tipster_text, lambda t: t.content.casefold(),
)
DUE_COLUMN = 5


class TipQueueModel(RecordTableModel["TipView"]):
    """The triage queue as :func:`caseapp.services.tips.tips.list_tips` orders it."""

    def __init__(self, parent: QObject | None = None,
                 columns: Sequence[Column[TipView]] = QUEUE_COLUMNS,
                 sort_keys: Sequence[Callable[[TipView], object]] = _QUEUE_SORT) -> None:
        super().__init__(columns, parent)
        self._sort_keys = list(sort_keys)
        self._hay: list[str] | None = None
        self.dim = lambda t: t.status in ("duplicate", "closed", "not-actionable")

    def set_records(self, records: Sequence[TipView]) -> None:
        self._hay = None
        super().set_records(records)

    def row_of(self, ref: str) -> int:
        """Row of the tip ``ref``, or -1."""
        for row, tip in enumerate(self.records):
            if tip.ref == ref:
                return row
        return -1

    def matches(self, row: int, words: Sequence[str]) -> bool:
        """Every word occurs in the row's searchable (non-identity) text."""
        if self._hay is None:
            self._hay = [" ".join((t.ref, t.status, label(t.status), t.grade, t.channel,
                                   channel_label(t.channel), t.programme, t.reference,
                                   t.content, " ".join(t.cases))).casefold()
                         for t in self.records]
        return all(w in self._hay[row] for w in words)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        if role == SORT_ROLE:
            return self._sort_keys[index.column()](self.records[index.row()])
        if role == Qt.ItemDataRole.FontRole:
            tip = self.records[index.row()]
            if tip.overdue and index.column() == DUE_COLUMN or \
                    tip.status == "new" and index.column() == 0:
                font = QFont()
                font.setBold(True)
                return font
            if self.dim(tip):
                font = QFont()
                font.setItalic(True)
                return font
            return None
        return super().data(index, role)


class TipFilterProxy(QSortFilterProxyModel):
    """Filter-as-you-type; no sort column keeps the triage order of the source."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._words: list[str] = []
        self.setSortRole(SORT_ROLE)

    def set_text(self, text: str) -> None:
        """Show rows containing every word of ``text`` (case-insensitive)."""
        words = text.casefold().split()
        if words == self._words:
            return
        begin = getattr(self, "beginFilterChange", None)
        if begin is not None:  # Qt >= 6.9
            begin()
            self._words = words
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self._words = words
            self.invalidateRowsFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:  # noqa: N802
        if not self._words:
            return True
        return cast(TipQueueModel, self.sourceModel()).matches(source_row, self._words)

    def lessThan(self, left: Index, right: Index) -> bool:  # noqa: N802
        a, b = left.data(SORT_ROLE), right.data(SORT_ROLE)
        try:
            return bool(a < b)
        except TypeError:
            return str(a) < str(b)


# -- identifiers in the editor ----------------------------------------------------------------

@dataclass(frozen=True)
class IdentRow:
    """An identifier row of the editor: saved, to be added on Save, or suggested."""

    kind: str
    raw: str
    normalized: str
    ok: bool
    note: str = ""
    state: str = "saved"  # "saved", "pending", "suggested", "removed"
    id: int | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.kind, self.normalized)


_STATE_TEXT = {"saved": "Saved", "pending": "Added (saved with the tip)",
               "suggested": "Suggested from content: confirm?",
               "removed": "Removed on Save"}


def _ident_status(row: IdentRow) -> str:
    if row.ok:
        return "normalised"
    return "not normalised" + (f": {row.note}" if row.note else "")


IDENT_COLUMNS: list[Column[IdentRow]] = [
    Column("Kind", lambda r: r.kind),
    Column("Value", lambda r: r.raw, tooltip=lambda r: r.raw),
    Column("Normalised", lambda r: r.normalized, tooltip=lambda r: r.normalized),
    Column("Check", _ident_status, colour=lambda r: None if r.ok else "warn"),
    Column("State", lambda r: _STATE_TEXT[r.state],
           colour=lambda r: "warn" if r.state == "suggested" else
           "ok" if r.state == "pending" else None),
]


class IdentifierModel(RecordTableModel[IdentRow]):
    """The identifiers of the tip being edited; suggestions in italics, removals struck out."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(IDENT_COLUMNS, parent)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if role == Qt.ItemDataRole.FontRole and index.isValid():
            state = self.records[index.row()].state
            if state in ("suggested", "removed"):
                font = QFont()
                font.setItalic(state == "suggested")
                font.setStrikeOut(state == "removed")
                return font
            return None
        return super().data(index, role)


CANDIDATE_COLUMNS: list[Column[DuplicateCandidate]] = [
    Column("Tip", lambda c: c.ref),
    Column("Status", lambda c: label(c.status)),
    Column("Score", lambda c: f"{c.score}", right=True,
           colour=lambda c: "error" if c.score >= 95 else "warn"),
    Column("Why", lambda c: "; ".join(c.reasons), tooltip=lambda c: "\n".join(c.reasons)),
]

ATTACHMENT_COLUMNS: list[Column[AttachmentView]] = [
    Column("Attachment", lambda a: a.label),
    Column("Title", lambda a: a.title, tooltip=lambda a: a.original_name),
    Column("Size", lambda a: f"{a.size:,} bytes", right=True),
    Column("Type", lambda a: a.media_type),
    Column("SHA-256", lambda a: a.sha256, tooltip=lambda a: a.sha256),
    Column("State", lambda a: "Withdrawn" if a.withdrawn else "Stored",
           colour=lambda a: "warn" if a.withdrawn else None),
]
