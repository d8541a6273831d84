"""Draw caseapp's icon (a case folder under a magnifier) as packaging/icons/caseapp.png.

    QT_QPA_PLATFORM=offscreen python packaging/make_icon.py

Run once; the PNG is checked in. PyInstaller converts it to .ico/.icns (needs Pillow).
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter, QPainterPath, QPen

OUT = Path(__file__).resolve().parent / "icons" / "caseapp.png"


def draw(size: int = 256) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    s = size / 256
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor("#1f3a5f"))
    p.drawRoundedRect(QRectF(8 * s, 8 * s, 240 * s, 240 * s), 44 * s, 44 * s)
    folder = QPainterPath()
    folder.setFillRule(Qt.FillRule.WindingFill)
    folder.addRoundedRect(QRectF(44 * s, 78 * s, 168 * s, 118 * s), 12 * s, 12 * s)
    folder.addRoundedRect(QRectF(44 * s, 64 * s, 70 * s, 30 * s), 10 * s, 10 * s)
    p.setBrush(QColor("#f2c14e"))
    p.drawPath(folder.simplified())
    p.setBrush(QColor("#e0a93a"))
    p.drawRoundedRect(QRectF(44 * s, 98 * s, 168 * s, 98 * s), 12 * s, 12 * s)
    pen = QPen(QColor("#ffffff"), 16 * s)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    p.setPen(pen)
    p.setBrush(QColor(255, 255, 255, 60))
    p.drawEllipse(QPointF(142 * s, 138 * s), 38 * s, 38 * s)
    p.drawLine(QPointF(170 * s, 166 * s), QPointF(206 * s, 202 * s))
    p.end()
    return image


def main() -> int:
    _app = QGuiApplication(sys.argv)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    if not draw().save(str(OUT)):
        print(f"could not write {OUT}", file=sys.stderr)
        return 1
    print(OUT)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
