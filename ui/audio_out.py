"""One WAV file at a time to the sound card, stoppable at once from the GUI thread.

Why not `QMediaPlayer`: its FFmpeg backend demuxes on threads of its own, and under load it
was caught deadlocking the GUI thread inside Qt's event loop after a few hundred quick
play/stop cycles (a resident tapping through pages with read aloud on does exactly that).
Speech files are small PCM WAVs we made ourselves, so nothing needs decoding: the frames are
read with `wave` and pushed to a `QAudioSink`, whose `stop()` is a plain, synchronous call.

With no sound device (a terminal whose speaker is unplugged, or a test machine with no
sound server) the file is "played" silently for its own length, so the spoken-item highlight
still moves at speaking pace and every caller sees the same sequence of signals.
"""

from __future__ import annotations

import logging
import wave
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject, QTimer, Signal
from PySide6.QtMultimedia import QAudioFormat, QAudioSink, QMediaDevices, QtAudio

log = logging.getLogger(__name__)


class UnplayableFile(Exception):
    """The file is not a PCM WAV this player can read (reported, then skipped)."""


def _read_wav(path: Path) -> tuple[QAudioFormat, bytes, int]:
    """The sink format, the frames and the length in milliseconds of a 16-bit PCM WAV."""
    try:
        with wave.open(str(path), "rb") as source:
            width, channels, rate = (source.getsampwidth(), source.getnchannels(),
                                     source.getframerate())
            frames = source.readframes(source.getnframes())
    except (OSError, EOFError, wave.Error) as exc:
        raise UnplayableFile(type(exc).__name__) from None
    if width != 2 or channels < 1 or rate < 1:
        raise UnplayableFile(f"{width * 8}-bit, {channels} channel(s), {rate} Hz")
    audio_format = QAudioFormat()
    audio_format.setSampleRate(rate)
    audio_format.setChannelCount(channels)
    audio_format.setSampleFormat(QAudioFormat.SampleFormat.Int16)
    millis = round(1000 * len(frames) / (width * channels * rate))
    return audio_format, frames, millis


class AudioOut(QObject):
    """`play(path)` starts one file, replacing any other; `ended` fires when it has played to
    the end, `failed` (with a short reason) when it cannot be played; `stop()` silences it at
    once and fires neither."""

    ended = Signal()
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._sink: QAudioSink | None = None
        self._buffer: QBuffer | None = None
        self._silent = QTimer(self)
        self._silent.setSingleShot(True)
        self._silent.timeout.connect(self._finish)
        self._playing = False
        self._plays = 0  # which play() a deferred failure belongs to
        self._warned_silent = False

    @property
    def playing(self) -> bool:
        return self._playing

    def play(self, path: Path) -> None:
        self.stop()
        self._plays += 1
        try:
            audio_format, frames, millis = _read_wav(path)
        except UnplayableFile as exc:
            # Reported from the event loop, as a sink's failure would be, unless overtaken.
            plays, reason = self._plays, str(exc)
            QTimer.singleShot(0, self, lambda: self._late_failure(plays, reason))
            return
        self._playing = True
        device = QMediaDevices.defaultAudioOutput()
        if device.isNull() or not device.isFormatSupported(audio_format):
            if not self._warned_silent:
                self._warned_silent = True
                log.warning("no sound device takes speech audio: read aloud is shown, not heard")
            self._silent.start(millis)
            return
        buffer = QBuffer(self)
        buffer.setData(QByteArray(frames))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        sink = QAudioSink(device, audio_format, self)
        sink.stateChanged.connect(self._on_state)
        self._sink, self._buffer = sink, buffer
        sink.start(buffer)
        if sink.error() != QtAudio.Error.NoError:
            # The device went away between the check and the start: keep the pace silently.
            self._drop_sink()
            self._silent.start(millis)

    def _late_failure(self, plays: int, reason: str) -> None:
        if plays == self._plays:
            self.failed.emit(reason)

    def stop(self) -> None:
        self._plays += 1
        self._playing = False
        self._silent.stop()
        self._drop_sink()

    def _drop_sink(self) -> None:
        sink, buffer, self._sink, self._buffer = self._sink, self._buffer, None, None
        if sink is not None:
            sink.stateChanged.disconnect(self._on_state)
            sink.stop()
            sink.deleteLater()
        if buffer is not None:
            buffer.close()
            buffer.deleteLater()

    def _on_state(self, state: QtAudio.State) -> None:
        sink = self._sink
        if sink is None or state != QtAudio.State.IdleState:
            if sink is not None and state == QtAudio.State.StoppedState \
                    and sink.error() != QtAudio.Error.NoError:
                error = sink.error().name
                self.stop()
                self.failed.emit(error)
            return
        # Idle: the buffer has run dry, so the file has been played to the end.
        self._finish()

    def _finish(self) -> None:
        if not self._playing:
            return
        self.stop()
        self.ended.emit()


__all__ = ["AudioOut", "UnplayableFile"]
