"""What a journey's lookups found, page by page: the engine's memory of asking the council.

Per page: the latest result (with the request it answers), a failure shown for a request,
and the looked-up items an answer was chosen from (their labels for check answers, their
data for Open311). Answers stay good in another language: a `LookupKey` is a request
without its language.
"""

from __future__ import annotations

from collections.abc import Mapping

from kiosk.lookups.base import LookupItem, LookupRequest, LookupResult, UnavailableReason

LookupKey = tuple[str, tuple[tuple[str, str], ...]]


def lookup_key(request: LookupRequest) -> LookupKey:
    return request.source, tuple(sorted(request.inputs.items()))


class LookupState:
    def __init__(self) -> None:
        self._results: dict[str, tuple[LookupRequest, LookupResult]] = {}
        self._failures: dict[str, tuple[LookupRequest, UnavailableReason]] = {}
        self._chosen: dict[str, tuple[LookupKey, tuple[LookupItem, ...]]] = {}

    def loaded(self, page_id: str, request: LookupRequest | None) -> LookupResult | None:
        """The result for exactly `request` (language included): what the page can show."""
        stored = self._results.get(page_id)
        return stored[1] if stored is not None and stored[0] == request else None

    def found(self, page_id: str, request: LookupRequest | None) -> LookupResult | None:
        """The result for `request` in any language: what routing and answers go by."""
        stored = self._results.get(page_id)
        if stored is None or request is None:
            return None
        return stored[1] if lookup_key(stored[0]) == lookup_key(request) else None

    def failure(self, page_id: str, request: LookupRequest | None) -> UnavailableReason | None:
        failed = self._failures.get(page_id)
        return failed[1] if failed is not None and failed[0] == request else None

    def pages(self) -> tuple[str, ...]:
        return tuple(self._results)

    def store(self, page_id: str, request: LookupRequest, result: LookupResult) -> bool:
        """Keep a result; True when the answer chosen earlier no longer fits it (chosen from
        another list, or its option is gone), so the engine must ask again."""
        self._results[page_id] = (request, result)
        self._failures.pop(page_id, None)
        chosen = self._chosen.get(page_id)
        offered = {item.value for item in result.items}
        stale = chosen is not None and (chosen[0] != lookup_key(request)
                                        or any(i.value not in offered for i in chosen[1]))
        if stale:
            self._chosen.pop(page_id, None)
        return stale

    def fail(self, page_id: str, request: LookupRequest, reason: UnavailableReason) -> None:
        self._failures[page_id] = (request, reason)

    def retry(self, page_id: str) -> None:
        self._failures.pop(page_id, None)

    def drop(self, page_id: str) -> None:
        """Forget a page's result as out of date (a slot just taken): it is asked again when
        the page next shows, and the answer chosen from it is kept if still offered."""
        self._results.pop(page_id, None)
        self._failures.pop(page_id, None)

    def choose(self, page_id: str, request: LookupRequest, values: tuple[str, ...]) -> None:
        """Keep the items an answer chose (from the result loaded for `request`)."""
        result = self.loaded(page_id, request)
        items = tuple(i for i in result.items if i.value in values) if result else ()
        self._chosen[page_id] = (lookup_key(request), items)

    def forget(self, page_id: str) -> None:
        self._chosen.pop(page_id, None)

    def chosen(self, page_id: str, request: LookupRequest | None) -> tuple[LookupItem, ...] | None:
        """The items the page's answer chose, if it was chosen for `request`'s inputs."""
        held = self._chosen.get(page_id)
        if held is None or request is None or held[0] != lookup_key(request):
            return None
        return held[1]

    def labels(self, page_id: str) -> dict[str, str]:
        held = self._chosen.get(page_id)
        return {i.value: i.label for i in held[1]} if held is not None else {}

    def data(self, page_ids: Mapping[str, object]) -> dict[str, Mapping[str, str]]:
        """The first chosen item's data for each page in `page_ids` that chose one."""
        return {pid: items[0].data for pid, (_, items) in self._chosen.items()
                if pid in page_ids and items}
