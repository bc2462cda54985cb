"""The council's addresses by postcode and by UPRN, read from a small YAML extract.

Both the address finder and the bin days source use it, so a property has one UPRN and one
postcode everywhere. Postcodes are normalised the way GOV.UK's "find an address" does it:
case and spaces do not matter, the format does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

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

    def one_line(self) -> str:
        """As GOV.UK shows an address in a list: flat, house and street, locality, town,
        postcode. A house number joins its street; a house name stands on its own."""
        first = f"{self.paon} {self.street}" if self.paon[:1].isdigit() else \
            f"{self.paon}, {self.street}"
        parts = [self.saon, first, self.locality, self.town, self.postcode]
        return ", ".join(p for p in parts if p)

    def parts(self) -> dict[str, str]:
        return {"saon": self.saon, "paon": self.paon, "street": self.street,
                "locality": self.locality, "town": self.town, "postcode": self.postcode}


class Gazetteer:
    def __init__(self, addresses: dict[str, tuple[Address, ...]]) -> None:
        self._by_postcode = addresses
        self._by_uprn = {a.uprn: a for group in addresses.values() for a in group}

    def at_postcode(self, postcode: str) -> tuple[Address, ...]:
        """Every address at a normalised postcode, in the file's order."""
        return self._by_postcode.get(postcode, ())

    def by_uprn(self, uprn: str) -> Address | None:
        return self._by_uprn.get(uprn)


def _text(where: str, value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError(f"{where}: expected text, found {value!r}")
    return str(value)


def _number(where: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{where}: expected a number, found {value!r}")
    return float(value)


def load_gazetteer(path: Path) -> Gazetteer:
    """Read the extract; ValueError names the file and the entry for anything malformed."""
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    postcodes = document.get("postcodes") if isinstance(document, dict) else None
    if not isinstance(postcodes, dict):
        raise ValueError(f"{path}: expected a `postcodes` mapping")
    found: dict[str, tuple[Address, ...]] = {}
    for raw_postcode, entry in postcodes.items():
        postcode = normalise_postcode(str(raw_postcode))
        where = f"{path}: postcodes.{raw_postcode}"
        if postcode is None or not isinstance(entry, dict):
            raise ValueError(f"{where}: expected a postcode holding street, town and addresses")
        addresses = []
        for index, item in enumerate(entry.get("addresses") or ()):
            at = f"{where}.addresses[{index}]"
            if not isinstance(item, dict):
                raise ValueError(f"{at}: expected a mapping")
            addresses.append(Address(
                uprn=_text(f"{at}.uprn", item.get("uprn")),
                paon=_text(f"{at}.paon", item.get("paon")),
                saon=_text(f"{at}.saon", item.get("saon", "")),
                street=_text(f"{where}.street", entry.get("street")),
                locality=_text(f"{where}.locality", entry.get("locality", "")),
                town=_text(f"{where}.town", entry.get("town")),
                postcode=postcode,
                lat=_number(f"{at}.lat", item.get("lat")),
                long=_number(f"{at}.long", item.get("long")),
            ))
        found[postcode] = tuple(addresses)
    return Gazetteer(found)
