"""What a lookup source is on the hub: a name, the inputs it needs, and a function answering.

Each source is one small class registered by name, so a council adds its appointments system
or its own gazetteer without touching the endpoint. A source answers from the inputs alone;
it never logs them and never puts them in an exception (the router logs counts only).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class SourceItem:
    """One option or row, as the kiosk receives it. Every data value is text, so the kiosk
    never has to guess how a number or a date was encoded."""

    value: str
    label: str
    hint: str | None = None
    data: Mapping[str, str] = field(default_factory=dict)

    def doc(self) -> dict[str, object]:
        return {"value": self.value, "label": self.label, "hint": self.hint,
                "data": dict(self.data)}


class BadInput(Exception):
    """An input is present but not usable. Names the input and what was expected; never
    carries the value itself (it may be a resident's postcode)."""

    def __init__(self, name: str, expected: str) -> None:
        super().__init__(f"{name}: expected {expected}")
        self.name = name
        self.expected = expected


class LookupSource(Protocol):
    """A source of options. `inputs` are the names that must be present and non-empty;
    `answer` may raise BadInput and otherwise returns the items (possibly none).

    A source may also have `optional_inputs`, a tuple of names it reads when they are given
    (`bin-collections`'s `count`); see `optional_inputs`. It is not part of this protocol so
    that a source written before it existed still is one."""

    @property
    def name(self) -> str: ...

    @property
    def inputs(self) -> tuple[str, ...]: ...

    def answer(self, inputs: Mapping[str, str], language: str) -> Sequence[SourceItem]: ...


def optional_inputs(source: LookupSource) -> tuple[str, ...]:
    """The names `source` reads when given, besides its required `inputs`."""
    names = getattr(source, "optional_inputs", ())
    return tuple(str(name) for name in names)


class SourceRegistry:
    """The sources one hub serves, by name."""

    def __init__(self, sources: Iterable[LookupSource]) -> None:
        self._sources: dict[str, LookupSource] = {}
        for source in sources:
            if source.name in self._sources:
                raise ValueError(f"two lookup sources are named {source.name!r}")
            self._sources[source.name] = source

    def get(self, name: str) -> LookupSource | None:
        return self._sources.get(name)

    def names(self) -> tuple[str, ...]:
        return tuple(sorted(self._sources))

    def adding(self, *sources: LookupSource) -> SourceRegistry:
        """A new registry with `sources` added to these (a name already taken is an error)."""
        return SourceRegistry((*self._sources.values(), *sources))
