"""The ESC/POS job, read back with the test-side decoder: structure, styles, QR codes."""

from __future__ import annotations

import dataclasses

import pytest
from escpos.capabilities import get_profile
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageOps
from pyzbar import pyzbar

from peripherals.printer.base import (
    PAPER_58MM,
    PAPER_80MM,
    ErrorCode,
    PaperSpec,
    PrinterError,
)
from peripherals.printer.escpos_render import columns, render_escpos
from peripherals.receipt_document import QRBlock, ReceiptDocument, RuleBlock, TextBlock
from tests.escpos_decode import EPSON_CODE_PAGES, decode

URL = "https://council.example.gov.uk/track/ABCD2345"
RASTER_80 = dataclasses.replace(PAPER_80MM, qr_mode="raster")
NATIVE_80 = dataclasses.replace(PAPER_80MM, qr_mode="native")
# A profile narrower than the paper (512 dots): python-escpos refuses wider images.
T88V_80 = dataclasses.replace(PAPER_80MM, profile="TM-T88V", qr_mode="raster")


def sample(next_steps: str = "We will collect the bin within two working days.") -> ReceiptDocument:
    return ReceiptDocument((
        TextBlock("Lambeth Council", "title", "center"),
        TextBlock("Brixton Library", "normal", "center"),
        RuleBlock(),
        TextBlock("Report a missed bin collection", "heading"),
        TextBlock("Your reference", "normal", "center"),
        TextBlock("ABCD 2345", "reference", "center"),
        RuleBlock(),
        TextBlock(next_steps),
        QRBlock(URL, "Scan this code to check progress"),
        TextBlock("Keep this receipt.", "small"),
    ))


def code_pages(paper: PaperSpec) -> dict[int, str]:
    """ESC t numbers of the paper's profile, as Python codec names, for the decoder."""
    pages = {int(number): name.lower().replace("_", "-")
             for name, number in get_profile(paper.profile).get_code_pages().items()}
    return {**EPSON_CODE_PAGES, **pages}


def scan(image: Image.Image) -> list[str]:
    # On paper the code has blank lines above and below; give pyzbar that quiet zone too.
    framed = ImageOps.expand(image.convert("L"), border=24, fill=255)
    return [found.data.decode() for found in pyzbar.decode(framed)]


@pytest.mark.parametrize(
    "paper", [RASTER_80, NATIVE_80, PAPER_58MM, T88V_80], ids=["raster", "native", "58", "T88V"]
)
def test_job_starts_with_init_and_holds_the_reference(paper: PaperSpec) -> None:
    job = render_escpos(sample(), paper)
    decoded = decode(job, code_pages(paper))
    assert job.startswith(b"\x1b@")
    assert decoded.inits == 1
    assert b"ABCD 2345" in job
    assert "Report a missed bin collection" in decoded.text


@pytest.mark.parametrize("paper", [RASTER_80, NATIVE_80], ids=["raster", "native"])
def test_job_feeds_then_cuts_at_the_end(paper: PaperSpec) -> None:
    job = render_escpos(sample(), paper)
    assert job.endswith(b"\x1bd\x06\x1dV\x00")  # feed six lines, full cut
    assert decode(job).cuts == 1


def test_no_cut_when_the_document_says_so_or_the_printer_has_no_cutter() -> None:
    uncut = dataclasses.replace(sample(), cut=False)
    assert decode(render_escpos(uncut, RASTER_80)).cuts == 0
    assert render_escpos(uncut, RASTER_80).endswith(b"\x1bd\x06")
    # The 58 mm preset's profile (POS-5890) has no cutter: feed only.
    assert decode(render_escpos(sample(), PAPER_58MM)).cuts == 0


def test_reference_is_big_bold_centred_and_letter_spaced() -> None:
    lines = decode(render_escpos(sample(), RASTER_80)).lines
    reference = next(line for line in lines if line.text == "ABCD 2345")
    assert reference.bold
    assert reference.double_width
    assert reference.double_height
    assert reference.align == 1
    assert reference.char_spacing > 0
    after = lines[lines.index(reference) + 1]
    assert after.char_spacing == 0


def test_styles_map_to_printer_modes() -> None:
    lines = {line.text: line for line in decode(render_escpos(sample(), RASTER_80)).lines}
    title = lines["Lambeth Council"]
    assert (title.bold, title.double_width, title.double_height, title.align) == (
        True, True, True, 1)
    heading = lines["Report a missed bin collection"]
    assert heading.bold
    assert not heading.double_width
    assert lines["Keep this receipt."].font == 1
    assert lines["-" * 48].bold is False


def test_raster_qr_scans_to_the_status_url() -> None:
    decoded = decode(render_escpos(sample(), RASTER_80))
    assert decoded.qr_payloads == []
    assert len(decoded.images) == 1
    assert decoded.images[0].width <= RASTER_80.raster_width_dots
    assert scan(decoded.images[0]) == [URL]


@pytest.mark.parametrize("paper", [PAPER_58MM, T88V_80], ids=["58mm", "T88V"])
def test_raster_qr_on_other_printers_scans_too(paper: PaperSpec) -> None:
    decoded = decode(render_escpos(sample(), paper), code_pages(paper))
    assert decoded.images[0].width <= min(paper.raster_width_dots, 512)
    assert scan(decoded.images[0]) == [URL]


def test_native_qr_carries_the_exact_payload() -> None:
    payload = "https://council.example.gov.uk/track/ABCD2345?lang=cy&x=ŵ"
    doc = ReceiptDocument((QRBlock(payload, "Scan"),))
    decoded = decode(render_escpos(doc, NATIVE_80))
    assert decoded.qr_payloads == [payload]
    assert decoded.images == []
    assert "Scan" in decoded.text


def test_a_payload_too_long_for_a_qr_code_is_printed_as_text() -> None:
    payload = "x" * 5000
    for paper in (RASTER_80, NATIVE_80):
        decoded = decode(render_escpos(ReceiptDocument((QRBlock(payload),)), paper))
        assert decoded.images == []
        assert decoded.qr_payloads == []
        assert decoded.text.replace("\n", "").count("x") == 5000


@pytest.mark.parametrize("paper", [RASTER_80, PAPER_58MM], ids=["80mm", "58mm"])
def test_every_line_fits_its_style(paper: PaperSpec) -> None:
    long_text = "Your bin will be collected within two working days " * 4
    doc = ReceiptDocument(tuple(
        TextBlock(long_text + "Supercalifragilisticexpialidocious" * 3, style)
        for style in ("title", "heading", "normal", "small", "reference")))
    lines = decode(render_escpos(doc, paper), code_pages(paper)).lines
    for line in lines:
        if line.char_spacing:
            assert len(line.text) <= columns("reference", paper)
        elif line.double_width:
            assert len(line.text) <= columns("title", paper)
        elif line.font == 1:
            assert len(line.text) <= columns("small", paper)
        else:
            assert len(line.text) <= paper.chars_per_line


def test_control_characters_cannot_inject_commands() -> None:
    doc = ReceiptDocument((TextBlock("a\x1b@b\x1dV\x00c\x07d\x0ce\tf"),), cut=False)
    decoded = decode(render_escpos(doc, RASTER_80))  # raises on any unexpected control byte
    assert decoded.inits == 1
    assert decoded.cuts == 0
    assert "a?@b?V?c?d" in decoded.text
    assert "e f" in decoded.text


def test_characters_the_printer_lacks_are_replaced() -> None:
    doc = ReceiptDocument((TextBlock("Łódź – “Caerdydd” ŵ ŷ 中文 🙂 e\u0301 \ud800"),))
    decoded = decode(render_escpos(doc, PAPER_80MM), code_pages(PAPER_80MM))
    assert "Łódź – “Caerdydd” w y ?? ? é ?" in decoded.text


printable = st.text(
    st.one_of(st.characters(), st.characters(categories=["Cs"]), st.sampled_from("\x1b\x1d\n")),
    max_size=120,
)


@settings(deadline=None, max_examples=60)
@given(
    text=printable,
    payload=printable,
    style=st.sampled_from(["title", "heading", "normal", "small", "reference"]),
    align=st.sampled_from(["left", "center"]),
    paper=st.sampled_from([RASTER_80, NATIVE_80, PAPER_58MM, T88V_80]),
)
def test_any_unicode_renders_and_decodes(
    text: str, payload: str, style: str, align: str, paper: PaperSpec
) -> None:
    doc = ReceiptDocument((
        TextBlock(text, style, align),  # type: ignore[arg-type]
        QRBlock(payload, text or None),
        RuleBlock(),
    ))
    job = render_escpos(doc, paper)
    decoded = decode(job, code_pages(paper))
    assert decoded.inits == 1


def test_unknown_profile_is_a_set_up_error() -> None:
    paper = dataclasses.replace(PAPER_80MM, profile="No-Such-Printer")
    with pytest.raises(PrinterError) as caught:
        render_escpos(sample(), paper)
    assert caught.value.code is ErrorCode.BAD_PROFILE


@pytest.mark.parametrize("paper", [PAPER_80MM, PAPER_58MM], ids=["80mm", "58mm"])
def test_presets_agree_with_their_python_escpos_profiles(paper: PaperSpec) -> None:
    profile = get_profile(paper.profile)
    assert int(profile.media["width"]["pixels"]) == paper.raster_width_dots
    assert profile.get_columns("a") == paper.chars_per_line
    assert profile.get_columns("b") == columns("small", paper)
    if paper.qr_mode == "native":
        assert profile.supports("qrCode")


def test_paper_spec_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="58 or 80"):
        PaperSpec(width_mm=100, chars_per_line=48, raster_width_dots=576,  # type: ignore[arg-type]
                  profile="TM-T20II")
    with pytest.raises(ValueError, match="qr_mode"):
        PaperSpec(width_mm=80, chars_per_line=48, raster_width_dots=576, profile="TM-T20II",
                  qr_mode="laser")  # type: ignore[arg-type]
