"""Answers carried from one service to the next ("Report a missed bin" from bin days, the
address already given), replayed through the next journey's own intents.

Nothing is copied into the engine behind its back: each carried page is answered with the
raw answer the resident gave before, and each lookup the next journey waits for is handed
the result already held for the same request, so its checks, routes and Back work as if the
resident had answered again. An address question carries its added pages with it (its list,
its typed address), page by page in the order `address_pages` adds them.
"""

from __future__ import annotations

from collections.abc import Mapping

from kiosk.catalogue.model import Service
from kiosk.journey.engine import JourneyEngine


def _with_parts(service: Service, page_id: str) -> list[str]:
    """`page_id` and the pages expanded from it (an address question's list and typed
    pages), in page order."""
    return [page_id, *(p.id for p in service.pages
                       if p.id != page_id and service.lead(p.id) == page_id)]


def carry_answers(source: JourneyEngine, target: JourneyEngine,
                  carry: Mapping[str, str]) -> dict[str, str]:
    """Give `target` (just started) the answers `source` has for `carry` (target page id ->
    source page id). Stops at the first page it cannot fill (one not carried, an answer the
    target refuses, a lookup not held): the resident goes on from there, so carried pages
    should come first in the target. Returns target page -> source page for each page filled.
    """
    pairs: dict[str, str] = {}
    for theirs, ours in carry.items():
        pairs.update(zip(_with_parts(target.service, theirs),
                         _with_parts(source.service, ours), strict=False))
    given = source.answers()
    filled: dict[str, str] = {}
    for _ in range(2 * len(target.service.pages)):  # each page: its lookup, then its answer
        where = target.where
        if where.kind != "page" or where.page_id not in pairs:
            break
        page_id, from_id = where.page_id, pairs[where.page_id]
        request = target.pending_lookup()
        if request is not None:
            held = source.loaded(from_id)
            if held is None or source.request_for(from_id) != request:
                break
            target.lookup_done(request, held)
            continue
        if from_id not in given:
            break
        question = source.service.page(from_id).question
        target.answer(page_id, source.raw(from_id, source.types[question.type].empty()))
        if target.where == where:  # refused: the resident answers it
            break
        filled[page_id] = from_id
    return filled
