"""Booking references: `BK-` and two groups of four from an alphabet without 0/O, 1/I.

The hub makes them (the contract's confirm call); the kiosk only recognises one as typed in
any case, with or without the dashes and spaces, or as scanned from the QR code on a booking
confirmation (which holds the reference itself, or a link ending in it).
"""

from __future__ import annotations

import re
from urllib.parse import unquote

REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
_CODE = re.compile(rf"^(?:BK)?([{REFERENCE_ALPHABET}]{{8}})$")


def normalise_reference(text: str) -> str | None:
    """`BK-ABCD-2345` for any accepted form of a booking reference; None for anything else."""
    candidate = text.strip().split("?", 1)[0].split("#", 1)[0]
    if "/" in candidate:
        candidate = unquote(candidate.rstrip("/").rsplit("/", 1)[-1])
    compact = re.sub(r"[\s\-\u00a0]", "", candidate).upper()
    match = _CODE.match(compact)
    if match is None:
        return None
    code = match.group(1)
    return f"BK-{code[:4]}-{code[4:]}"


def spoken_reference(reference: str) -> str:
    """Letter by letter, the dashes left out: "B K A B C D 2 3 4 5"."""
    return " ".join(ch for ch in reference if ch.isalnum())
