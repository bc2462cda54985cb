"""From an HTTP status and what the body said, to a verdict and a sentence for staff.

Spec first (403 is a bad API key, 404 a service or jurisdiction not found, 400 anything else),
then the server's own words, because servers disagree on statuses: a wrong key arrives as 400
from some, an unknown service code as 400 or 404. Telling them apart matters: a wrong
key is IT's to fix in the profile and every report must wait for it, while an unknown service
code will never be accepted and must reach staff at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from kiosk.outbox.open311_answers import ServerAnswer, plain

SendKind = Literal["delivered", "retry", "permanent"]
Category = Literal["api_key", "unknown_service", "duplicate"]

_WAIT_4XX = frozenset({408, 409, 425, 429})
# The server's words, not its echo: a body that quotes the form back holds "api_key" and
# "service_code" as field names, so only a complaint about them counts.
_BAD = r"(?:unknown|invalid|wrong|bad|incorrect|missing|unrecogni[sz]ed|no such|not a valid)"
_WHY = r"(?:not found|unknown|not recogni[sz]ed|does not exist|is not valid|not valid|invalid" \
       r"|incorrect|is required|missing)"
_API_KEY = re.compile(rf"{_BAD}\s+api[ _-]?key|api[ _-]?key\b.{{0,30}}\b{_WHY}"
                      r"|unauthori[sz]ed|not authori[sz]ed|authenticat|credential")
_UNKNOWN_SERVICE = re.compile(
    rf"{_BAD}\s+service(?:[ _-]?code)?\b(?! request)|service[ _-]?code\b.{{0,40}}\b{_WHY}"
    r"|service (?:was |is )?not found|no service with (?:the |that )?code")
_DUPLICATE = re.compile(r"\bduplicate\b")


@dataclass(frozen=True)
class SendResult:
    kind: SendKind
    detail: str
    status: int | None = None
    remote_id: str | None = None
    remote_token: str | None = None
    retry_after: float | None = None
    # A sentence for staff and IT: plain text, short, nothing the resident typed.
    reason: str = ""
    # The request left (the whole body was written) and its answer was lost.
    ambiguous: bool = False


@dataclass(frozen=True)
class TokenAnswer:
    """What `tokens/{token}` said: the id, not yet, or never."""

    kind: Literal["resolved", "waiting", "failed"]
    remote_id: str | None = None
    reason: str = ""


def category(answer: ServerAnswer) -> Category | None:
    text = " ".join(f"{code} {description}" for code, description in answer.errors)
    text = text.lower().replace("_", " ")
    if _API_KEY.search(text):
        return "api_key"
    if _UNKNOWN_SERVICE.search(text):
        return "unknown_service"
    if _DUPLICATE.search(text):
        return "duplicate"
    return None


def server_said(status: int, answer: ServerAnswer) -> str:
    """"(HTTP 400; server said: code: description)" — the evidence behind a verdict."""
    if answer.errors:
        said = "; ".join(f"{code}: {text}" if code and code != str(status) else text
                         for code, text in answer.errors)
        what = f"server said: {said}"
    elif answer.kind == "html":
        what = f"an HTML page titled \"{answer.page_title}\"" if answer.page_title else (
            "an HTML page")
    elif answer.kind == "empty":
        what = "no body"
    elif answer.kind == "unreadable":
        what = "a body that could not be read"
    else:
        what = "no Open311 error"
    return f"(HTTP {status}; {what})"


def verdict(status: int, answer: ServerAnswer, retry_after: float | None, location: str,
            service_code: str) -> SendResult:
    evidence = server_said(status, answer)
    code = plain(service_code, limit=40)
    if 200 <= status < 300:
        return _accepted(status, answer, evidence)
    if 300 <= status < 400:
        where = f" to {plain(location, limit=80)}" if location else ""
        return SendResult("retry", f"http_{status}", status, retry_after=retry_after, reason=(
            f"The back office redirected the report{where}: check the destination's endpoint "
            f"in the profile; reports are kept and retried {evidence}"))
    found = category(answer)
    if status >= 500 or status < 200:
        return SendResult("retry", f"http_{status}", status, retry_after=retry_after,
                          reason=f"Server error at the back office {evidence}")
    if status in (401, 403) or found == "api_key":
        return SendResult("retry", f"http_{status}_api_key", status, retry_after=retry_after,
                          reason=("The back office refused the kiosk's API key: check api_key "
                                  f"for this destination in the profile; reports are kept and "
                                  f"retried {evidence}"))
    if status in _WAIT_4XX:
        return SendResult("retry", f"http_{status}", status, retry_after=retry_after,
                          reason=f"The back office asked the kiosk to wait {evidence}")
    if found == "unknown_service":
        return SendResult("permanent", f"http_{status}_unknown_service", status, reason=(
            f"The back office does not know service code {code}: check the service's "
            f"service_code in the catalogue against the back office's services {evidence}"))
    if status == 404 and not answer.errors:
        return SendResult("retry", "http_404_no_endpoint", status, reason=(
            "The endpoint answered 404 without an Open311 error: check the destination's "
            f"endpoint in the profile; reports are kept and retried {evidence}"))
    if found == "duplicate":
        return SendResult("permanent", f"http_{status}_duplicate", status, reason=(
            f"The back office says this report is a duplicate {evidence}"))
    return SendResult("permanent", f"http_{status}", status,
                      reason=f"The back office refused the report {evidence}")


def _accepted(status: int, answer: ServerAnswer, evidence: str) -> SendResult:
    """Any 2xx means the council has it, even if we cannot read which id it was given.

    Retrying an unreadable success would create a duplicate on servers without idempotency,
    which is worse than a receipt without the council's id. Only a body that is plainly an
    error document (and holds no id) turns a 2xx into a refusal.
    """
    if answer.remote_id is not None:
        return SendResult("delivered", f"http_{status}", status, remote_id=answer.remote_id,
                          reason=f"Received by the back office as {plain(answer.remote_id)}")
    if answer.token is not None:
        return SendResult("delivered", f"http_{status}", status, remote_token=answer.token,
                          reason=("Received by the back office, which gave a token; its id "
                                  "follows"))
    if answer.errors and not answer.guessed:
        duplicate = category(answer) == "duplicate"
        return SendResult("permanent", f"http_{status}_{'duplicate' if duplicate else 'error'}",
                          status, reason=("The back office answered with success but with an "
                                          f"error in place of an id {evidence}"))
    return SendResult("delivered", f"http_{status}_no_id", status, reason=(
        "Received by the back office, which gave no id (a \"blackbox\" service): the kiosk "
        "reference is the only handle"))
