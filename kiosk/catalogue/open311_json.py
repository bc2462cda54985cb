"""Read the JSON Open311 servers send, including the JSON the GeoReport v2 spec itself shows.

The spec's own JSON examples are not JSON: `"service_code":001` (a number with leading zeros)
and `"service_code":DMV66` (an unquoted word), and servers written from those examples, or by
hand, add trailing commas and single quotes. A council's IT cannot fix a supplier's server,
so a document that is valid JSON is read strictly, and only one that is not is read again
leniently, with each kind of thing forgiven reported so IT can pass it on.

Numbers are kept as the text written (`001` stays "001", `1.50` stays "1.50"): service codes
and list keys are posted back to the server exactly as it wrote them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

MAX_DEPTH = 64
"""Deeper nesting is not an Open311 document (a service definition is four levels deep)."""

_TOKEN = re.compile(r"[A-Za-z0-9_.+\-]+")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_LEADING_ZERO = re.compile(r"-?0[0-9]+(?:\.[0-9]+)?")
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r",
            "t": "\t"}
_WHITESPACE = " \t\r\n"


class JsonProblem(ValueError):
    """Not JSON even when read leniently: where, what was expected there, what was found."""

    def __init__(self, expected: str, found: str, line: int, column: int) -> None:
        self.expected = expected
        self.found = found
        self.line = line
        self.column = column
        super().__init__(f"line {line}, column {column}: expected {expected}, found {found}")


@dataclass(frozen=True)
class ReadJson:
    value: Any
    forgiven: tuple[tuple[str, str], ...] = ()
    """What the lenient reading accepted that JSON does not, once per kind, as (what was
    found and where, what was made of it); empty when the document was valid JSON."""


def read_json(text: str) -> ReadJson:
    """The document's value (numbers as their text); JsonProblem when it cannot be read."""
    text = text.removeprefix("\ufeff")
    try:
        return ReadJson(json.loads(text, parse_int=str, parse_float=str, parse_constant=str))
    except (ValueError, RecursionError):
        pass
    reader = _Lenient(text)
    value = reader.document()
    return ReadJson(value, tuple(reader.forgiven.values()))


class _Lenient:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.depth = 0
        # kind -> (the first example of it and where, what was made of it), in the order met
        self.forgiven: dict[str, tuple[str, str]] = {}

    # ----- errors and positions -------------------------------------------------------------

    def _where(self, pos: int) -> tuple[int, int]:
        line = self.text.count("\n", 0, pos) + 1
        return line, pos - (self.text.rfind("\n", 0, pos) + 1) + 1

    def _found(self) -> str:
        if self.pos >= len(self.text):
            return "the end of the document"
        return repr(self.text[self.pos:self.pos + 20])

    def fail(self, expected: str) -> JsonProblem:
        return JsonProblem(expected, self._found(), *self._where(self.pos))

    def forgive(self, kind: str, example: str, pos: int, fix: str) -> None:
        if kind not in self.forgiven:
            line, column = self._where(pos)
            self.forgiven[kind] = (f"{kind} ({example} at line {line}, column {column})", fix)

    # ----- the grammar ----------------------------------------------------------------------

    def skip_space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in _WHITESPACE:
            self.pos += 1

    def document(self) -> Any:
        self.skip_space()
        value = self.value()
        self.skip_space()
        if self.pos < len(self.text):
            raise self.fail("the end of the document")
        return value

    def value(self) -> Any:
        if self.pos >= len(self.text):
            raise self.fail("a value")
        char = self.text[self.pos]
        if char in "{[":
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise self.fail(f"nesting at most {MAX_DEPTH} levels deep")
            result = self.mapping() if char == "{" else self.sequence()
            self.depth -= 1
            return result
        if char in "\"'":
            return self.string()
        return self.token()

    def mapping(self) -> dict[str, Any]:
        self.pos += 1  # {
        result: dict[str, Any] = {}
        while True:
            self.skip_space()
            if self.text.startswith("}", self.pos):
                self.pos += 1
                return result
            at = self.pos
            key = self.string() if self.text[self.pos:self.pos + 1] in ("\"", "'") else None
            if key is None:
                match = _TOKEN.match(self.text, self.pos)
                if match is None:
                    raise self.fail("a name in quotes or '}'")
                key = match.group()
                self.pos = match.end()
                self.forgive("names without quotes", key, at, "read as names")
            self.skip_space()
            if not self.text.startswith(":", self.pos):
                raise self.fail(f"':' after the name {key!r}")
            self.pos += 1
            self.skip_space()
            result[key] = self.value()
            if not self._separator("}"):
                return result

    def sequence(self) -> list[Any]:
        self.pos += 1  # [
        result: list[Any] = []
        while True:
            self.skip_space()
            if self.text.startswith("]", self.pos):
                self.pos += 1
                return result
            result.append(self.value())
            if not self._separator("]"):
                return result

    def _separator(self, closing: str) -> bool:
        """After an item: True to read another, False when `closing` ended the container.
        A comma right before `closing` (a trailing comma) is forgiven."""
        self.skip_space()
        if self.text.startswith(closing, self.pos):
            self.pos += 1
            return False
        if not self.text.startswith(",", self.pos):
            raise self.fail(f"',' or '{closing}'")
        comma = self.pos
        self.pos += 1
        self.skip_space()
        if self.text.startswith(closing, self.pos):
            self.forgive("trailing commas", f"',{closing}'", comma, "ignored")
            self.pos += 1
            return False
        return True

    def string(self) -> str:
        quote = self.text[self.pos]
        start = self.pos
        if quote == "'":
            self.forgive("text in single quotes", self.text[start:start + 12] + "...", start,
                         "read as text")
        self.pos += 1
        parts: list[str] = []
        while True:
            end = self.pos
            while end < len(self.text) and self.text[end] not in (quote, "\\"):
                end += 1
            chunk = self.text[self.pos:end]
            if any(c in chunk for c in "\n\r\t"):
                self.forgive("line breaks inside text", repr(chunk[:12]), self.pos, "kept")
            parts.append(chunk)
            self.pos = end
            if self.pos >= len(self.text):
                self.pos = start
                raise self.fail(f"text closed by {quote}")
            if self.text[self.pos] == quote:
                self.pos += 1
                return "".join(parts)
            parts.append(self.escape(quote))

    def escape(self, quote: str) -> str:
        self.pos += 1  # backslash
        char = self.text[self.pos:self.pos + 1]
        if char in _ESCAPES or char == quote:
            self.pos += 1
            return _ESCAPES.get(char, char)
        if char == "u":
            code = self._hex4(self.pos + 1)
            self.pos += 5
            if 0xD800 <= code < 0xDC00 and self.text.startswith("\\u", self.pos):
                low = self._hex4(self.pos + 2)
                if 0xDC00 <= low < 0xE000:
                    self.pos += 6
                    return chr(0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00))
            return chr(code)
        raise self.fail("an escape (\\\", \\\\, \\/, \\b, \\f, \\n, \\r, \\t or \\uXXXX)")

    def _hex4(self, at: int) -> int:
        digits = self.text[at:at + 4]
        if len(digits) != 4 or any(c not in "0123456789abcdefABCDEF" for c in digits):
            self.pos = at
            raise self.fail("four hexadecimal digits after \\u")
        return int(digits, 16)

    def token(self) -> Any:
        match = _TOKEN.match(self.text, self.pos)
        if match is None:
            raise self.fail("a value (text in quotes, a number, true, false, null, '{' or '[')")
        word, at = match.group(), self.pos
        self.pos = match.end()
        if word in ("true", "false"):
            return word == "true"
        if word == "null":
            return None
        if _NUMBER.fullmatch(word):
            return word
        if _LEADING_ZERO.fullmatch(word):
            self.forgive("numbers with leading zeros", word, at, "kept as written")
        else:
            self.forgive("words without quotes", word, at, "read as text")
        return word
