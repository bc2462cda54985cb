"""How the core asks for words: a message key in, text in the current language out."""

from __future__ import annotations

from typing import Protocol


class Texts(Protocol):
    """Resolves app message keys (gettext catalogues in `accessibility.languages`)."""

    @property
    def language(self) -> str: ...

    def __call__(self, key: str, /, **params: str) -> str: ...
