"""Messages cut to fit a PostgreSQL NOTIFY payload (under 8000 bytes), and put back together.

A message is JSON with every character outside ASCII escaped, so characters are bytes and a
piece is cut anywhere. Each piece is `"<message id> <index> <count> <text>"`. The pieces of
one message are sent in one transaction, so they arrive together and in order; distinct
headers also stop PostgreSQL folding identical payloads of one transaction into one.
"""

from __future__ import annotations

import itertools
import json
import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

PIECE = 7000  # characters of message per NOTIFY, leaving room for the header
MAX_PENDING = 200  # messages part-way through arriving; beyond this the oldest is dropped
PENDING_SECONDS = 30.0


class Chunker:
    """Cuts messages into pieces, each message with an id unique to this process."""

    def __init__(self) -> None:
        self._prefix = secrets.token_hex(4)
        self._counter = itertools.count()

    def pieces(self, call_id: str, message: dict[str, Any]) -> list[str]:
        text = json.dumps({"c": call_id, "m": message}, ensure_ascii=True, separators=(",", ":"))
        parts = [text[i:i + PIECE] for i in range(0, len(text), PIECE)] or [""]
        message_id = f"{self._prefix}{next(self._counter):x}"
        return [f"{message_id} {n} {len(parts)} {part}" for n, part in enumerate(parts)]


@dataclass
class _Partial:
    count: int
    started: float
    parts: dict[int, str] = field(default_factory=dict)


class Reassembler:
    """Gives back whole messages from pieces; malformed or abandoned pieces are dropped."""

    def __init__(self) -> None:
        self._pending: OrderedDict[str, _Partial] = OrderedDict()

    def add(self, payload: str) -> tuple[str, dict[str, Any]] | None:
        header = payload.split(" ", 3)
        if len(header) != 4 or not header[1].isdigit() or not header[2].isdigit():
            return None
        message_id, index, count, text = header[0], int(header[1]), int(header[2]), header[3]
        if count == 1:
            return _decode(text)
        if not 0 <= index < count:
            return None
        now = time.monotonic()
        self._forget_old(now)
        partial = self._pending.setdefault(message_id, _Partial(count, now))
        partial.parts[index] = text
        if len(partial.parts) < partial.count:
            return None
        del self._pending[message_id]
        return _decode("".join(partial.parts[n] for n in range(partial.count)))

    def _forget_old(self, now: float) -> None:
        while self._pending and (len(self._pending) >= MAX_PENDING or
                                 now - next(iter(self._pending.values())).started
                                 > PENDING_SECONDS):
            self._pending.popitem(last=False)


def _decode(text: str) -> tuple[str, dict[str, Any]] | None:
    try:
        document = json.loads(text)
    except ValueError:
        return None
    if (not isinstance(document, dict) or not isinstance(document.get("c"), str)
            or not isinstance(document.get("m"), dict)):
        return None
    return document["c"], document["m"]
