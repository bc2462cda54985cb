"""`/report`: the usage report for council managers (and IT), with `/report.csv` and
`/report.pdf` for the same filter. Signed in, role `manager` or `it`.

The filter is a period of whole months, a place (the council, a site or a terminal) and a
service; every figure comes from `hub.usage.figures`, suppressed once per period for every
filter together. Charts are SVG drawn on the server, shown as images so the page needs no
script (and the strict CSP stands, with images from `data:` allowed); each has its data
table beside it, with a caption and header scopes.
"""

from __future__ import annotations

import base64
import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from hub.auth import SignedIn, require_role
from hub.pages import HEADERS, page_response, staff_page
from hub.state import HubState, hub_state
from hub.usage import charts, page_charts
from hub.usage.figures import COUNCIL, FiguresCache, Period, Place, months
from hub.usage.measures import ALL
from hub.usage.report import HIDDEN, Filter, Report, Section, build_report
from hub.usage.suppression import THRESHOLD
from kiosk.catalogue.model import Service

Manager = Annotated[SignedIn, Depends(require_role("manager", "it"))]
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
PAGE_HEADERS = {**HEADERS, "Content-Security-Policy": HEADERS["Content-Security-Policy"]
                + "; img-src data:"}


def _choice(request: Request, available: Sequence[str]) -> tuple[Period | None, Filter]:
    query = request.query_params
    latest = available[-1] if available else None
    last = query.get("to", "") if _MONTH.match(query.get("to", "")) else latest
    first = query.get("from", "") if _MONTH.match(query.get("from", "")) else None
    if last is None:
        return None, Filter()
    if first is None:
        year, month = map(int, last.split("-"))
        back = year * 12 + month - 1 - 11
        first = f"{back // 12:04d}-{back % 12 + 1:02d}"
    if first > last:
        first, last = last, first
    place: Place = COUNCIL
    terminal, site = query.get("terminal", ""), query.get("site", "")
    if _ID.match(terminal):
        place = ("terminal", terminal)
    elif _ID.match(site):
        place = ("site", site)
    service = query.get("service", "")
    return Period(first, last), Filter(place, service if _ID.match(service) else ALL)


def _query(report: Report) -> str:
    kind, name = report.filter.place
    parts = [f"from={report.figures.period.first}", f"to={report.figures.period.last}"]
    if kind != "council":
        parts.append(f"{kind}={name}")
    if report.filter.service:
        parts.append(f"service={report.filter.service}")
    return "&amp;".join(parts)


def _cell(value: int | str | None) -> str:
    if value is None or value == HIDDEN:
        return '<td class="hidden-figure">hidden</td>'
    return f"<td>{escape(f'{value:,}' if isinstance(value, int) else value)}</td>"


def section_html(section: Section, drawn: charts.SvgCache) -> str:
    head = "".join(f'<th scope="col">{escape(c)}</th>' for c in section.columns)
    body = "".join(f'<tr><th scope="row">{escape(r.label)}</th>'
                   + "".join(_cell(v) for v in r.values) + "</tr>" for r in section.rows)
    table = (f'<table class="report-table" id="table-{section.id}"><caption>{escape(section.title)}'
             f"</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
    image = ""
    if section.chart is not None:
        data = base64.b64encode(drawn.svg(section.chart)).decode("ascii")
        image = (f'<img class="report-chart" id="chart-{section.id}" src="data:image/svg+xml;base64,'
                 f'{data}" alt="Chart: {escape(section.title)}. The same figures are in the table '
                 'beside it.">')
    note = f"<p>{escape(section.note)}</p>" if section.note else ""
    return (f'<section class="report-section" id="section-{section.id}"><h2>{escape(section.title)}'
            f"</h2>{note}<div class=\"report-pair\">{image}{table}</div></section>\n")


def _options(values: Sequence[tuple[str, str]], chosen: str) -> str:
    return "".join(f'<option value="{escape(v)}"{" selected" if v == chosen else ""}>{escape(label)}'
                   "</option>" for v, label in values)


def _form(available: Sequence[str], report: Report) -> str:
    f = report.figures
    kind, name = report.filter.place
    month_options = [(m, m) for m in available]
    sites = [("", "All sites"), *((s, s) for s in f.sites)]
    terminals = [("", "All terminals"), *((t, f"{t} ({s})") for s, ts in f.sites.items() for t in ts)]
    services = [("", "All services"), *((s, s) for s in f.services)]
    return ('<form method="get" action="/report" class="report-filter">'
            f'<label for="from">From</label><select id="from" name="from">'
            f"{_options(month_options, f.period.first)}</select>"
            f'<label for="to">To</label><select id="to" name="to">'
            f"{_options(month_options, f.period.last)}</select>"
            f'<label for="site">Site</label><select id="site" name="site">'
            f"{_options(sites, name if kind == 'site' else '')}</select>"
            f'<label for="terminal">Terminal</label><select id="terminal" name="terminal">'
            f"{_options(terminals, name if kind == 'terminal' else '')}</select>"
            f'<label for="service">Service</label><select id="service" name="service">'
            f"{_options(services, report.filter.service)}</select>"
            '<button class="button" type="submit">Show</button></form>\n')


def _where(report: Report) -> str:
    kind, name = report.filter.place
    place = {"council": "all sites", "site": f"site {name}", "terminal": f"terminal {name}"}[kind]
    service = f"service {report.filter.service}" if report.filter.service else "all services"
    return f"{report.figures.period.label}, {place}, {service}"


def page_body(available: Sequence[str], report: Report, drawn: charts.SvgCache) -> str:
    headline = "".join(f"<tr><th scope=\"row\">{escape(n)}</th><td>{escape(v)}</td>"
                       f"<td>{escape(how)}</td></tr>" for n, v, how in report.headline)
    query = _query(report)
    return (f"<h1>Usage report</h1>\n<p>{escape(_where(report))}.</p>\n{_form(available, report)}"
            f'<p><a href="/report.csv?{query}">Download these figures (CSV)</a> · '
            f'<a href="/report.pdf?{query}">Download the report (PDF)</a></p>\n'
            f"<p>No figure below counts fewer than {THRESHOLD} visits, alone or by subtracting one "
            "figure from another: such figures, and those that would give them away, say "
            "<em>hidden</em> (docs/measures.md).</p>\n"
            '<table class="report-table" id="table-kpis"><caption>Key figures, including the '
            "GOV.UK Service Standard's four</caption><thead><tr><th scope=\"col\">Figure</th>"
            '<th scope="col">Value</th><th scope="col">What it counts</th></tr></thead>'
            f"<tbody>{headline}</tbody></table>\n"
            + "".join(section_html(s, drawn) for s in report.sections))


def csv_text(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["report", _where(report)])
    writer.writerow(["section", "row", "column", "value"])
    for name, value, _ in report.headline:
        writer.writerow(["key figures", name, "value", value])
    for section in report.sections:
        for row in section.rows:
            for column, figure in zip(section.columns[1:], row.values, strict=True):
                writer.writerow([section.title, row.label.strip(), column,
                                 HIDDEN if figure is None else figure])
    return out.getvalue()


def pdf_bytes(hub: HubState, report: Report) -> bytes:
    title = [f"{hub.settings.council_name}: kiosk usage report", _where(report), ""]
    title += [f"{n}: {v}" for n, v, _ in report.headline]
    title += ["", f"Figures counting fewer than {THRESHOLD} visits, or giving one away, are hidden."]
    sections = []
    for s in report.sections:
        lines = [" | ".join(s.columns)]
        lines += [" | ".join([r.label, *(HIDDEN if v is None else f"{v}" for v in r.values)])
                  for r in s.rows]
        sections.append((s.title, s.chart, lines))
    return charts.pdf(title, sections)


def _report(hub: HubState, request: Request, catalogue: ServiceOrder, kept: FiguresCache
            ) -> tuple[list[str], Report | None]:
    available = months(hub.engine)
    period, chosen = _choice(request, available)
    if period is None:
        return available, None
    found = kept.get(hub.engine, period)
    return available, build_report(found, chosen, hub.settings.site_costs, catalogue.pages,
                                   catalogue.sends)


@dataclass(frozen=True)
class ServiceOrder:
    pages: Mapping[str, Sequence[str]]  # each service's page ids in order, for the funnel
    sends: frozenset[str]  # services that end by sending or booking


def page_order(services: Iterable[Service]) -> ServiceOrder:
    """Each service's page ids in the order a resident meets them, and which ones send."""
    listed = list(services)
    return ServiceOrder({s.id: [*(p.id for p in s.pages),
                                *(("check_answers", "confirmation") if s.sends else ())]
                         for s in listed}, frozenset(s.id for s in listed if s.sends))


_EMPTY = ("<h1>Usage report</h1>\n<p>No usage events have reached the hub yet. Terminals send "
          "them in batches; for the demo, run <code>kiosk-hub demo-events</code>.</p>\n")


def report_router(order: ServiceOrder | None = None) -> APIRouter:
    """`order`: the catalogue's pages and sending services (none known: no funnel order)."""
    order = order or ServiceOrder({}, frozenset())
    # The page's charts are written as SVG directly (fast); the PDF's go through matplotlib.
    drawn = charts.SvgCache(draw=page_charts.svg)
    kept = FiguresCache()

    async def page(request: Request, account: Manager) -> HTMLResponse:
        hub = hub_state(request)

        def build() -> str:
            available, report = _report(hub, request, order, kept)
            return _EMPTY if report is None else page_body(available, report, drawn)

        body = await run_in_threadpool(build)
        html = staff_page(hub, "Usage report", body, account)
        return HTMLResponse(html, headers=PAGE_HEADERS)

    async def as_csv(request: Request, account: Manager) -> Response:
        hub = hub_state(request)
        _, report = await run_in_threadpool(_report, hub, request, order, kept)
        text = "" if report is None else csv_text(report)
        return Response(text, media_type="text/csv; charset=utf-8",
                        headers={**HEADERS, "Content-Disposition":
                                 'attachment; filename="usage-report.csv"'})

    async def as_pdf(request: Request, account: Manager) -> Response:
        hub = hub_state(request)

        def build() -> bytes | None:
            _, report = _report(hub, request, order, kept)
            return None if report is None else pdf_bytes(hub, report)

        data = await run_in_threadpool(build)
        if data is None:
            return page_response(staff_page(hub, "Usage report", _EMPTY, account), 404)
        return Response(data, media_type="application/pdf",
                        headers={**HEADERS, "Content-Disposition":
                                 'attachment; filename="usage-report.pdf"'})

    router = APIRouter()
    router.add_api_route("/report", page, methods=["GET"], response_class=HTMLResponse)
    router.add_api_route("/report.csv", as_csv, methods=["GET"])
    router.add_api_route("/report.pdf", as_pdf, methods=["GET"])
    return router
