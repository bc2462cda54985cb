"""The GeoReport v2 endpoint kiosks (and any Open311 client) talk to, under /open311/v2.

Follows the frozen spec, with mySociety's `automated: hidden_field` for the kiosk reference.
GET answers leave out who reported a problem (email, phone, names, attributes) and any field
the catalogue marks personal: these lists are public and need no key.
"""

from __future__ import annotations

import hmac
from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from hub.catalogue_export import ServiceDefinition
from hub.db import ServiceRequest
from hub.formats import FORMATS, MIME_TYPES, Open311Error, Value, parse_format, render
from hub.intake import check_request, form_lists, parse_form_body
from hub.state import HubState, hub_state
from hub.store import (
    MAX_RESULTS,
    Created,
    RequestQuery,
    create_request,
    find_requests,
    get_request,
    replay,
)

PREFIX = "/open311/v2"
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
MAX_SPAN = timedelta(days=90)
STATUSES = ("open", "closed")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
MAX_FORM_BYTES = 256 * 1024


def w3c(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _param(request: Request, name: str) -> str:
    """A query parameter, with an empty value treated exactly like an absent one."""
    return request.query_params.get(name, "").strip()


def _comma_list(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))


def _service(hub: HubState, service_code: str) -> ServiceDefinition:
    service = hub.catalogue.get(service_code)
    if service is None:
        raise Open311Error(404, f"There is no service with code {service_code!r}",
                           "unknown_service")
    return service


def _discovery(request: Request, fmt: str) -> Response:
    hub = hub_state(request)
    changeset = w3c(hub.changeset)
    doc: Value = {
        "changeset": changeset,
        "contact": f"{hub.settings.council_name}: ask the council's IT team",
        "key_service": "API keys are issued by the council's IT team",
        "endpoints": [{
            "specification": SPECIFICATION,
            "url": hub.base_url(request) + PREFIX,
            "changeset": changeset,
            "type": "production",
            "formats": [MIME_TYPES[f] for f in FORMATS],
        }],
    }
    return render("discovery", doc, parse_format(fmt))


def _services(request: Request, fmt: str) -> Response:
    output = parse_format(fmt)
    services: Value = [s.list_doc() for s in hub_state(request).catalogue.services]
    return render("services", services, output)


def _definition(request: Request, service_code: str, fmt: str) -> Response:
    output = parse_format(fmt)
    service = _service(hub_state(request), service_code)
    return render("service_definition", service.definition_doc(), output)


def api_key_ok(given: str, keys: frozenset[str]) -> bool:
    """Compared in constant time against every key, so timing tells nothing about any key."""
    matched = False
    for key in keys:
        matched |= hmac.compare_digest(given.encode(), key.encode())
    return matched


def _submit(hub: HubState, form: dict[str, list[str]], idempotency_key: str | None
            ) -> Created:
    given = next((v for v in form.get("api_key", ()) if v), "")
    if not given:
        raise Open311Error(403, "api_key is missing", "missing_api_key")
    if not api_key_ok(given, hub.settings.api_keys):
        raise Open311Error(403, "api_key is not valid", "invalid_api_key")
    code = next((v.strip() for v in form.get("service_code", ()) if v.strip()), "")
    if not code:
        raise Open311Error(400, "service_code is required", "missing_service_code")
    service = _service(hub, code)
    if idempotency_key is not None:
        earlier = replay(hub.sessions, idempotency_key)
        if earlier is not None:
            return earlier
    accepted = check_request(form, service)
    return create_request(hub.sessions, service, accepted, idempotency_key,
                          hub.settings.council_name)


def _content_type(request: Request) -> tuple[str, str | None]:
    """The media type and its charset parameter, if any."""
    media_type, *params = request.headers.get("content-type", "").split(";")
    charset = None
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"') or None
    return media_type.strip().lower(), charset


async def _form_items(request: Request, media_type: str, charset: str | None
                      ) -> list[tuple[str, str]]:
    if media_type == FORM_TYPES[0]:
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_FORM_BYTES:
                raise Open311Error(413, f"The request body may be at most {MAX_FORM_BYTES} "
                                   "bytes", "body_too_large")
        return parse_form_body(bytes(body), charset)
    items: list[tuple[str, str]] = []
    async with request.form() as data:
        for name, value in data.multi_items():
            if not isinstance(value, str):
                raise Open311Error(400, "File uploads are not accepted: send media_url",
                                   "unsupported_upload")
            items.append((name, value))
    return items


async def _post_request(request: Request, fmt: str) -> Response:
    output = parse_format(fmt)
    media_type, charset = _content_type(request)
    if media_type not in FORM_TYPES:
        raise Open311Error(400, "Send the request as application/x-www-form-urlencoded",
                           "unsupported_content_type")
    key = request.headers.get("idempotency-key", "").strip() or None
    if key is not None and len(key) > 255:
        raise Open311Error(400, "Idempotency-Key is longer than 255 characters",
                           "invalid_idempotency_key")
    items = await _form_items(request, media_type, charset)
    hub = hub_state(request)
    created = await run_in_threadpool(_submit, hub, form_lists(items), key)
    answer: dict[str, Value] = {
        "service_request_id": created.service_request_id,
        "service_notice": created.service_notice,
    }
    if created.account_id:
        answer["account_id"] = created.account_id
    response = render("service_requests", [answer], output)
    if created.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response


def _moment(name: str, text: str, end: bool) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise Open311Error(400, f"{name} must be a W3C date and time, like "
                           "2026-03-27T09:30:00Z", f"invalid_{name}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if end and "T" not in text.upper():
        moment += timedelta(days=1)  # a bare end date includes that whole day
    return moment


def parse_query(request: Request, now: datetime) -> RequestQuery:
    ids = _comma_list(_param(request, "service_request_id"))
    if len(ids) > MAX_RESULTS:
        raise Open311Error(400, f"At most {MAX_RESULTS} service_request_id values",
                           "too_many_ids")
    if ids:
        return RequestQuery(ids=ids)
    statuses = _comma_list(_param(request, "status"))
    for status in statuses:
        if status not in STATUSES:
            raise Open311Error(400, f"status must be open or closed, not {status!r}",
                               "invalid_status")
    start_text, end_text = _param(request, "start_date"), _param(request, "end_date")
    start = _moment("start_date", start_text, end=False) if start_text else None
    end = _moment("end_date", end_text, end=True) if end_text else None
    if start is None:
        start = (end or now) - MAX_SPAN
    elif end is None:
        end = start + MAX_SPAN
    if end is not None and end < start:
        raise Open311Error(400, "end_date is before start_date", "invalid_date_range")
    if end is not None and end - start > MAX_SPAN:
        raise Open311Error(400, "start_date and end_date may be at most 90 days apart",
                           "date_range_too_long")
    return RequestQuery(service_codes=_comma_list(_param(request, "service_code")),
                        statuses=statuses, start=start, end=end)


def request_doc(row: ServiceRequest, service: ServiceDefinition | None) -> dict[str, Value]:
    """One request as published: no reporter details, no fields the catalogue marks personal."""
    public = service.public_fields if service is not None else frozenset()
    doc: dict[str, Value] = {
        "service_request_id": row.service_request_id,
        "status": row.status,
        "status_notes": row.status_notes,
        "service_name": row.service_name,
        "service_code": row.service_code,
    }
    if "description" in public:
        doc["description"] = row.description
    doc["agency_responsible"] = row.agency_responsible
    doc["service_notice"] = row.service_notice
    doc["requested_datetime"] = w3c(row.requested_datetime)
    doc["updated_datetime"] = w3c(row.updated_datetime)
    if row.expected_datetime is not None:
        doc["expected_datetime"] = w3c(row.expected_datetime)
    if "address_string" in public:
        doc["address"] = row.address_string
        doc["address_id"] = row.address_id
        if row.lat is not None and row.long is not None:
            doc["lat"] = row.lat
            doc["long"] = row.long
    doc["media_url"] = row.media_url
    return doc


def _get_requests(request: Request, fmt: str) -> Response:
    output = parse_format(fmt)
    hub = hub_state(request)
    rows = find_requests(hub.sessions, parse_query(request, datetime.now(UTC)))
    docs: Value = [request_doc(r, hub.catalogue.get(r.service_code)) for r in rows]
    return render("service_requests", docs, output)


def _get_one(request: Request, service_request_id: str, fmt: str) -> Response:
    output = parse_format(fmt)
    hub = hub_state(request)
    row = get_request(hub.sessions, service_request_id)
    if row is None:
        raise Open311Error(404, f"There is no service request {service_request_id!r}",
                           "unknown_request")
    docs: Value = [request_doc(row, hub.catalogue.get(row.service_code))]
    return render("service_requests", docs, output)


async def _requests(request: Request, fmt: str) -> Response:
    """One route for both methods, so a wrong method is told every method that works."""
    if request.method == "POST":
        return await _post_request(request, fmt)
    return await run_in_threadpool(_get_requests, request, fmt)


def open311_router() -> APIRouter:
    """The GeoReport v2 routes; the format is the path's suffix, as the spec has it."""
    router = APIRouter(prefix=PREFIX)
    router.add_api_route("/discovery.{fmt}", _discovery, methods=["GET"])
    router.add_api_route("/services.{fmt}", _services, methods=["GET"])
    router.add_api_route("/services/{service_code}.{fmt}", _definition, methods=["GET"])
    router.add_api_route("/requests.{fmt}", _requests, methods=["GET", "POST"])
    router.add_api_route("/requests/{service_request_id}.{fmt}", _get_one, methods=["GET"])
    return router
