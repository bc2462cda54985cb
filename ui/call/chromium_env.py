"""What Chromium is told before QtWebEngine starts in this process (issue 12; reliability-security
V14, K11).

QtWebEngine takes its Chromium switches from the environment variable
QTWEBENGINE_CHROMIUM_FLAGS, its remote-debugging address from QTWEBENGINE_REMOTE_DEBUGGING,
and more switches from the application's argv. It reads them once, when the first web
profile of the process is made, and never again. So the call view calls `prepare_environment`
before it makes its profile, every time, and this module only edits the environment:

* **No remote debugging, ever.** With a debugging port open, any process that can reach it
  can drive the call page, see the resident's camera and read what they typed. The variable
  is removed, and every `--remote-debugging-*` switch is dropped. An argv that asks for it
  (the kiosk passes a fixed argv, `ui.qt_app`) refuses the call outright.
* **Only known switches survive.** Anything else in QTWEBENGINE_CHROMIUM_FLAGS is dropped,
  so a switch nobody reviewed (`--disable-web-security`, `--auto-open-devtools-for-tabs`,
  `--user-data-dir=...`) cannot loosen the view. Dropped switches are logged by name only.
* **Fake camera and microphone only when asked** (tests, the demo): `fake_media=True` adds
  `--use-fake-device-for-media-stream`, Chromium's generated picture and tone.
* **`--use-fake-ui-for-media-stream` is refused**, although the issue's recipe names it.
  Measured with PySide6 6.11.3: with it Chromium grants camera and microphone to every origin
  without asking the page, so the page's permission policy (`ui.call.page`) never runs.
  Fake devices alone are enough: the page grants them for the hub's origin.

Nothing else has to be set before the QApplication exists. Qt 5 wanted
`Qt::AA_ShareOpenGLContexts` set first when WebEngine was loaded late ("Qt WebEngine seems
to be initialized from a plugin"); measured with PySide6 6.11.3, loading it after the
application exists prints no warning and renders (offscreen, and under Xvfb with Mesa's
GLX), and the message is gone from Qt 6.11's WebEngine libraries. So `ui.qt_app` is
untouched and the start-up path never hears of WebEngine.
"""

from __future__ import annotations

import logging
from collections.abc import MutableMapping, Sequence

log = logging.getLogger(__name__)

FLAGS_VARIABLE = "QTWEBENGINE_CHROMIUM_FLAGS"
REMOTE_DEBUGGING_VARIABLE = "QTWEBENGINE_REMOTE_DEBUGGING"
FAKE_DEVICES = "--use-fake-device-for-media-stream"

# Switches a deployment or a test may pass through: fake media for tests and the demo, and
# the GPU switches a council's hardware may need. Names, without the leading dashes.
ALLOWED_SWITCHES = frozenset({
    "use-fake-device-for-media-stream",
    "use-file-for-fake-video-capture",
    "use-file-for-fake-audio-capture",
    "disable-gpu",
    "disable-gpu-compositing",
    "ignore-gpu-blocklist",
    "enable-gpu-rasterization",
})


class EngineRefused(RuntimeError):
    """The process was started in a way that would open the call view to outside control."""


def switch_name(token: str) -> str:
    """`--use-file-for-fake-video-capture=/x.y4m` → `use-file-for-fake-video-capture`."""
    return token.lstrip("-").split("=", 1)[0].lower()


def filter_switches(flags: str, *, fake_media: bool) -> tuple[str, list[str]]:
    """The switches of `flags` that may stay, fake devices added if asked, and the names of
    those dropped. Qt splits the variable on spaces, so this does too."""
    kept: list[str] = []
    dropped: list[str] = []
    for token in flags.split():
        name = switch_name(token)
        if token.startswith("--") and name in ALLOWED_SWITCHES:
            if token not in kept:
                kept.append(token)
        else:
            dropped.append(name or token)
    # Fake devices given with parameters (`=fps=30`, for a benchmark) are kept as they are.
    if fake_media and all(switch_name(token) != switch_name(FAKE_DEVICES) for token in kept):
        kept.append(FAKE_DEVICES)
    return " ".join(kept), dropped


def prepare_environment(environ: MutableMapping[str, str], arguments: Sequence[str], *,
                        fake_media: bool = False) -> list[str]:
    """Make `environ` safe for QtWebEngine to start with; the names of what was removed.
    `arguments` is the application's argv (QCoreApplication.arguments()): Chromium reads
    switches there too, and nothing here can take them back, so a debugging switch there
    raises `EngineRefused`."""
    for argument in arguments[1:]:
        if "remote-debugging" in argument.lower() or "devtools" in argument.lower():
            raise EngineRefused("the application's arguments ask for remote debugging: "
                                "the call view will not start")
    removed: list[str] = []
    if environ.pop(REMOTE_DEBUGGING_VARIABLE, None) is not None:
        removed.append(REMOTE_DEBUGGING_VARIABLE)
    flags, dropped = filter_switches(environ.get(FLAGS_VARIABLE, ""), fake_media=fake_media)
    if flags:
        environ[FLAGS_VARIABLE] = flags
    else:
        environ.pop(FLAGS_VARIABLE, None)
    removed += dropped
    if removed:
        log.warning("call view: removed from the web engine's start-up: %s", ", ".join(removed))
    return removed
