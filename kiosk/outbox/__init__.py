"""Accepted submissions, kept encrypted on disk until their destination confirms receipt."""

from kiosk.outbox.crypto import KeyFileError, PayloadCipher, PayloadUnreadable, load_or_create_key
from kiosk.outbox.db import SCHEMA_VERSION, OutboxError, connect
from kiosk.outbox.dead_letter_view import DeadLetter
from kiosk.outbox.dead_letters import DiscardResult, HistoryEntry, RequeueResult
from kiosk.outbox.described import ReportContext
from kiosk.outbox.lock import RelayBusy, RelayLock
from kiosk.outbox.open311 import (
    Open311Sender,
    Sender,
    SendKind,
    SendResult,
    TokenAnswer,
    TokenResolver,
    parse_retry_after,
)
from kiosk.outbox.relay import (
    BASE_DELAY,
    MAX_ATTEMPTS,
    MAX_DELAY,
    POISON_AFTER,
    Outcome,
    Relay,
    backoff_delay,
)
from kiosk.outbox.relay_ipc import (
    DeliveryAnswer,
    RelayClient,
    RelayServer,
    RelaySocketError,
    RelayStatus,
    RelayUnavailable,
    RetryAnswer,
    socket_path,
)
from kiosk.outbox.relay_service import RelayService
from kiosk.outbox.relay_worker import RelayWorker
from kiosk.outbox.remote_refs import RemoteRef
from kiosk.outbox.senders import senders_from_profile
from kiosk.outbox.store import (
    DuplicateReference,
    Enqueued,
    Outbox,
    OutboxRow,
    State,
    UnknownSubmission,
)

__all__ = [
    "BASE_DELAY",
    "MAX_ATTEMPTS",
    "MAX_DELAY",
    "POISON_AFTER",
    "SCHEMA_VERSION",
    "DeadLetter",
    "DeliveryAnswer",
    "DiscardResult",
    "DuplicateReference",
    "Enqueued",
    "HistoryEntry",
    "KeyFileError",
    "Open311Sender",
    "Outbox",
    "OutboxError",
    "OutboxRow",
    "Outcome",
    "PayloadCipher",
    "PayloadUnreadable",
    "Relay",
    "RelayBusy",
    "RelayClient",
    "RelayLock",
    "RelayServer",
    "RelayService",
    "RelaySocketError",
    "RelayStatus",
    "RelayUnavailable",
    "RelayWorker",
    "RemoteRef",
    "ReportContext",
    "RequeueResult",
    "RetryAnswer",
    "SendKind",
    "SendResult",
    "Sender",
    "State",
    "TokenAnswer",
    "TokenResolver",
    "UnknownSubmission",
    "backoff_delay",
    "connect",
    "load_or_create_key",
    "parse_retry_after",
    "senders_from_profile",
    "socket_path",
]
