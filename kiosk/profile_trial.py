"""The screen's part in applying a profile: count each start on a new version, go back to the
last good one when the new one keeps failing, and bless it once the screen is up on it.

The provisioning agent only stages; the screen switches (between sessions) and judges. A
profile that passes every check but breaks the screen (a printer setting that throws at
start, a catalogue the kiosk cannot build) is found by the screen itself: starts are counted,
and a start over the limit, or a build that fails, rolls back to the last good version.
"""

from __future__ import annotations

import logging
from pathlib import Path

from kiosk.profile_store import ProfileStore

log = logging.getLogger(__name__)
MAX_STARTS = 3
MAX_TRIAL_SECONDS = 600.0


def managed_store(profile: Path, state_dir: Path) -> ProfileStore | None:
    """The terminal's profile store when `profile` is its current version's profile (the
    units run `--profile <state>/profiles/current/profile.yaml`); None for a profile file
    run directly (the demo, a developer), which nothing provisions."""
    store = ProfileStore(state_dir / "profiles")
    current = store.current()
    if current is None or profile.parent.resolve() != current.resolve():
        return None
    return store


def before_paint(store: ProfileStore) -> str | None:
    """Count this start; when the version on trial has failed, roll back and say why (the
    caller then starts on the last good version, which `current` now names)."""
    if store.note_start() == 0:
        return None
    why = store.trial_failed(max_starts=MAX_STARTS, max_seconds=MAX_TRIAL_SECONDS)
    if why is None:
        return None
    if store.rollback(why) is None:
        return None
    log.error("profile rolled back: %s", why)
    return why


def failed_to_build(store: ProfileStore, problem: str) -> bool:
    """The screen could not build itself on the version on trial: roll back now rather than
    after three crashes. True when it rolled back (restart on the last good version)."""
    if store.trial() is None:
        return False
    return store.rollback(f"the screen could not start on it: {problem}") is not None
