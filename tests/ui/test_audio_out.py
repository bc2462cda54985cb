"""Speech audio output (ui/audio_out.py): a file plays to its end (at its own length when no
sound device takes it), stop() silences it with no late `ended`, and a file that is not a
16-bit PCM WAV is reported, not played. Also the stress that hung QMediaPlayer: hundreds of
play/stop cycles in a row must leave the GUI thread responsive."""

from __future__ import annotations

import time
import wave
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer

from ui.audio_out import AudioOut


def write_wav(path: Path, seconds: float, *, width: int = 2) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(width)
        out.setframerate(22050)
        out.writeframes(b"\0" * width * int(22050 * seconds))
    return path


@pytest.fixture
def out(qtbot) -> AudioOut:
    player = AudioOut()
    yield player
    player.stop()
    player.deleteLater()


def test_a_file_plays_to_its_end_at_its_own_length(qtbot, out, tmp_path) -> None:
    wav = write_wav(tmp_path / "a.wav", 0.3)
    began = time.monotonic()
    with qtbot.waitSignal(out.ended, timeout=3000):
        out.play(wav)
        assert out.playing
    assert time.monotonic() - began >= 0.25
    assert not out.playing


def test_stop_is_immediate_and_nothing_ends_late(qtbot, out, tmp_path) -> None:
    wav = write_wav(tmp_path / "a.wav", 0.2)
    ended: list[bool] = []
    out.ended.connect(lambda: ended.append(True))
    out.play(wav)
    out.stop()
    assert not out.playing
    with qtbot.waitSignal(out.ended, timeout=600, raising=False) as late:
        pass
    assert not late.signal_triggered
    assert ended == []


def test_a_file_that_is_not_16_bit_pcm_is_reported(qtbot, out, tmp_path) -> None:
    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"RIFF not really")
    with qtbot.waitSignal(out.failed, timeout=2000) as failed:
        out.play(broken)
    assert failed.args[0]
    with qtbot.waitSignal(out.failed, timeout=2000) as failed:
        out.play(write_wav(tmp_path / "8bit.wav", 0.1, width=1))
    assert "8-bit" in failed.args[0]


def test_a_failure_overtaken_by_a_new_file_is_not_reported(qtbot, out, tmp_path) -> None:
    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"nope")
    out.play(broken)
    with qtbot.waitSignal(out.ended, timeout=3000):
        out.play(write_wav(tmp_path / "a.wav", 0.05))
    assert not out.playing


def test_hundreds_of_quick_cycles_leave_the_gui_thread_responsive(qtbot, out, tmp_path) -> None:
    wav = write_wav(tmp_path / "a.wav", 1.0)
    for _ in range(400):
        out.play(wav)
        out.stop()
    out.play(wav)
    ticked: list[bool] = []
    QTimer.singleShot(0, lambda: ticked.append(True))
    qtbot.waitUntil(lambda: bool(ticked), timeout=2000)
    with qtbot.waitSignal(out.ended, timeout=3000):
        pass
