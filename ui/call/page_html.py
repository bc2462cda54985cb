"""The call page as one HTML text, built from the shipped template (docs/calls.md §4).

The template, `kiosk/calls/web/call.html`, holds three places to fill:

* `/*MESH*/`: replaced by `kiosk/calls/web/mesh.js`, the one copy of the mesh code the
  console and the interpreter page also load;
* `/*QWEBCHANNEL*/`: replaced by Qt's own `qwebchannel.js` (from Qt's resources, so the
  client always matches the Qt that serves it);
* `<script id="call-config" type="application/json">…</script>`: its content replaced by
  this call's settings as JSON.

Everything is put in at once, in one pass over the template, so text put in (a label, a
token) is never searched for markers. The JSON has `<`, `>` and `&` written as `\\u003c`,
`\\u003e`, `\\u0026`: a label saying `</script>` cannot end the script element, and
`JSON.parse` reads it back unchanged. An inlined script containing `</script` or `<!--`
is refused for the same reason.

The page is loaded with `setHtml(html, <hub origin>/kiosk-call)`, so its origin is the hub's.
Qt loads `setHtml` content as a `data:` URL, limited to 2 MB.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import kiosk
from ui.call.policy import Origin

WEB_FOLDER = Path(kiosk.__file__).resolve().parent / "calls" / "web"
DEFAULT_TEMPLATE = WEB_FOLDER / "call.html"
DEFAULT_MESH = WEB_FOLDER / "mesh.js"
QWEBCHANNEL_RESOURCE = ":/qtwebchannel/qwebchannel.js"
SIGNALLING_PATH = "/calls/v1/ws"
PAGE_PATH = "/kiosk-call"
HTML_LIMIT = 2 * 1024 * 1024 - 64 * 1024  # setHtml's 2 MB, less room for the data: URL

MESH_MARKER = "/*MESH*/"
CHANNEL_MARKER = "/*QWEBCHANNEL*/"
_PLACES = re.compile(
    r"(?P<mesh>/\*MESH\*/)"
    r"|(?P<channel>/\*QWEBCHANNEL\*/)"
    r"|(?P<open><script\b(?=[^>]*\bid\s*=\s*[\"']call-config[\"'])[^>]*>)(?P<old>.*?)(?P<close></script\s*>)",
    re.IGNORECASE | re.DOTALL,
)
_UNSAFE_IN_SCRIPT = re.compile(r"</script|<!--", re.IGNORECASE)


class CallPageError(ValueError):
    """The call page could not be built: which file, and what was expected (for IT)."""


@dataclass(frozen=True)
class CallConfig:
    """One call's settings for the page. The token is this kiosk's secret for the call: it
    is never in a URL, a log or a repr."""

    hub: Origin
    call_id: str
    token: str = field(repr=False)
    labels: Mapping[str, str] = field(default_factory=dict)
    role: str = "kiosk"

    @property
    def ws_url(self) -> str:
        return self.hub.websocket(SIGNALLING_PATH)

    @property
    def base_url(self) -> str:
        return f"{self.hub}{PAGE_PATH}"

    def as_json(self) -> dict[str, Any]:
        return {"ws_url": self.ws_url, "call_id": self.call_id, "token": self.token,
                "role": self.role, "labels": dict(self.labels)}


def config_json(config: CallConfig) -> str:
    """The settings as JSON that is safe inside a <script> element."""
    text = json.dumps(config.as_json(), ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def build_call_html(template: str, mesh: str, channel: str, config: CallConfig, *,
                    template_name: str = "the call page template") -> str:
    """The page: `template` with the mesh code, the web channel client and the settings put
    in. Each place must be in the template exactly once."""
    for name, script in (("mesh.js", mesh), ("qwebchannel.js", channel)):
        if _UNSAFE_IN_SCRIPT.search(script):
            raise CallPageError(f"{name} contains '</script' or '<!--', which would break the "
                                "call page it is put into")
    found: dict[str, int] = {"mesh": 0, "channel": 0, "config": 0}
    settings = config_json(config)

    def fill(match: re.Match[str]) -> str:
        if match.group("mesh"):
            found["mesh"] += 1
            return mesh
        if match.group("channel"):
            found["channel"] += 1
            return channel
        found["config"] += 1
        return f"{match.group('open')}{settings}{match.group('close')}"

    html = _PLACES.sub(fill, template)
    expected = {"mesh": f"the line {MESH_MARKER}", "channel": f"the line {CHANNEL_MARKER}",
                "config": '<script id="call-config" type="application/json"></script>'}
    for place, count in found.items():
        if count != 1:
            raise CallPageError(f"{template_name}: expected {expected[place]} exactly once, "
                                f"found it {count} time(s)")
    if len(html.encode("utf-8")) > HTML_LIMIT:
        raise CallPageError(f"{template_name}: the call page is larger than setHtml allows (2 MB)")
    return html


def read_text(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CallPageError(f"{what} is missing: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CallPageError(f"{what} could not be read ({type(exc).__name__}): {path}") from None


def qwebchannel_js() -> str:
    """Qt's web channel client, from the resources QtWebChannel carries."""
    import PySide6.QtWebChannel  # noqa: F401 - loads the library whose resources hold the file
    from PySide6.QtCore import QFile, QIODevice

    resource = QFile(QWEBCHANNEL_RESOURCE)
    if not resource.open(QIODevice.OpenModeFlag.ReadOnly):
        raise CallPageError(f"Qt's {QWEBCHANNEL_RESOURCE} could not be opened (is QtWebChannel "
                            "installed?)")
    try:
        return bytes(resource.readAll().data()).decode("utf-8")
    finally:
        resource.close()


def call_page_html(config: CallConfig, template: Path = DEFAULT_TEMPLATE,
                   mesh: Path = DEFAULT_MESH) -> str:
    """The call page for `config`, from the template and mesh code on disk."""
    return build_call_html(read_text(template, "the call page template"),
                           read_text(mesh, "the mesh code (mesh.js)"), qwebchannel_js(), config,
                           template_name=str(template))
