"""Whether this terminal can make a video call: a camera and a microphone are present
(QtMultimedia lists them; asked each time, so a camera plugged in later counts)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtMultimedia import QMediaDevices

from kiosk.calls.settings import CallSettings


def call_devices_ready(settings: CallSettings | None) -> Callable[[], bool]:
    if settings is not None and settings.fake_media:
        return lambda: True  # demo: Chromium's made-up devices stand in

    def present() -> bool:
        return bool(QMediaDevices.videoInputs()) and bool(QMediaDevices.audioInputs())

    return present
