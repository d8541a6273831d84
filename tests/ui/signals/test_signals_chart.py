"""The hour chart shades the UTC+8/+9 band per hour by the share of days it covers (taken
per day in the claimed zone), so an hour covered only after a daylight-saving change is
shaded lighter, and an hour the band never covers is not shaded at all."""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtGui import QColor

from caseapp.domain.signals.hours import asian_band
from caseapp.ui.signals.chart import HourChart


def _column_colour(chart: HourChart, hour: int) -> QColor:
    image = chart.grab().toImage()
    left, width = 8, (chart.width() - 16) / 24
    return image.pixelColor(int(left + (hour + 0.5) * width), 40)  # above the (empty) bars


def test_band_shading_follows_the_per_day_share(qtbot: Any) -> None:
    band = asian_band(ZoneInfo("America/New_York"), date(2026, 3, 1), date(2026, 3, 21))
    assert 0 < band[5] < 1 and 0 < band[18] < 1 and band[0] == 1.0 and band[6] == 0.0
    chart = HourChart()
    qtbot.addWidget(chart)
    chart.resize(480, 170)
    chart.set_profile([0] * 24, band, "Nora: sign-ins by hour in America/New_York")
    assert chart.asia_hours() == {0, 1, 2, 3, 4, 5, 18, 19, 20, 21, 22, 23}
    full, part, none = (_column_colour(chart, h) for h in (1, 5, 6))
    assert none != full and part != full and part != none
    # orange over the background: more red than blue, and more of it where the band is full
    assert full.red() - full.blue() > part.red() - part.blue() > none.red() - none.blue()
    # the claimed 08-18 day keeps its own shading, the band is not drawn over it
    assert _column_colour(chart, 12) not in (full, part)

    chart.set_profile([0] * 24, None, "no zone")  # no claimed zone: no band
    assert chart.asia_hours() == set() and _column_colour(chart, 1) == none
