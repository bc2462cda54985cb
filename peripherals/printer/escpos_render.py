"""Turn a `ReceiptDocument` into ESC/POS bytes with python-escpos.

Rendering is separate from sending, so every backend (file, fake, and later USB, serial,
network) prints byte-for-byte the same job, and tests can inspect it without a device.
python-escpos is imported inside the functions: it takes about a third of a second and
creates a temporary folder on import, which the core should not pay for at start-up.
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING, Any

from peripherals.printer.base import ErrorCode, PaperSpec, PrinterError
from peripherals.receipt_document import (
    QRBlock,
    ReceiptDocument,
    RuleBlock,
    TextBlock,
    TextStyle,
    wrap_text,
)

if TYPE_CHECKING:
    from escpos.magicencode import Encoder

# Extra dots right of each character of a reference (ESC SP n; doubled at double width),
# so "ABCD 2345" reads letter by letter.
REFERENCE_SPACING_DOTS = 4
_FEED_BEFORE_CUT_LINES = 6
# A QR code takes at most this share of the printable width, and a module at most this
# many dots (0.75 mm at 203 dpi): easy for any phone, and a raster code stays ~15 KB.
_QR_MAX_WIDTH_SHARE = 0.5
_QR_MAX_MODULE_DOTS = 6
_QR_BORDER_MODULES = 1  # python-escpos draws raster codes with a one-module border


def columns(style: TextStyle, paper: PaperSpec, *, font_b: bool = True) -> int:
    """Characters per line for a style: the printer does not wrap for us.

    `font_b` is False for printers with a single font, where "small" falls back to font A.
    """
    font_a_dots = paper.raster_width_dots // paper.chars_per_line
    if style == "title":
        return paper.chars_per_line // 2
    if style == "small" and font_b:
        return paper.chars_per_line * 4 // 3  # font B is 9 dots wide to font A's 12
    if style == "reference":
        return max(1, paper.raster_width_dots // ((font_a_dots + REFERENCE_SPACING_DOTS) * 2))
    return paper.chars_per_line


class PrinterCharset:
    """Reduces any text to characters the printer's code pages can show.

    python-escpos already picks a code page per character, but it passes control
    characters through as commands, sends Chinese text as GB18030 to printers that cannot
    read it, and fails on lone surrogates. Cleaning first makes every renderer show the
    same characters: accents the printer lacks fall back to the bare letter (Welsh "ŵ"
    prints as "w"), invisible format characters are dropped, anything else becomes "?".
    """

    def __init__(self, profile_name: str) -> None:
        from escpos.magicencode import Encoder

        self.profile = load_profile(profile_name)
        self.has_font_b = "1" in self.profile.profile_data.get("fonts", {})
        self.profile_width = _profile_width(self.profile)
        self.encoder: Encoder = Encoder(self.profile.get_code_pages())
        self._verdicts: dict[str, str] = {}

    def image_width(self, paper: PaperSpec) -> int:
        """Widest image to send: python-escpos refuses images wider than the profile says."""
        if self.profile_width is None:
            return paper.raster_width_dots
        return min(paper.raster_width_dots, self.profile_width)

    def clean(self, text: str) -> str:
        text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
        return "".join(self._clean_char(char) for char in text)

    def _clean_char(self, char: str) -> str:
        if " " <= char <= "~" or char == "\n":
            return char
        verdict = self._verdicts.get(char)
        if verdict is None:
            verdict = self._verdicts[char] = self._judge(char)
        return verdict

    def _judge(self, char: str) -> str:
        category = unicodedata.category(char)
        if char == "\t":
            return " "
        if category in ("Zl", "Zp"):
            return "\n"
        if category == "Cf":
            return ""
        if category.startswith("C"):
            return "?"
        if self._encodable(char):
            return char
        if category == "Zs":
            return " "
        bare = "".join(
            part
            for part in unicodedata.normalize("NFKD", char)
            if not unicodedata.combining(part)
        )
        if bare and all(" " <= part <= "~" or self._encodable(part) for part in bare):
            return bare
        return "?"

    def _encodable(self, char: str) -> bool:
        if unicodedata.category(char).startswith("C"):
            return False
        return any(self.encoder.can_encode(page, char) for page in self.encoder.codepages)


def _profile_width(profile: Any) -> int | None:
    """The profile's width in dots, which python-escpos centres images within, if known."""
    try:
        return int(profile.profile_data["media"]["width"]["pixels"])
    except (KeyError, TypeError, ValueError):
        return None


def load_profile(name: str) -> Any:
    """Look up a python-escpos profile, turning its KeyError into a set-up error."""
    from escpos.capabilities import get_profile

    try:
        return get_profile(name)
    except LookupError:
        raise PrinterError(
            ErrorCode.BAD_PROFILE, f"python-escpos has no printer profile named {name!r}"
        ) from None


def qr_module_dots(payload: str, width_dots: int) -> int | None:
    """Dots per QR module so the code stays within its share of `width_dots`.

    None when the payload is too long for any QR code; the caller prints it as text.
    """
    import qrcode
    from qrcode.exceptions import DataOverflowError

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(payload)
    try:
        version = code.best_fit()
    except (DataOverflowError, ValueError):  # qrcode raises either, by how far it overflows
        return None
    modules = 17 + 4 * int(version) + 2 * _QR_BORDER_MODULES
    target = int(width_dots * _QR_MAX_WIDTH_SHARE)
    return max(1, min(_QR_MAX_MODULE_DOTS, target // modules))


def qr_payload(payload: str) -> str:
    """The payload as UTF-8 can carry it (a lone surrogate becomes "?")."""
    return payload.encode("utf-8", "replace").decode("utf-8")


def render_escpos(doc: ReceiptDocument, paper: PaperSpec) -> bytes:
    """The complete job: initialise, blocks top to bottom, feed, and cut if asked."""
    from escpos.printer import Dummy

    charset = PrinterCharset(paper.profile)
    printer = Dummy(profile=paper.profile, magic_encode_args={"encoder": charset.encoder})
    printer.hw("INIT")
    for index, block in enumerate(doc.blocks):
        if isinstance(block, TextBlock):
            _text(printer, block, paper, charset, first=index == 0)
        elif isinstance(block, QRBlock):
            _qr(printer, block, paper, charset)
        elif isinstance(block, RuleBlock):
            printer.set_with_default()
            printer.text("-" * paper.chars_per_line + "\n")
    printer.set_with_default()
    if doc.cut:
        printer.cut()  # feeds first; sends no cut command if the profile has no cutter
    else:
        printer.print_and_feed(_FEED_BEFORE_CUT_LINES)
    return bytes(printer.output)


def _text(printer: Any, block: TextBlock, paper: PaperSpec, charset: PrinterCharset,
          *, first: bool) -> None:
    style = block.style
    align = "center" if style == "reference" else block.align
    if style == "heading" and not first:
        printer.set_with_default()
        printer.text("\n")
    small = style == "small" and charset.has_font_b
    printer.set_with_default(
        align=align,
        font="b" if small else "a",
        bold=style in ("title", "heading", "reference"),
        double_width=style in ("title", "reference"),
        double_height=style in ("title", "reference"),
    )
    if style == "reference":
        printer._raw(b"\x1b " + bytes((REFERENCE_SPACING_DOTS,)))
    width = columns(style, paper, font_b=charset.has_font_b)
    for line in wrap_text(charset.clean(block.text), width):
        printer.text(line + "\n")
    if style == "reference":
        printer._raw(b"\x1b \x00")


def _qr(printer: Any, block: QRBlock, paper: PaperSpec, charset: PrinterCharset) -> None:
    from escpos.constants import QR_ECLEVEL_M

    payload = qr_payload(block.payload)
    module_dots = qr_module_dots(payload, charset.image_width(paper)) if payload else None
    printer.set_with_default(align="center")
    if module_dots is None:
        # Too long (or empty) for a code: the resident can still type what it says.
        for line in wrap_text(charset.clean(payload), paper.chars_per_line):
            printer.text(line + "\n")
    elif paper.qr_mode == "native":
        printer.text("\n")
        printer.qr(payload, ec=QR_ECLEVEL_M, size=module_dots, native=True)
        printer.text("\n")
    else:
        centre = charset.profile_width is not None
        printer.qr(payload, ec=QR_ECLEVEL_M, size=module_dots, native=False, center=centre)
    if block.caption:
        _text(printer, TextBlock(block.caption, "small", "center"), paper, charset, first=False)


