"""A resident's accessibility choices for one session: reset to the profile's defaults at end.

Qt-free so the session logic and tests can reason about them; the UI applies them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from kiosk.profile import Profile

TextSize = Literal["standard", "large", "extra_large"]
Colours = Literal["standard", "dark", "yellow"]
TEXT_SIZES: tuple[TextSize, ...] = ("standard", "large", "extra_large")
COLOURS: tuple[Colours, ...] = ("standard", "dark", "yellow")


@dataclass(frozen=True)
class Preferences:
    read_aloud: bool = False
    slow_speech: bool = False
    read_personal: bool = False
    text_size: TextSize = "standard"
    colours: Colours = "standard"
    language: str = "en"

    def with_(self, **changes: object) -> Preferences:
        return replace(self, **changes)  # type: ignore[arg-type]

    @property
    def look(self) -> tuple[str, str]:
        """What decides the theme: a change here restyles the screen."""
        return (self.colours, self.text_size)


def defaults(profile: Profile) -> Preferences:
    a11y = profile.accessibility
    return Preferences(
        read_aloud=a11y.read_aloud, slow_speech=a11y.slow_speech, read_personal=False,
        text_size=a11y.text_size, colours=a11y.colours, language=profile.default_language,
    )
