"""Device status for staff and IT: one row per check, in words, with its level spelled out
(never colour alone), then the versions IT asks for on the phone."""

from __future__ import annotations

from PySide6.QtWidgets import QGridLayout, QVBoxLayout, QWidget

from accessibility.themes import Theme
from kiosk.clock import UK
from kiosk.health import DeviceStatus
from kiosk.texts import Texts
from ui.widgets import label


class DeviceStatusView(QWidget):
    def __init__(self, texts: Texts, theme: Theme, status: DeviceStatus | None) -> None:
        super().__init__()
        self.setObjectName("deviceStatus")
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(theme.gap_px)
        column.addWidget(label(texts("health.title"), "heading"))
        if status is None:
            column.addWidget(label(texts("health.checking"), name="healthChecking"))
            return
        column.addWidget(label(texts("health.checked_at",
                                     time=f"{status.checked_at.astimezone(UK):%H:%M:%S}"),
                               "caption"))
        grid = QGridLayout()
        grid.setHorizontalSpacing(theme.gap_px * 2)
        grid.setVerticalSpacing(theme.gap_px // 2)
        for row, check in enumerate(status.checks):
            kind = check.id.split(":")[0]
            params = {k: str(v) for k, v in check.params.items()}
            grid.addWidget(label(texts(f"health.name.{kind}", **params), "value"), row, 0)
            grid.addWidget(label(texts(check.key, **params), name=f"health-{check.id}"), row, 1)
            grid.addWidget(label(texts(f"health.level.{check.level}"),
                                 "error" if check.level == "fault" else "caption",
                                 name=f"level-{check.id}"), row, 2)
        grid.setColumnStretch(1, 1)
        column.addLayout(grid)
        column.addWidget(label(texts("health.versions"), "value"))
        versions = QGridLayout()
        versions.setHorizontalSpacing(theme.gap_px * 2)
        for row, (name, value) in enumerate(status.versions):
            versions.addWidget(label(name, "caption"), row, 0)
            versions.addWidget(label(value, "caption"), row, 1)
        versions.setColumnStretch(1, 1)
        column.addLayout(versions)


def replace_status_view(layout: QVBoxLayout, old: DeviceStatusView | None, texts: Texts,
                        theme: Theme, status: DeviceStatus | None, *, at: int = -1
                        ) -> DeviceStatusView:
    """A fresh view of `status` in `layout` where `old` was (or at `at`); `old` is deleted."""
    if old is not None:
        layout.removeWidget(old)
        old.hide()
        old.deleteLater()
    view = DeviceStatusView(texts, theme, status)
    if at < 0:
        layout.addWidget(view)
    else:
        layout.insertWidget(at, view)
    return view
