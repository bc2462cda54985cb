"""Whether a `kiosk run` may go ahead, and how: decided before Qt is loaded.

The scripted tour clicks through a made-up report and sends it: it belongs to the demo
council only. A production kiosk with nothing to show on must stop with one clear line.
"""

from __future__ import annotations

from collections.abc import Mapping


def has_display(environ: Mapping[str, str]) -> bool:
    """A display to show on: X11, Wayland, or a Qt platform chosen explicitly (eglfs...)."""
    return any(environ.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))


def launch_refusal(mode: str, environ: Mapping[str, str], *, screenshots: bool) -> str | None:
    """Why this launch must not go ahead, in one line; None when it may.

    The scripted tour clicks through a made-up report and sends it: it belongs to the demo
    council only. A production kiosk with nothing to show on (started over SSH, say) must
    stop, never fall back to the tour and post to a real back office.
    """
    if mode == "demo":
        return None
    if screenshots:
        return (f"--screenshots runs the scripted tour, which sends a made-up report: it is for "
                f"demo profiles only, and this profile's mode is {mode}.")
    if not has_display(environ):
        return (f"No display to run on (DISPLAY, WAYLAND_DISPLAY and QT_QPA_PLATFORM are all "
                f"unset) and this profile's mode is {mode}: start the kiosk from its display "
                f"session (systemd/civic-kiosk-ui.service), or set QT_QPA_PLATFORM.")
    return None


def tours(mode: str, environ: Mapping[str, str], *, screenshots: bool) -> bool:
    """The demo with no display to show on (or asked for screenshots) runs the tour."""
    headless = not (environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"))
    return mode == "demo" and (screenshots or headless)
