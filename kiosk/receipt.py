"""What a resident's receipt says, decided by the core and printed by any printer.

A `Receipt` has no field for personal details (name, address, contact details, answers),
so none can reach paper that a resident might leave on the printer: the reference and the
status link are all anyone needs to follow the request up. Adding a field here is a
privacy decision; a test lists the fields on purpose.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kiosk.reference import spaced
from kiosk.texts import Texts
from peripherals.receipt_document import (
    Block,
    QRBlock,
    ReceiptDocument,
    RuleBlock,
    TextBlock,
)


@dataclass(frozen=True)
class Receipt:
    council_name: str
    site_name: str
    service_title: str
    reference: str
    created: datetime  # timezone-aware, shown as the wall-clock time it carries
    next_steps: str
    status_url: str
    contact_line: str
    # "Tell us once": each service told (its label) and whether it had the report when the
    # receipt printed. Names of council services, never anything the resident said.
    services: tuple[tuple[str, bool], ...] = ()
    evidence: tuple[str, ...] = ()
    """What to bring or post: the service's evidence labels that apply (generic words, no
    answer), so the resident takes the list away."""

    def __post_init__(self) -> None:
        if self.created.utcoffset() is None:
            raise ValueError("Receipt.created must be timezone-aware")


def group_reference(reference: str) -> str:
    """The reference as printed: the same grouping as on screen (`kiosk.reference.spaced`)."""
    return spaced(reference)


def format_receipt_date(created: datetime) -> str:
    """Format as "23 November 2026, 14:05"; month names follow LC_TIME (English for now).

    The day is formatted by hand because "%-d" (no leading zero) is not portable.
    """
    return f"{created.day} {created.strftime('%B %Y, %H:%M')}"


def _evidence_blocks(receipt: Receipt, texts: Texts) -> list[Block]:
    if not receipt.evidence:
        return []
    return [TextBlock(texts("receipt.evidence_label"), "heading"),
            TextBlock("\n".join(f"- {label}" for label in receipt.evidence))]


def receipt_document(receipt: Receipt, texts: Texts) -> ReceiptDocument:
    """Lay the receipt out top to bottom: who, what, the reference, what next, how to track."""
    blocks: list[Block] = [
        TextBlock(receipt.council_name, "title", "center"),
        TextBlock(receipt.site_name, "normal", "center"),
        RuleBlock(),
        TextBlock(receipt.service_title, "heading"),
        TextBlock(texts("receipt.reference_label"), "normal", "center"),
        TextBlock(group_reference(receipt.reference), "reference", "center"),
        # Label and value on their own lines: no word order or punctuation to localise.
        TextBlock(
            f"{texts('receipt.date_label')}\n{format_receipt_date(receipt.created)}",
            "normal",
            "center",
        ),
        *_services(receipt, texts),
        RuleBlock(),
        TextBlock(texts("receipt.next_steps_label"), "heading"),
        TextBlock(receipt.next_steps),
        *_evidence_blocks(receipt, texts),
        QRBlock(receipt.status_url, texts("receipt.scan_to_track")),
        TextBlock(receipt.contact_line, "small"),
        TextBlock(texts("receipt.keep"), "small"),
    ]
    return ReceiptDocument(tuple(blocks), cut=True)


def _services(receipt: Receipt, texts: Texts) -> list[Block]:
    """One line per service told, with its state when the receipt printed."""
    if not receipt.services:
        return []
    lines = [texts("receipt.service_sent" if sent else "receipt.service_waiting", service=name)
             for name, sent in receipt.services]
    return [RuleBlock(), TextBlock(texts("receipt.services_label"), "heading"),
            TextBlock("\n".join(lines))]
