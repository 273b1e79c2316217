"""Bar charts of the report's figures: vector drawings whose labels are real text.

The same numbers are printed as text beside each chart, so nothing is said by the chart alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib.colors import Color

from desktop.reports.pdf_pages import REGULAR

BAR: Final = 13
LABEL_WIDTH: Final = 210
BAR_COLOUR: Final = Color(0.22, 0.42, 0.62)


def bar_chart(rows: Sequence[tuple[str, int]], width: int) -> Drawing:
    """One bar per (label, count), first row at the top, each bar labelled with its count."""
    height = BAR * len(rows)
    # Without an initial font ReportLab names its default (not embedded) font in the PDF.
    drawing = Drawing(width, height + 18, initialFontName=REGULAR)
    chart = HorizontalBarChart()
    chart.x = LABEL_WIDTH
    chart.y = 14
    chart.width = width - LABEL_WIDTH - 30
    chart.height = height
    chart.data = [[count for _, count in rows]]
    chart.bars[0].fillColor = BAR_COLOUR
    chart.bars.strokeColor = None
    chart.barLabelFormat = "%d"
    chart.barLabels.fontName = REGULAR
    chart.barLabels.fontSize = 7
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.nudge = 4
    chart.categoryAxis.categoryNames = [label for label, _ in rows]
    chart.categoryAxis.reverseDirection = 1
    chart.categoryAxis.labels.fontName = REGULAR
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -4
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontName = REGULAR
    chart.valueAxis.labels.fontSize = 6.5
    chart.valueAxis.labelTextFormat = "%d"
    drawing.add(chart)
    return drawing
