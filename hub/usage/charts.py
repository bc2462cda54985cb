"""The report's charts, drawn on the server with matplotlib: SVG for the page, pages of the
PDF month report. Every chart is drawn from the same figures its data table shows, and a
hidden (suppressed) figure is drawn as nothing, labelled "hidden".

matplotlib is imported lazily and told to use the Agg backend (no display, no GUI toolkit)
the first time a chart is drawn, so importing the hub costs nothing; charts are built with
`matplotlib.figure.Figure`, never pyplot, so no state is shared between requests or threads.
"""

from __future__ import annotations

import io
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure

BLUE = "#1d70b8"
GREY = "#505a5f"
_STYLE = {"svg.hashsalt": "civic-kiosk-report", "svg.fonttype": "none", "font.size": 9,
          "font.family": "DejaVu Sans", "axes.spines.top": False, "axes.spines.right": False}


@dataclass(frozen=True)
class Bars:
    """A horizontal bar chart: one bar per label; None is a hidden figure."""

    title: str
    labels: tuple[str, ...]
    values: tuple[int | None, ...]
    unit: str = "visits"


@dataclass(frozen=True)
class HeatMap:
    """Visits by weekday (rows) and hour (columns); None is hidden."""

    title: str
    days: tuple[str, ...]
    hours: tuple[int, ...]
    values: tuple[tuple[int | None, ...], ...]


Chart = Bars | HeatMap


def _matplotlib() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    return matplotlib


def draw(chart: Chart) -> Figure:
    matplotlib = _matplotlib()
    from matplotlib.figure import Figure

    with matplotlib.rc_context(_STYLE):
        if isinstance(chart, Bars):
            figure = Figure(figsize=(6.4, 0.6 + 0.3 * max(1, len(chart.labels))))
            _bars(figure, chart)
        else:
            figure = Figure(figsize=(6.4, 3.0))
            _heat(figure, chart)
    return figure


def _bars(figure: Figure, chart: Bars) -> None:
    axes = figure.add_subplot()
    positions = list(range(len(chart.labels)))
    shown = [v if v is not None else 0 for v in chart.values]
    axes.barh(positions, shown, color=BLUE)
    axes.set_yticks(positions, labels=list(chart.labels))
    axes.invert_yaxis()
    axes.set_title(chart.title, loc="left", fontsize=10)
    top = max(shown, default=0) or 1
    for position, value in zip(positions, chart.values, strict=True):
        text = "hidden" if value is None else f"{value:,}"
        axes.text((value or 0) + top * 0.01, position, text, va="center", fontsize=8,
                  color=GREY if value is None else "#0b0c0c")
    axes.set_xlim(0, top * 1.15)
    axes.set_xticks([])  # each bar is labelled with its figure: no scale to read
    axes.spines["bottom"].set_visible(False)
    height = figure.get_figheight()
    figure.subplots_adjust(left=0.36, right=0.97, top=1 - 0.32 / height, bottom=0.25 / height)


def _heat(figure: Figure, chart: HeatMap) -> None:
    import numpy as np

    axes = figure.add_subplot()
    grid = np.array([[np.nan if v is None else v for v in row] for row in chart.values], dtype=float)
    image = axes.imshow(grid, cmap="Blues", aspect="auto")
    axes.set_xticks(range(len(chart.hours)), labels=[f"{h:02d}" for h in chart.hours])
    axes.set_yticks(range(len(chart.days)), labels=list(chart.days))
    axes.set_title(chart.title, loc="left", fontsize=10)
    axes.set_xlabel("hour starting (UK time)")
    figure.colorbar(image, ax=axes, label="visits")
    figure.subplots_adjust(left=0.15, right=0.98, top=0.9, bottom=0.16)


class SvgCache:
    """The SVG of recently drawn charts, by their figures: the same figures draw the same
    picture, and drawing is most of a report page's time. One per app, thread-safe."""

    def __init__(self, size: int = 256, draw: Callable[[Chart], bytes] | None = None) -> None:
        self._size = size
        self._draw = draw or svg
        self._drawn: OrderedDict[Chart, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def svg(self, chart: Chart) -> bytes:
        with self._lock:
            found = self._drawn.get(chart)
            if found is not None:
                self._drawn.move_to_end(chart)
                return found
        drawn = self._draw(chart)
        with self._lock:
            self._drawn[chart] = drawn
            while len(self._drawn) > self._size:
                self._drawn.popitem(last=False)
        return drawn


def svg(chart: Chart) -> bytes:
    figure = draw(chart)
    with _matplotlib().rc_context(_STYLE):
        out = io.BytesIO()
        figure.savefig(out, format="svg", metadata={"Date": None})
    return out.getvalue()


def pdf(title_lines: Sequence[str], sections: Sequence[tuple[str, Chart | None, list[str]]]
        ) -> bytes:
    """A PDF: a title page with the headline figures, then a page per chart with its table
    written out beneath it."""
    matplotlib = _matplotlib()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.backends.backend_pdf import PdfPages
    from matplotlib.figure import Figure

    out = io.BytesIO()
    with matplotlib.rc_context(_STYLE), PdfPages(out, metadata={"CreationDate": None}) as pages:
        cover = Figure(figsize=(8.27, 11.69))
        y = 0.93
        for index, line in enumerate(title_lines):
            cover.text(0.08, y, line, fontsize=16 if index == 0 else 10,
                       weight="bold" if index == 0 else "normal")
            y -= 0.05 if index == 0 else 0.028
        pages.savefig(cover)
        for title, chart, rows in sections:
            page = Figure(figsize=(8.27, 11.69))
            page.text(0.08, 0.95, title, fontsize=13, weight="bold")
            if chart is not None:
                canvas = FigureCanvasAgg(draw(chart))
                canvas.draw()  # type: ignore[no-untyped-call]
                image = canvas.buffer_rgba()  # type: ignore[no-untyped-call]
                axes = page.add_axes((0.06, 0.45, 0.88, 0.47))
                axes.imshow(image)
                axes.axis("off")
            y = 0.42 if chart is not None else 0.9
            for row in rows[:30]:
                page.text(0.08, y, row, fontsize=8, family="DejaVu Sans Mono")
                y -= 0.013
            pages.savefig(page)
    return out.getvalue()
