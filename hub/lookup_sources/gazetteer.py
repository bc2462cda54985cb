"""The council's addresses by postcode and by UPRN: what the address finder asks.

The address finder gives the kiosk a property's UPRN: the bin days source is asked by it,
and an import of collection rounds checks its UPRNs against the same table. The hub's
`AddressBook` is the gazetteer table (hub/gazetteer_table.py, loaded by `kiosk-hub
gazetteer import`); `Gazetteer` here holds addresses in memory, for
tests and for the kiosk's engine tests that run the demo sources without a database.
Postcodes are normalised the way GOV.UK's "find an address" does it:
case and spaces do not matter, the format does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

# The shape of a UK postcode: an outward code (area, district) and an inward code (sector,
# unit). GIR 0AA is the one historic exception and is not a council address.
_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")


def normalise_postcode(text: str) -> str | None:
    """`de991ab`, ` DE99  1ab ` and `DE99 1AB` are the same postcode; None when it is not one."""
    squeezed = re.sub(r"\s+", "", text).upper()
    match = _POSTCODE.match(squeezed)
    if match is None:
        return None
    return f"{match.group(1)} {match.group(2)}"


@dataclass(frozen=True)
class Address:
    uprn: str
    paon: str
    street: str
    town: str
    postcode: str
    lat: float
    long: float
    saon: str = ""
    locality: str = ""
    organisation: str = ""

    def one_line(self) -> str:
        """As GOV.UK shows an address in a list: organisation, flat, house and street,
        locality, town, postcode. A house number joins its street; a house name stands on
        its own."""
        if not self.paon:
            first = self.street
        elif self.paon[:1].isdigit():
            first = f"{self.paon} {self.street}"
        else:
            first = f"{self.paon}, {self.street}"
        parts = [self.organisation, self.saon, first, self.locality, self.town, self.postcode]
        return ", ".join(p for p in parts if p)

    def parts(self) -> dict[str, str]:
        return {"saon": self.saon, "paon": self.paon, "street": self.street,
                "locality": self.locality, "town": self.town, "postcode": self.postcode}


class AddressBook(Protocol):
    def at_postcode(self, postcode: str) -> tuple[Address, ...]:
        """Every address at a normalised postcode (`DE99 1AB`), in the extract's order."""
        ...

    def by_uprn(self, uprn: str) -> Address | None: ...


class Gazetteer:
    """Addresses held in memory, grouped by normalised postcode in the order given."""

    def __init__(self, addresses: dict[str, tuple[Address, ...]]) -> None:
        self._by_postcode = addresses
        self._by_uprn = {a.uprn: a for group in addresses.values() for a in group}

    @classmethod
    def of(cls, addresses: list[Address]) -> Gazetteer:
        grouped: dict[str, list[Address]] = {}
        for address in addresses:
            grouped.setdefault(address.postcode, []).append(address)
        return cls({postcode: tuple(group) for postcode, group in grouped.items()})

    def at_postcode(self, postcode: str) -> tuple[Address, ...]:
        """Every address at a normalised postcode, in the file's order."""
        return self._by_postcode.get(postcode, ())

    def by_uprn(self, uprn: str) -> Address | None:
        return self._by_uprn.get(uprn)
