"""An address question (`type: address`) as the pages a resident walks.

A council writes one question; when its service file loads, the question becomes ordinary
pages, so Back, Change, routes, lookups and `when: {result: ..., empty: true}` work on them
exactly as on pages written by hand:

    address           "What is the postcode?"   (keeps the catalogue's id, words and rules)
    address__list     every address at the postcode (the `addresses` lookup), then
                      "The address is not listed" -> address__manual
                      nothing found ->              address__none
    address__manual   "Enter the address"       (typed by hand)
    address__none     "Enter the address", saying none were found at the postcode

The added pages go after the service's own, each with an explicit `next`, so every page the
council wrote keeps its place (errors and untranslated texts are reported at the path it
wrote). The question's routes and `next` apply once the address is chosen or typed; an
optional address left empty goes on by its `answered: false` routes, else its `next`.

What the service refers to by the question's id is rewired to the page that holds it: a
lookup input (`uprn: address`) and an attribute mean the chosen address's UPRN (the list's
answer); `data_fields` (`address.lat`) the chosen address's data; a `fields` entry the
address in words, chosen or typed. Check answers shows the pages as one row, under the
question's own page (`Service.lead`), whose Change returns to the postcode.
"""

from __future__ import annotations

from collections.abc import Mapping

from kiosk.catalogue.address_checks import address_ids, part_ids
from kiosk.catalogue.app_texts import AppTexts
from kiosk.catalogue.model import Condition, Page, Route, Service, ServiceDestination
from kiosk.journey.types.address import ADDRESS_LIST, ADDRESS_MANUAL

SOURCE = "addresses"
"""The lookup that lists the addresses at a postcode (docs/lookups.md)."""


def expand(service: Service) -> Service:
    """`service` with each address question expanded into its pages (itself if it has none)."""
    leads = address_ids(service)
    if not leads:
        return service
    words = AppTexts()
    lists = {lead: part_ids(lead)[0] for lead in leads}
    pages: list[Page] = []
    added: list[Page] = []
    lead_of: dict[str, str] = {}
    for page in service.pages:
        after = page.next if page.next is not None else service.default_next(page.id)
        if page.id not in lists:
            pages.append(_rewired(page, lists, after))
            continue
        parts = _parts(page, after, words)
        pages.append(_lead(page, after))
        added.extend(parts)
        lead_of.update({part.id: page.id for part in parts})
    expanded = service.model_copy(update={
        "pages": (*pages, *added),
        "destination": _destination(service.destination, lists),
        "deliveries": tuple(d.model_copy(update={"destination": _destination(d.destination, lists)})
                            for d in service.deliveries),
    })
    expanded.set_leads(lead_of)
    return expanded


def _unanswered(route: Route, lead: str) -> bool:
    return route.when.answer == lead and route.when.answered is False


def _lead(page: Page, after: str) -> Page:
    """The question's own page asks for the postcode, then lists the addresses. Left empty
    (an optional address), the journey goes on by its `answered: false` routes or `next`."""
    list_id = part_ids(page.id)[0]
    routes: tuple[Route, ...] = ()
    if page.question.optional:
        skip = Route(when=Condition(answer=page.id, answered=False), goto=after)
        routes = (*(r for r in page.routes if _unanswered(r, page.id)), skip)
    return page.model_copy(update={"routes": routes, "next": list_id})


def _parts(page: Page, after: str, words: AppTexts) -> list[Page]:
    lead, question = page.id, page.question
    list_id, manual_id, none_id = part_ids(lead)
    own = tuple(r for r in page.routes if not _unanswered(r, lead))
    shared = {"personal": question.personal}
    # A page passed by for its `when` takes the pages it was expanded into with it.
    when = {"when": page.when} if page.when is not None else {}
    chooser = Page.model_validate({
        **when,
        "id": list_id,
        "question": {"type": ADDRESS_LIST, "label": words("address.choose.title"), **shared,
                     "options_from": {"source": SOURCE, "inputs": {"postcode": lead}},
                     "errors": {"required": words("address.error.choose")}},
        "routes": (Route(when=Condition(result=list_id, empty=True), goto=none_id),
                   Route(when=Condition(answer=list_id, answered=False), goto=manual_id), *own),
        "next": after,
    })
    typed = {"type": ADDRESS_MANUAL, "label": words("address.manual.title"), **shared}
    manual = Page.model_validate({**when, "id": manual_id, "question": typed, "routes": own,
                                  "next": after})
    none_found = Page.model_validate({
        **when, "id": none_id, "question": {**typed, "hint": words("address.none_found")},
        "routes": own, "next": after})
    return [chooser, manual, none_found]


def _rewired(page: Page, lists: Mapping[str, str], after: str) -> Page:
    """A page the council wrote: its `next` made explicit (the added pages come after the
    last one), and a lookup input naming an address question given the chosen UPRN."""
    update: dict[str, object] = {"next": after}
    spec = page.lookup()
    if spec is not None and any(pid in lists for pid in spec.inputs.values()):
        rewired = spec.model_copy(update={"inputs": {name: lists.get(pid, pid)
                                                      for name, pid in spec.inputs.items()}})
        if page.result is not None:
            update["result"] = page.result.model_copy(update={"rows_from": rewired})
        else:
            update["asks"] = page.question.model_copy(update={"options_from": rewired})
    return page.model_copy(update=update)


def _destination(destination: ServiceDestination | None,
                 lists: Mapping[str, str]) -> ServiceDestination | None:
    if destination is None:
        return None
    # The address in words is on whichever page gave it: chosen from the list, or typed.
    fields = {name: tuple(part for pid in pids
                          for part in (part_ids(pid) if pid in lists else (pid,)))
              for name, pids in destination.fields.items()}
    data_fields = {}
    for name, ref in destination.data_fields.items():
        pid, _, key = ref.partition(".")
        data_fields[name] = f"{lists.get(pid, pid)}.{key}"
    attributes = {code: lists.get(pid, pid) for code, pid in destination.attributes.items()}
    return destination.model_copy(update={"fields": fields, "data_fields": data_fields,
                                          "attributes": attributes})

