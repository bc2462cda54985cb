"""The PNG preview: paper-white, the printable width, and a QR code a phone can read."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from PIL import Image
from pyzbar import pyzbar

from peripherals.printer.base import PAPER_58MM, PAPER_80MM, PaperSpec
from peripherals.printer.preview import render_preview_png
from peripherals.receipt_document import QRBlock, ReceiptDocument, RuleBlock, TextBlock

URL = "https://council.example.gov.uk/track/ABCD2345"


def sample(extra: tuple[TextBlock, ...] = ()) -> ReceiptDocument:
    return ReceiptDocument((
        TextBlock("Lambeth Council", "title", "center"),
        RuleBlock(),
        TextBlock("Report a missed bin collection", "heading"),
        TextBlock("ABCD 2345", "reference", "center"),
        *extra,
        QRBlock(URL, "Scan this code to check progress"),
        TextBlock("Keep this receipt.", "small"),
    ))


def image_of(png: bytes) -> Image.Image:
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    return Image.open(io.BytesIO(png))


@pytest.mark.parametrize(
    "paper", [PAPER_80MM, PAPER_58MM, dataclasses.replace(PAPER_80MM, qr_mode="raster")],
    ids=["80mm", "58mm", "80mm-raster"])
def test_preview_is_paper_width_and_its_qr_scans(paper: PaperSpec) -> None:
    image = image_of(render_preview_png(sample(), paper))
    assert image.width == paper.raster_width_dots
    assert image.getpixel((0, 0)) == 255
    assert image.getpixel((0, image.height - 1)) == 255
    assert [found.data.decode() for found in pyzbar.decode(image)] == [URL]


def test_preview_grows_with_the_text() -> None:
    short = image_of(render_preview_png(sample(), PAPER_80MM))
    long = image_of(render_preview_png(
        sample((TextBlock("We will collect the bin within two working days. " * 8),)),
        PAPER_80MM))
    assert long.height > short.height


def test_preview_falls_back_to_the_builtin_font(tmp_path: Path) -> None:
    image = image_of(render_preview_png(sample(), PAPER_80MM, font_dir=tmp_path))
    assert image.width == PAPER_80MM.raster_width_dots
    assert [found.data.decode() for found in pyzbar.decode(image)] == [URL]


def test_payload_too_long_for_a_code_is_shown_as_text() -> None:
    png = render_preview_png(ReceiptDocument((QRBlock("x" * 5000),)), PAPER_58MM)
    assert pyzbar.decode(image_of(png)) == []


@settings(deadline=None, max_examples=25)
@given(text=st.text(st.one_of(st.characters(), st.characters(categories=["Cs"])), max_size=80),
       style=st.sampled_from(["title", "heading", "normal", "small", "reference"]))
@example(text="\r", style="reference")  # a line break reached the font once: raqm failed
def test_any_unicode_previews(text: str, style: str) -> None:
    doc = ReceiptDocument((TextBlock(text, style), QRBlock(text)))  # type: ignore[arg-type]
    assert image_of(render_preview_png(doc, PAPER_58MM)).width == 384
