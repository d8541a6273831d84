"""The hour-of-day chart: a subject's sign-ins per hour in the claimed zone, painted with
QPainter, with the claimed 08-18 working day and the UTC+8/+9 day marked. The UTC+8/+9 band
comes per hour as the share of the subject's days it covers that hour (the claimed zone's
offset taken on each day), so an hour it covers only part of the year, because of daylight
saving, is shaded lighter."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget


class HourChart(QWidget):
    """24 bars; ``set_profile(hours_claimed, band, title)``."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.hours: list[int] = [0] * 24
        self.band: list[float] = [0.0] * 24
        self.title = "No sign-ins imported"
        self.setMinimumHeight(150)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setAccessibleName("Sign-ins by hour of day")

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(480, 170)

    def set_profile(self, hours: list[int], band: Sequence[float] | None, title: str) -> None:
        self.hours, self.title = list(hours)[:24] or [0] * 24, title
        self.band = [float(b) for b in band][:24] if band else [0.0] * 24
        self.setToolTip(title + "\n" + " ".join(f"{h:02d}:{n}" for h, n in
                                                enumerate(self.hours)))
        self.update()

    def asia_hours(self) -> set[int]:
        """Claimed-zone hours that fall in a 08-18 day at UTC+8 or UTC+9 on any day."""
        return {hour for hour, share in enumerate(self.band) if share > 0}

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802
        pal = self.palette()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        text = pal.color(QPalette.ColorRole.WindowText)
        base = pal.color(QPalette.ColorRole.Highlight)
        rect = self.rect().adjusted(8, 22, -8, -20)
        painter.setPen(text)
        painter.drawText(QRectF(8, 2, self.width() - 16, 18),
                         int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                         self.title)
        width = rect.width() / 24
        peak = max(self.hours) or 1
        day = QColor(base)
        day.setAlpha(40)
        for hour in range(24):
            x = rect.left() + hour * width
            if 8 <= hour < 18:
                painter.fillRect(QRectF(x, rect.top(), width, rect.height()), day)
            elif self.band[hour] > 0:  # lighter where only some days are covered
                night = QColor(200, 120, 0, max(8, round(45 * self.band[hour])))
                painter.fillRect(QRectF(x, rect.top(), width, rect.height()), night)
            height = rect.height() * self.hours[hour] / peak
            painter.fillRect(QRectF(x + 1, rect.bottom() - height, width - 2, height), base)
            if hour % 3 == 0:
                painter.drawText(QRectF(x - 4, rect.bottom() + 2, width + 8, 16),
                                 int(Qt.AlignmentFlag.AlignHCenter), f"{hour:02d}")
        painter.end()
