"""Which catalogue texts still lack a language, so a council can see what to translate.

Every text a resident reads in a service file is a `LocalText` (English plus any other
languages). A text without a language falls back to English on screen, which is safe but not
what a Welsh or Urdu reader needs, so `script/translations check` lists each one by its path
in the file (`missed-bin: pages[0].question.label`). The walk is generic over the pydantic
models: a text added to the schema later is found without changing this module.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from pydantic import BaseModel, RootModel

from kiosk.catalogue.loader import Catalogue
from kiosk.localtext import LocalText

Step = str | int


def untranslated(catalogue: Catalogue, language: str) -> list[str]:
    """`<service id>: <path>` of every text in the catalogue's services without `language`."""
    return [
        f"{service.id}: {path}"
        for service in catalogue
        for path in missing_texts(service, language)
    ]


def missing_texts(model: BaseModel, language: str) -> list[str]:
    """The dotted paths of the texts inside `model` (a service, a profile) without `language`."""
    return [path for path, text in local_texts(model) if not text.has(language)]


def local_texts(model: BaseModel) -> Iterator[tuple[str, LocalText]]:
    """Every `LocalText` inside `model` with its path, in field order."""
    for steps, text in _walk(model, ()):
        yield dotted(steps), text


def dotted(steps: tuple[Step, ...]) -> str:
    """`("pages", 0, "question", "label")` as `pages[0].question.label`."""
    path = ""
    for step in steps:
        path += f"[{step}]" if isinstance(step, int) else (f".{step}" if path else step)
    return path


def _walk(value: object, steps: tuple[Step, ...]) -> Iterator[tuple[tuple[Step, ...], LocalText]]:
    if isinstance(value, LocalText):
        yield steps, value
    elif isinstance(value, RootModel):
        yield from _walk(value.root, steps)
    elif isinstance(value, BaseModel):
        for name, info in type(value).model_fields.items():
            # The name in the file: a page's `question` is held as `asks`.
            yield from _walk(getattr(value, name), (*steps, info.alias or name))
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _walk(item, (*steps, str(key)))
    elif isinstance(value, (tuple, list)):
        for index, item in enumerate(value):
            yield from _walk(item, (*steps, index))
