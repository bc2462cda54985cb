"""`addresses`: every address at a postcode, for the "find an address" page of a journey."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from hub.lookup_sources.base import BadInput, SourceItem
from hub.lookup_sources.gazetteer import AddressBook, normalise_postcode

POSTCODE_EXPECTED = "a full UK postcode, like DE99 1AB"


class AddressesSource:
    name = "addresses"
    inputs = ("postcode",)

    def __init__(self, gazetteer: AddressBook) -> None:
        self._gazetteer = gazetteer

    def answer(self, inputs: Mapping[str, str], language: str) -> Sequence[SourceItem]:
        """No addresses is an answer, not an error: the page says "no addresses found"."""
        postcode = normalise_postcode(inputs["postcode"])
        if postcode is None:
            raise BadInput("postcode", POSTCODE_EXPECTED)
        return [
            SourceItem(
                value=address.uprn,
                label=address.one_line(),
                data={"uprn": address.uprn, "lat": f"{address.lat:.5f}",
                      "long": f"{address.long:.5f}", **address.parts()},
            )
            for address in self._gazetteer.at_postcode(postcode)
        ]
