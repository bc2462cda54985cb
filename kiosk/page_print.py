"""Printing a result page ("Print this"): what a lookup found, on the receipt printer.

A resident tracking a request, or looking up bin days, may want the answer on paper. The
printout carries what the page shows and nothing else (no answer the resident typed: the
rows are the council's answer), framed like a receipt: council, site, service, the rows,
when it was printed, how to contact the council.

Receipt printers cannot print every script (Urdu: `Language.printable`). Then the council is
asked again in English and the English answer is printed, as receipts fall back to English.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from accessibility.languages import Translator
from kiosk.clock import UK
from kiosk.journey.pages import ResultRow
from kiosk.journey.result_rows import row_format
from kiosk.lookups.base import Lookup, LookupRequest, LookupUnavailable
from kiosk.receipt import format_receipt_date
from peripherals.printer.base import ReceiptPrinter
from peripherals.receipt_document import Block, ReceiptDocument, RuleBlock, TextBlock

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Printout:
    """Everything a printout needs, made on the GUI thread; holds no session."""

    council_name: str
    site_name: str
    contact_line: str
    service_title: str
    title: str
    hint: str | None
    rows: tuple[ResultRow, ...]
    printed_at: datetime
    job_name: str


def printout_document(printout: Printout) -> ReceiptDocument:
    blocks: list[Block] = [
        TextBlock(printout.council_name, "title", "center"),
        TextBlock(printout.site_name, "normal", "center"),
        RuleBlock(),
        TextBlock(printout.service_title, "heading"),
        TextBlock(printout.title, "heading"),
    ]
    if printout.hint:
        blocks.append(TextBlock(printout.hint))
    for row in printout.rows:
        # Label and value on their own lines, as on the receipt: nothing to word-order.
        blocks.append(TextBlock(f"{row.label}\n{row.detail}" if row.detail else row.label))
    blocks += [RuleBlock(),
               TextBlock(format_receipt_date(printout.printed_at.astimezone(UK)), "small"),
               TextBlock(printout.contact_line, "small")]
    return ReceiptDocument(tuple(blocks), cut=True)


def print_job(printer: ReceiptPrinter, printout: Printout,
              ask_again: Callable[[], tuple[ResultRow, ...]] | None = None) -> bool:
    """Print (off the GUI thread): True when the printer took the whole job. With
    `ask_again`, the rows are first asked for again in a language the printer can print."""
    if ask_again is not None:
        try:
            printout = replace(printout, rows=ask_again())
        except LookupUnavailable as exc:
            log.warning("printout not made: the council could not be asked (%s)", exc.reason)
            return False
    try:
        result = printer.print_receipt(printout_document(printout), printout.job_name)
    except Exception as exc:  # noqa: BLE001 - a printer bug must reach the resident as a message
        log.error("printer raised %s", type(exc).__name__)
        return False
    if not result.ok:
        log.warning("printout not printed: %s", result.error)
    return result.ok


def rows_in(lookup: Lookup | None, request: LookupRequest, language: str,
            show: str | None = None) -> Callable[[], tuple[ResultRow, ...]]:
    """The rows of `request` asked for again in `language` (blocking, when called), worded
    as the page words them (`ResultSpec.show`)."""

    def ask() -> tuple[ResultRow, ...]:
        if lookup is None:
            raise LookupUnavailable("not_configured")
        try:
            found = lookup.lookup(replace(request, language=language))
        except LookupUnavailable:
            raise
        except Exception as exc:  # noqa: BLE001 - a backend's bug is "could not ask"
            raise LookupUnavailable("bad_answer", type(exc).__name__) from None
        return row_format(show)(found.items, Translator(language))

    return ask


