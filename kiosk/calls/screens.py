"""What the screen shows during "Talk to an advisor": Qt-free models the views render.

They sit over the visit, not inside the journey: when the call is over the resident is back
on the page they left (a question, check answers, an exit page) with every answer kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from kiosk.calls.hours import DayHours

# Languages an interpreter can be asked for, each named in itself (a resident who reads
# little English finds their own language's name); `bfi` (British Sign Language) is a
# message key instead, because it has no written name of its own.
INTERPRETER_NAMES: dict[str, str] = {
    "ar": "العربية", "bn": "বাংলা", "cy": "Cymraeg", "lt": "Lietuvių", "pa": "ਪੰਜਾਬੀ",
    "pl": "Polski", "pt": "Português", "ro": "Română", "so": "Soomaali", "ur": "اردو",
    "zh": "中文",
}
SIGN_LANGUAGE = "bfi"

OverReason = Literal["out_of_hours", "no_devices", "unavailable", "no_answer", "advisor_left",
                     "connection_lost", "ended"]


@dataclass(frozen=True)
class CallConsentScreen:
    """"The advisor will see and hear you. Nothing is recorded." Join, with an interpreter
    if asked for, and whether the advisor may see the answers given so far."""

    interpreter_languages: tuple[str, ...]
    proposed_interpreter: str | None
    # The service whose answers the advisor could see; None: nothing to share.
    share_service: str | None
    kind: Literal["call_consent"] = "call_consent"


@dataclass(frozen=True)
class CallQueueScreen:
    """Waiting for an advisor. Position and wait are None until the hub has answered."""

    position: int | None
    wait_minutes: int | None
    interpreter: str | None
    kind: Literal["call_queue"] = "call_queue"


@dataclass(frozen=True)
class CallLiveScreen:
    """The call: the view loads the call page with these (the token never leaves memory)."""

    call_id: str
    token: str = field(repr=False)
    origin: str = ""
    signalling_url: str = ""
    kind: Literal["call_live"] = "call_live"


@dataclass(frozen=True)
class CallOverScreen:
    """Why there is no call (or no longer one), with the opening hours and the ways on."""

    reason: OverReason
    hours: tuple[DayHours, ...]
    can_call_back: bool
    kind: Literal["call_over"] = "call_over"


CallScreen = CallConsentScreen | CallQueueScreen | CallLiveScreen | CallOverScreen


def wait_minutes(seconds: int | None) -> int | None:
    """Rounded up to whole minutes, at least one: "about 1 minute", never "0 minutes"."""
    if seconds is None:
        return None
    return max(1, -(-seconds // 60))
