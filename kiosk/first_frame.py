"""What the first frame needs from the profile, and a remembered copy of it.

The attract screen needs only the council and site names, the display, the accessibility
defaults and the language. Validating the whole profile (pydantic and its schemas) costs more
than importing Qt, so a kiosk restarting on a profile it has already validated reads these
few fields from a small file it wrote after that validation, and validates the profile in
full after the first frame.

The remembered copy is keyed by a SHA-256 of the profile file's bytes and of the code that
validates it: any change to either (a new profile from IT, a new release) means no copy, and
the profile is validated before anything shows, as on a first start. A bad profile can
therefore never reach the screen: its bytes were never validated, so nothing is remembered
for them.

Deliberately free of pydantic and of the rest of the kiosk: importing this must be cheap.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kiosk.profile import Profile

log = logging.getLogger(__name__)

FILE_NAME = "first-frame.json"
FALLBACK_LANGUAGE = "en"
# The code that decides whether a profile is valid: a new release may accept or refuse
# differently, so its copy is keyed by these files too.
_VALIDATING_CODE = ("profile.py", "config_errors.py", "localtext.py", "staff.py", "launch.py")


@dataclass(frozen=True)
class FirstFrame:
    council_name: Mapping[str, str]
    site_name: Mapping[str, str]
    language: str
    colours: str
    text_size: str
    width_px: int
    height_px: int
    diagonal_inches: float
    mode: str
    demo_quit_shortcut: bool

    def council(self, language: str) -> str:
        return _in(self.council_name, language)

    def site(self, language: str) -> str:
        return _in(self.site_name, language)

    @classmethod
    def of(cls, profile: Profile) -> FirstFrame:
        a11y, display = profile.accessibility, profile.display
        return cls(
            council_name=dict(profile.council.name.root), site_name=dict(profile.site.name.root),
            language=profile.default_language, colours=a11y.colours, text_size=a11y.text_size,
            width_px=display.width_px, height_px=display.height_px,
            diagonal_inches=display.diagonal_inches, mode=profile.mode,
            demo_quit_shortcut=profile.demo_quit_shortcut,
        )


def _in(texts: Mapping[str, str], language: str) -> str:
    return texts.get(language) or texts[FALLBACK_LANGUAGE]


def fingerprint(profile_path: Path) -> str:
    digest = hashlib.sha256(profile_path.read_bytes())
    here = Path(__file__).resolve().parent
    for name in _VALIDATING_CODE:
        digest.update(name.encode())
        digest.update((here / name).read_bytes())
    return digest.hexdigest()


def remembered(profile_path: Path, state_dir: Path) -> FirstFrame | None:
    """The first frame of a profile validated before, exactly as it is now; None otherwise
    (never validated, changed since, new code, or the copy unreadable)."""
    try:
        stored = json.loads((state_dir / FILE_NAME).read_text(encoding="utf-8"))
        if not isinstance(stored, dict) or stored.get("fingerprint") != fingerprint(profile_path):
            return None
        frame = stored["frame"]
        return FirstFrame(**{k: frame[k] for k in FirstFrame.__dataclass_fields__})
    except (OSError, ValueError, KeyError, TypeError):
        return None


def remember(profile_path: Path, state_dir: Path, frame: FirstFrame) -> None:
    """After a full validation of this profile: keep its first frame for the next start.
    Written whole or not at all (a temporary file renamed into place), private to the
    kiosk's user. Failing to write only costs the next start its head start."""
    record: dict[str, Any] = {"fingerprint": fingerprint(profile_path), "frame": asdict(frame)}
    target = state_dir / FILE_NAME
    temporary = state_dir / f".{FILE_NAME}.{os.getpid()}"
    try:
        state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            json.dump(record, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except OSError as exc:
        log.warning("could not keep the first frame for the next start (%s)", type(exc).__name__)
        temporary.unlink(missing_ok=True)
