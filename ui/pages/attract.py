"""The attract screen: what a passer-by sees. Touching anywhere starts."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QGridLayout

from accessibility.languages import LANGUAGES
from accessibility.themes import Theme
from kiosk.texts import Texts
from ui.pages.base import Intents, Page
from ui.widgets import WrapButton, label

LONG_PRESS_SECONDS = 2.0


class AttractPage(Page):
    def __init__(self, texts: Texts, theme: Theme, intents: Intents, council: str,
                 site: str, choose_language: Callable[[str], None],
                 on_long_press: Callable[[], None], clock: Callable[[], float],
                 out_of_service: bool = False) -> None:
        super().__init__(texts, theme, intents, "attract", centre=True)
        self.on_long_press, self.clock = on_long_press, clock
        self._pressed_at: float | None = None
        self.body.addSpacing(theme.margin_px * 2)
        for text, role in ((texts("attract.welcome", council=council), "big"), (site, "heading"),
                           (texts("attract.what_you_can_do"), "")):
            line = label(text, role)
            line.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.body.addWidget(line)
        self.out_of_service = out_of_service
        self.body.addSpacing(theme.gap_px)
        if out_of_service:
            # IT took the terminal out of service: say so plainly, and offer nothing to touch.
            for key, role in (("attract.out_of_service", "heading"),
                              ("attract.out_of_service_help", "")):
                line = label(texts(key), role, name=key.replace(".", "-"))
                line.setAlignment(Qt.AlignmentFlag.AlignCenter)
                self.body.addWidget(line)
        else:
            self.start_button = WrapButton(texts("attract.touch_to_start"), "primary",
                                           name="start", padding=(theme.gap_px * 2, theme.gap_px))
            self.start_button.words.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.start_button.setMinimumHeight(round(theme.target_px * 1.6))
            self.start_button.clicked.connect(intents.start)
            self.body.addWidget(self.start_button)
        private = label(texts("attract.free_and_private"), "caption")
        private.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.body.addWidget(private)
        self.body.addSpacing(theme.margin_px)
        # Each language named in itself, so a resident can find theirs without English.
        grid = QGridLayout()
        grid.setSpacing(theme.gap_px * 2)
        columns = 5 if theme.text_scale <= 1 else 3 if theme.text_scale <= 1.5 else 2
        for index, lang in enumerate(LANGUAGES):
            chosen = lang.code == texts.language
            choice = WrapButton(lang.native_name, "primary" if chosen else "choice",
                                name=f"language-{lang.code}",
                                padding=(theme.gap_px, theme.gap_px // 2))
            choice.words.setAlignment(Qt.AlignmentFlag.AlignCenter)
            choice.setMinimumHeight(theme.target_px)
            choice.clicked.connect(lambda _=False, code=lang.code: choose_language(code))
            grid.addWidget(choice, index // columns, index % columns)
        self.body.addLayout(grid)
        self.finish_layout()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        """Only the primary button (what a touch arrives as) counts: a right or middle
        click on a kiosk with a mouse attached is a stray, not a resident starting."""
        event.accept()
        if event.button() is not Qt.MouseButton.LeftButton:
            return
        self._pressed_at = self.clock()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        """Touching anywhere starts, not just the button: residents should not need to aim.
        Holding for 2 seconds instead starts read aloud with a spoken welcome (no sight
        needed to find it: the whole screen is the target)."""
        event.accept()
        if event.button() is not Qt.MouseButton.LeftButton or self._pressed_at is None:
            return  # not a primary press that began on this page
        held = self.clock() - self._pressed_at
        self._pressed_at = None
        if self.out_of_service:
            return
        if held >= LONG_PRESS_SECONDS:
            self.on_long_press()
        else:
            self.intents.start()
