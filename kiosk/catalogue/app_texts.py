"""An app message key as catalogue text: the words a question type supplies for itself.

The address question words its pages ("Select the address", "Enter the address") from the
app's message catalogues (`accessibility/languages/*/kiosk.po`), so every council gets them
in every kiosk language without writing them; a catalogue may still word them its own way.
"""

from __future__ import annotations

from accessibility.languages import LANGUAGES, Translator
from kiosk.localtext import FALLBACK_LANGUAGE, LocalText


class AppTexts:
    """Reads message keys in every kiosk language (one catalogue load per language)."""

    def __init__(self, translator: Translator | None = None) -> None:
        self._translator = translator or Translator()

    def __call__(self, key: str) -> LocalText:
        found = {lang.code: self._translator.lookup(key, lang.code) for lang in LANGUAGES}
        if not found.get(FALLBACK_LANGUAGE):
            raise KeyError(f"message key {key!r} has no English text")
        return LocalText({code: text for code, text in found.items() if text})
