"""Where speech files go by default: a folder private to one backend (0700, unique name),
in the runtime folder when there is one, never a fixed path shared by every kiosk."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from accessibility.speech import SPEECH_DIR_PREFIX, EspeakSpeech, private_speech_dir


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_in_the_runtime_folder_when_there_is_one(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    first, second = private_speech_dir(), private_speech_dir()
    assert first.parent == second.parent == tmp_path
    assert first != second
    assert first.name.startswith(SPEECH_DIR_PREFIX)
    assert _mode(first) == _mode(second) == 0o700


@pytest.mark.parametrize("runtime", [None, "", "/nonexistent/run"], ids=["unset", "empty",
                                                                          "missing"])
def test_a_private_temporary_folder_otherwise(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              runtime: str | None) -> None:
    if runtime is None:
        monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    else:
        monkeypatch.setenv("XDG_RUNTIME_DIR", runtime)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr("tempfile.tempdir", None)  # re-read TMPDIR
    first, second = private_speech_dir(), private_speech_dir()
    assert first.parent == second.parent == tmp_path
    assert first != second
    assert _mode(first) == _mode(second) == 0o700
    assert not (tmp_path / "civic-kiosk").exists()


def test_espeak_by_default_writes_into_its_own_folder_and_removes_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, espeak_ng: str) -> None:
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    one, two = EspeakSpeech(), EspeakSpeech()
    try:
        assert one.directory != two.directory
        assert one.directory.parent == tmp_path
        path = one.synthesize("Hello", "en", slow=False)
        assert path.parent == one.directory
        assert _mode(one.directory) == 0o700
    finally:
        one.close()
    assert not one.directory.exists()
    assert two.directory.exists()
    two.close()
    assert list(tmp_path.glob(f"{SPEECH_DIR_PREFIX}*")) == []
