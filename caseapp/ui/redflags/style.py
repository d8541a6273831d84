"""Check and radio indicators that stay visible on the dark palette.

Fusion outlines these indicators in a shade of the window colour, which all but disappears on
the dark palette's base. The Red flags panel draws them in the palette's text colour instead,
through a proxy style set on those widgets only (a style sheet would pin the widgets' palette,
so a later switch between light and dark would no longer reach them).
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QPainter, QPalette, QPen
from PySide6.QtWidgets import QProxyStyle, QStyle, QStyleOption, QWidget

_PE = QStyle.PrimitiveElement
_BOXES = (_PE.PE_IndicatorCheckBox, _PE.PE_IndicatorItemViewItemCheck)


class IndicatorStyle(QProxyStyle):
    """The application style, with check boxes and radio buttons outlined in the text colour."""

    def drawPrimitive(self, element: QStyle.PrimitiveElement, option: QStyleOption,  # noqa: N802
                      painter: QPainter, widget: QWidget | None = None) -> None:
        if element in _BOXES or element == _PE.PE_IndicatorRadioButton:
            _draw(option, painter, radio=element == _PE.PE_IndicatorRadioButton)
            return
        super().drawPrimitive(element, option, painter, widget)


def _draw(option: QStyleOption, painter: QPainter, *, radio: bool) -> None:
    pal = option.palette
    enabled = bool(option.state & QStyle.StateFlag.State_Enabled)
    group = QPalette.ColorGroup.Active if enabled else QPalette.ColorGroup.Disabled
    edge = pal.color(group, QPalette.ColorRole.Text)
    fill = pal.color(QPalette.ColorRole.Base)
    mark = pal.color(group, QPalette.ColorRole.Highlight) if enabled else edge
    on = bool(option.state & QStyle.StateFlag.State_On)
    rect = QRectF(option.rect)
    side = min(rect.width(), rect.height()) - 3
    box = QRectF(0, 0, side, side)
    box.moveCenter(rect.center())
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    if radio:
        painter.setPen(QPen(edge, 1.2))
        painter.setBrush(fill)
        painter.drawEllipse(box)
        if on:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(mark)
            painter.drawEllipse(box.adjusted(side * 0.25, side * 0.25, -side * 0.25,
                                             -side * 0.25))
    else:
        painter.setPen(QPen(mark if on else edge, 1.2))
        painter.setBrush(mark if on else fill)
        painter.drawRoundedRect(box, 2, 2)
        if on:
            painter.setPen(QPen(pal.color(QPalette.ColorRole.HighlightedText), side / 7))
            x, y, s = box.x(), box.y(), side
            painter.drawPolyline([QPointF(x + s * 0.22, y + s * 0.52),
                                  QPointF(x + s * 0.42, y + s * 0.72),
                                  QPointF(x + s * 0.78, y + s * 0.30)])
    painter.restore()
