"""Colours, sizes and spacing for every screen, and the Qt style sheet built from them.

Everything visual comes from a Theme so that large print and high contrast are one switch,
not a hunt through widgets. Sizes are derived from the physical panel so touch targets are
at least 20 mm high whatever the screen (EN 301 549 / ADA 707 figures).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

MIN_TARGET_MM = 20.0
MIN_GAP_MM = 2.0


@dataclass(frozen=True)
class Palette:
    background: str
    surface: str
    text: str
    text_secondary: str
    border: str
    primary: str
    primary_text: str
    secondary: str
    secondary_text: str
    focus: str
    focus_text: str
    error: str
    success: str
    success_text: str
    header: str
    header_text: str
    selected: str


STANDARD = Palette(
    background="#ffffff", surface="#f3f2f1", text="#0b0c0c", text_secondary="#484949",
    border="#0b0c0c", primary="#00703c", primary_text="#ffffff", secondary="#e8e8e8",
    secondary_text="#0b0c0c", focus="#ffdd00", focus_text="#0b0c0c", error="#b21f0e",
    success="#00703c", success_text="#ffffff", header="#0b0c0c", header_text="#ffffff",
    selected="#0b0c0c",
)


HIGH_CONTRAST_DARK = Palette(
    background="#000000", surface="#1a1a1a", text="#ffffff", text_secondary="#e6e6e6",
    border="#ffffff", primary="#ffdd00", primary_text="#000000", secondary="#000000",
    secondary_text="#ffffff", focus="#00ffff", focus_text="#000000", error="#ff9e9e",
    success="#000000", success_text="#ffffff", header="#000000", header_text="#ffffff",
    selected="#ffdd00",
)

YELLOW_ON_BLACK = Palette(
    background="#000000", surface="#141400", text="#ffff00", text_secondary="#ffff66",
    border="#ffff00", primary="#ffff00", primary_text="#000000", secondary="#000000",
    secondary_text="#ffff00", focus="#ffffff", focus_text="#000000", error="#ffffff",
    success="#000000", success_text="#ffff00", header="#000000", header_text="#ffff00",
    selected="#ffffff",
)

PALETTES: dict[str, Palette] = {
    "standard": STANDARD, "dark": HIGH_CONTRAST_DARK, "yellow": YELLOW_ON_BLACK,
}
TEXT_SCALES: dict[str, float] = {"standard": 1.0, "large": 1.5, "extra_large": 2.0}

# WCAG 2.2 AA for the standard theme; the high-contrast themes promise AAA text (7:1) and
# 4.5:1 for controls, borders and the focus indicator.
THRESHOLDS: dict[str, tuple[float, float]] = {
    "standard": (4.5, 3.0), "dark": (7.0, 4.5), "yellow": (7.0, 4.5),
}


def colour_pairs(palette: Palette) -> list[tuple[str, str, str, str]]:
    """Every (foreground, background) the style sheet draws: (name, fg, bg, text|control)."""
    p = palette
    return [
        ("body text", p.text, p.background, "text"),
        ("secondary text", p.text_secondary, p.background, "text"),
        ("error text", p.error, p.background, "text"),
        ("text on action bar", p.text, p.surface, "text"),
        ("hint on action bar", p.text_secondary, p.surface, "text"),
        ("primary button", p.primary_text, p.primary, "text"),
        ("secondary button", p.secondary_text, p.secondary, "text"),
        ("focused control", p.focus_text, p.focus, "text"),
        ("header", p.header_text, p.header, "text"),
        ("confirmation panel", p.success_text, p.success, "text"),
        ("control border", p.border, p.background, "control"),
        ("selected border", p.selected, p.background, "control"),
        ("focus indicator", focus_ring(p), p.background, "control"),
        ("error border", p.error, p.background, "control"),
        ("header button border", p.header_text, p.header, "control"),
    ]


def focus_ring(palette: Palette) -> str:
    """The outline drawn round a focused control: whichever of the focus colours stands out
    more from the page (GOV.UK: yellow fill with a black edge on white pages)."""
    p = palette
    return max((p.focus, p.focus_text), key=lambda c: contrast_ratio(c, p.background))


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    """WCAG 2.2 relative luminance of a #rrggbb colour."""
    hexpart = colour.lstrip("#")
    r, g, b = (int(hexpart[i:i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(first: str, second: str) -> float:
    """WCAG contrast ratio, 1.0 to 21.0."""
    high, low = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def pixels_per_mm(width_px: int, height_px: int, diagonal_inches: float) -> float:
    return math.hypot(width_px, height_px) / (diagonal_inches * 25.4)


@dataclass(frozen=True)
class Theme:
    """One resolved look: palette, type scale and the physical size of a touch target."""

    name: str
    palette: Palette
    body_px: int
    px_per_mm: float
    text_scale: float = 1.0
    font_family: str = "DejaVu Sans"

    @property
    def font_px(self) -> int:
        return round(self.body_px * self.text_scale)

    @property
    def chrome_px(self) -> int:
        """The header grows to large but not extra large: its buttons must fit on one row."""
        return round(self.body_px * min(self.text_scale, 1.5))

    @property
    def heading_px(self) -> int:
        return round(self.font_px * 1.5)

    @property
    def small_px(self) -> int:
        return round(self.font_px * 0.85)

    @property
    def target_px(self) -> int:
        """Minimum height of anything a finger presses: 20 mm on this panel."""
        return max(math.ceil(MIN_TARGET_MM * self.px_per_mm), round(self.font_px * 2.4))

    @property
    def gap_px(self) -> int:
        return max(math.ceil(MIN_GAP_MM * self.px_per_mm), round(self.font_px * 0.6))

    @property
    def margin_px(self) -> int:
        return round(self.font_px * 1.4)

    @property
    def border_px(self) -> int:
        return max(2, round(self.font_px / 10))

    @property
    def focus_px(self) -> int:
        return max(4, round(self.font_px / 6))

    def scaled(self, text_scale: float) -> Theme:
        return replace(self, text_scale=text_scale)


def standard_theme(width_px: int = 1920, height_px: int = 1080,
                   diagonal_inches: float = 21.5) -> Theme:
    return make_theme("standard", "standard", width_px, height_px, diagonal_inches)


def make_theme(colours: str, size: str, width_px: int = 1920, height_px: int = 1080,
               diagonal_inches: float = 21.5, font_family: str = "DejaVu Sans") -> Theme:
    """A theme by the resident's choices: colours (standard|dark|yellow), text size, and
    the font the session's language needs."""
    return Theme(colours, PALETTES[colours], body_px=28,
                 px_per_mm=pixels_per_mm(width_px, height_px, diagonal_inches),
                 text_scale=TEXT_SCALES[size], font_family=font_family)


def style_sheet(theme: Theme) -> str:
    """The Qt style sheet for the whole window; widgets pick roles by objectName/property."""
    p, f = theme.palette, theme.font_px
    t, g, b, fo = theme.target_px, theme.gap_px, theme.border_px, theme.focus_px
    return f"""
* {{ font-family: "{theme.font_family}", "DejaVu Sans"; font-size: {f}px; color: {p.text}; }}
QWidget#root, QWidget#page, QScrollArea, QScrollArea > QWidget > QWidget {{
    background: {p.background}; }}
QWidget#header {{ background: {p.header}; }}
QWidget#header QPushButton, QWidget#header QLabel#words {{ font-size: {theme.chrome_px}px; }}
QLabel#councilName {{ color: {p.header_text}; font-size: {round(theme.chrome_px * 1.3)}px;
    font-weight: bold; }}
QLabel[role="heading"] {{ font-size: {theme.heading_px}px; font-weight: bold; }}
QLabel[role="caption"] {{ color: {p.text_secondary}; font-size: {f}px; }}
QLabel[role="hint"] {{ color: {p.text_secondary}; }}
QLabel[role="big"] {{ font-size: {round(theme.heading_px * 1.4)}px; font-weight: bold; }}
QLabel[role="error"] {{ color: {p.error}; font-weight: bold; }}
QLabel[role="value"] {{ font-weight: bold; }}
QFrame[role="errorSummary"] {{ border: {fo}px solid {p.error}; padding: {g}px; background: {p.background}; }}
QFrame[role="panel"] {{ background: {p.success}; padding: {g * 2}px; }}
QLabel[role="panelText"] {{ color: {p.success_text}; font-size: {theme.heading_px}px; font-weight: bold; }}
QLabel[role="reference"] {{ color: {p.success_text}; font-size: {round(theme.heading_px * 1.6)}px;
    font-weight: bold; letter-spacing: 4px; }}
QFrame[role="summaryRow"] {{ border-bottom: {b}px solid {p.border}; }}
QPushButton {{ min-height: {t}px; padding: 0 {g * 2}px; border-radius: 0;
    background: {p.secondary}; color: {p.secondary_text}; border: {b}px solid {p.border};
    border-bottom: {b * 2}px solid {p.border}; }}
QPushButton[role="primary"] {{ background: {p.primary}; color: {p.primary_text};
    font-weight: bold; }}
QPushButton[role="service"] {{ text-align: left; padding: {g}px {g * 2}px; font-weight: bold;
    min-height: {round(t * 1.25)}px; }}
QPushButton[role="header"] {{ background: {p.header}; color: {p.header_text};
    border: {b}px solid {p.header_text}; }}
QPushButton[role="choice"] {{ min-width: {round(t * 1.6)}px; }}
QPushButton:disabled {{ background: {p.background}; color: {p.text_secondary};
    border: {b}px dashed {p.text_secondary}; }}
QPushButton[role="choice"]:checked {{ border: {fo}px solid {p.selected}; font-weight: bold; }}
QPushButton[role="day"] {{ padding: {g // 2}px; }}
QPushButton[role="day"]:checked {{ border: {fo}px solid {p.selected}; }}
QPushButton[role="link"] {{ background: {p.background}; color: {p.text};
    text-decoration: underline; border: {b}px solid {p.border}; }}
QPushButton:focus, QPushButton:pressed {{ background: {p.focus}; color: {p.focus_text};
    border: {b}px solid {focus_ring(p)}; border-bottom: {fo}px solid {focus_ring(p)}; }}
QRadioButton, QCheckBox {{ min-height: {t}px; spacing: {g}px; padding: 0 {g}px;
    border: {b}px solid transparent; }}
QRadioButton:checked, QCheckBox:checked {{ border: {b}px solid {p.selected}; }}
QLabel#words {{ background: transparent; }}
QPushButton[role="service"] QLabel#words {{ font-weight: bold; }}
QPushButton[role="primary"] QLabel#words {{ color: {p.primary_text}; }}
QLabel#words[focused="true"] {{ color: {p.focus_text}; }}
QPushButton[role="header"] QLabel#words {{ color: {p.header_text}; }}
[speaking="true"] {{ background: {p.focus}; }}
[speaking="true"] QLabel {{ color: {p.focus_text}; }}
QRadioButton::indicator, QCheckBox::indicator {{ width: {round(t * 0.5)}px;
    height: {round(t * 0.5)}px; border: {b}px solid {p.text}; background: {p.background}; }}
QRadioButton::indicator {{ border-radius: {round(t * 0.25)}px; }}
QRadioButton::indicator:checked {{ background: qradialgradient(cx:0.5, cy:0.5, radius:0.5,
    fx:0.5, fy:0.5, stop:0 {p.text}, stop:0.55 {p.text}, stop:0.6 {p.background},
    stop:1 {p.background}); }}
QCheckBox::indicator:checked {{ background: {p.text}; border: {fo}px double {p.background};
    outline: {b}px solid {p.text}; }}
QWidget#actionBar {{ background: {p.surface}; border-top: {b}px solid {p.border}; }}
QRadioButton:focus, QCheckBox:focus {{ background: {p.focus}; color: {p.focus_text}; }}
QLineEdit, QPlainTextEdit {{ min-height: {t}px; background: {p.background}; color: {p.text};
    border: {b}px solid {p.border}; padding: 0 {g}px; selection-background-color: {p.focus};
    selection-color: {p.focus_text}; }}
QLineEdit:focus, QPlainTextEdit:focus {{ border: {fo}px solid {p.text};
    background: {p.background}; }}
QLineEdit[invalid="true"], QPlainTextEdit[invalid="true"] {{ border: {fo}px solid {p.error}; }}
QScrollBar:vertical {{ width: {round(t * 0.5)}px; background: {p.surface}; }}
QScrollBar::handle:vertical {{ background: {p.text_secondary}; min-height: {t}px; }}
QWidget#overlay {{ background: rgba(0, 0, 0, 160); }}
QFrame#dialogCard {{ background: {p.background}; border: {fo}px solid {p.text}; }}
QLabel#countdown {{ font-size: {round(theme.heading_px * 1.3)}px; font-weight: bold; }}
"""
