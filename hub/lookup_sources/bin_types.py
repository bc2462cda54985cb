"""The council's kinds of bin: an id, a colour and a name in each kiosk language.

Bin types live in the hub's database beside the rounds (table `collection_bins`), not in a
file each hub process reads, so every process answers with the same names and a new bin type
arrives in the same transaction as the rounds that use it. They are *written* by hand, in a
small YAML file like the service catalogue, because they are translated text (a council has
three to six of them, each named in Welsh, Polish, Urdu, Romanian...), which a spreadsheet
export mangles more easily than it carries:

    bins:
      general:
        colour: green
        name: {en: Green bin – general waste, cy: Bin gwyrdd – gwastraff cyffredinol}

The order in the file is the order a property's bins are listed in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from hub.lookup_sources.csv_file import CsvFileError

_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")
LONGEST_NAME = 100


class CollectionsFileError(CsvFileError):
    """A bin types, rounds or exceptions file cannot be used as a whole; the message names
    the file and what is wrong. Nothing is imported."""


@dataclass(frozen=True)
class BinType:
    id: str
    colour: str
    names: Mapping[str, str]

    def name(self, language: str) -> str:
        return self.names.get(language) or self.names["en"]


def _mapping(where: str, value: Any) -> dict[Any, Any]:
    if not isinstance(value, dict):
        raise CollectionsFileError(f"{where}: expected a mapping")
    return value


def _bin_type(path: Path, bin_id: object, entry: object) -> BinType:
    where = f"{path}: bins.{bin_id}"
    if not isinstance(bin_id, str) or not _ID.match(bin_id):
        raise CollectionsFileError(f"{where}: expected an id of lower-case letters, digits, "
                                   "- and _ (at most 40), like general")
    fields = _mapping(where, entry)
    colour = fields.get("colour", "")
    if not isinstance(colour, str) or len(colour) > 40:
        raise CollectionsFileError(f"{where}.colour: expected a colour name, like green")
    names: dict[str, str] = {}
    for language, name in _mapping(f"{where}.name", fields.get("name")).items():
        if not isinstance(language, str) or not _LANGUAGE.match(language):
            raise CollectionsFileError(f"{where}.name.{language}: expected a language code "
                                       "like cy")
        if not isinstance(name, str) or not name.strip() or len(name) > LONGEST_NAME:
            raise CollectionsFileError(f"{where}.name.{language}: expected a name of 1 to "
                                       f"{LONGEST_NAME} characters")
        names[language] = name.strip()
    if "en" not in names:
        raise CollectionsFileError(f"{where}.name: expected an English (en) name")
    return BinType(bin_id, colour, names)


def load_bin_types(path: Path) -> dict[str, BinType]:
    """The file's bin types by id, in its order; CollectionsFileError names the entry at fault."""
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CollectionsFileError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    except UnicodeDecodeError as exc:
        raise CollectionsFileError(f"{path}: expected UTF-8 text ({exc.reason})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise CollectionsFileError(f"{path}: is not valid YAML{where}") from None
    entries = _mapping(f"{path}: bins", _mapping(str(path), doc).get("bins"))
    if not entries:
        raise CollectionsFileError(f"{path}: bins: expected at least one bin type")
    return {str(bin_id): _bin_type(path, bin_id, entry) for bin_id, entry in entries.items()}
