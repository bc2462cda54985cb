"""Search an outbox's files for what must not be there: a canary in plain UTF-8, UTF-16 (both
byte orders) and base64 (at each of the three alignments), or raw bytes such as a payload's
ciphertext."""

from __future__ import annotations

import base64
from pathlib import Path


def outbox_files(db: Path) -> list[Path]:
    return [db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")]


def encodings(text: str) -> list[bytes]:
    data = text.encode()
    found = [data, text.encode("utf-16-le"), text.encode("utf-16-be")]
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + data)
        # Drop the quads the padding bytes or the end touch: what is left appears wherever
        # the canary starts at this alignment inside a longer base64 text.
        middle = encoded[4 if shift else 0:-4]
        if len(middle) >= 8:
            found.append(middle)
    return found


def traces(db: Path, needles: list[bytes]) -> list[str]:
    """Which files hold which needle (empty when clean). A missing file holds nothing."""
    hits = []
    for path in outbox_files(db):
        content = path.read_bytes() if path.exists() else b""
        hits += [f"{path.name}: {needle[:12]!r}" for needle in needles if needle in content]
    return hits
