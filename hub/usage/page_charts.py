"""The report page's charts as SVG written directly: bars and the weekday-hour heat map.

Why not matplotlib here, as for the PDF: drawing a chart through matplotlib took about 0.1 s,
and a report page has eight, so a filter not drawn before took 0.8 s (the benchmark's p95,
against a goal of 500 ms). These two shapes are a few rectangles and labels each, written in
well under a millisecond. The PDF month report keeps matplotlib (`hub.usage.charts.pdf`):
it is made once a month, and PdfPages lays out pages for print.

The SVG is plain: real `<text>` (so it can be read, searched and zoomed), colours from the
report's palette, a `<title>` for the chart, and a hidden figure drawn as nothing and labelled
"hidden", exactly as its data table says.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from hub.usage.charts import BLUE, GREY, Bars, Chart, HeatMap

INK = "#0b0c0c"
WIDTH = 640
_FONT = 'font-family="DejaVu Sans, Arial, sans-serif"'
# The heat map's scale: light to dark blue (GOV.UK's blue at the top), empty cells white.
_LIGHT = (0xF3, 0xF2, 0xF1)
_DARK = (0x1D, 0x70, 0xB8)


def _text(x: float, y: float, words: str, *, size: int = 12, anchor: str = "start",
          colour: str = INK, bold: bool = False) -> str:
    weight = ' font-weight="bold"' if bold else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
            f'fill="{colour}"{weight}>{escape(words)}</text>')


def _document(height: float, title: str, body: list[str]) -> bytes:
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height:.0f}" '
            f'viewBox="0 0 {WIDTH} {height:.0f}" role="img" {_FONT}>'
            f"<title>{escape(title)}</title>")
    return (head + "".join(body) + "</svg>").encode("utf-8")


def _bars(chart: Bars) -> bytes:
    row, top, left = 26, 34, 230
    room = WIDTH - left - 90
    biggest = max((v for v in chart.values if v is not None), default=0) or 1
    body = [_text(0, 18, chart.title, size=14, bold=True)]
    for index, (label, value) in enumerate(zip(chart.labels, chart.values, strict=True)):
        y = top + index * row
        body.append(_text(left - 8, y + 15, label, anchor="end"))
        length = 0.0 if value is None else room * value / biggest
        if length > 0:
            body.append(f'<rect x="{left}" y="{y + 3}" width="{length:.1f}" height="{row - 8}" '
                        f'fill="{BLUE}"/>')
        words = "hidden" if value is None else f"{value:,}"
        body.append(_text(left + length + 6, y + 15, words, size=11,
                          colour=GREY if value is None else INK))
    return _document(top + len(chart.labels) * row + 8, chart.title, body)


def _shade(value: int, biggest: int) -> str:
    share = value / biggest if biggest else 0.0
    red, green, blue = (round(a + (b - a) * share) for a, b in zip(_LIGHT, _DARK, strict=True))
    return f"#{red:02x}{green:02x}{blue:02x}"


def _heat(chart: HeatMap) -> bytes:
    top, left, cell_h = 34, 90, 24
    cell_w = (WIDTH - left - 10) / max(1, len(chart.hours))
    biggest = max((v for row in chart.values for v in row if v is not None), default=0)
    body = [_text(0, 18, chart.title, size=14, bold=True)]
    for column, hour in enumerate(chart.hours):
        body.append(_text(left + (column + 0.5) * cell_w, top + len(chart.days) * cell_h + 16,
                          f"{hour:02d}", size=10, anchor="middle"))
    for line, (day, values) in enumerate(zip(chart.days, chart.values, strict=True)):
        y = top + line * cell_h
        body.append(_text(left - 8, y + 16, day, anchor="end"))
        for column, value in enumerate(values):
            x = left + column * cell_w
            fill = "#ffffff" if value is None else _shade(value, biggest)
            body.append(f'<rect x="{x:.1f}" y="{y}" width="{cell_w - 1:.1f}" height="{cell_h - 1}" '
                        f'fill="{fill}" stroke="#b1b4b6" stroke-width="0.5"/>')
    bottom = top + len(chart.days) * cell_h + 36
    body.append(_text(left, bottom, f"hour starting (UK time); darkest: {biggest:,} visits; "
                      "palest: none; white: hidden", size=10, colour=GREY))
    return _document(bottom + 8, chart.title, body)


def svg(chart: Chart) -> bytes:
    """The chart as an SVG document."""
    return _bars(chart) if isinstance(chart, Bars) else _heat(chart)
