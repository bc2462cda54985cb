"""A journey as a replayable snapshot: what "save and come back" stores on the hub.

Not the engine's state but what the resident did: the service id and version, the accepted
raw answers in route order (information and result pages as a Continue), and the lookup
results the route used — so a resumed journey does not depend on the council's lists being
unchanged. Restoring replays them through the engine's public intents (`lookup_done`,
`answer`), so every rule (validation, routing, pages passed by) applies again; the journey
resumes at the first page still to do. When the service changed (another version) or a
step no longer fits (an answer now refused, a page gone), the replay stops and the resident
carries on from that page, every answer before it kept.

A snapshot is plain JSON. It holds the resident's answers: it lives in the session, and on
the hub only sealed (hub/saved/); never in a log, a URL or a repr.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kiosk.journey.engine import JourneyEngine, Where
from kiosk.journey.validation import DateParts, RawAnswer
from kiosk.lookups.base import LookupItem, LookupResult

FORMAT = 1


class SnapshotError(Exception):
    """The snapshot is not one this kiosk can replay (another service, not a snapshot)."""


@dataclass(frozen=True)
class Restored:
    """How the replay went: `complete` when every saved step replayed; `version_changed`
    when the service is not the version that was saved."""

    complete: bool
    version_changed: bool
    steps: int


def _raw_doc(raw: RawAnswer) -> dict[str, Any]:
    if isinstance(raw, DateParts):
        return {"date": [raw.day, raw.month, raw.year]}
    if isinstance(raw, tuple):
        return {"list": list(raw)}
    return {"text": raw}


def _raw_of(doc: Any) -> RawAnswer:
    if isinstance(doc, dict):
        if isinstance(doc.get("text"), str):
            return str(doc["text"])
        values = doc.get("list")
        if isinstance(values, list) and all(isinstance(v, str) for v in values):
            return tuple(values)
        parts = doc.get("date")
        if isinstance(parts, list) and len(parts) == 3 and all(isinstance(v, str) for v in parts):
            return DateParts(*parts)
    raise SnapshotError("an answer in the snapshot is not one a page takes")


def _result_doc(result: LookupResult) -> dict[str, Any]:
    return {"source": result.source,
            "items": [{"value": i.value, "label": i.label, "hint": i.hint, "data": dict(i.data)}
                      for i in result.items]}


def _result_of(doc: Any) -> LookupResult:
    try:
        return LookupResult(str(doc["source"]), tuple(
            LookupItem(str(i["value"]), str(i["label"]),
                       str(i["hint"]) if i.get("hint") is not None else None,
                       {str(k): str(v) for k, v in (i.get("data") or {}).items()})
            for i in doc["items"]))
    except (KeyError, TypeError, AttributeError):
        raise SnapshotError("a lookup result in the snapshot is not readable") from None


def capture(engine: JourneyEngine) -> dict[str, Any]:
    """The journey so far: every page done on the route, in order, and the lookups they (and
    the page still to do) used."""
    service = engine.service
    steps: list[dict[str, Any]] = []
    lookups: dict[str, Any] = {}
    for page_id in engine.path():
        used = engine.used_lookup(page_id)
        if used is not None:  # the page still to do keeps its list too: not asked again
            lookups[page_id] = _result_doc(used)
        if not engine.done(page_id):
            break
        step: dict[str, Any] = {"page": page_id}
        raw = engine.accepted_raw(page_id)
        if service.page(page_id).kind == "question" and not engine.passed_by(page_id) \
                and raw is not None:
            step["raw"] = _raw_doc(raw)
        steps.append(step)
    return {"format": FORMAT, "service": service.id, "version": service.version,
            "steps": steps, "lookups": lookups}


def service_of(snapshot: Any) -> str:
    """The id of the service a snapshot was saved from."""
    if not isinstance(snapshot, dict) or snapshot.get("format") != FORMAT \
            or not isinstance(snapshot.get("service"), str):
        raise SnapshotError("not a saved journey this kiosk can read")
    return str(snapshot["service"])


def _feed_lookups(engine: JourneyEngine, lookups: dict[str, Any]) -> bool:
    """Answer the lookups the current page waits for from the snapshot; False when one it
    waits for was not saved (the page then asks the council, as any page does)."""
    for _ in range(100):  # each answered lookup moves the route on; a loop cannot last
        request = engine.pending_lookup()
        if request is None:
            return True
        saved = lookups.get(engine.where.page_id)
        if saved is None:
            return False
        result = _result_of(saved)
        if result.source != request.source:
            return False
        engine.lookup_done(request, result)
    return False


def restore(engine: JourneyEngine, snapshot: Any) -> Restored:
    """Replay `snapshot` into a fresh engine for the same service."""
    if service_of(snapshot) != engine.service.id:
        raise SnapshotError("the snapshot is of another service")
    steps = snapshot.get("steps")
    lookups = snapshot.get("lookups")
    if not isinstance(steps, list) or not isinstance(lookups, dict):
        raise SnapshotError("the snapshot has no steps")
    changed = snapshot.get("version") != engine.service.version
    page_ids = {page.id for page in engine.service.pages}
    replayed = 0
    for step in steps:
        if not _feed_lookups(engine, lookups):
            break
        page_id = step.get("page") if isinstance(step, dict) else None
        if page_id not in page_ids:
            break
        if "raw" not in step and engine.service.page(page_id).kind == "question":
            if not engine.passed_by(page_id):  # passed by then, not now: ask it
                break
            replayed += 1
            continue
        here = Where("page", page_id)
        if engine.where != here:
            break
        engine.answer(page_id, _raw_of(step["raw"]) if "raw" in step else "")
        if engine.where == here or engine.errors():
            break
        replayed += 1
    _feed_lookups(engine, lookups)
    return Restored(replayed == len(steps), changed, replayed)
