"""Every message key the code asks for has English text, so no screen ever shows a raw key.

Keys are found in the source of kiosk/ and ui/ as string literals; keys built at run time
(error keys from validation, `month.{n}`, `answer.{yes,no}`, `date.{day,month,year}`) are
listed explicitly, and a new kind of built key fails here until it is listed too.
"""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

import accessibility.languages
from accessibility.languages import Translator
from kiosk.catalogue.model import ERROR_PARAMS
from kiosk.journey.result_rows import COLOURS
from kiosk.journey.validation import YES_NO

ROOT = Path(__file__).resolve().parents[2]
PO = Path(accessibility.languages.__file__).parent / "en" / "LC_MESSAGES" / "kiosk.po"
PREFIXES = ("error|nav|question|date|month|answer|send|confirmation|exit|timeout|receipt|fault|"
            "attract|menu|address|bins|colour")
LITERAL = re.compile(rf"""(?<![\w{{])["']((?:{PREFIXES})\.[a-z_.0-9]+)["']""")
BUILT = re.compile(rf"""\bf["']((?:{PREFIXES})\.[^"']*\{{[^"']*)["']""")

# Keys built at run time, each template with every key it can build.
DYNAMIC: dict[str, set[str]] = {
    "answer.{v}": {f"answer.{v}" for v in YES_NO},
    "answer.{value}": {f"answer.{v}" for v in YES_NO},
    "month.{int(month)}": {f"month.{n}" for n in range(1, 13)},
    "month.{day.month}": {f"month.{n}" for n in range(1, 13)},
    "error.date.missing_{n}": {f"error.date.missing_{n}" for n in ("day", "month", "year")},
    "date.{part}": {f"date.{n}" for n in ("day", "month", "year")},
    "error.address.{name}_too_long": {f"error.address.{n}_too_long"
                                      for n in ("line1", "line2", "town", "postcode")},
    "address.field.{name}": {f"address.field.{n}" for n in ("line1", "line2", "town", "postcode")},
    "colour.{colour.lower()}": {f"colour.{c}" for c in COLOURS},
}


def po_messages() -> dict[str, str]:
    """msgid → msgstr from the English .po (joining continued lines)."""
    messages: dict[str, str] = {}
    current: dict[str, str] = {}
    field = ""
    for line in PO.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line.startswith(("msgid ", "msgstr ")):
            field, _, rest = line.partition(" ")
            current[field] = _unquote(rest)
        elif line.startswith('"') and field:
            current[field] += _unquote(line)
        elif not line and current:
            messages[current.get("msgid", "")] = current.get("msgstr", "")
            current, field = {}, ""
    if current:
        messages[current.get("msgid", "")] = current.get("msgstr", "")
    messages.pop("", None)
    return messages


def _unquote(text: str) -> str:
    return text[1:-1].replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")


def sources() -> list[Path]:
    return sorted(p for folder in ("kiosk", "ui") for p in (ROOT / folder).rglob("*.py"))


def keys_in_source() -> dict[str, set[str]]:
    used: dict[str, set[str]] = {}
    for path in sources():
        for key in LITERAL.findall(path.read_text(encoding="utf-8")):
            used.setdefault(key, set()).add(str(path.relative_to(ROOT)))
    return used


def test_the_source_scan_finds_keys() -> None:
    used = keys_in_source()
    assert "answer.not_provided" in used
    assert "error.required.choose" in used


def test_every_literal_key_has_english_text() -> None:
    messages = po_messages()
    missing = {key: sorted(files) for key, files in keys_in_source().items() if key not in messages}
    assert not missing, f"keys without English text in {PO}: {missing}"


def test_every_built_key_is_listed_and_has_english_text() -> None:
    messages = po_messages()
    for path in sources():
        for template in BUILT.findall(path.read_text(encoding="utf-8")):
            assert template in DYNAMIC, (
                f"{path.relative_to(ROOT)} builds message keys from {template!r}: list the keys "
                "it can build in DYNAMIC so they are checked"
            )
    for template, keys in DYNAMIC.items():
        assert keys <= set(messages), f"{template}: {sorted(keys - set(messages))}"


@pytest.mark.parametrize("key", sorted(ERROR_PARAMS))
def test_every_validation_error_has_english_text_with_its_placeholders(key: str) -> None:
    messages = po_messages()
    assert key in messages
    used = {f for _, f, _, _ in string.Formatter().parse(messages[key]) if f is not None}
    assert used == ERROR_PARAMS[key]
    assert Translator(strict=True)(key, **dict.fromkeys(ERROR_PARAMS[key], "7"))


def test_validation_gives_only_the_errors_the_catalogue_can_word() -> None:
    source = "".join((ROOT / "kiosk" / "journey" / name).read_text(encoding="utf-8")
                     for name in ("validation.py", "types/address.py"))
    literal = set(re.findall(r'"(error\.[a-z_.0-9]+)"', source))
    built = {f"error.date.missing_{n}" for n in ("day", "month", "year")}
    built |= DYNAMIC["error.address.{name}_too_long"]
    assert literal | built == set(ERROR_PARAMS)


def test_the_compiled_catalogue_matches_the_po() -> None:
    """The app reads the .mo: a .po edit without script/compile-translations shows raw keys."""
    texts = Translator(strict=True)
    stale = {key for key, text in po_messages().items() if texts.lookup(key, "en") != text}
    assert not stale, f"run script/compile-translations; stale or missing in kiosk.mo: {stale}"
