"""The report page's charts, written as SVG directly: well-formed, the same figures as the
data tables (a hidden figure drawn as nothing and labelled "hidden"), text kept as text."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from hub.usage.charts import Bars, HeatMap
from hub.usage.page_charts import svg

NS = {"s": "http://www.w3.org/2000/svg"}


def _parse(data: bytes) -> ET.Element:
    return ET.fromstring(data)  # our own output, parsed to prove it well-formed


def test_bars_label_every_figure_and_draw_nothing_for_a_hidden_one() -> None:
    chart = Bars("Visits by service", ("Report a missed bin", "Rates & <charges>", "Bin day"),
                 (120, None, 30))
    root = _parse(svg(chart))
    assert root.find("s:title", NS).text == "Visits by service"  # type: ignore[union-attr]
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert texts == ["Visits by service", "Report a missed bin", "120", "Rates & <charges>",
                     "hidden", "Bin day", "30"]
    widths = [float(r.get("width", "0")) for r in root.iter("{http://www.w3.org/2000/svg}rect")]
    assert len(widths) == 2  # the hidden figure has no bar
    assert widths[0] == 4 * widths[1]  # bars in proportion to their figures


def test_the_heat_map_shades_by_visits_and_leaves_hidden_cells_white() -> None:
    chart = HeatMap("Busiest hours", ("Mon", "Tue"), (9, 10), ((0, 8), (None, 4)))
    root = _parse(svg(chart))
    cells = [r.get("fill") for r in root.iter("{http://www.w3.org/2000/svg}rect")]
    assert cells[0] == "#f3f2f1"  # none: the lightest
    assert cells[1] == "#1d70b8"  # the busiest: GOV.UK blue
    assert cells[2] == "#ffffff"  # hidden
    assert cells[3] not in ("#f3f2f1", "#1d70b8", "#ffffff")
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert {"Mon", "Tue", "09", "10"} <= set(texts)
