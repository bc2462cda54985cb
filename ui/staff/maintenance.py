"""The maintenance screen (IT only): the resident session is already wiped; the terminal shows
device status and offers to restart the app or hand the terminal back to residents.

It is still the kiosk's one window with no way out to the desktop: restarting exits with
`RESTART_EXIT_CODE` and systemd starts the app again (`Restart=always` in the unit).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from accessibility.themes import Theme
from kiosk.health import DeviceStatus
from kiosk.texts import Texts
from ui.overlays import Overlay
from ui.staff.device_status import DeviceStatusView, replace_status_view
from ui.widgets import button, label

RESTART_EXIT_CODE = 75  # EX_TEMPFAIL: "try again", which the unit restarts on


class MaintenanceScreen(Overlay):
    def __init__(self, parent: QWidget, texts: Texts, theme: Theme, *,
                 on_restart: Callable[[], None], on_refresh: Callable[[], None],
                 on_hand_back: Callable[[], None]) -> None:
        super().__init__(parent, theme, tall=True)
        self.setObjectName("maintenance")
        self.texts, self.theme = texts, theme
        self.inner.addWidget(label(texts("maintenance.title"), "heading", name="maintenanceTitle"))
        self.inner.addWidget(label(texts("maintenance.body")))
        self.status_view: DeviceStatusView | None = None
        self.show_status(None)
        for key, act, role in (("refresh", on_refresh, ""), ("restart", on_restart, ""),
                               ("hand_back", on_hand_back, "primary")):
            widget = button(texts(f"maintenance.{key}"), role, name=f"maintenance-{key}")
            widget.clicked.connect(act)
            self.buttons.addWidget(widget)

    def show_status(self, status: DeviceStatus | None) -> None:
        self.status_view = replace_status_view(self.inner, self.status_view, self.texts,
                                               self.theme, status)
