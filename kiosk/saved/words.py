"""The words of save and come back that more than one place says: the date to come back by,
and the slip (views, read aloud and the printer agree)."""

from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_date

from kiosk.journey.days import locale_for
from kiosk.reference import spaced
from kiosk.texts import Texts
from peripherals.receipt_document import Block, ReceiptDocument, RuleBlock, TextBlock


def come_back_by(day: date, texts: Texts) -> str:
    """"Sunday 13 December 2026", in the resident's language."""
    return format_date(day, "EEEE d MMMM y", locale=locale_for(texts.language))


def slip(texts: Texts, council: str, site: str, service_title: str, reference: str,
         by: date, printed_at: datetime) -> ReceiptDocument:
    """The saved slip: the reference and the date, never an answer or the word."""
    blocks: list[Block] = [
        TextBlock(council, "title", "center"), TextBlock(site, "normal", "center"), RuleBlock(),
        TextBlock(service_title, "heading"),
        TextBlock(texts("saved.slip.title"), "heading"),
        TextBlock(texts("saved.reference_label"), "normal", "center"),
        TextBlock(spaced(reference), "reference", "center"),
        RuleBlock(),
        TextBlock(texts("saved.come_back_by", date=come_back_by(by, texts))),
        TextBlock(texts("saved.slip.how")),
        TextBlock(printed_at.strftime("%d/%m/%Y %H:%M"), "normal", "center"),
    ]
    return ReceiptDocument(tuple(blocks))
