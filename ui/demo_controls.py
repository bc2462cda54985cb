"""The demo's "Demo only" strip: tap a staff or IT card, run the printer out of paper.

It drives the fake card reader and fake printer exactly as hardware would (the card event
goes through the reader's thread hand-off, the paper state through the printer's status),
so what the demo shows is what a real terminal does. `ui.app.build` refuses to add it to a
production profile, and the profile refuses fakes outside demo mode.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QWidget

from kiosk.texts import Texts
from peripherals.cards import CardReader, FakeCardReader
from peripherals.printer import FakePrinter, ReceiptPrinter
from ui.widgets import button, label

# The demo profile enrols these two cards (by fingerprint only, as a real profile would).
DEMO_STAFF_CARD = bytes.fromhex("04A2246B1180")
DEMO_IT_CARD = bytes.fromhex("04C1357E2290")


class DemoStrip(QWidget):
    def __init__(self, texts: Texts, printer: ReceiptPrinter, reader: CardReader | None) -> None:
        super().__init__()
        self.setObjectName("demoStrip")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.texts = texts
        self.reader = reader if isinstance(reader, FakeCardReader) else None
        self.printer = printer if isinstance(printer, FakePrinter) else None
        self.card_on: bytes | None = None
        row = QHBoxLayout(self)
        row.addWidget(label(texts("demo.label"), "caption"))
        self.staff_card = button("", name="demoStaffCard")
        self.staff_card.clicked.connect(lambda: self.toggle_card(DEMO_STAFF_CARD))
        self.it_card = button("", name="demoItCard")
        self.it_card.clicked.connect(lambda: self.toggle_card(DEMO_IT_CARD))
        self.paper = button("", name="demoPaper")
        self.paper.clicked.connect(self.toggle_paper)
        for widget, usable in ((self.staff_card, self.reader), (self.it_card, self.reader),
                               (self.paper, self.printer)):
            widget.setEnabled(usable is not None)
            row.addWidget(widget)
        row.addStretch(1)
        self._relabel()

    def toggle_card(self, uid: bytes) -> None:
        if self.reader is None:
            return
        if self.card_on is not None:
            self.reader.remove()
            self.card_on = None
        else:
            self.reader.insert(uid)
            self.card_on = uid
        self._relabel()

    def toggle_paper(self) -> None:
        if self.printer is None:
            return
        self.printer.paper_state = "ok" if self.printer.paper_state == "out" else "out"
        self._relabel()

    def _relabel(self) -> None:
        t = self.texts
        on = self.card_on
        self.staff_card.setText(t("demo.card_off") if on == DEMO_STAFF_CARD else t("demo.staff_card"))
        self.it_card.setText(t("demo.card_off") if on == DEMO_IT_CARD else t("demo.it_card"))
        self.staff_card.setVisible(on in (None, DEMO_STAFF_CARD))
        self.it_card.setVisible(on in (None, DEMO_IT_CARD))
        out = self.printer is not None and self.printer.paper_state == "out"
        self.paper.setText(t("demo.paper_refill") if out else t("demo.paper_out"))
