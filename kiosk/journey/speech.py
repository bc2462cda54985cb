"""The building blocks of a speech script, shared by `kiosk.announce` and the question types.

Each question type says its own input aloud (options, date boxes, a typed value), so the
pieces it needs live here, below both the announcer and the type registry.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from accessibility.speech import Utterance
from kiosk.texts import Texts

_CODE = re.compile(r"^(?=\w*[^\W\d_])(?=\w*\d)\w+$")
"""A word mixing letters and digits: "DE1", "2AB", "3B", "LR3386LF"."""
_NUMBER_AS_DIGITS = re.compile(r"^(\d{5,}|0\d+)$")
"""A long or zero-led run of digits: a phone number, an account number, not a quantity."""
_EDGES = re.compile(r"^(\W*)(.*?)(\W*)$", re.DOTALL)


def spell(text: str) -> str:
    """Characters one by one, spaces dropped: "LR3386LF" -> "L R 3 3 8 6 L F".

    For references, postcodes and phone numbers, which a synthesiser otherwise reads as
    words or large numbers (espeak-ng reads "DE1 2AB" as "duh one two ab").
    """
    return " ".join(ch for ch in text if not ch.isspace())


def speakable(value: str) -> str:
    """A resident's answer made fit to read aloud: one line, codes spelled out.

    Lines are joined with commas (a list of ticked boxes, a multi-line message), and each
    word that mixes letters with digits ("DE1", "2AB") or is a long or zero-led run of digits
    ("07700900982") is spelled character by character (TTS-03: read back what was entered,
    in a form the resident can check). Quantities ("3", "1,000") and dates are left alone.
    """
    words = []
    for word in ", ".join(line.strip() for line in value.splitlines() if line.strip()).split():
        match = _EDGES.match(word)
        assert match is not None  # the pattern matches any string
        before, core, after = match.groups()
        if _CODE.match(core) or _NUMBER_AS_DIGITS.match(core):
            core = spell(core)
        words.append(f"{before}{core}{after}")
    return " ".join(words)


class Script:
    """Collects utterances in one language, skipping empty text (nothing shown, nothing said)."""

    def __init__(self, texts: Texts) -> None:
        self.texts = texts
        self.language = texts.language
        self.utterances: list[Utterance] = []

    def say(self, item: str, text: str | None) -> None:
        if text is not None and text.strip():
            self.utterances.append(Utterance(text.strip(), self.language, item))

    def errors(self, errors: Iterable[tuple[str, str]]) -> None:
        """The error summary: its heading, then each error as "There is a problem. <msg>"."""
        spoken = [(field, self.texts("speech.error", message=message))
                  for field, message in errors]
        if not spoken:
            return
        heading = self.texts("question.error_summary")
        # "There is a problem. ..." already says the summary's heading in English; a
        # translation that words the two differently still gets its heading read.
        if heading not in spoken[0][1]:
            self.say("error-summary", heading)
        for field, text in spoken:
            self.say(f"error:{field}", text)
