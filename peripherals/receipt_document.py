"""A receipt as neutral blocks, so the core never learns which printer or paper it goes to.

The core builds a `ReceiptDocument`; each backend (ESC/POS bytes, PNG preview) renders it.
Both renderers wrap text with `wrap_text` so a long service title or URL breaks the same
way everywhere and no character is dropped on the way to paper.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

TextStyle = Literal["title", "heading", "normal", "small", "reference"]
Align = Literal["left", "center"]


@dataclass(frozen=True)
class TextBlock:
    """Text in one of a few styles; "reference" is large, bold, centred and letter-spaced."""

    text: str
    style: TextStyle = "normal"
    align: Align = "left"


@dataclass(frozen=True)
class QRBlock:
    """A QR code; the caption tells a resident what scanning it does."""

    payload: str
    caption: str | None = None


@dataclass(frozen=True)
class RuleBlock:
    """A horizontal separator line."""


Block = TextBlock | QRBlock | RuleBlock


@dataclass(frozen=True)
class ReceiptDocument:
    """Immutable, so a reprint from the staff overlay prints exactly what was printed before."""

    blocks: tuple[Block, ...]
    cut: bool = True


def wrap_text(text: str, width: int, measure: Callable[[str], float] = len) -> list[str]:
    """Word-wrap `text` so that `measure(line) <= width` for every line.

    `measure` is a character count for the printer and a pixel width for the preview, so
    the one algorithm serves both. Spaces only separate words (a run of them becomes one,
    and none is kept at a break); "\\n" starts a new line; a word too long for a line is
    split between characters. Every character other than spaces and newlines comes out,
    in order. An empty paragraph yields an empty line, so blank lines survive.
    """
    if width <= 0:
        raise ValueError(f"width must be positive, got {width}")
    lines: list[str] = []
    for paragraph in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        lines.extend(_wrap_paragraph(paragraph, width, measure))
    return lines


def _wrap_paragraph(paragraph: str, width: float, measure: Callable[[str], float]) -> list[str]:
    words = [word for word in paragraph.split(" ") if word]
    if not words:
        return [""]
    lines: list[str] = []
    current = ""
    for word in words:
        candidate = f"{current} {word}" if current else word
        if measure(candidate) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
            current = ""
        pieces = _split_word(word, width, measure)
        lines.extend(pieces[:-1])
        current = pieces[-1]
    lines.append(current)
    return lines


def _split_word(word: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """Break a word wider than a line between characters (a long URL, a run of digits).

    A single character wider than the line still gets a line of its own: overflowing the
    margin is better than losing it.
    """
    pieces: list[str] = []
    current = ""
    for char in word:
        if current and measure(current + char) > width:
            pieces.append(current)
            current = char
        else:
            current += char
    pieces.append(current)
    return pieces
