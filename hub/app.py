"""Build the hub application from settings: the only place its parts are wired together.

Everything (engine, sessions, catalogue export) lives on `app.state.hub`, so two apps in one
process (tests, a future multi-council host) never share state.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

from fastapi import FastAPI, Request, Response
from fastapi.exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
)
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from hub.appointments.api import appointments_api_router
from hub.appointments.book import AppointmentBook, system_clock
from hub.appointments.feed import feed_router
from hub.appointments.loading import DEMO_APPOINTMENTS
from hub.appointments.loading import load_if_empty as load_appointments_if_empty
from hub.appointments.purge import PurgeTimer
from hub.appointments.staff_page import appointments_page_router
from hub.calls.advisor_api import advisor_api_router
from hub.calls.console_page import console_router
from hub.calls.desk import make_desk
from hub.calls.kiosk_api import kiosk_calls_router
from hub.calls.websocket import calls_socket_router
from hub.catalogue_export import export_catalogue
from hub.collections_table import TableCalendar, load_demo_if_empty
from hub.db import make_engine
from hub.fleet_page import fleet_router
from hub.formats import Open311Error, error_response, format_of_path
from hub.gate import install_gate
from hub.gazetteer_table import TableGazetteer, load_if_empty
from hub.heartbeat_writer import HeartbeatWriter, heartbeat_router
from hub.lookup_sources import (
    DEMO_BINS,
    DEMO_EXCEPTIONS,
    DEMO_GAZETTEER,
    DEMO_ROUNDS,
    SourceRegistry,
    demo_sources,
)
from hub.lookup_sources.appointments import AppointmentTypesSource, appointment_sources
from hub.lookup_sources.request_status import RequestStatusSource
from hub.lookups import http_error_response, is_lookup_path, lookups_router
from hub.migrate import ready_database
from hub.open311 import PREFIX, open311_router
from hub.open311_updates import updates_router
from hub.pages import static_router
from hub.passwords import Passwords
from hub.reference_intake import references_router
from hub.remote_tracking import RemoteTracker
from hub.request_status import status_of
from hub.requests_page import requests_router
from hub.saved.api import saved_api_router
from hub.saved.keyfile import load_or_create_saved_key
from hub.saved.store import SavedPurgeTimer, SavedStore
from hub.settings import HubSettings
from hub.sign_in import sign_in_router
from hub.state import HubState
from hub.status_page import status_router
from hub.tracked import resolved
from hub.usage.report_page import page_order, report_router
from hub.usage.retention import RetentionTimer
from hub.usage.route import events_router
from kiosk.catalogue.loader import load_catalogue


def _catalogue_changed(folder: Path) -> datetime:
    """When the catalogue files last changed: discovery's `changeset`."""
    times = [path.stat().st_mtime for path in folder.glob("*.yaml")]
    return datetime.fromtimestamp(max(times), UTC).replace(microsecond=0)


def _is_open311(request: Request) -> bool:
    return request.url.path.startswith(PREFIX + "/") or request.url.path == PREFIX


async def _open311_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Open311Error)
    return error_response(exc, format_of_path(request.url.path))


async def _http_error(request: Request, exc: Exception) -> Response:
    """Open311 clients get an `errors` document, not FastAPI's `{"detail": ...}`."""
    assert isinstance(exc, StarletteHTTPException)
    if is_lookup_path(request.url.path):
        return http_error_response(exc)
    if not _is_open311(request):
        return await http_exception_handler(request, exc)
    status = exc.status_code if exc.status_code in (403, 404, 405) else 400
    allow = (exc.headers or {}).get("Allow")
    text = {404: "Not found",
            405: f"{request.method} is not allowed here" + (f": use {allow}" if allow else ""),
            }.get(exc.status_code, str(exc.detail))
    error = Open311Error(status, text, str(exc.status_code))
    response = error_response(error, format_of_path(request.url.path))
    if allow:
        response.headers["Allow"] = allow
    return response


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    if not _is_open311(request):
        return await request_validation_exception_handler(request, exc)
    problems = [(str(e.get("type", "invalid")), str(e.get("msg", "Invalid request")))
                for e in exc.errors()] or [("invalid", "Invalid request")]
    return error_response(Open311Error.several(400, problems), format_of_path(request.url.path))


def create_app(settings: HubSettings, *, lookup_sources: SourceRegistry | None = None,
               passwords: Passwords | None = None,
               clock: Callable[[], datetime] | None = None) -> FastAPI:
    """A ready hub: catalogue loaded and exported, database at the schema this code needs
    (`hub.migrate.ready_database`: SQLite upgraded, others checked), routes mounted. Lookups
    come from `lookup_sources`, else the demo council's (dated by the hub's time zone).
    Staff passwords are hashed by `passwords` (tests pass a cheap one), else at full cost.
    Appointments (holds expiring, "today") run on `clock` (aware UTC now), else the system's.
    Every route is behind the sign-in gate unless `hub.public_routes` lists it.

    Raises `kiosk.config_errors.ConfigError` for a bad catalogue, ValueError for one that
    cannot be published (two services sharing a service code), `hub.migrate.SchemaNotReady`
    for a database `kiosk-hub db upgrade` has not brought up to date, and SQLAlchemyError for
    one that cannot be reached, `hub.saved.keyfile.SavedKeyError` for a saved applications
    key file that cannot be used.
    """
    catalogue = load_catalogue(settings.catalogue_dir)
    saved_key = (load_or_create_saved_key(settings.saved_key_file)
                 if settings.saved_key_file is not None else None)
    exported = export_catalogue(catalogue)
    engine = make_engine(settings.database_url)
    try:
        sessions = ready_database(engine)
    except BaseException:
        engine.dispose()
        raise
    book = AppointmentBook(engine, ZoneInfo(settings.timezone), clock=clock or system_clock,
                           horizon_weeks=settings.appointment_horizon_weeks)
    if lookup_sources is None:
        try:
            load_if_empty(engine, DEMO_GAZETTEER)
            load_demo_if_empty(engine, DEMO_BINS, DEMO_ROUNDS, DEMO_EXCEPTIONS)
            load_appointments_if_empty(engine, DEMO_APPOINTMENTS, book.now())
        except BaseException:
            engine.dispose()
            raise
        lookup_sources = demo_sources(book.today, TableGazetteer(sessions), TableCalendar(sessions))
    if lookup_sources.get(AppointmentTypesSource.name) is None:
        lookup_sources = lookup_sources.adding(*appointment_sources(book))

    heartbeats = HeartbeatWriter(engine)
    tracker = RemoteTracker(settings.destinations, on_resolved=partial(resolved, sessions))
    if lookup_sources.get(RequestStatusSource.name) is None:
        # A "tell us once" delivery is named by its own label ("Council Tax").
        labels = {(s.id, d.id): d.label for s in catalogue for d in s.deliveries}
        titles = {m.service_code: labels.get((s.id, part), s.title) for s in catalogue
                  for part, m in s.mappings()}
        lookup_sources = lookup_sources.adding(RequestStatusSource(
            partial(status_of, sessions, tracker), titles, settings.timezone))

    purges = PurgeTimer(book, settings.appointment_retention_days)
    saved = (SavedStore(engine, saved_key, settings.saved_days, clock or system_clock)
             if saved_key is not None else None)
    saved_purges = SavedPurgeTimer(saved) if saved is not None else None
    usage_purges = RetentionTimer(engine, settings.usage_retention_months)
    calls = make_desk(engine, settings.database_url, settings.calls, clock or system_clock)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        purges.start()
        if saved_purges is not None:
            saved_purges.start()
        usage_purges.start()
        await calls.start()
        yield
        await calls.close()
        usage_purges.close()
        if saved_purges is not None:
            saved_purges.close()
        purges.close()
        heartbeats.close()
        tracker.close()
        engine.dispose()

    app = FastAPI(
        title=f"Civic Kiosk hub – {settings.council_name}",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
    )
    hub = HubState(
        settings=settings,
        engine=engine,
        sessions=sessions,
        catalogue=exported,
        changeset=_catalogue_changed(settings.catalogue_dir),
        lookups=lookup_sources,
        passwords=passwords or Passwords(),
        tracker=tracker,
    )
    app.state.hub = hub
    app.state.appointments = book
    app.state.calls = calls
    app.state.saved = saved
    app.add_exception_handler(Open311Error, _open311_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.include_router(open311_router())
    app.include_router(updates_router())
    app.include_router(status_router())
    app.include_router(lookups_router())
    app.include_router(references_router())
    app.include_router(heartbeat_router(heartbeats))
    app.include_router(events_router())
    app.include_router(report_router(page_order(catalogue)))
    app.include_router(fleet_router())
    app.include_router(requests_router())
    app.include_router(appointments_api_router())
    app.include_router(appointments_page_router())
    app.include_router(feed_router())
    app.include_router(kiosk_calls_router())
    app.include_router(saved_api_router())
    app.include_router(advisor_api_router())
    app.include_router(calls_socket_router())
    app.include_router(console_router())
    app.include_router(sign_in_router())
    app.include_router(static_router())
    install_gate(app, hub)
    return app
