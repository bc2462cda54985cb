"""What the report shows for one filter (period, place, service): sections of figures, each
a chart and the table it is drawn from, and the headline KPIs. Every number comes from
`Figures.get`, so a hidden figure stays hidden in the page, the CSV and the PDF alike, and a
rate is shown only when both its numbers are.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from hub.usage.charts import Bars, Chart, HeatMap
from hub.usage.figures import COUNCIL, Figures, Place
from hub.usage.measures import ALL, OUTCOMES

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
OUTCOME_WORDS = {"submitted": "Submitted (or booked)", "advisor": "Handed to an advisor",
                 "exit": "Reached an exit page", "timeout": "Abandoned: screen timed out",
                 "left": "Abandoned: left or started again"}
SATISFACTION_WORDS = {"1": "Very dissatisfied", "2": "Dissatisfied",
                      "3": "Neither satisfied nor dissatisfied", "4": "Satisfied",
                      "5": "Very satisfied"}
CONTACT_WORDS = {"yes": "Yes, phoned or visited before", "no": "No", "not_sure": "Not sure"}
LANGUAGE_WORDS = {"default": "Not changed", "en": "English", "cy": "Welsh", "pl": "Polish",
                  "ur": "Urdu", "ro": "Romanian"}
HIDDEN = "hidden"


@dataclass(frozen=True)
class Row:
    label: str
    values: tuple[int | str | None, ...]


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    columns: tuple[str, ...]  # the first names the row labels
    rows: tuple[Row, ...]
    chart: Chart | None = None
    note: str = ""


@dataclass(frozen=True)
class Filter:
    place: Place = COUNCIL
    service: str = ALL


@dataclass
class Report:
    figures: Figures
    filter: Filter
    headline: list[tuple[str, str, str]] = field(default_factory=list)  # (name, value, how)
    sections: list[Section] = field(default_factory=list)


def rate(numerator: int | None, denominator: int | None) -> str:
    if numerator is None or denominator is None:
        return HIDDEN
    if denominator == 0:
        return "no data"
    return f"{100 * numerator / denominator:.1f}%"


def _sum(values: Sequence[int | None]) -> int | None:
    return None if any(v is None for v in values) else sum(v for v in values if v is not None)


def _months(figures: Figures) -> int:
    first_year, first_month = map(int, figures.period.first.split("-"))
    last_year, last_month = map(int, figures.period.last.split("-"))
    return (last_year - first_year) * 12 + last_month - first_month + 1


def cost(figures: Figures, place: Place, costs: Mapping[str, float]) -> float | None:
    """The period's running cost of the place's kiosks (a terminal: its share of its site's)."""
    kind, name = place
    months = _months(figures)
    if kind == "council":
        known = [costs[s] for s in figures.sites if s in costs]
        return sum(known) * months if known and len(known) == len(figures.sites) else None
    if kind == "site":
        return costs[name] * months if name in costs else None
    site = figures.site_of(name)
    if site is None or site not in costs:
        return None
    return costs[site] * months / max(1, len(figures.sites[site]))


def build_report(figures: Figures, chosen: Filter, costs: Mapping[str, float],
                 pages: Mapping[str, Sequence[str]], sends: frozenset[str] | None = None
                 ) -> Report:
    """`sends`: the services that end by sending or booking (others only look things up, so
    completion is counted over these); None: all of them."""
    report = Report(figures, chosen)
    place, service = chosen.place, chosen.service
    get = figures.get
    visits = get(place, service, "visits")
    started = get(place, service, "journeys", "started")
    sending = [s for s in figures.services if sends is None or s in sends]
    if service == ALL:
        can_complete = _sum([get(place, s, "journeys", "started") for s in sending])
    else:
        can_complete = started if service in sending else 0
    outcomes = {o: get(place, service, "outcome", o) for o in OUTCOMES}
    submitted = outcomes["submitted"]
    answers = {k: get(place, service, "satisfaction", k) for k in SATISFACTION_WORDS}
    responses = _sum(list(answers.values()))
    satisfied = _sum([answers["4"], answers["5"]])
    contact = {k: get(place, service, "avoidable", k) for k in CONTACT_WORDS}
    spend = cost(figures, place, costs)
    per_transaction = ("not set on the hub" if spend is None else HIDDEN if submitted is None
                       else "no transactions" if submitted == 0 else f"£{spend / submitted:,.2f}")
    report.headline = [
        ("Visits", _count(visits), "people who touched the screen to start"),
        ("Journeys started", _count(started), "services chosen"),
        ("Completion rate", rate(submitted, can_complete),
         "journeys submitted or booked, of those started in services that send or book"),
        ("User satisfaction", rate(satisfied, responses),
         "satisfied or very satisfied, of those who answered"),
        ("Digital take-up (at the kiosk)", rate(submitted, _sum([submitted, outcomes["advisor"]])),
         "done on screen, of those done on screen or handed to an advisor (docs/measures.md)"),
        ("Cost per transaction", per_transaction, "the kiosks' running cost over submitted journeys"),
        ("Assisted share", rate(get(place, service, "assisted", "yes"), visits),
         "visits where a staff card was used"),
        ("Avoidable contact", rate(contact["yes"], _sum(list(contact.values()))),
         "answered that they had phoned or visited about this before"),
    ]
    report.sections.append(_partition("outcomes", "Outcomes of journeys", OUTCOME_WORDS,
                                      outcomes, started, "journeys"))
    if service != ALL:
        report.sections.append(_funnel(figures, place, service, started, pages.get(service, ())))
    report.sections.append(_access(figures, place, service, visits))
    report.sections.append(_partition("satisfaction", "Satisfaction", SATISFACTION_WORDS, answers,
                                      responses, "answers"))
    report.sections.append(_partition("avoidable", "Avoidable contact", CONTACT_WORDS, contact,
                                      _sum(list(contact.values())), "answers"))
    report.sections.append(_heat(figures, place, service))
    report.sections.append(_by_site(figures, place, service))
    report.sections.append(_by_service(figures, place))
    return report


def _count(value: int | None) -> str:
    return HIDDEN if value is None else f"{value:,}"


def _partition(id_: str, title: str, words: Mapping[str, str], values: Mapping[str, int | None],
               base: int | None, unit: str) -> Section:
    rows = tuple(Row(words[k], (values[k], rate(values[k], base))) for k in words)
    chart = Bars(title, tuple(words[k] for k in words), tuple(values[k] for k in words), unit)
    return Section(id_, title, ("", unit.capitalize(), "Share"), rows, chart)


def _funnel(figures: Figures, place: Place, service: str, started: int | None,
            pages: Sequence[str]) -> Section:
    keys = figures.keys(place, service, "stopped")
    order = {f"at:{p}": i for i, p in enumerate(("start", *pages))}
    ordered = sorted((k for k in keys if k.startswith("at:")), key=lambda k: (order.get(k, 999), k))
    labels = [("Before the first page" if k == "at:start" else f"Stopped at {k[3:]}") for k in ordered]
    values = [figures.get(place, service, "stopped", k) for k in ordered]
    rows = tuple(Row(label, (value, rate(value, started)))
                 for label, value in zip(labels, values, strict=True))
    chart = Bars("Where abandoned journeys stopped", tuple(labels), tuple(values), "journeys")
    return Section("funnel", "Drop-off by page", ("Page", "Journeys", "Share of started"), rows,
                   chart, "Journeys that were abandoned (timed out, left or started again), by "
                   "the last page they reached, in the service's page order.")


def _access(figures: Figures, place: Place, service: str, visits: int | None) -> Section:
    get = figures.get
    items = [("Read aloud", get(place, service, "read_aloud", "yes")),
             ("Large print", get(place, service, "large_print", "yes")),
             ("High contrast", get(place, service, "high_contrast", "yes"))]
    for code in figures.keys(place, service, "language"):
        items.append((f"Language: {LANGUAGE_WORDS.get(code, code)}",
                      get(place, service, "language", code)))
    rows = tuple(Row(label, (value, rate(value, visits))) for label, value in items)
    chart = Bars("Accessibility and language", tuple(i[0] for i in items), tuple(i[1] for i in items))
    return Section("access", "Read aloud, large print, high contrast and language",
                   ("", "Visits", "Share of visits"), rows, chart)


def _heat(figures: Figures, place: Place, service: str) -> Section:
    slots = {k: figures.get(place, ALL, "slot", k) for k in figures.keys(place, ALL, "slot")}
    hours = sorted({int(k.split("-")[1]) for k in slots}) or list(range(9, 17))
    days = [d for d in range(1, 8) if any(k.startswith(f"{d}-") for k in slots)] or list(range(1, 6))
    grid = tuple(tuple(slots.get(f"{d}-{h:02d}", 0) for h in hours) for d in days)
    rows = tuple(Row(DAYS[d - 1], tuple(v for v in line)) for d, line in zip(days, grid, strict=True))
    note = ("Visits by the hour they started, in UK local time." +
            (" For all services: a visit's hour is not kept per service." if service != ALL else ""))
    chart = HeatMap("Busiest hours", tuple(DAYS[d - 1] for d in days), tuple(hours), grid)
    return Section("hours", "Busiest hours by weekday", ("Day", *(f"{h:02d}:00" for h in hours)),
                   rows, chart, note)


def _by_site(figures: Figures, place: Place, service: str) -> Section:
    rows = []
    for site, terminals in figures.sites.items():
        places: list[tuple[str, Place]] = [(site, ("site", site))]
        if service == ALL:
            places += [(f"  terminal {t}", ("terminal", t)) for t in terminals]
        for label, where in places:
            v = figures.get(where, service, "visits")
            s = figures.get(where, service, "journeys", "started")
            c = figures.get(where, service, "outcome", "submitted")
            rows.append(Row(label, (v, s, c, rate(c, s))))
    total = (figures.get(COUNCIL, service, "visits"),
             figures.get(COUNCIL, service, "journeys", "started"),
             figures.get(COUNCIL, service, "outcome", "submitted"))
    rows.append(Row("All sites", (*total, rate(total[2], total[1]))))
    chart = Bars("Visits by site", tuple(figures.sites),
                 tuple(figures.get(("site", s), service, "visits") for s in figures.sites))
    return Section("sites", "By site and terminal", ("Site", "Visits", "Journeys", "Submitted",
                                                     "Completion rate"), tuple(rows), chart)


def _by_service(figures: Figures, place: Place) -> Section:
    rows = []
    for service in figures.services:
        s = figures.get(place, service, "journeys", "started")
        c = figures.get(place, service, "outcome", "submitted")
        rows.append(Row(service, (s, c, rate(c, s))))
    chart = Bars("Journeys by service", tuple(figures.services),
                 tuple(figures.get(place, s, "journeys", "started") for s in figures.services),
                 "journeys")
    return Section("services", "By service", ("Service", "Journeys", "Submitted", "Completion rate"),
                   tuple(rows), chart)
