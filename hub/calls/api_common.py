"""What the kiosk and advisor call APIs share: JSON bodies checked against a model, and
errors as docs/calls.md gives them, `{"error": "<code>", "message": "..."}`.

A body is at most 16 KiB of JSON (as the lookups'); a body that is not JSON, not an object,
or not what the model wants is 422, naming the field and never echoing a value.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from fastapi import Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import SQLAlchemyError

from hub.lookups import LookupFailed, read_json_body

Body = TypeVar("Body", bound=BaseModel)
Endpoint = Callable[[Request], Awaitable[Response]]
NO_STORE = {"Cache-Control": "no-store"}

log = logging.getLogger("hub.calls")


class CallRefused(Exception):
    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.message = message
        self.field = field

    def response(self) -> JSONResponse:
        body = {"error": self.code, "message": self.message}
        if self.field is not None:
            body["field"] = self.field
        return JSONResponse(body, status_code=self.status, headers=NO_STORE)


UNKNOWN_CALL = CallRefused(404, "unknown_call", "There is no such call, or the token is not "
                           "its token")
UNAVAILABLE = CallRefused(503, "unavailable", "The call queue cannot be reached: try again "
                          "shortly")


def answer(body: dict[str, object], status: int = 200) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=NO_STORE)


async def read_body(request: Request, model: type[Body]) -> Body:
    try:
        document = await read_json_body(request)
    except LookupFailed as failed:
        status = 413 if failed.status == 413 else 422
        raise CallRefused(status, "invalid_body", failed.message) from None
    try:
        return model.model_validate(document)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or None
        raise CallRefused(422, "invalid_body", f"{where or 'body'}: {first['msg']}",
                          where) from None


def guarded(endpoint: Endpoint) -> Endpoint:
    """The endpoint, with its refusals answered and a database failure a 503."""

    async def guarded_endpoint(request: Request) -> Response:
        try:
            return await endpoint(request)
        except CallRefused as refused:
            return refused.response()
        except SQLAlchemyError as exc:  # its text would carry the statement's values
            log.warning("calls API failed: %s", type(exc).__name__)
            return UNAVAILABLE.response()

    return guarded_endpoint
