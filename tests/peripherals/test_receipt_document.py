"""Wrapping is shared by both renderers: it must never lose a character or overflow a line."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from peripherals.receipt_document import QRBlock, ReceiptDocument, TextBlock, wrap_text

BREAKS = " \n\r"
texts = st.text(
    st.one_of(st.characters(), st.characters(categories=["Cs"]), st.sampled_from(" \n\r\t-")),
    max_size=300,
)


def kept(text: str) -> list[str]:
    return [char for char in text if char not in BREAKS]


@given(text=texts, width=st.integers(min_value=1, max_value=60))
def test_wrap_keeps_every_character_and_fits_the_width(text: str, width: int) -> None:
    lines = wrap_text(text, width)
    assert kept("".join(lines)) == kept(text)
    assert all(len(line) <= width for line in lines)
    assert all(line == line.strip(" ") for line in lines)
    assert len(lines) >= text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1


@given(text=texts, width=st.integers(min_value=1, max_value=400))
def test_wrap_with_a_pixel_measure(text: str, width: int) -> None:
    def measure(line: str) -> float:  # a proportional font: wide capitals, narrow 'i'
        return sum(14.0 if char.isupper() else 4.5 if char in "il.," else 9.0 for char in line)

    lines = wrap_text(text, width, measure)
    assert kept("".join(lines)) == kept(text)
    assert all(measure(line) <= width or len(line) == 1 for line in lines)


def test_wrap_breaks_at_spaces_then_inside_long_words() -> None:
    assert wrap_text("We will collect the bin", 10) == ["We will", "collect", "the bin"]
    assert wrap_text("https://example.gov.uk/x", 10) == ["https://ex", "ample.gov.", "uk/x"]
    assert wrap_text("Date\n\n23 November", 40) == ["Date", "", "23 November"]
    assert wrap_text("", 5) == [""]


def test_wrap_rejects_a_width_of_zero() -> None:
    with pytest.raises(ValueError, match="width"):
        wrap_text("text", 0)


def test_documents_are_immutable_for_reprints() -> None:
    doc = ReceiptDocument((TextBlock("A"), QRBlock("https://example.org")))
    with pytest.raises(dataclasses.FrozenInstanceError):
        doc.cut = False  # type: ignore[misc]
    assert doc.cut is True
    assert TextBlock("x").style == "normal"
    assert TextBlock("x").align == "left"
