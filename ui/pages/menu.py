"""The service menu: one large button per service, title in bold and a one-line description."""

from __future__ import annotations

from html import escape

from accessibility.themes import Theme
from kiosk.catalogue import Service
from kiosk.texts import Texts
from ui.pages.base import Intents, Page, talk_button
from ui.widgets import WrapButton, label


class MenuPage(Page):
    def __init__(self, texts: Texts, theme: Theme, intents: Intents,
                 services: tuple[Service, ...]) -> None:
        super().__init__(texts, theme, intents, "menu")
        self.body.addWidget(label(texts("menu.title"), "heading"))
        self.body.addWidget(label(texts("menu.hint"), "hint"))
        self.buttons: list[WrapButton] = []
        lang = texts.language
        for service in services:
            words = (f"<b>{escape(service.title.get(lang))}</b><br>"
                     f"<span style='font-weight: normal'>{escape(service.description.get(lang))}</span>")
            widget = WrapButton(words, "service", name=f"service-{service.id}",
                                padding=(theme.gap_px * 2, theme.gap_px), rich=True)
            widget.setMinimumHeight(round(theme.target_px * 1.4))
            widget.clicked.connect(lambda _=False, sid=service.id: intents.choose_service(sid))
            self.body.addWidget(widget)
            self.buttons.append(widget)
        # In the action bar, which never scrolls away: found without scrolling the menu.
        self.talk_button = talk_button(texts("call.talk"), intents, self.action_row)
        self.finish_layout()
