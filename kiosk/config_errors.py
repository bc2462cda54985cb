"""Turn bad YAML and schema failures into messages council IT can act on.

A profile or catalogue file is edited by people who do not read Python tracebacks, so every
problem names the file, the line, the field path, what was expected and what was found.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

ModelT = TypeVar("ModelT", bound=BaseModel)
# libyaml's loader when present: ten times faster, and start-up reads every service file.
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Problem:
    """One thing wrong in one file."""

    file: str
    path: str
    expected: str
    found: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        field = self.path or "(top level)"
        return f"{where}: {field}: expected {self.expected}, found {self.found}"


class ConfigError(Exception):
    """A profile or catalogue that cannot be used. Carries every problem found, not just one."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__(self.describe())

    def describe(self) -> str:
        count = len(self.problems)
        head = "1 problem" if count == 1 else f"{count} problems"
        return f"{head}:\n" + "\n".join(f"  - {p}" for p in self.problems)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


Loc = tuple[str | int, ...]


class FieldProblems(ValueError):
    """Raised by a model validator to report problems at fields below the model it checks.

    Each item is (path below the model, expected, found). `problems_from_validation` turns
    them into Problems with full dotted paths and line numbers, instead of one problem at the
    model's own path whose "found" is the whole mapping.
    """

    def __init__(self, items: Iterable[tuple[Loc, str, str]]) -> None:
        self.items = tuple(items)
        super().__init__("; ".join(
            f"{_dotted(loc) or '(top level)'}: expected {expected}, found {found}"
            for loc, expected, found in self.items
        ))


def _dotted(loc: Loc) -> str:
    return ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in loc).replace(".[", "[")


def dotted(loc: Loc) -> str:
    """A field path as the council reads it: `pages[1].result.offer.service`."""
    return _dotted(loc)


class LineIndex:
    """Maps a field path (tuple of keys and indexes) to the line it starts on in a YAML file."""

    def __init__(self, root: yaml.Node | None) -> None:
        self._root = root

    def real_loc(self, loc: Loc, *, keep_last: bool) -> Loc:
        """pydantic's `loc` without the parts that are not keys in the file (union tags).

        A tagged union puts the tag value (`open311`) into the path, though the file has no
        such key. Every other part of pydantic's path is in the file, except a missing field
        at the end (`keep_last`).
        """
        node = self._root
        kept: list[str | int] = []
        for position, key in enumerate(loc):
            child = self._child(node, key)
            last = position == len(loc) - 1
            if child is None and isinstance(node, yaml.MappingNode) and not (last and keep_last):
                continue
            kept.append(key)
            node = child
        return tuple(kept)

    @staticmethod
    def _child(node: yaml.Node | None, key: str | int) -> yaml.Node | None:
        if isinstance(node, yaml.MappingNode):
            return next(
                (v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == key),
                None,
            )
        if isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            child: yaml.Node = node.value[key]
            return child
        return None

    def line_of(self, loc: tuple[str | int, ...]) -> int | None:
        """The line of the deepest part of `loc` in the file: a key's line for a mapping entry."""
        node = self._root
        best: int | None = node.start_mark.line + 1 if node is not None else None
        for key in loc:
            if isinstance(node, yaml.MappingNode):
                match = next(
                    ((k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == key),
                    None,
                )
                if match is None:
                    return best
                best = match[0].start_mark.line + 1
                node = match[1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(key, int):
                if key >= len(node.value):
                    return best
                node = node.value[key]
                best = node.start_mark.line + 1
            else:
                return best
        return best


def read_yaml(path: Path) -> tuple[Any, LineIndex]:
    """Read a YAML file, raising ConfigError (never a yaml traceback) on unreadable input."""
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([Problem(name, "", "a readable file", "no such file")]) from None
    except UnicodeDecodeError as exc:
        raise ConfigError([Problem(name, "", "UTF-8 text", f"bytes ({exc.reason})")]) from None
    except OSError as exc:
        raise ConfigError([Problem(name, "", "a readable file", exc.strerror or "an OS error")]) from None
    try:
        node = yaml.compose(text, Loader=_LOADER)
        data = yaml.load(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise ConfigError(
            [Problem(name, "", "valid YAML", exc.problem or "a syntax error", line)]
        ) from None
    except yaml.YAMLError as exc:
        raise ConfigError([Problem(name, "", "valid YAML", str(exc))]) from None
    return data, LineIndex(node)


_EXPECTED = {
    "missing": "this field",
    "extra_forbidden": "no such field (check the spelling)",
    "int_parsing": "a whole number",
    "int_type": "a whole number",
    "float_parsing": "a number",
    "bool_parsing": "true or false",
    "bool_type": "true or false",
    "string_type": "text",
    "dict_type": "a mapping (key: value lines)",
    "model_type": "a mapping (key: value lines)",
    "list_type": "a list",
    "url_parsing": "a URL",
    "time_parsing": "a time like \"09:30\"",
    "time_type": "a time like \"09:30\"",
    "decimal_parsing": "a number",
    "tuple_type": "a list",
}


def _expected_for(error: Any) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "literal_error":
        return f"one of {ctx.get('expected', '')}"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        sign = {"greater_than_equal": ">=", "greater_than": ">", "less_than_equal": "<=",
                "less_than": "<"}[kind]
        bound = next(iter(ctx.values()), "")
        return f"a number {sign} {bound}"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    if kind == "string_pattern_mismatch":
        return f"text matching {ctx.get('pattern', '')}"
    if kind == "enum":
        return f"one of {ctx.get('expected', '')}"
    if kind == "string_too_short":
        return f"text of at least {ctx.get('min_length', 1)} character(s)"
    if kind == "string_too_long":
        return f"text of at most {ctx.get('max_length', '')} characters"
    if kind == "too_short":
        return f"at least {ctx.get('min_length', 1)} item(s)"
    if kind == "too_long":
        return f"at most {ctx.get('max_length', '')} items"
    return _EXPECTED.get(kind, str(error["msg"]))


# Never echo these back: a PIN typed where its hash belongs, a salt or a key would end up in
# a terminal's scrollback or a provisioning log.
SECRET_FIELDS = frozenset({"hash", "salt", "api_key", "secret", "password"})


def _found_for(error: Any) -> str:
    if error["type"] == "missing":
        return "nothing"
    loc = error.get("loc") or ()
    if loc and loc[-1] in SECRET_FIELDS:
        return "a value that is not shown here (it may be secret)"
    if error["type"] == "extra_forbidden":
        return f"an unknown field {_short(error['loc'][-1])}"
    return _short(error.get("input"))


def problems_from_validation(
    exc: ValidationError, file: str, index: LineIndex | None = None
) -> list[Problem]:
    """Translate pydantic's errors into Problems with dotted paths and line numbers."""
    problems = []
    for error in exc.errors():
        loc = tuple(part for part in error["loc"] if not str(part).startswith("function-"))
        # Drop pydantic's union/tag markers, keep only real keys and indexes.
        clean: Loc = tuple(p for p in loc if isinstance(p, int) or "[" not in str(p))
        located = (error.get("ctx") or {}).get("error")
        if index is not None:
            clean = index.real_loc(clean, keep_last=error["type"] == "missing")
        if error["type"] == "value_error" and isinstance(located, FieldProblems):
            items = [(clean + below, expected, found) for below, expected, found in located.items]
        elif error["type"] in ("union_tag_invalid", "union_tag_not_found"):
            # The problem is the discriminator field itself (`printer.type`), not the section.
            ctx = error.get("ctx") or {}
            tag = str(ctx.get("discriminator", "type")).strip("'")
            tags = ctx.get("expected_tags")
            expected = f"one of {tags}" if tags else f"a {tag} field"
            found = _short(ctx["tag"]) if "tag" in ctx else "nothing"
            items = [((*clean, tag), expected, found)]
        else:
            items = [(clean, _expected_for(error), _found_for(error))]
        for full, expected, found in items:
            line = index.line_of(full) if index else None
            problems.append(Problem(file, _dotted(full), expected, found, line))
    return problems


def load_model(model: type[ModelT], path: Path, *, context: dict[str, Any] | None = None) -> ModelT:
    """Read a YAML file and validate it as `model`, raising ConfigError with every problem."""
    data, index = read_yaml(path)
    try:
        return model.model_validate(data, context=context)
    except ValidationError as exc:
        raise ConfigError(problems_from_validation(exc, str(path), index)) from None
