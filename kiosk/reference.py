"""Receipt references: 8 characters a resident can read aloud over the phone without doubt.

GOV.UK Forms' scheme: letters A–Y without I, O and Q, digits 2–9 (no 0/O, 1/I confusion),
with a digit at positions 3 and 6 so a reference never spells a word.
"""

from __future__ import annotations

import re
import secrets

LETTERS = "ABCDEFGHJKLMNPRSTUVWXY"
DIGITS = "23456789"
ALPHABET = LETTERS + DIGITS
DIGIT_POSITIONS = (2, 5)
LENGTH = 8
_PATTERN = re.compile(rf"^[{ALPHABET}]{{2}}[{DIGITS}][{ALPHABET}]{{2}}[{DIGITS}][{ALPHABET}]{{2}}$")


def new_reference(choice: secrets.SystemRandom | None = None) -> str:
    rng = choice or secrets.SystemRandom()
    return "".join(
        rng.choice(DIGITS if i in DIGIT_POSITIONS else ALPHABET) for i in range(LENGTH)
    )


def is_reference(text: str) -> bool:
    return bool(_PATTERN.match(text))


def spaced(reference: str) -> str:
    """Shown and printed in groups of four ("ABCD 2345"): easier to read out and copy."""
    compact = "".join(reference.split())
    return " ".join(compact[start:start + 4] for start in range(0, len(compact), 4))
