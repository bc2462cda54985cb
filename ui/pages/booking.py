"""A booking journey's own pages: waiting on the council's diary, "we cannot book right now"
(with a call back offered), and the booking done, with its reference, details and QR code."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QVBoxLayout

from accessibility.themes import Theme
from kiosk.journey.booking_pages import BookingDonePage, BookingUnavailablePage, BookingWaitingPage
from kiosk.texts import Texts
from ui.pages.base import Intents, Page
from ui.pages.lookup import fill_waiting
from ui.pages.satisfaction import FeedbackPanel
from ui.qr import qr_pixmap
from ui.widgets import button, label


class BookingWaitingView(Page):
    """"Holding this time for you": a turning spinner; Back only while leaving is safe."""

    def __init__(self, texts: Texts, theme: Theme, intents: Intents,
                 model: BookingWaitingPage) -> None:
        super().__init__(texts, theme, intents, f"booking_waiting:{model.page_id}")
        self.model = model
        self.spinner = fill_waiting(self, model.service_title, model.title, model.hint,
                                    can_go_back=model.can_go_back)


class BookingUnavailableView(Page):
    """Said plainly, nothing pretended; a call back first when this kiosk offers one."""

    def __init__(self, texts: Texts, theme: Theme, intents: Intents,
                 model: BookingUnavailablePage) -> None:
        super().__init__(texts, theme, intents, f"booking_unavailable:{model.page_id}")
        self.model = model
        self.body.addWidget(label(model.service_title, "caption"))
        self.body.addWidget(label(model.title, "heading", name="title"))
        self.body.addWidget(label(model.body, name="body"))
        self.body.addWidget(label(model.staff_hint, "value", name="staffHint"))
        if model.call_back:
            self.call_back = button(model.call_back, "primary", name="callBack")
            self.call_back.clicked.connect(intents.call_back)
            self.action_row.addWidget(self.call_back)
        self.try_again = button(texts("lookup.try_again"), "" if model.call_back else "primary",
                                name="tryAgain")
        self.try_again.clicked.connect(intents.try_again)
        self.go_back = button(texts("lookup.go_back"), name="goBack")
        self.go_back.clicked.connect(intents.back)
        self.action_row.addWidget(self.try_again)
        self.action_row.addWidget(self.go_back)
        self.finish_layout()


class BookingDoneView(Page):
    """What, where, when and what to bring, the reference large, and its QR code large enough
    to photograph (it fills in the reference of "Change or cancel a booking" at any kiosk)."""

    def __init__(self, texts: Texts, theme: Theme, intents: Intents,
                 model: BookingDonePage) -> None:
        super().__init__(texts, theme, intents, f"booking_done:{model.outcome}")
        self.model = model
        panel = QFrame()
        panel.setProperty("role", "panel")
        inner = QVBoxLayout(panel)
        inner.addWidget(label(model.title, "panelText", name="title"))
        inner.addWidget(label(texts("booking.done.reference"), "panelText"))
        reference = label(model.reference, "reference", name="reference")
        reference.setAccessibleName(" ".join(ch for ch in model.reference if ch.isalnum()))
        inner.addWidget(reference)
        self.body.addWidget(panel)
        grid = QGridLayout()
        grid.setHorizontalSpacing(theme.gap_px * 2)
        grid.setVerticalSpacing(theme.gap_px)
        for n, row in enumerate(model.rows):
            grid.addWidget(label(row.label, "value", name=f"row-{n}"), n, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(label(row.detail, name=f"value-{n}"), n, 1, Qt.AlignmentFlag.AlignTop)
        grid.setColumnStretch(1, 1)
        self.body.addLayout(grid)
        self.print_state = label("", "value", name="printState")
        self.body.addWidget(self.print_state)
        self._say_printed(model.printed)
        self.body.addWidget(label(texts("confirmation.next_steps_label"), "heading"))
        self.body.addWidget(label(model.next_steps, name="nextSteps"))
        self.body.addWidget(FeedbackPanel(texts, theme, intents))
        # 60 mm square, always dark on light as QR readers expect.
        code = QLabel()
        code.setObjectName("bookingCode")
        code.setPixmap(qr_pixmap(model.qr_payload, round(60 * theme.px_per_mm)))
        code.setAccessibleName(texts("booking.done.qr_hint"))
        self.aside.addWidget(code, 0, Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter)
        self.aside.addWidget(label(texts("booking.done.qr_hint"), name="qrHint"))
        self.aside.addStretch(1)
        self.print_button = button(texts("result.print"), name="print")
        self.print_button.clicked.connect(intents.print_page)
        self.print_button.setVisible(model.printed is not True)
        self.action_row.addWidget(self.print_button)
        self.finish_button = button(texts("nav.finish"), "primary", name="finish")
        self.finish_button.clicked.connect(intents.finish)
        self.action_row.addWidget(self.finish_button)
        self.finish_layout()

    def _say_printed(self, printed: bool | None) -> None:
        if printed is None:
            self.print_state.hide()
            return
        self.print_state.setText(self.texts("booking.done.printed" if printed
                                            else "booking.done.print_failed"))
        self.print_state.show()

    def printing(self) -> None:
        """One press prints one copy: the button waits until the printer has answered."""
        self.print_button.setEnabled(False)
        self.print_button.setText(self.texts("result.printing"))

    def printed(self, ok: bool) -> None:
        self.print_button.setEnabled(True)
        self.print_button.setText(self.texts("result.print"))
        self.print_button.setVisible(not ok)
        self._say_printed(ok)
