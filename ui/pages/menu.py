"""The service menu: one large button per service, title in bold and a one-line description."""

from __future__ import annotations

from PySide6.QtWidgets import QPushButton

from accessibility.themes import Theme
from kiosk.catalogue import Service
from kiosk.texts import Texts
from ui.pages.base import Intents, Page
from ui.widgets import button, label


class MenuPage(Page):
    def __init__(self, texts: Texts, theme: Theme, intents: Intents,
                 services: tuple[Service, ...]) -> None:
        super().__init__(texts, theme, intents, "menu")
        self.body.addWidget(label(texts("menu.title"), "heading"))
        self.body.addWidget(label(texts("menu.hint"), "hint"))
        self.buttons: list[QPushButton] = []
        lang = texts.language
        for service in services:
            widget = button(f"{service.title.get(lang)}\n{service.description.get(lang)}",
                            "service", name=f"service-{service.id}")
            widget.setMinimumHeight(round(theme.target_px * 1.4))
            widget.clicked.connect(lambda _=False, sid=service.id: intents.choose_service(sid))
            self.body.addWidget(widget)
            self.buttons.append(widget)
        self.finish_layout()
