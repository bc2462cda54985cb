"""The speech folder (WAV files of what was said, which can be personal) is private to one
kiosk process and gone when it exits, SIGTERM included."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from accessibility.speech import SPEECH_DIR_PREFIX
from tests.ui.processes import KioskProcess

# espeak-ng must be installed (script/bootstrap); the fixture skips, or fails in CI, if not.
pytestmark = pytest.mark.usefixtures("espeak_ng")


def _env(home: Path, *, runtime: Path | None, tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "QT_"))}
    env.update(HOME=str(home), TMPDIR=str(tmp), QT_QPA_PLATFORM="offscreen",
               # Offscreen, a display name is only read by `run` to choose the interactive
               # event loop over the screenshot tour; Qt's offscreen platform ignores it.
               DISPLAY=":offscreen", XDG_CONFIG_HOME=str(home / ".config"),
               XDG_CACHE_HOME=str(home / ".cache"))
    if runtime is not None:
        env["XDG_RUNTIME_DIR"] = str(runtime)
    return env


def _speech_dirs(parent: Path) -> list[Path]:
    return sorted(parent.glob(f"{SPEECH_DIR_PREFIX}*"))


@pytest.fixture
def kiosks() -> Iterator[list[KioskProcess]]:
    started: list[KioskProcess] = []
    yield started
    for kiosk in started:
        kiosk.stop()


def _start(kiosks: list[KioskProcess], work: Path, env: dict[str, str]) -> KioskProcess:
    kiosk = KioskProcess(work, env)
    kiosks.append(kiosk)
    return kiosk


def _private(folder: Path) -> None:
    info = folder.stat()
    assert stat.S_IMODE(info.st_mode) == 0o700, oct(info.st_mode)
    assert info.st_uid == os.getuid()


def test_sigterm_removes_the_speech_folder(tmp_path: Path, kiosks) -> None:
    runtime, tmp = tmp_path / "run", tmp_path / "tmp"
    for folder in (runtime, tmp):
        folder.mkdir(mode=0o700)
    kiosk = _start(kiosks, tmp_path / "k", _env(tmp_path / "home", runtime=runtime, tmp=tmp))
    kiosk.wait_for_line("kiosk ready", timeout=30)  # built into the shell after the first frame
    made = _speech_dirs(runtime)
    assert len(made) == 1, made
    _private(made[0])
    assert not (runtime / "civic-kiosk").exists()
    assert kiosk.terminate(timeout=10) == 0, kiosk.output()
    assert not made[0].exists()
    assert "SIGTERM received" in kiosk.output()


def test_two_kiosks_without_a_runtime_folder_get_private_folders(tmp_path: Path, kiosks) -> None:
    tmp = tmp_path / "tmp"
    tmp.mkdir(mode=0o700)
    first, second = (_start(kiosks, tmp_path / name,
                            _env(tmp_path / "home", runtime=None, tmp=tmp))
                     for name in ("one", "two"))
    for kiosk in (first, second):
        kiosk.wait_for_line("kiosk ready", timeout=40)
    made = _speech_dirs(tmp)
    assert len(made) == 2, made  # one each, never a shared /tmp/civic-kiosk
    for folder in made:
        _private(folder)
    assert first.terminate(timeout=10) == 0, first.output()
    assert len(_speech_dirs(tmp)) == 1  # the other kiosk's folder is untouched
    assert second.terminate(timeout=10) == 0, second.output()
    assert _speech_dirs(tmp) == []


def test_kiosk_close_removes_the_default_speech_folder(qtbot, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from kiosk.profile import load_profile
    from tests.kiosk_fixtures import demo_profile_copy
    from ui.app import build

    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    kiosk = build(load_profile(demo_profile_copy(tmp_path)), tmp_path / "state",
                  start_relay=False, animate=False)
    try:
        made = _speech_dirs(runtime)
        assert len(made) == 1
        assert getattr(kiosk.speech, "directory", None) == made[0]
    finally:
        kiosk.close()
    assert _speech_dirs(runtime) == []
