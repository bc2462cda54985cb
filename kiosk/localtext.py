"""Text written in the catalogue or profile, one string per language, English the fallback."""

from __future__ import annotations

from typing import Any

from pydantic import RootModel, model_validator

FALLBACK_LANGUAGE = "en"


class LocalText(RootModel[dict[str, str]]):
    """`"Hello"` (English only) or `{en: "Hello", cy: "Helo"}` in YAML; English is required."""

    @model_validator(mode="before")
    @classmethod
    def _accept_plain_string(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {FALLBACK_LANGUAGE: value}
        if not isinstance(value, dict):
            raise ValueError("text, or one text per language (en: ..., cy: ...)")
        return value

    @model_validator(mode="after")
    def _needs_english(self) -> LocalText:
        if not self.root.get(FALLBACK_LANGUAGE, "").strip():
            raise ValueError("text with an English (en) version")
        return self

    def get(self, language: str) -> str:
        """The text in `language`, or English where that language has none yet."""
        return self.root.get(language) or self.root[FALLBACK_LANGUAGE]

    def has(self, language: str) -> bool:
        return bool(self.root.get(language))

    @classmethod
    def of(cls, english: str) -> LocalText:
        return cls({FALLBACK_LANGUAGE: english})
