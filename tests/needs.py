"""The one way a test steps aside when a tool or device is missing here.

On a developer's machine without pcscd, vpcd, espeak-ng or QtMultimedia the tests that need
them are skipped, saying what is missing. With `KIOSK_REQUIRE_HARDWARE=1` (set by
`script/test` when `CI` is set) each of those skips is a failure instead, so a CI machine
that lost a package cannot go green by quietly running less. `tests/test_needs.py` checks
that no test skips any other way.
"""

from __future__ import annotations

import importlib
import os
import shutil
from types import ModuleType

import pytest

SWITCH = "KIOSK_REQUIRE_HARDWARE"


def hardware_required() -> bool:
    return os.environ.get(SWITCH, "") == "1"


def require_or_skip(available: object, what: str) -> None:
    """Go on if `available` is true; otherwise skip saying `what` is missing, or fail under
    the switch. Works inside a test, a fixture or at module level."""
    if available:
        return
    if hardware_required():
        pytest.fail(f"{what} ({SWITCH}=1: a missing tool or device fails the run)", pytrace=False)
    pytest.skip(what, allow_module_level=True)


def require_module(name: str, what: str) -> ModuleType:
    """Import `name`, or step aside through `require_or_skip` naming `what` is missing."""
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        require_or_skip(False, f"{what} ({exc})")
        raise  # not reached: require_or_skip skips or fails


def require_program(name: str, what: str) -> str:
    """The path of program `name` on PATH, or step aside saying `what` is missing."""
    path = shutil.which(name)
    require_or_skip(path is not None, what)
    assert path is not None
    return path
