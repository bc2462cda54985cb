"""PLACEHOLDER, to be replaced by the integrator with the calls backend's own
`hub/calls/invites.py` (the hub helper's branch): it exists only so the interpreter page
(`hub.calls.console_page`) has the function it calls, with the agreed signature.

Until then it knows no invitation, so every /join link says "expired". Tests of the page
replace the function (monkeypatch) with one that knows their token.
"""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker


def call_for_invite(sessions: sessionmaker[Session], token: str) -> tuple[str, str] | None:
    """(call_id, interpreter_token) for a live invitation link's `token`, else None."""
    del sessions, token
    return None
