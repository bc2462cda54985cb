"""Speech playback on the GUI thread: utterances in, audio out, interruptible at once.

`accessibility.speech` turns text into WAV files; this adapter decides *when* they play. A
resident's next touch must silence the kiosk immediately (EN 301 549 5.1.3.5), and a new page
must never be talked over by the old one, so:

* synthesis runs on one worker thread, never the GUI thread, one utterance at a time, and
  each finished file is handed over as soon as it exists (the first utterance starts playing
  while the rest are still being made: the delay a resident hears is one utterance's
  synthesis, not the page's);
* the worker makes an utterance only once the one before it has started playing (it takes
  ~20 ms to make and at least ~300 ms to say, so the next is always ready in time): showing a
  page starts no burst of synthesis to compete with painting it, or with handing the first
  audio over, and a resident who moves on quickly leaves at most one synthesis to abandon;
* every `speak()` starts a new *generation*: the worker abandons older requests between
  utterances, and files from an older generation are deleted unplayed;
* playback is `ui.audio_out.AudioOut` driven from the GUI thread, so `stop()` is synchronous
  (not `QMediaPlayer`, whose FFmpeg threads deadlocked the GUI thread under load);
* every file is deleted once played or dropped, because what was said can be personal.

The worker hands each result over through a plain queue and one queued slot call, so no
Python object crosses threads inside a Qt signal.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from PySide6.QtCore import QMetaObject, QObject, Qt, Signal, Slot

from accessibility.speech import Speech, Utterance
from ui.audio_out import AudioOut

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Job:
    generation: int
    utterances: tuple[Utterance, ...]
    slow: bool


class SpeechPlayer(QObject):
    """Speaks a page's utterances in order; `stop()` or a newer `speak()` cuts it off.

    Signals: `speaking(item)` as each utterance starts (the UI highlights that item),
    `finished()` when a request has been spoken to the end or stopped (not when a newer
    `speak()` replaces it: that one's `speaking` follows), and `first_audio(t)` with the
    `time.monotonic()` at which a request's first audio was handed to the media player.
    """

    speaking = Signal(str)
    finished = Signal()
    first_audio = Signal(float)

    def __init__(self, speech: Speech, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._speech = speech
        # Written only on the GUI thread, under `_progress`; the worker reads them.
        self._generation = 0
        self._started = 0  # utterances of this generation that have started playing
        self._progress = threading.Condition()
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        # Worker -> GUI thread: (generation, utterance and file | None when the job is over).
        self._inbox: queue.SimpleQueue[tuple[int, tuple[Utterance, Path] | None]] = (
            queue.SimpleQueue())
        self._worker: threading.Thread | None = None
        self._player = AudioOut(self)
        self._player.ended.connect(self._on_ended)
        self._player.failed.connect(self._on_failed)
        self._pending: deque[tuple[Utterance, Path]] = deque()
        self._current: tuple[Utterance, Path] | None = None
        self._synth_done = True
        self._active = False
        self._first_sent = False
        self._last: tuple[tuple[Utterance, ...], bool] = ((), False)
        self._closed = False

    # ----- what the UI calls ---------------------------------------------------------------

    @property
    def active(self) -> bool:
        """True from `speak()` until `finished` (or a `stop()`)."""
        return self._active

    @property
    def playing(self) -> bool:
        """True while the media player is actually playing a file."""
        return self._player.playing

    @property
    def current_item(self) -> str | None:
        """The item being spoken now, if any (to restore a highlight after a repaint)."""
        return self._current[0].item if self._current is not None else None

    def speak(self, utterances: Sequence[Utterance], *, slow: bool) -> None:
        """Say these, in order, replacing whatever is being said. Never blocks."""
        if self._closed:
            log.warning("speak() after shutdown() ignored")
            return
        if not utterances:
            self.stop()
            self._last = ((), slow)
            return
        self._interrupt()
        self._last = (tuple(utterances), slow)
        self._active = True
        self._synth_done = False
        self._first_sent = False
        self._ensure_worker()
        self._jobs.put(_Job(self._generation, tuple(utterances), slow))

    def replay(self) -> None:
        """Say the last request again from the start (the "Repeat" button)."""
        utterances, slow = self._last
        if utterances:
            self.speak(utterances, slow=slow)

    def stop(self) -> None:
        """Silence now: stop playback, drop queued audio, abandon synthesis in progress."""
        was_active = self._active
        self._interrupt()
        if was_active:
            self.finished.emit()

    def forget(self) -> None:
        """Stop and forget the last request, so `replay()` cannot repeat a past session."""
        self.stop()
        self._last = ((), False)

    def holds_visit(self) -> bool:
        """Whether anything said for the last visit is still kept here (checked after every
        wipe). A synthesis already running is abandoned at its end (espeak-ng has a timeout)
        and its file deleted unplayed."""
        self._drain()  # results the worker handed over since: out of date, so deleted now
        return bool(self._last[0] or self._pending or self._current is not None)

    def shutdown(self) -> None:
        """Stop, end the worker thread and delete any files still held. Idempotent."""
        if self._closed:
            return
        self.forget()
        with self._progress:
            self._closed = True
            self._progress.notify_all()
        self._jobs.put(None)
        if self._worker is not None:
            self._worker.join(timeout=2.0)
            if self._worker.is_alive():
                log.warning("speech worker did not stop within 2 s; left to exit with the app")
            self._worker = None

    # ----- internals -----------------------------------------------------------------------

    def _interrupt(self) -> None:
        """Start a new generation: nothing older will be played, and its files are deleted."""
        with self._progress:
            self._generation += 1
            self._started = 0
            self._progress.notify_all()
        self._active = False
        self._synth_done = True
        current, self._current = self._current, None
        self._player.stop()
        if current is not None:
            self._discard(current[1])
        while self._pending:
            self._discard(self._pending.popleft()[1])

    def _ensure_worker(self) -> None:
        if self._worker is None or not self._worker.is_alive():
            self._worker = threading.Thread(target=self._run, name="speech-synthesis",
                                            daemon=True)
            self._worker.start()

    def _run(self) -> None:
        """The worker thread: synthesise each job's utterances until a newer job arrives."""
        while True:
            job = self._jobs.get()
            if job is None:
                return
            self._synthesize_job(job)
            generation = job.generation
            # Not kept while waiting for the next job: its words may be a resident's answers.
            del job
            if not self._hand_over(generation, None):
                return

    def _synthesize_job(self, job: _Job) -> None:
        for index, utterance in enumerate(job.utterances):
            with self._progress:
                self._progress.wait_for(partial(self._may_make, job, index))
                if job.generation != self._generation or self._closed:
                    return
            try:
                path = self._speech.synthesize(utterance.text, utterance.language,
                                               slow=job.slow)
            except Exception as exc:
                # Logged without the text: it may be a resident's personal answer.
                log.exception("speech stopped early: synthesis failed (%s, language %s)",
                              type(exc).__name__, utterance.language)
                return
            if job.generation != self._generation:
                self._discard(path)
                return
            if not self._hand_over(job.generation, (utterance, path)):
                self._discard(path)
                return

    def _may_make(self, job: _Job, index: int) -> bool:
        """Under `_progress`: make utterance `index` once the one before it is playing (or
        stop waiting because the job is out of date)."""
        return job.generation != self._generation or self._closed or index <= self._started

    def _hand_over(self, generation: int, result: tuple[Utterance, Path] | None) -> bool:
        """From the worker: queue a result and have the GUI thread pick it up. False once the
        player is gone (application exit), so the worker ends."""
        self._inbox.put((generation, result))
        try:
            QMetaObject.invokeMethod(self, "_drain", Qt.ConnectionType.QueuedConnection)
        except RuntimeError:
            return False
        return True

    def _discard(self, path: Path) -> None:
        try:
            self._speech.discard(path)
        except (OSError, ValueError):
            log.warning("could not delete a speech file", exc_info=True)

    @Slot()
    def _drain(self) -> None:
        """On the GUI thread: take what the worker made; play it unless it is out of date."""
        while True:
            try:
                generation, result = self._inbox.get_nowait()
            except queue.Empty:
                return
            current = generation == self._generation and not self._closed
            if result is None:
                if current:
                    self._synth_done = True
                    if self._current is None and not self._pending:
                        self._end()
                continue
            if not current:
                self._discard(result[1])
                continue
            self._pending.append(result)
            if self._current is None:
                self._play_next()

    def _play_next(self) -> None:
        if not self._pending:
            self._current = None
            if self._synth_done:
                self._end()
            return
        utterance, path = self._current = self._pending.popleft()
        self._player.play(path)
        with self._progress:
            self._started += 1
            self._progress.notify_all()
        if not self._first_sent:
            self._first_sent = True
            self.first_audio.emit(time.monotonic())
        self.speaking.emit(utterance.item)

    def _end(self) -> None:
        if self._active:
            self._active = False
            self.finished.emit()

    def _on_ended(self) -> None:
        self._next_after_current()

    def _on_failed(self, reason: str) -> None:
        log.warning("a speech file could not be played (%s); skipped", reason)
        self._next_after_current()

    def _next_after_current(self) -> None:
        current = self._current
        if current is None:
            return
        self._current = None
        self._play_next()
        self._discard(current[1])


_NAMED = {
    "button:back": "back", "button:continue": "continue", "button:submit": "submit",
    "button:finish": "finish", "button:start-again": "exitStartAgain", "button:start": "start",
    "button:more-time": "moreTime", "button:end-now": "endNow",
    "value": "answer", "delivery-state": "deliveryState", "receipt-state": "receiptState",
    "next-steps": "nextSteps", "timeout-title": "timeoutTitle", "timeout-body": "timeoutBody",
    "photo-code-hint": "photoCodeHint", "button:offer": "offer",
    "button:talk": "talkToAdvisor", "button:join": "joinQueue", "button:leave": "leaveQueue",
    "button:go-back": "goBack", "button:call-back": "callBack", "button:mute": "mute",
    "button:camera": "cameraOff", "button:end": "endCall",
}
_PREFIXED = {
    "option:": "option-", "error:": "error-", "field-error:": "error-", "row:": "value-",
    "change:": "change-", "date:": "answer-", "service:": "service-", "language:": "language-",
    "address:": "answer-", "button:option-": "wayOn-",
}


def spoken_widget_name(item: str) -> str:
    """The objectName of the widget showing a script item, so it can be highlighted."""
    if item in _NAMED:
        return _NAMED[item]
    for prefix, name in _PREFIXED.items():
        if item.startswith(prefix):
            return name + item[len(prefix):]
    return item
