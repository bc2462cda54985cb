"""The staff's evidence page (`evidence_seen`), made for a service that lists `evidence`.

An ordinary optional checkboxes question, so Back, Change and check answers work on it as on
any page: one option per evidence item, then "None of these", worded by the app's message
keys in every language. It is the last page, and `next` goes to check answers; the engine
puts it on the route just before check answers, and only while staff are assisting
(`JourneyEngine(assisted=...)`), offering only the items whose `when` holds.
"""

from __future__ import annotations

from kiosk.catalogue.app_texts import AppTexts
from kiosk.catalogue.checks import CHECK_ANSWERS, EVIDENCE_SEEN
from kiosk.catalogue.computed_checks import NONE_SEEN
from kiosk.catalogue.model import Page, Service

__all__ = ["EVIDENCE_SEEN", "NONE_SEEN", "with_evidence_page"]


def with_evidence_page(service: Service) -> Service:
    """`service` with the staff's evidence page added last (itself if it lists no evidence)."""
    if not service.evidence:
        return service
    words = AppTexts()
    options = [{"value": item.id, "label": item.label,
                **({"hint": item.hint} if item.hint is not None else {})}
               for item in service.evidence]
    options.append({"value": NONE_SEEN, "label": words("evidence.seen.none")})
    page = Page.model_validate({
        "id": EVIDENCE_SEEN,
        "question": {"type": "checkboxes", "label": words("evidence.seen.title"),
                     "hint": words("evidence.seen.hint"), "optional": True,
                     "options": options},
        "next": CHECK_ANSWERS,
    })
    pages = list(service.pages)
    if pages[-1].next is None:
        # The last page the council wrote went on to check answers: it still does (the
        # engine, not file order, puts the evidence page before check answers).
        pages[-1] = pages[-1].model_copy(update={"next": CHECK_ANSWERS})
    return service.model_copy(update={"pages": (*pages, page)})
