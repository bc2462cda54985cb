"""A booking on paper: what, where, when, what to bring, the reference, and a QR code holding
the reference (scanned at a kiosk, it fills in "Change or cancel a booking").

Like a receipt it carries no personal details (no name, contact or postcode): the reference
and the postcode the resident knows are all anyone needs to change the booking. Receipt
printers cannot print every script (Urdu: `Language.printable`); then the booking is asked
for again in English and printed in English, as receipts fall back to English.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from kiosk.bookings.base import Booked, Booking
from kiosk.bookings.words import booking_rows
from kiosk.clock import UK
from kiosk.journey.booking_pages import BookingRow
from kiosk.receipt import format_receipt_date
from kiosk.texts import Texts
from peripherals.printer.base import ReceiptPrinter
from peripherals.receipt_document import Block, QRBlock, ReceiptDocument, RuleBlock, TextBlock

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BookingPrintout:
    council_name: str
    site_name: str
    contact_line: str
    service_title: str
    title: str
    reference: str
    reference_label: str
    rows: tuple[BookingRow, ...]
    next_steps_label: str
    next_steps: str
    qr_caption: str
    keep: str
    printed_at: datetime


@dataclass(frozen=True)
class PrintoutWords:
    """Everything but the booking, in a language the printer can print: made on the GUI
    thread from the profile and the service, holding no session."""

    texts: Texts
    council_name: str
    site_name: str
    contact_line: str
    service_title: str
    title: str
    next_steps: str
    printed_at: datetime

    def printout(self, booking: Booking) -> BookingPrintout:
        t = self.texts
        return BookingPrintout(
            self.council_name, self.site_name, self.contact_line, self.service_title,
            self.title, booking.reference, t("booking.print.reference"),
            booking_rows(booking, t, with_reference=False), t("receipt.next_steps_label"),
            self.next_steps, t("booking.print.scan"), t("receipt.keep"), self.printed_at)


def booking_document(printout: BookingPrintout) -> ReceiptDocument:
    blocks: list[Block] = [
        TextBlock(printout.council_name, "title", "center"),
        TextBlock(printout.site_name, "normal", "center"),
        RuleBlock(),
        TextBlock(printout.service_title, "heading"),
        TextBlock(printout.title, "heading"),
        TextBlock(printout.reference_label, "normal", "center"),
        TextBlock(printout.reference, "reference", "center"),
        RuleBlock(),
    ]
    # Label and value on their own lines, as on the receipt: nothing to word-order.
    blocks += [TextBlock(f"{row.label}\n{row.detail}") for row in printout.rows]
    blocks += [
        RuleBlock(),
        TextBlock(printout.next_steps_label, "heading"),
        TextBlock(printout.next_steps),
        QRBlock(printout.reference, printout.qr_caption),
        TextBlock(printout.contact_line, "small"),
        TextBlock(format_receipt_date(printout.printed_at.astimezone(UK)), "small"),
        TextBlock(printout.keep, "small"),
    ]
    return ReceiptDocument(tuple(blocks), cut=True)


def print_booking(printer: ReceiptPrinter, words: PrintoutWords, booking: Booking,
                  ask_again: Callable[[], object] | None = None) -> bool:
    """Print (off the GUI thread): True when the printer took the whole job. With
    `ask_again` (the booking found again in the printout's language), its answer is printed."""
    if ask_again is not None:
        again = ask_again()
        if not isinstance(again, Booked):
            log.warning("booking not printed: the council could not be asked again (%s)",
                        type(again).__name__)
            return False
        booking = again.booking
    document = booking_document(words.printout(booking))
    try:
        result = printer.print_receipt(document, f"booking-{words.printed_at:%Y%m%d-%H%M%S}")
    except Exception as exc:  # noqa: BLE001 - a printer bug must reach the resident as a message
        log.error("printer raised %s", type(exc).__name__)
        return False
    if not result.ok:
        log.warning("booking not printed: %s", result.error)
    return result.ok
