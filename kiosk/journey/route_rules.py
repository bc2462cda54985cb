"""Which pages are on a journey's route: conditions decided on the engine's state (answers,
lookups, computed values), pages off the route (`when`, the staff's evidence page), and the
evidence that applies. A mixin of `JourneyEngine`, kept apart so the engine reads as its
state machine and intents."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date

from kiosk.catalogue.model import EVIDENCE_SEEN, Condition, EvidenceItem, Service
from kiosk.journey.computed import computed_values
from kiosk.journey.conditions import condition_holds
from kiosk.journey.lookup_state import LookupState
from kiosk.journey.validation import Answer
from kiosk.lookups.base import LookupRequest


class RouteRules:
    """What the engine holds that the rules read (set by `JourneyEngine.__init__`)."""

    service: Service
    _answers: dict[str, Answer | None]
    _lookups: LookupState
    _today: Callable[[], date]
    _assisted: Callable[[], bool]

    def request_for(self, page_id: str) -> LookupRequest | None:
        raise NotImplementedError

    def asked(self, page_id: str) -> bool:
        raise NotImplementedError

    def path(self) -> list[str]:
        raise NotImplementedError

    def _empties(self) -> dict[str, bool]:
        empties = {}
        for page_id in self._lookups.pages():
            found = self._lookups.found(page_id, self.request_for(page_id))
            if found is not None:
                empties[page_id] = not found.items
        return empties

    def _chosen_data(self) -> dict[str, Mapping[str, str]]:
        """The data of the option each looked-up answer chose, for the lookup its page asks
        now (a chosen address's `in_area`)."""
        data: dict[str, Mapping[str, str]] = {}
        for page in self.service.pages:
            if page.lookup() is None or page.id not in self._answers:
                continue
            chosen = self._lookups.chosen(page.id, self.request_for(page.id))
            if chosen:
                data[page.id] = chosen[0].data
        return data

    def computed(self) -> dict[str, str]:
        """The service's computed values that have one now (`kiosk.journey.computed`)."""
        if not self.service.computed:
            return {}
        return computed_values(self.service, self._answers, self._chosen_data(), self._today())

    def holds(self, condition: Condition) -> bool:
        """Whether `condition` holds on the answers, lookups and computed values so far."""
        return condition_holds(condition, self._answers, self._empties(), self.computed())

    def _has_evidence_page(self) -> bool:
        return bool(self.service.evidence)

    def skipped(self, page_id: str) -> bool:
        """A page off the route: its `when` does not hold, or it is the staff's evidence page
        and no staff are assisting. Passed by on its `next` (its routes are not used), its
        answer kept but neither shown nor sent."""
        if page_id == EVIDENCE_SEEN and self._has_evidence_page() and not self._assisted():
            return True
        when = self.service.page(page_id).when
        return when is not None and not self.holds(when)

    def evidence(self) -> tuple[EvidenceItem, ...]:
        """The evidence items that apply on the answers so far (their `when` holds)."""
        return tuple(item for item in self.service.evidence
                     if item.when is None or self.holds(item.when))

    def evidence_seen(self) -> tuple[str, ...]:
        """The evidence items staff ticked as seen, while the page is on the route (staff
        still assisting): "None of these", and items no longer applying, left out."""
        if not self._has_evidence_page() or not self.asked(EVIDENCE_SEEN) \
                or EVIDENCE_SEEN not in self.path():
            return ()
        ticked = self._answers.get(EVIDENCE_SEEN)
        applying = {item.id for item in self.evidence()}
        return tuple(v for v in (ticked if isinstance(ticked, tuple) else ()) if v in applying)
