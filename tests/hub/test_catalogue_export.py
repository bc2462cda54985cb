"""The Open311 definitions generated from the demo catalogue."""

from __future__ import annotations

import pytest

from hub.catalogue_export import (
    Open311Catalogue,
    ServiceDefinition,
    export_catalogue,
    pages_on_every_route,
)
from hub.settings import demo_catalogue_dir
from kiosk.catalogue.loader import load_catalogue


@pytest.fixture(scope="module")
def exported() -> Open311Catalogue:
    return export_catalogue(load_catalogue(demo_catalogue_dir()))


def _service(exported: Open311Catalogue, code: str) -> ServiceDefinition:
    service = exported.get(code)
    assert service is not None
    return service


def _required(service: ServiceDefinition) -> dict[str, bool]:
    return {a.code: a.required for a in service.attributes}


# "Tell us once — I have moved": one Open311 service per delivery.
MOVED = ("MOVED-COUNCIL-TAX", "MOVED-ELECTORAL", "MOVED-WASTE", "MOVED-LIBRARIES", "MOVED-HOUSING-BENEFIT")


def test_service_codes_and_names_come_from_the_catalogue(exported: Open311Catalogue) -> None:
    docs = {s.service_code: s.list_doc() for s in exported.services}
    assert set(docs) == {"MISSED_BIN", "STREET_PROBLEM", "FEEDBACK", "BLUE_BADGE", "BUS_PASS",
                         "CALL_BACK", *MOVED}
    assert docs["MISSED_BIN"] == {
        "service_code": "MISSED_BIN",
        "service_name": "Report a missed bin collection",
        "description": "Tell us if your bin was not emptied on collection day.",
        "metadata": True,
        "type": "realtime",
        "keywords": "",
        "group": "",
    }


def test_required_only_for_pages_on_every_route(exported: Open311Catalogue) -> None:
    # garden_subscription is asked only about garden bins: not required.
    assert _required(_service(exported, "MISSED_BIN")) == {
        "bin_type": True, "garden_subscription": False, "collection_date": True,
        "contact_method": True, "kiosk_reference": False,
    }
    assert _required(_service(exported, "STREET_PROBLEM")) == {
        "problem": True, "hazardous": False, "amount": False, "offensive": False,
        "contact_method": True, "kiosk_reference": False,
    }
    # happened_on is optional; name and contact_method only follow "yes, reply to me".
    assert _required(_service(exported, "FEEDBACK")) == {
        "feedback_type": True, "topics": True, "happened_on": False,
        "name": False, "contact_method": False, "kiosk_reference": False,
    }


def test_pages_on_every_route_ignores_exits() -> None:
    catalogue = load_catalogue(demo_catalogue_dir())
    street = catalogue.service("street-problem")
    # "hazardous" has an exit, but journeys that reach check answers pass it or not.
    assert pages_on_every_route(street) == frozenset(
        {"problem", "location", "nearby_address", "description", "contact_method"})


def test_datatypes_values_and_order(exported: Open311Catalogue) -> None:
    feedback = _service(exported, "FEEDBACK").definition_doc()
    assert feedback["service_code"] == "FEEDBACK"
    attributes = feedback["attributes"]
    assert isinstance(attributes, list)
    by_code = {a["code"]: a for a in attributes if isinstance(a, dict)}
    assert [a["order"] for a in by_code.values()] == [1, 2, 3, 4, 5, 6]
    assert [a["code"] for a in by_code.values()] == [
        "feedback_type", "topics", "happened_on", "name", "contact_method", "kiosk_reference"]
    assert by_code["feedback_type"]["datatype"] == "singlevaluelist"
    assert by_code["topics"]["datatype"] == "multivaluelist"
    assert by_code["topics"]["datatype_description"] == "Select all that apply"
    assert by_code["topics"]["description"] == "Which council services is it about?"
    topic_values = by_code["topics"]["values"]
    assert isinstance(topic_values, list)
    assert topic_values[0] == {"key": "bins", "name": "Bins and recycling"}
    assert by_code["happened_on"]["datatype"] == "datetime"
    assert by_code["name"]["datatype"] == "string"
    assert "values" not in by_code["name"]
    assert all(a["variable"] is True for c, a in by_code.items() if c != "kiosk_reference")

    street = {a.code: a for a in _service(exported, "STREET_PROBLEM").attributes}
    assert street["amount"].datatype == "number"
    assert street["hazardous"].datatype == "singlevaluelist"
    assert street["hazardous"].values == (("yes", "Yes"), ("no", "No"))


def test_every_service_has_the_hidden_kiosk_reference(exported: Open311Catalogue) -> None:
    for service in exported.services:
        # A tell-us-once delivery's service also has the hidden part, after the reference.
        parts = service.service_code in MOVED
        ours = service.attributes[-2 if parts else -1].to_doc()
        assert ours == {
            "variable": False, "code": "kiosk_reference", "datatype": "string",
            "required": False, "datatype_description": "",
            "order": len(service.attributes) - parts, "description":
            "Reference printed on the kiosk receipt", "automated": "hidden_field",
        }
        assert parts == (service.attributes[-1].code == "kiosk_part")


def test_personal_address_is_never_public(exported: Open311Catalogue) -> None:
    assert "address_string" not in _service(exported, "MISSED_BIN").public_fields
    assert "address_string" in _service(exported, "STREET_PROBLEM").public_fields


def test_duplicate_service_codes_are_refused() -> None:
    catalogue = load_catalogue(demo_catalogue_dir())
    bins = catalogue.service("missed-bin")
    with pytest.raises(ValueError, match="MISSED_BIN"):
        export_catalogue([bins, bins])


def test_a_call_back_is_an_open311_service_and_bookings_are_not(exported: Open311Catalogue) -> None:
    """Request a call back is sent through the outbox like any report, so the hub must know
    it; booking services book with the hub's appointments API and are no Open311 service."""
    call_back = _service(exported, "CALL_BACK")
    assert call_back.service_name == "Ask us to call you back"
    assert _required(call_back) == {"topic": True, "name": True, "best_time": True,
                                    "kiosk_reference": False}
    names = {s.service_name for s in exported.services}
    assert not names & {"Book an appointment", "Change or cancel a booking"}
