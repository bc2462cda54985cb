"""App text in five languages, as gettext catalogues keyed by message id.

Message ids are stable keys (``attract.touch_to_start``), never English sentences, so that
rewording English does not orphan translations. ``.po`` files are the source; ``.mo`` files
are compiled by ``script/compile-translations`` (run by ``script/bootstrap``).
"""

from __future__ import annotations

import gettext
from dataclasses import dataclass, field
from pathlib import Path

DOMAIN = "kiosk"
FALLBACK = "en"
CATALOGUE_DIR = Path(__file__).resolve().parent


class CatalogueMissing(RuntimeError):
    """A compiled catalogue is not where it should be (the install step was skipped)."""


@dataclass(frozen=True)
class Language:
    """A UI language. `font` must shape the script whole: falling back glyph by glyph to
    another font breaks joined scripts such as Urdu. `printable` says whether an ESC/POS
    printer's code pages can print it (Urdu cannot: no joining, no right-to-left)."""

    code: str
    native_name: str
    right_to_left: bool = False
    font: str = "DejaVu Sans"
    printable: bool = True


LANGUAGES: tuple[Language, ...] = (
    Language("en", "English"),
    Language("cy", "Cymraeg"),
    Language("pl", "Polski"),
    Language("ur", "اردو", right_to_left=True, font="Noto Naskh Arabic", printable=False),
    Language("ro", "Română"),
)


def language(code: str) -> Language:
    for lang in LANGUAGES:
        if lang.code == code:
            return lang
    raise KeyError(code)


def _load(code: str, directory: Path) -> gettext.GNUTranslations:
    mo = directory / code / "LC_MESSAGES" / f"{DOMAIN}.mo"
    if not mo.is_file():
        raise CatalogueMissing(
            f"{mo} is missing: run script/compile-translations (script/bootstrap does this)"
        )
    with mo.open("rb") as handle:
        return gettext.GNUTranslations(handle)


@dataclass
class Translator:
    """Resolves message keys in one language, falling back to English, then to the key."""

    code: str = FALLBACK
    directory: Path = CATALOGUE_DIR
    strict: bool = False
    _cache: dict[str, gettext.GNUTranslations] = field(default_factory=dict, repr=False)

    @property
    def language(self) -> str:
        return self.code

    @property
    def right_to_left(self) -> bool:
        return language(self.code).right_to_left if self.code in _CODES else False

    def switch(self, code: str) -> None:
        """Change the language in place: every later lookup uses it."""
        self.code = code

    def _catalogue(self, code: str) -> gettext.GNUTranslations | None:
        if code not in self._cache:
            try:
                self._cache[code] = _load(code, self.directory)
            except CatalogueMissing:
                if code == FALLBACK:
                    raise
                return None
        return self._cache[code]

    def lookup(self, key: str, code: str) -> str | None:
        """The text for `key` in exactly `code`, or None (keys are ids, never English text)."""
        catalogue = self._catalogue(code)
        if catalogue is None:
            return None
        text = catalogue.gettext(key)
        return None if text == key else text

    def __call__(self, key: str, /, **params: str) -> str:
        for code in (self.code, FALLBACK):
            text = self.lookup(key, code)
            if text is not None:
                return text.format(**params) if params else text
        if self.strict:
            raise KeyError(f"message key {key!r} has no text")
        return key


_CODES = {lang.code for lang in LANGUAGES}
