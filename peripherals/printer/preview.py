"""A picture of the receipt, for the confirmation screen and the demo output.

The preview shows the same characters the printer will print (both go through
`PrinterCharset`) and wraps with the same helper, measured in pixels instead of columns.
Sizes are in printer dots (8 per mm), so the image is the printable width of the roll at
the printer's own scale; the screen scales it as it likes.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from peripherals.printer.base import PaperSpec
from peripherals.printer.escpos_render import PrinterCharset, qr_module_dots, qr_payload
from peripherals.receipt_document import (
    QRBlock,
    ReceiptDocument,
    RuleBlock,
    TextBlock,
    TextStyle,
    wrap_text,
)

DEFAULT_FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont
Painter = Callable[[ImageDraw.ImageDraw, Image.Image, int], None]

_MARGIN = 16
_GAP = 10  # between blocks
_LINE_SPACING = 1.2
_SIZES: dict[TextStyle, int] = {"title": 36, "heading": 25, "normal": 22, "small": 18}
_REFERENCE_SIZES = range(56, 27, -2)
_REFERENCE_TRACKING = 0.12  # extra space after each letter, as a share of the font size
_BOLD: frozenset[TextStyle] = frozenset({"title", "heading", "reference"})
_QR_QUIET_MODULES = 4
_CUT_MARGIN = 40


@dataclass(frozen=True)
class _Piece:
    height: int
    paint: Painter


def render_preview_png(
    doc: ReceiptDocument, paper: PaperSpec, *, font_dir: Path = DEFAULT_FONT_DIR
) -> bytes:
    """The receipt as a greyscale PNG, `paper.raster_width_dots` wide, white paper."""
    width = paper.raster_width_dots
    charset = PrinterCharset(paper.profile)
    fonts = _Fonts(font_dir)
    pieces: list[_Piece] = []
    for block in doc.blocks:
        if isinstance(block, TextBlock):
            pieces.append(_text_piece(block, charset.clean(block.text), width, fonts))
        elif isinstance(block, QRBlock):
            pieces.extend(_qr_pieces(block, paper, charset, fonts))
        elif isinstance(block, RuleBlock):
            pieces.append(_rule_piece(width))
    height = _MARGIN + sum(piece.height + _GAP for piece in pieces) + _CUT_MARGIN
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    y = _MARGIN
    for piece in pieces:
        piece.paint(draw, image, y)
        y += piece.height + _GAP
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


class _Fonts:
    """DejaVu Sans if installed; otherwise Pillow's built-in font, so a preview always exists."""

    def __init__(self, font_dir: Path) -> None:
        self._dir = font_dir
        self._cache: dict[tuple[int, bool], Font] = {}

    def get(self, size: int, bold: bool) -> Font:
        key = (size, bold)
        if key not in self._cache:
            path = self._dir / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")
            try:
                self._cache[key] = ImageFont.truetype(str(path), size)
            except OSError:
                self._cache[key] = ImageFont.load_default(size)
        return self._cache[key]


def _text_piece(block: TextBlock, text: str, width: int, fonts: _Fonts) -> _Piece:
    style = block.style
    usable = width - 2 * _MARGIN
    if style == "reference":
        font, tracking = _reference_font(text, usable, fonts)
        centred = True
    else:
        font, tracking = fonts.get(_SIZES[style], style in _BOLD), 0
        centred = block.align == "center"

    def measure(line: str) -> float:
        return _line_width(line, font, tracking)

    lines = wrap_text(text, usable, measure)
    line_height = round(_font_height(font) * _LINE_SPACING)
    gap_above = _GAP if style == "heading" else 0

    def paint(draw: ImageDraw.ImageDraw, image: Image.Image, top: int) -> None:
        for index, line in enumerate(lines):
            y = top + gap_above + index * line_height
            x = (width - measure(line)) / 2 if centred else _MARGIN
            if tracking:
                for char in line:
                    draw.text((x, y), char, font=font, fill=0)
                    x += font.getlength(char) + tracking
            else:
                draw.text((x, y), line, font=font, fill=0)

    return _Piece(gap_above + line_height * len(lines), paint)


def _reference_font(text: str, usable: int, fonts: _Fonts) -> tuple[Font, float]:
    """The largest size that keeps the reference on one line, else each group whole."""
    widest_line = max(text.split("\n"), key=len)
    longest_word = max(text.split(), key=len, default="")
    for candidate in (widest_line, longest_word):
        for size in _REFERENCE_SIZES:
            font = fonts.get(size, True)
            tracking = size * _REFERENCE_TRACKING
            if _line_width(candidate, font, tracking) <= usable:
                return font, tracking
    size = _REFERENCE_SIZES[-1]
    return fonts.get(size, True), size * _REFERENCE_TRACKING


def _line_width(line: str, font: Font, tracking: float) -> float:
    if not tracking:
        return float(font.getlength(line))
    return sum(float(font.getlength(char)) for char in line) + tracking * max(0, len(line) - 1)


def _font_height(font: Font) -> int:
    if isinstance(font, ImageFont.FreeTypeFont):
        ascent, descent = font.getmetrics()
        return int(ascent + descent)
    _left, top, _right, bottom = font.getbbox("Ag")
    return int(bottom - top) + 2


def _rule_piece(width: int) -> _Piece:
    dash, space, thickness = 8, 6, 2

    def paint(draw: ImageDraw.ImageDraw, image: Image.Image, top: int) -> None:
        y = top + 8
        for x in range(_MARGIN, width - _MARGIN, dash + space):
            draw.rectangle((x, y, min(x + dash, width - _MARGIN) - 1, y + thickness - 1), fill=0)

    return _Piece(16 + thickness, paint)


def _qr_pieces(
    block: QRBlock, paper: PaperSpec, charset: PrinterCharset, fonts: _Fonts
) -> list[_Piece]:
    import qrcode

    payload = qr_payload(block.payload)
    module_dots = qr_module_dots(payload, charset.image_width(paper)) if payload else None
    caption = [TextBlock(block.caption, "small", "center")] if block.caption else []
    width = paper.raster_width_dots
    if module_dots is None:  # the printer prints it as text too
        pieces = [_text_piece(TextBlock(payload, "normal", "center"), charset.clean(payload),
                              width, fonts)]
        return pieces + [_text_piece(c, charset.clean(c.text), width, fonts) for c in caption]
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        box_size=module_dots,
        border=_QR_QUIET_MODULES,
    )
    code.add_data(payload)
    code.make(fit=True)
    picture = code.make_image(fill_color="black", back_color="white").get_image().convert("L")

    def paint(draw: ImageDraw.ImageDraw, image: Image.Image, top: int) -> None:
        image.paste(picture, ((width - picture.width) // 2, top))

    return [_Piece(picture.height, paint)] + [
        _text_piece(c, charset.clean(c.text), width, fonts) for c in caption
    ]
