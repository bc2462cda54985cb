"""Turning a back office's tokens into service request ids, a bounded number of times.

Open311 servers that queue requests ("batch" services) answer a POST with a `token`; the id
comes later from `tokens/{token}`. The report is delivered either way, so the relay asks
after its pass: at most `polls` times, further apart each time (2 s, 4 s, 8 s ...), and keeps
the token if no id ever comes, since "Track my request" can ask with either.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from kiosk.outbox.open311 import Sender, TokenAnswer, TokenResolver
from kiosk.outbox.store import Outbox

logger = logging.getLogger(__name__)

TOKEN_POLLS = 6
TOKEN_POLL_BASE = 2.0


def poll_tokens(outbox: Outbox, senders: Mapping[str, Sender], now: float, *,
                polls: int = TOKEN_POLLS, cap: float = 900.0) -> None:
    """Ask about every token that is due; record the id, the next poll, or the end."""
    for ref in outbox.tokens_due(now):
        sender = senders.get(ref.destination)
        if not isinstance(sender, TokenResolver) or ref.remote_token is None:
            outbox.token_polled(ref.reference, remote_id=None, next_poll_at=None,
                                 part=ref.part)
            continue
        answer: TokenAnswer | None
        try:
            answer = sender.resolve_token(ref.remote_token)
        except Exception as exc:  # noqa: BLE001 - a sender bug must not stop the relay
            logger.error("token poll for %s raised %s", ref.destination, type(exc).__name__)
            answer = None
        done = ref.token_polls + 1
        if answer is not None and answer.kind == "resolved":
            outbox.token_polled(ref.reference, remote_id=answer.remote_id, next_poll_at=None,
                                part=ref.part)
            logger.info("reference %s: its token became service request %s", ref.reference,
                        answer.remote_id)
        elif (answer is not None and answer.kind == "failed") or done >= polls:
            outbox.token_polled(ref.reference, remote_id=None, next_poll_at=None,
                                 part=ref.part)
            logger.warning("reference %s: no id for its token after %d polls (%s); the token "
                           "is kept for tracking", ref.reference, done,
                           answer.reason if answer is not None else "sender error")
        else:
            delay = min(cap, TOKEN_POLL_BASE * 2.0 ** done)
            outbox.token_polled(ref.reference, remote_id=None, next_poll_at=now + delay,
                                part=ref.part)
