"""The maintenance screen's list of reports the relay gave up on, each with a button to try it
again (IT only: the maintenance screen is). Built from device status: one button per
`dead:<reference>` check the relay still holds the contents of; an expired one has nothing
left to send, so it has no button (IT dismiss it with `kiosk outbox discard`)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QVBoxLayout, QWidget

from accessibility.themes import Theme
from kiosk.health import DeviceStatus
from kiosk.reference import spaced
from kiosk.texts import Texts
from ui.widgets import button, label


def retryable(status: DeviceStatus | None) -> list[str]:
    """References of the dead letters IT can retry, in the relay's order."""
    if status is None:
        return []
    return [str(c.params["reference"]) for c in status.checks
            if c.id.startswith("dead:") and c.state == "retryable"]


class DeadLetterActions(QWidget):
    def __init__(self, texts: Texts, theme: Theme, references: list[str],
                 on_retry: Callable[[str], None]) -> None:
        super().__init__()
        self.setObjectName("deadLetters")
        self.references = list(references)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(theme.gap_px // 2)
        column.addWidget(label(texts("maintenance.dead_letters"), "value"))
        for reference in references:
            widget = button(texts("maintenance.retry", reference=spaced(reference)), "choice",
                            name=f"maintenance-retry-{reference}")
            widget.setMinimumHeight(theme.target_px)
            widget.clicked.connect(lambda _=False, ref=reference: on_retry(ref))
            column.addWidget(widget)
