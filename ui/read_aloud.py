"""Read aloud for the kiosk window: what the page on screen says, Repeat and Stop, the
welcome from a long press, keys spoken as typed, and the item being spoken highlighted.

A mixin of `KioskWindow` (it uses the window's page, texts, preferences and player), kept in
its own module because it is a whole feature with its own rules (checklist CF-05, CF-07).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtWidgets import QPushButton, QWidget

from accessibility.speech import Utterance
from kiosk.announce import attract_script, menu_script, script_for, welcome_script
from ui.pages.attract import AttractPage
from ui.pages.menu import MenuPage
from ui.speech import spoken_widget_name

if TYPE_CHECKING:
    from accessibility.languages import Translator
    from kiosk.preferences import Preferences
    from kiosk.terminal import Terminal
    from ui.keyboard import OnScreenKeyboard
    from ui.speech import SpeechPlayer


class ReadAloud:
    page: QWidget | None
    texts: Translator
    terminal: Terminal
    player: SpeechPlayer | None
    keyboard: OnScreenKeyboard
    _highlighted: QWidget | None

    def set_preferences(self, prefs: Preferences) -> None:
        raise NotImplementedError


    def script(self) -> list[Utterance]:
        """What the page on screen says, in page order (kiosk.announce)."""
        view, texts, prefs = self.page, self.texts, self.terminal.prefs
        lang = texts.language
        profile = self.terminal.parts.profile
        session = self.terminal.session
        if isinstance(view, AttractPage):
            return attract_script(texts, profile.council.name.get(lang), profile.site.name.get(lang))
        shown = ((self.terminal.calls.showing or self.terminal.saved.showing)
                 if self.terminal.in_session else None)
        if shown is not None:
            return script_for(shown, texts, read_personal=prefs.read_personal)
        if isinstance(view, MenuPage):
            return (menu_script(texts, session.services()) + _saved_entry(view, lang)
                    + _talk(view, lang))
        engine = session.engine
        if engine is None:
            return []
        outcome = session.outcome
        return script_for(engine.current(), texts, read_personal=prefs.read_personal,
                          printed=bool(outcome and outcome.printed)) + _saved_entry(view, lang) \
            + _talk(view, lang)

    def announce(self) -> None:
        if self.player is not None and self.terminal.prefs.read_aloud:
            self.player.speak(self.script(), slow=self.terminal.prefs.slow_speech)

    def repeat(self) -> None:
        if self.player is not None:
            self.player.speak(self.script(), slow=self.terminal.prefs.slow_speech)

    def stop_speech(self) -> None:
        if self.player is not None:
            self.player.stop()

    def welcome(self) -> None:
        """Long press on the attract screen: read aloud on, and how to use the kiosk by touch."""
        if self.player is None:
            return
        if not self.terminal.prefs.read_aloud:
            self.set_preferences(self.terminal.prefs.with_(read_aloud=True))
        self.player.speak(welcome_script(self.texts), slow=self.terminal.prefs.slow_speech)

    def _speak_key(self, name: str) -> None:
        """Keys are spoken, except into a personal field unless the resident chose that."""
        if self.player is None or not self.terminal.prefs.read_aloud:
            return
        field = self.keyboard.attached_field
        if field is not None and field.property("personal") and not self.terminal.prefs.read_personal:
            return
        self.player.speak([Utterance(name, self.texts.language, "key")],
                          slow=self.terminal.prefs.slow_speech)

    def _highlight(self, item: str) -> None:
        """Show which item is being spoken (checklist CF-05); colour plus a border."""
        if self._highlighted is not None and shiboken6.isValid(self._highlighted):
            self._highlighted.setProperty("speaking", False)
            self._highlighted.style().unpolish(self._highlighted)
            self._highlighted.style().polish(self._highlighted)
        self._highlighted = None
        name = spoken_widget_name(item)
        if not name or self.page is None:
            return
        target = self.page.findChild(QWidget, name)
        if target is None:
            return
        target.setProperty("speaking", True)
        target.style().unpolish(target)
        target.style().polish(target)
        self._highlighted = target


def _saved_entry(view: QWidget | None, language: str) -> list[Utterance]:
    """"Continue a saved application" (menu) or "Save and come back later" (a question
    page), where the window added it (ui/pages/saved.py)."""
    if view is None:
        return []
    for name in ("continueSaved", "saveForLater"):
        widget = view.findChild(QPushButton, name)
        if widget is not None:
            return [Utterance(widget.text(), language, f"button:{name}")]
    return []


def _talk(view: QWidget | None, language: str) -> list[Utterance]:
    """"Talk to an advisor" where the page shows it: said last, as the page's last button."""
    widget = getattr(view, "talk_button", None)
    if not isinstance(widget, QPushButton):
        return []
    return [Utterance(widget.text(), language, "button:talk")]
