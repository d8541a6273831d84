"""Search results as a two-level model (type groups, then hits) and the delegate that draws a
hit: its title and reference on one line, the snippet with the matches marked below.

User text (titles, refs, snippets) is escaped before it becomes markup; the only markup in a
snippet is the service's ``<b>`` marks around the matches (``Hit.snippet_html`` is escaped text
with ``<b>``/``</b>`` inserted; :func:`snippet_markup` re-checks that).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRectF,
    QSize,
    Qt,
)
from PySide6.QtGui import QAbstractTextDocumentLayout, QFont, QPainter, QPalette, QTextDocument
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from caseapp.ui import theme
from caseapp.ui.widgets.common import html_escape
from caseapp.ui.widgets.records import plain_tooltip
from caseapp.ui.widgets.tree import GroupTreeModel

if TYPE_CHECKING:
    from caseapp.services.discovery.search import Hit


_Index = QModelIndex | QPersistentModelIndex

#: Result types in the service's spelling, with their group titles.
GROUP_TITLES = {"case": "Cases", "note": "Notes", "subject": "Subjects",
                "identifier": "Identifiers", "exhibit": "Exhibits", "tip": "Tips"}
TYPE_ORDER = tuple(GROUP_TITLES)
HIT_ROLE = Qt.ItemDataRole.UserRole + 1
HTML_ROLE = Qt.ItemDataRole.UserRole + 2
GROUP_ROLE = Qt.ItemDataRole.UserRole + 3
_MARK = re.compile(r"</?b>")


def snippet_markup(hit: Hit) -> str:
    """The hit's snippet as markup: escaped text with ``<b>`` around matches.

    Uses ``snippet_html`` when it holds nothing but escaped text and ``<b>`` marks; otherwise
    escapes the plain snippet and turns its « » marks into ``<b>``.
    """
    marked = getattr(hit, "snippet_html", "") or ""
    rest = _MARK.sub("", marked)
    if marked and "<" not in rest and ">" not in rest:
        return marked
    return html_escape(hit.snippet or "").replace("«", "<b>").replace("»", "</b>")


def hit_label(hit: Hit) -> str:
    """Where a hit lives: ``CASE-2026-0001 · E-002`` for an exhibit, else the ref."""
    exhibit = getattr(hit, "exhibit", None)
    return f"{hit.ref} · {exhibit}" if exhibit else hit.ref


def hit_markup(hit: Hit, dim: str) -> str:
    """Rich text for one hit: escaped title and ref, then the marked snippet."""
    where = hit_label(hit)
    if hit.title.startswith(hit.ref) and where == hit.ref:
        where = ""  # a tip's title already starts with its ref
    label = f'&nbsp;&nbsp;<span style="color:{dim}">{html_escape(where)}</span>' if where else ""
    return (f'<div><span style="font-weight:600">{html_escape(hit.title)}</span>{label}</div>'
            f"<div>{snippet_markup(hit)}</div>")


@dataclass
class ResultGroup:
    """The hits of one type, in rank order."""

    type: str
    hits: list[Hit] = field(default_factory=list)

    @property
    def title(self) -> str:
        return GROUP_TITLES.get(self.type, self.type.capitalize())


def group_hits(hits: Sequence[Hit], ranked: bool = True) -> list[ResultGroup]:
    """Hits grouped by type. ``ranked``: groups ordered by their best hit (the service returns
    best first); otherwise (a filters-only query, all scores 0) in :data:`TYPE_ORDER`."""
    groups: dict[str, ResultGroup] = {}
    for hit in hits:
        groups.setdefault(hit.type, ResultGroup(hit.type)).hits.append(hit)
    ordered = list(groups.values())
    if not ranked:
        ordered.sort(key=lambda g: TYPE_ORDER.index(g.type) if g.type in TYPE_ORDER else 99)
    return ordered


class SearchResultsModel(GroupTreeModel):
    """Groups at the top level (``Cases (3)``), their hits below; one column."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.groups: list[ResultGroup] = []

    def set_hits(self, hits: Sequence[Hit], ranked: bool = True) -> None:
        """Replace the results."""
        self.beginResetModel()
        self.groups = group_hits(hits, ranked)
        self.endResetModel()

    def clear(self) -> None:
        self.set_hits([])

    def hit_count(self) -> int:
        return sum(len(g.hits) for g in self.groups)

    def counts(self) -> dict[str, int]:
        """Hits per type, in display order."""
        return {g.type: len(g.hits) for g in self.groups}

    def first_hit_index(self) -> QModelIndex:
        return self.index(0, 0, self.index(0, 0)) if self.groups else QModelIndex()

    def hit_at(self, index: _Index) -> Hit | None:
        """The hit on ``index`` (None on a group row)."""
        group = self.group_of(index)
        return None if group is None else self.groups[group].hits[index.row()]

    # -- GroupTreeModel ----------------------------------------------------------------------
    def group_count(self) -> int:
        return len(self.groups)

    def child_count(self, group: int) -> int:
        return len(self.groups[group].hits)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 1

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if index.internalId() == 0:
            return Qt.ItemFlag.ItemIsEnabled
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        if index.internalId() == 0:
            group = self.groups[index.row()]
            if role == Qt.ItemDataRole.DisplayRole:
                return f"{group.title} ({len(group.hits)})"
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
            if role == GROUP_ROLE:
                return group.type
            return None
        hit = self.hit_at(index)
        if hit is None:
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return f"{hit.title} — {hit_label(hit)}: {hit.snippet}"
        if role == Qt.ItemDataRole.ToolTipRole:  # rich text made from plain: shown literally
            return plain_tooltip(f"{hit.title}\n{hit_label(hit)}\n\n{hit.snippet}")
        if role == HIT_ROLE:
            return hit
        if role == HTML_ROLE:
            return snippet_markup(hit)
        return None


class HitDelegate(QStyledItemDelegate):
    """Draws a hit as two blocks of rich text (title + ref; snippet with marked matches)."""

    LINES = 3

    def _document(self, option: QStyleOptionViewItem, hit: Hit,
                  selected: bool) -> QTextDocument:
        palette = option.palette
        dim = palette.color(QPalette.ColorRole.HighlightedText if selected
                            else QPalette.ColorRole.PlaceholderText).name()
        doc = QTextDocument()
        doc.setDocumentMargin(2)
        doc.setDefaultFont(option.font)
        mark_bg, mark_fg = ("#6b5200", "#ffffff") if theme.current() == "dark" else ("#ffe58a",
                                                                                    "#1f2328")
        doc.setDefaultStyleSheet(f"b {{ background-color: {mark_bg}; color: {mark_fg}; }}"
                                 if not selected else "")
        doc.setHtml(hit_markup(hit, dim))
        doc.setTextWidth(option.rect.width())
        return doc

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        hit = index.data(HIT_ROLE)
        if hit is None:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        style = opt.widget.style() if opt.widget else QApplication.style()
        opt.text = ""
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        doc = self._document(opt, hit, selected)
        context = QAbstractTextDocumentLayout.PaintContext()
        colour = opt.palette.color(QPalette.ColorRole.HighlightedText if selected
                                   else QPalette.ColorRole.Text)
        context.palette.setColor(QPalette.ColorRole.Text, colour)
        painter.save()
        painter.translate(opt.rect.topLeft())
        clip = QRectF(0, 0, opt.rect.width(), opt.rect.height())
        painter.setClipRect(clip)
        context.clip = clip
        doc.documentLayout().draw(painter, context)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:  # noqa: N802
        if index.data(HIT_ROLE) is None:
            size = super().sizeHint(option, index)
            return QSize(size.width(), size.height() + 6)
        height = option.fontMetrics.lineSpacing() * self.LINES + 8
        return QSize(max(200, option.rect.width()), height)
