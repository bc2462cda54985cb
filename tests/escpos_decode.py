"""A test-side reader for the ESC/POS that python-escpos emits.

No ESC/POS renderer on PyPI runs on Python 3.11, so tests decode the job themselves: the
text (with the style each line was printed in), native QR payloads, raster images (as PIL
images, for pyzbar) and cuts. An unknown command is an error, so the tests notice when the
renderer starts sending something new.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from PIL import Image

ESC, GS, LF, CR = 0x1B, 0x1D, 0x0A, 0x0D
# Epson's code table numbers (ESC t n) for the pages the tests meet; others read as cp437.
EPSON_CODE_PAGES: Mapping[int, str] = {
    0: "cp437", 2: "cp850", 3: "cp860", 4: "cp863", 5: "cp865", 16: "cp1252", 17: "cp866",
    18: "cp852", 19: "cp858", 45: "cp1250", 46: "cp1251",
}
# Commands with a fixed number of argument bytes after the command byte.
_ESC_ARGS = {b"@": 0, b"2": 0, b"E": 1, b"!": 1, b"a": 1, b"M": 1, b"t": 1, b"-": 1, b"{": 1,
             b"d": 1, b" ": 1, b"J": 1, b"3": 1, b"G": 1}
_GS_ARGS = {b"!": 1, b"B": 1, b"b": 1}


@dataclass(frozen=True)
class Line:
    text: str
    bold: bool
    double_width: bool
    double_height: bool
    align: int  # 0 left, 1 centre, 2 right
    font: int
    char_spacing: int


@dataclass
class Decoded:
    text: str = ""
    lines: list[Line] = field(default_factory=list)
    qr_payloads: list[str] = field(default_factory=list)
    images: list[Image.Image] = field(default_factory=list)
    cuts: int = 0
    inits: int = 0


def decode(data: bytes, code_pages: Mapping[int, str] = EPSON_CODE_PAGES) -> Decoded:
    out = Decoded()
    state = {"bold": 0, "size": 0, "align": 0, "font": 0, "spacing": 0, "page": 0}
    current: list[str] = []

    def end_line() -> None:
        out.lines.append(Line(
            "".join(current), bool(state["bold"]), bool(state["size"] & 0x20),
            bool(state["size"] & 0x10), state["align"], state["font"], state["spacing"]))
        current.clear()

    i = 0
    while i < len(data):
        byte = data[i]
        if byte == LF:
            end_line()
            i += 1
        elif byte == CR:
            i += 1
        elif byte == ESC:
            cmd = data[i + 1:i + 2]
            if cmd not in _ESC_ARGS:
                raise ValueError(f"unknown command ESC {cmd!r} at {i}")
            arg = data[i + 2] if _ESC_ARGS[cmd] else 0
            if cmd == b"@":
                out.inits += 1
                state.update(bold=0, size=0, align=0, font=0, spacing=0, page=0)
            elif cmd == b"!":
                state.update(size=arg & 0x30, bold=arg & 0x08, font=arg & 0x01)
            else:
                key = {b"E": "bold", b"a": "align", b"M": "font", b" ": "spacing", b"t": "page"}
                if cmd in key:
                    state[key[cmd]] = arg
            i += 2 + _ESC_ARGS[cmd]
        elif byte == GS:
            cmd = data[i + 1:i + 2]
            if cmd in _GS_ARGS:
                if cmd == b"!":
                    arg = data[i + 2]
                    state["size"] = (0x20 if arg & 0xF0 else 0) | (0x10 if arg & 0x0F else 0)
                i += 3
            elif cmd == b"V":
                out.cuts += 1
                i += 4 if data[i + 2] in (65, 66, 97, 98, 103, 104) else 3
            elif cmd == b"(" and data[i + 2:i + 3] in (b"k", b"L"):
                length = data[i + 3] + 256 * data[i + 4]
                body = data[i + 5:i + 5 + length]
                if data[i + 2:i + 3] == b"k" and body[:2] == b"1P":  # cn 49, fn 80: store
                    out.qr_payloads.append(body[3:].decode("utf-8"))
                i += 5 + length
            elif data[i + 1:i + 3] == b"v0":
                width_bytes = data[i + 4] + 256 * data[i + 5]
                height = data[i + 6] + 256 * data[i + 7]
                raster = data[i + 8:i + 8 + width_bytes * height]
                size = (width_bytes * 8, height)
                out.images.append(Image.frombytes("1", size, raster, "raw", "1;I"))
                i += 8 + width_bytes * height
            else:
                raise ValueError(f"unknown command GS {cmd!r} at {i}")
        elif byte < 0x20:
            raise ValueError(f"unexpected control byte {byte:#04x} at {i}")
        else:
            codec = code_pages.get(state["page"], "cp437")
            current.append(bytes((byte,)).decode(codec, errors="replace"))
            i += 1
    if current:
        end_line()
    out.text = "\n".join(line.text for line in out.lines)
    return out
