"""The core's receipt: its layout, its words, and that it cannot carry personal details."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone

import pytest

from kiosk.receipt import Receipt, format_receipt_date, group_reference, receipt_document
from peripherals.printer.base import PAPER_80MM
from peripherals.printer.escpos_render import render_escpos
from peripherals.receipt_document import QRBlock, RuleBlock, TextBlock
from tests.escpos_decode import decode

ENGLISH = {
    "receipt.reference_label": "Your reference",
    "receipt.date_label": "Date",
    "receipt.scan_to_track": "Scan this code to check progress",
    "receipt.keep": "Keep this receipt. It does not show your personal details.",
    "receipt.next_steps_label": "What happens next",
}
CANARY = "canary-7f3a9 collect within two working days"
LONDON_WINTER = timezone(timedelta(0), "GMT")


class DictTexts:
    """Texts from a dict; an unknown key fails the test instead of printing a stray key."""

    def __init__(self, messages: dict[str, str], language: str = "en") -> None:
        self._messages = messages
        self._language = language

    @property
    def language(self) -> str:
        return self._language

    def __call__(self, key: str, /, **params: str) -> str:
        return self._messages[key].format(**params)


def make_receipt(**changes: object) -> Receipt:
    receipt = Receipt(
        council_name="Lambeth Council",
        site_name="Brixton Library",
        service_title="Report a missed bin collection",
        reference="ABCD2345",
        created=datetime(2026, 11, 23, 14, 5, tzinfo=LONDON_WINTER),
        next_steps=CANARY,
        status_url="https://council.example.gov.uk/track/ABCD2345",
        contact_line="Questions? Call 020 7926 1000",
    )
    return dataclasses.replace(receipt, **changes)  # type: ignore[arg-type]


def test_receipt_fields_are_exactly_these() -> None:
    # Adding a field puts it on paper a resident may leave behind: make that a decision.
    assert [field.name for field in dataclasses.fields(Receipt)] == [
        "council_name", "site_name", "service_title", "reference", "created",
        "next_steps", "status_url", "contact_line",
        "services",  # "tell us once": the council services told, and whether each was sent
        "evidence",
    ]


def test_evidence_is_listed_after_what_happens_next() -> None:
    doc = receipt_document(make_receipt(evidence=("A recent photo", "Proof of address")),
                           DictTexts({**ENGLISH, "receipt.evidence_label": "What to bring or post"}))
    texts = [getattr(block, "text", None) for block in doc.blocks]
    at = texts.index("What to bring or post")
    assert texts[at - 1] == CANARY
    assert texts[at + 1] == "- A recent photo\n- Proof of address"
    assert "What to bring or post" not in [getattr(b, "text", None) for b in
                                           receipt_document(make_receipt(), DictTexts(ENGLISH)).blocks]


def test_layout_top_to_bottom() -> None:
    doc = receipt_document(make_receipt(), DictTexts(ENGLISH))
    assert doc.cut is True
    assert doc.blocks == (
        TextBlock("Lambeth Council", "title", "center"),
        TextBlock("Brixton Library", "normal", "center"),
        RuleBlock(),
        TextBlock("Report a missed bin collection", "heading"),
        TextBlock("Your reference", "normal", "center"),
        TextBlock("ABCD 2345", "reference", "center"),
        TextBlock("Date\n23 November 2026, 14:05", "normal", "center"),
        RuleBlock(),
        TextBlock("What happens next", "heading"),
        TextBlock(CANARY),
        QRBlock("https://council.example.gov.uk/track/ABCD2345",
                "Scan this code to check progress"),
        TextBlock("Questions? Call 020 7926 1000", "small"),
        TextBlock("Keep this receipt. It does not show your personal details.", "small"),
    )


def test_every_word_comes_from_the_receipt_or_the_catalogue() -> None:
    receipt = make_receipt()
    doc = receipt_document(receipt, DictTexts(ENGLISH))
    allowed = {
        receipt.council_name, receipt.site_name, receipt.service_title, receipt.next_steps,
        receipt.contact_line, group_reference(receipt.reference),
        format_receipt_date(receipt.created), *ENGLISH.values(),
    }
    for block in doc.blocks:
        if isinstance(block, TextBlock):
            assert set(block.text.split("\n")) <= allowed, block
        elif isinstance(block, QRBlock):
            assert block.payload == receipt.status_url
            assert block.caption in allowed


def test_words_follow_the_language() -> None:
    welsh = {key: f"[cy] {value}" for key, value in ENGLISH.items()}
    doc = receipt_document(make_receipt(), DictTexts(welsh, "cy"))
    texts = [block.text for block in doc.blocks if isinstance(block, TextBlock)]
    assert "[cy] Your reference" in texts
    assert "[cy] What happens next" in texts
    assert any(text.startswith("[cy] Date\n") for text in texts)


def test_printed_receipt_holds_the_reference_next_steps_and_link() -> None:
    receipt = make_receipt()
    decoded = decode(render_escpos(receipt_document(receipt, DictTexts(ENGLISH)), PAPER_80MM))
    assert "ABCD 2345" in decoded.text
    assert CANARY in decoded.text
    assert decoded.qr_payloads == [receipt.status_url]
    assert decoded.cuts == 1


def test_reference_is_grouped_in_fours() -> None:
    assert group_reference("ABCD2345") == "ABCD 2345"
    assert group_reference("ABCD 2345") == "ABCD 2345"
    assert group_reference("ABC") == "ABC"
    assert group_reference("ABCDEFGHIJ") == "ABCD EFGH IJ"


def test_date_format_has_no_leading_zero() -> None:
    created = datetime(2026, 3, 5, 9, 7, tzinfo=UTC)
    assert format_receipt_date(created) == "5 March 2026, 09:07"


def test_created_must_be_timezone_aware() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        make_receipt(created=datetime(2026, 11, 23, 14, 5))
