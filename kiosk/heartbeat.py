"""The heartbeat: a small, fixed, signed document saying how a terminal is, once a minute.

What it carries is fixed by `HeartbeatBody` (every string a short code: no spaces, no free
text), and where each part comes from is fixed too: the device's identity, a sequence
number, the package's version, the provisioned profile's version, the screen's last device
status (`kiosk.screen_status`), the outbox's counts and the provisioning agent's last
result. None of these ever holds what a resident typed, so no resident data can reach it.

The body is canonical JSON (sorted keys, no spaces, ASCII) signed with the device's Ed25519
key; the envelope carries the device id, the body as that exact string, and the signature,
so the hub verifies the very bytes that were signed. The hub validates a body with the same
model (`HeartbeatBody.parse`).

The sequence number only ever grows: it is kept in the state directory (written with fsync
and renamed into place) and each beat takes `max(last + 1, now in whole seconds)`. The
second term keeps a device whose counter file was lost ahead of the hub's last accepted
number, since at most one beat a second is ever sent; the first keeps it growing if the
clock is set back.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import logging
import os
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from kiosk.device_identity import DeviceKeys, b64
from kiosk.outbox.store import State
from kiosk.screen_status import ScreenReport, ScreenStatusFile

log = logging.getLogger(__name__)

SCHEMA: Literal[1] = 1
SEQUENCE_FILE = "heartbeat.seq"
PROFILES = "profiles"
MAX_SEQ = 2**53 - 1  # what a JSON number holds exactly in any language
MAX_BODY_BYTES = 4096
MAX_ENVELOPE_BYTES = 8192
SCANNER_STATE = "not_monitored"  # a keyboard-wedge scanner cannot be asked how it is
_CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:+-]{0,63}$"
_CODE = re.compile(_CODE_PATTERN, re.ASCII)
_ID_PATTERN = r"^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$"

Code = Annotated[str, Field(pattern=_CODE_PATTERN)]
Level = Literal["ok", "warning", "fault", "unknown"]


class _Fixed(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Peripheral(_Fixed):
    state: Code
    level: Level


class Peripherals(_Fixed):
    printer: Peripheral
    paper: Peripheral
    card_reader: Peripheral
    scanner: Peripheral


class ScreenState(_Fixed):
    """Whether the screen has written its device status lately (it probes the peripherals)."""

    reporting: bool
    age_seconds: int | None = Field(ge=0)


class OutboxState(_Fixed):
    depth: int = Field(ge=0)
    oldest_pending_seconds: int | None = Field(ge=0)
    dead: int = Field(ge=0)


class ProvisioningResult(_Fixed):
    outcome: Code
    version: Code | None = None
    reason: Code | None = None
    at: Code | None = None


class HeartbeatBody(_Fixed):
    v: Literal[1]
    device_id: Annotated[str, Field(pattern=_ID_PATTERN)]
    site: Annotated[str, Field(pattern=_ID_PATTERN)]
    seq: int = Field(ge=1, le=MAX_SEQ)
    sent_at: Annotated[str, Field(pattern=r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")]
    interval_seconds: int = Field(ge=1, le=86400)
    app_version: Code
    profile_version: Code | None
    peripherals: Peripherals
    screen: ScreenState
    outbox: OutboxState
    provisioning: ProvisioningResult | None

    def canonical(self) -> bytes:
        return canonical_json(self.model_dump(mode="json"))

    @classmethod
    def parse(cls, body: bytes) -> HeartbeatBody:
        """A body as received (pydantic.ValidationError if it is not one)."""
        return cls.model_validate_json(body)

    def sent_at_time(self) -> datetime:
        return datetime.strptime(self.sent_at, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def canonical_json(value: Any) -> bytes:
    """One spelling per document: sorted keys, no spaces, ASCII only, no NaN."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True,
                      allow_nan=False).encode("ascii")


def envelope(keys: DeviceKeys, body: HeartbeatBody) -> bytes:
    """What is POSTed: the device id, the canonical body as a string, its signature."""
    signed = body.canonical()
    return canonical_json({"device_id": keys.identity.device_id, "body": signed.decode("ascii"),
                           "signature": b64(keys.sign(signed))})


# --- where the parts come from ---------------------------------------------------------------


class SequenceCounter:
    """The next sequence number, persisted before it is used."""

    def __init__(self, state_dir: Path, wall: Callable[[], float]) -> None:
        self.path = state_dir / SEQUENCE_FILE
        self.wall = wall

    def last(self) -> int:
        try:
            return int(self.path.read_text(encoding="ascii").strip())
        except FileNotFoundError:
            return 0
        except (OSError, ValueError):
            log.warning("heartbeat sequence file unreadable; continuing from the clock")
            return 0

    def take(self) -> int:
        value = min(MAX_SEQ, max(self.last() + 1, int(self.wall())))
        temporary = self.path.with_name(f".{self.path.name}.tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, str(value).encode("ascii"))
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temporary, self.path)
        folder = os.open(self.path.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
        return value


def app_version() -> str:
    try:
        version = importlib.metadata.version("civic-kiosk")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"
    return version if _CODE.match(version) else "unknown"


def profile_version(state_dir: Path, profile_bytes: bytes) -> str:
    """The provisioned version (`<state>/profiles/current`: a link to the version's folder,
    or a file naming it); a terminal not yet provisioned names its profile by hash."""
    current = state_dir / PROFILES / "current"
    name: str | None = None
    try:
        if current.is_symlink():
            name = Path(os.readlink(current)).name
        elif current.is_file():
            name = current.read_text(encoding="utf-8", errors="replace").strip()[:64]
        elif current.is_dir():
            name = current.resolve().name
    except OSError:
        name = None
    if name and _CODE.match(name):
        return name
    return "sha256:" + hashlib.sha256(profile_bytes).hexdigest()[:12]


def provisioning_result(state_dir: Path) -> ProvisioningResult | None:
    """The provisioning agent's last result (`<state>/profiles/result.json`), reduced to
    short codes; None before the agent has run. The one place to point at the agent's store
    (`ProfileStore.result()`) once it exists."""
    path = state_dir / PROFILES / "result.json"
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_BODY_BYTES + 1)
    except FileNotFoundError:
        return None
    except OSError:
        return ProvisioningResult(outcome="unreadable")
    try:
        data = json.loads(raw) if len(raw) <= MAX_BODY_BYTES else None
    except ValueError:
        data = None
    if not isinstance(data, dict):
        return ProvisioningResult(outcome="unreadable")
    return _result_from(data)


def _result_from(data: Mapping[str, object]) -> ProvisioningResult:
    """Only the fields the heartbeat defines, and only values that are short codes."""
    fields: dict[str, str] = {}
    # The agent's store (kiosk.profile_store) writes `status` and `current`; the heartbeat
    # calls them outcome and version. Its `reason` is a sentence, not a code: it stays on the
    # terminal (`kiosk provision status`), and the outcome says which kind of trouble it is.
    named = {"outcome": data.get("outcome", data.get("status")),
             "version": data.get("version", data.get("current")),
             "reason": data.get("reason"), "at": data.get("at")}
    for key in ("outcome", "version", "reason", "at"):
        value = named.get(key)
        if isinstance(value, bool):
            continue
        if isinstance(value, int):
            value = str(value)
        if isinstance(value, str) and _CODE.match(value):
            fields[key] = value
    outcome = fields.pop("outcome", "unknown")
    return ProvisioningResult(outcome=outcome, **fields)


class OutboxView(Protocol):
    """What the heartbeat reads of `kiosk.outbox.Outbox`: counts, never rows."""

    def depth(self) -> int: ...

    def counts(self) -> Mapping[State, int]: ...

    def oldest_pending_age(self, now: float) -> float | None: ...


_MISSING = Peripheral(state="not_reported", level="unknown")


def peripherals(report: ScreenReport | None) -> Peripherals:
    def one(check_id: str) -> Peripheral:
        if report is None or check_id not in report.checks:
            return _MISSING
        state, level = report.checks[check_id]
        return Peripheral(state=state, level=level)  # type: ignore[arg-type]

    return Peripherals(printer=one("printer"), paper=one("paper"), card_reader=one("card_reader"),
                       scanner=Peripheral(state=SCANNER_STATE, level="unknown"))


def screen_state(report: ScreenReport | None, stale_after: float) -> ScreenState:
    if report is None:
        return ScreenState(reporting=False, age_seconds=None)
    age = int(report.age_seconds)
    return ScreenState(reporting=age <= stale_after, age_seconds=age)


def outbox_state(outbox: OutboxView, now: float) -> OutboxState:
    oldest = outbox.oldest_pending_age(now)
    return OutboxState(depth=outbox.depth(), dead=int(outbox.counts().get("dead", 0)),
                       oldest_pending_seconds=None if oldest is None else int(oldest))


def sent_at(moment: float) -> str:
    return datetime.fromtimestamp(int(moment), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class HeartbeatSource:
    """Makes each beat from the terminal as it is now: the relay process holds one."""

    def __init__(self, keys: DeviceKeys, state_dir: Path, outbox: OutboxView, profile_bytes: bytes,
                 *, interval_seconds: int, screen_stale_after: float,
                 wall: Callable[[], float]) -> None:
        self.keys = keys
        self.state_dir = state_dir
        self.outbox = outbox
        self.profile_bytes = profile_bytes
        self.interval_seconds = interval_seconds
        self.screen_stale_after = screen_stale_after
        self.wall = wall
        self.screen = ScreenStatusFile(state_dir, wall)
        self.sequence = SequenceCounter(state_dir, wall)

    def body(self) -> HeartbeatBody:
        now = self.wall()
        report = self.screen.read()
        identity = self.keys.identity
        return HeartbeatBody(
            v=SCHEMA, device_id=identity.device_id, site=identity.site,
            seq=self.sequence.take(), sent_at=sent_at(now),
            interval_seconds=self.interval_seconds, app_version=app_version(),
            profile_version=profile_version(self.state_dir, self.profile_bytes),
            peripherals=peripherals(report),
            screen=screen_state(report, self.screen_stale_after),
            outbox=outbox_state(self.outbox, now),
            provisioning=provisioning_result(self.state_dir),
        )

    def next_envelope(self) -> bytes:
        return envelope(self.keys, self.body())
