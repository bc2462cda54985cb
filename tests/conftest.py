"""Suite-wide safety: Qt never needs a screen, and nothing writes to the real home folder."""

from __future__ import annotations

import os
import tempfile

import pytest

from tests.needs import require_program

# Set before any test module imports Qt: with no display Qt would abort the whole run.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
_HOME = tempfile.mkdtemp(prefix="civic-kiosk-test-home-")
for _var, _sub in (("HOME", ""), ("XDG_CONFIG_HOME", ".config"), ("XDG_CACHE_HOME", ".cache"),
                   ("XDG_DATA_HOME", ".local/share"), ("XDG_RUNTIME_DIR", "run")):
    _path = os.path.join(_HOME, _sub)
    os.makedirs(_path, mode=0o700, exist_ok=True)
    os.environ[_var] = _path
# python-escpos would otherwise make a new cache folder in /tmp for every test process.
os.environ.setdefault("ESCPOS_CAPABILITIES_PICKLE_DIR", os.path.join(_HOME, ".cache"))


@pytest.fixture(scope="session")
def espeak_ng() -> str:
    """The espeak-ng program, for tests of the real speech backend (session-wide, so it is
    checked before any module's own backend fixture tries to start it)."""
    return require_program("espeak-ng", "espeak-ng is not installed (script/bootstrap installs it)")
