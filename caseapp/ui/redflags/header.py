"""Top of the Red flags tab: template and upgrade, risk band/score/coverage, filter, keys."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from caseapp.ui.redflags.model import FILTERS
from caseapp.ui.widgets.common import plain_label

if TYPE_CHECKING:
    from caseapp.services.redflags.checklists import UpgradeResult
    from caseapp.services.redflags.views import ChecklistView


KEYS_HELP = ("Keys: ↑ ↓ move · ← → fold · 0 not assessed · 1 not observed · 2 suspected · "
             "3 confirmed · 4 not applicable · F2 state list · Enter note · N next suggestion")
#: Band badge colours (background, text): fixed pairs with contrast >= 4.5 in either palette.
BAND_COLOURS = {"unassessed": ("#57606a", "#ffffff"), "low": ("#0f6e2f", "#ffffff"),
                "elevated": ("#f0c24b", "#1f2328"), "high": ("#c2410c", "#ffffff"),
                "critical": ("#8b1a1a", "#ffffff")}


class ScoreHeader(QWidget):
    """Template id/version (+ Upgrade), band badge, score, coverage, suggestions, filter."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        self.template_label = plain_label()
        self.template_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse)
        self.upgrade_button = QPushButton()
        self.upgrade_button.hide()
        top.addWidget(self.template_label, 1)
        top.addWidget(self.upgrade_button)
        layout.addLayout(top)
        score_row = QHBoxLayout()
        self.band_label = plain_label()
        self.band_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.band_label.setMinimumWidth(110)
        self.score_label = plain_label()
        font = self.score_label.font()
        font.setPointSize(font.pointSize() + 3)
        font.setBold(True)
        self.score_label.setFont(font)
        self.coverage_label = plain_label()
        self.coverage_bar = QProgressBar()
        self.coverage_bar.setRange(0, 100)
        self.coverage_bar.setMaximumWidth(180)
        self.coverage_bar.setAccessibleName("Coverage")
        self.coverage_bar.setTextVisible(False)
        self.coverage_bar.setFixedHeight(12)
        self.suggestions_label = plain_label()
        for widget in (self.band_label, self.score_label, self.coverage_label,
                       self.coverage_bar):
            score_row.addWidget(widget)
        score_row.addSpacing(12)
        score_row.addWidget(self.suggestions_label, 1)
        layout.addLayout(score_row)
        self.caution = plain_label()
        self.caution.setWordWrap(True)
        layout.addWidget(self.caution)
        filter_row = QHBoxLayout()
        show = QLabel("Sho&w:")
        self.filter = QComboBox()
        self.filter.setAccessibleName("Show which red flags")
        for key, text in FILTERS.items():
            self.filter.addItem(text, key)
        show.setBuddy(self.filter)
        self.keys_label = plain_label(KEYS_HELP)
        self.keys_label.setWordWrap(True)
        self.keys_label.setEnabled(False)
        filter_row.addWidget(show)
        filter_row.addWidget(self.filter)
        filter_row.addSpacing(12)
        filter_row.addWidget(self.keys_label, 1)
        layout.addLayout(filter_row)

    def show_view(self, view: ChecklistView) -> None:
        """Fill in the figures of a ChecklistView; coverage is always shown."""
        t, score = view.template, view.score
        self.template_label.setText(f"Template: {t.title}, version {t.version}")
        self.template_label.setToolTip(f"Template id {t.id}, version {t.version}")
        if view.newer_version:
            self.upgrade_button.setText(f"&Upgrade to v{view.newer_version}…")
            self.upgrade_button.setToolTip(
                f"Move this checklist to {t.id} v{view.newer_version}; answers carry over by "
                "item id, answers to removed items are dropped (and kept in the audit log).")
        self.upgrade_button.setVisible(bool(view.newer_version))
        bg, fg = BAND_COLOURS.get(score.band, BAND_COLOURS["unassessed"])
        self.band_label.setText(score.band.upper())
        self.band_label.setStyleSheet(f"QLabel {{ background: {bg}; color: {fg}; "
                                      "border-radius: 4px; padding: 3px 10px; "
                                      "font-weight: 700; }")
        self.band_label.setToolTip(
            f"Bands: low < {t.bands.elevated} ≤ elevated < {t.bands.high} ≤ high < "
            f"{t.bands.critical} ≤ critical; 'unassessed' until an item is assessed.")
        self.score_label.setText(f"Risk {score.score} / 100")
        pct = round(score.coverage * 100)
        self.coverage_label.setText(f"Coverage {score.assessed} of {score.total} items "
                                    f"assessed ({pct}%)")
        self.coverage_bar.setValue(pct)
        if score.assessed == 0:
            caution = ("Nothing assessed yet: the score says nothing about this case. "
                       "Work through the items (filter 'Not assessed only').")
        elif score.coverage < 0.5:
            caution = (f"Only {pct}% of the items are assessed: the score counts what was "
                       "found, so a low score here does not mean the case is clean.")
        else:
            caution = ""
        self.caution.setText(caution)
        self.caution.setVisible(bool(caution))
        open_ = [i for i in view.items if i.suggestion is not None]
        self.suggestions_label.setText(
            f"{len(open_)} item(s) with open suggestions from shared identifiers (N: next)"
            if open_ else "No open suggestions")
        summary = (f"{score.confirmed} confirmed, {score.suspected} suspected"
                   if score.assessed else "not assessed")
        self.score_label.setToolTip(f"{score.score}/100, {score.band}: {summary}.")


def upgrade_summary(result: UpgradeResult) -> str:
    """What an upgrade kept, dropped and added, in one paragraph."""
    if not result.changed:
        return f"Already on the newest version (v{result.to_version})."
    parts = [f"Upgraded from v{result.from_version} to v{result.to_version}.",
             f"Kept {len(result.kept)} answer(s)."]
    if result.dropped:
        drops = []
        for d in result.dropped:
            extra = [label for label in (d["state"], f"note “{d['note']}”" if d["note"] else "",
                                         ", ".join(d["exhibits"])) if label]
            drops.append(f"{d['id']} ({'; '.join(extra)})")
        parts.append(f"Dropped {len(drops)} answer(s) to items v{result.to_version} no longer "
                     f"has: {', '.join(drops)} — recorded in the audit log.")
    else:
        parts.append("Nothing dropped.")
    if result.added:
        parts.append(f"New items to assess: {', '.join(result.added)}.")
    return " ".join(parts)
