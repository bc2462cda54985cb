"""Every colour pair every theme draws meets its contrast promise (computed from the theme)."""

from __future__ import annotations

import pytest

from accessibility.themes import (
    PALETTES,
    TEXT_SCALES,
    THRESHOLDS,
    colour_pairs,
    contrast_ratio,
    make_theme,
    style_sheet,
)


@pytest.mark.parametrize("name", sorted(PALETTES))
def test_every_pair_meets_the_theme_promise(name: str) -> None:
    text_min, control_min = THRESHOLDS[name]
    for what, fg, bg, kind in colour_pairs(PALETTES[name]):
        need = text_min if kind == "text" else control_min
        assert contrast_ratio(fg, bg) >= need, f"{name}: {what} {fg} on {bg}"


def test_high_contrast_themes_promise_aaa_text() -> None:
    assert THRESHOLDS["dark"] == THRESHOLDS["yellow"] == (7.0, 4.5)
    assert THRESHOLDS["standard"] == (4.5, 3.0)


def test_contrast_maths_matches_wcag_examples() -> None:
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1.0)


def test_text_sizes_scale_and_targets_stay_twenty_mm() -> None:
    standard = make_theme("standard", "standard")
    assert TEXT_SCALES["large"] >= 1.5
    assert TEXT_SCALES["extra_large"] >= 2.0
    assert make_theme("standard", "large").font_px >= 1.5 * standard.font_px
    assert make_theme("standard", "extra_large").font_px >= 2 * standard.font_px
    for size in TEXT_SCALES:
        theme = make_theme("dark", size)
        assert theme.target_px >= 81  # 20 mm on a 21.5-inch 1920x1080 panel
        assert theme.gap_px >= 9  # 2 mm


def test_a_smaller_panel_gets_bigger_targets_in_pixels() -> None:
    tablet = make_theme("standard", "standard", 1280, 800, 10.1)
    assert tablet.px_per_mm > make_theme("standard", "standard").px_per_mm
    assert tablet.target_px >= round(20 * tablet.px_per_mm)


@pytest.mark.parametrize("name", sorted(PALETTES))
def test_style_sheet_uses_only_theme_colours(name: str) -> None:
    import re

    palette = PALETTES[name]
    sheet = style_sheet(make_theme(name, "standard"))
    used = {c.lower() for c in re.findall(r"#[0-9a-fA-F]{6}\b", sheet)}
    allowed = {getattr(palette, f).lower() for f in palette.__dataclass_fields__}
    assert used <= allowed, used - allowed
