"""SpeechPlayer: plays in order, stops at once, a newer page replaces the old, replay works.

Real QMediaPlayer playback (it plays to the end with no audio device), with RecordingSpeech
writing short silent WAVs, so each test takes a fraction of a second.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.needs import require_module, require_program

# QtMultimedia loads system audio libraries a bare machine may lack: skip or fail, per tests/needs.py.
require_module("PySide6.QtMultimedia", "QtMultimedia cannot be loaded here")

from PySide6.QtWidgets import QApplication  # noqa: E402

from accessibility.speech import EspeakSpeech, RecordingSpeech, Utterance  # noqa: E402
from ui.speech import SpeechPlayer  # noqa: E402


def script(*items: str, language: str = "en") -> list[Utterance]:
    return [Utterance(f"Text of {item}", language, item) for item in items]


class Spy:
    """Everything the player signalled, in order."""

    def __init__(self, player: SpeechPlayer) -> None:
        self.events: list[str] = []
        self.first_audio: list[float] = []
        player.speaking.connect(lambda item: self.events.append(item))
        player.finished.connect(lambda: self.events.append("<finished>"))
        player.first_audio.connect(self.first_audio.append)

    def spoken(self) -> list[str]:
        return [e for e in self.events if e != "<finished>"]

    def finishes(self) -> int:
        return self.events.count("<finished>")


@pytest.fixture
def make_player(qtbot, tmp_path: Path) -> Iterator:
    made: list[SpeechPlayer] = []

    def factory(**fake: object) -> tuple[SpeechPlayer, RecordingSpeech, Spy]:
        speech = RecordingSpeech(tmp_path / f"cache{len(made)}", **fake)  # type: ignore[arg-type]
        player = SpeechPlayer(speech)
        made.append(player)
        return player, speech, Spy(player)

    yield factory
    for player in made:
        player.shutdown()


def leftover_files(speech: RecordingSpeech) -> list[Path]:
    return sorted(speech.directory.glob("*.wav"))


def test_speaks_every_utterance_in_order_then_finishes(qtbot, make_player) -> None:
    player, speech, spy = make_player(seconds=0.03)
    utterances = script("title", "hint", "option:general", "button:continue")
    called = time.monotonic()
    with qtbot.waitSignal(player.finished, timeout=5000):
        player.speak(utterances, slow=True)
    assert spy.spoken() == ["title", "hint", "option:general", "button:continue"]
    assert spy.finishes() == 1
    assert speech.calls == [(u.text, "en", True) for u in utterances]
    assert len(spy.first_audio) == 1
    assert called <= spy.first_audio[0] <= time.monotonic()
    assert not player.active
    assert leftover_files(speech) == []  # every file deleted once played


def test_speak_never_blocks_the_gui_thread(qtbot, make_player) -> None:
    player, _, spy = make_player(delay=0.5)
    started = time.monotonic()
    player.speak(script("title", "hint"), slow=False)
    assert time.monotonic() - started < 0.1  # synthesis takes 0.5 s per utterance
    assert player.active
    assert spy.events == []
    player.stop()


def test_stop_during_playback_is_immediate_and_drops_queued_audio(qtbot, make_player) -> None:
    player, speech, spy = make_player(seconds=0.4)
    with qtbot.waitSignal(player.speaking, timeout=5000):
        player.speak(script("title", "hint", "option:a", "option:b"), slow=False)
    qtbot.waitUntil(lambda: player.playing, timeout=2000)
    # The next utterance made and queued behind the first (the worker makes one ahead).
    qtbot.waitUntil(lambda: len(player._pending) == 1, timeout=2000)
    player.stop()
    # Silent before control returns to the event loop, and still after one turn of it.
    assert not player.playing
    assert not player.active
    assert player.current_item is None
    QApplication.processEvents()
    assert not player.playing
    assert spy.finishes() == 1
    # A later request through the same worker and hand-over queue: once it has been spoken,
    # anything the worker still held from before the stop has come through before it.
    with qtbot.waitSignal(player.finished, timeout=5000):
        player.speak(script("sentinel"), slow=False)
    assert spy.spoken() == ["title", "sentinel"]  # nothing queued played after the stop
    qtbot.waitUntil(lambda: leftover_files(speech) == [], timeout=2000)
    player.stop()  # stopping when silent does nothing
    assert spy.finishes() == 2


def test_a_new_page_replaces_the_one_being_spoken(qtbot, make_player) -> None:
    player, speech, spy = make_player(seconds=0.3)
    with qtbot.waitSignal(player.speaking, timeout=5000):
        player.speak(script("old:title", "old:hint", "old:button"), slow=False)
    qtbot.waitUntil(lambda: player.playing, timeout=2000)
    with qtbot.waitSignal(player.finished, timeout=5000):
        player.speak(script("new:title", "new:button"), slow=False)
    assert spy.spoken() == ["old:title", "new:title", "new:button"]
    assert spy.finishes() == 1  # replacing is not finishing
    assert len(spy.first_audio) == 2
    assert leftover_files(speech) == []


def test_a_new_page_abandons_synthesis_of_the_old(qtbot, make_player) -> None:
    player, speech, spy = make_player(seconds=0.02, delay=0.05)
    old = script(*(f"old:{n}" for n in range(10)))
    player.speak(old, slow=False)
    with qtbot.waitSignal(player.finished, timeout=5000):
        player.speak(script("new:title"), slow=False)
    synthesised_old = [c for c in speech.calls if c.text.startswith("Text of old:")]
    assert len(synthesised_old) <= 1  # at most the one already under way
    assert spy.spoken() == ["new:title"]
    qtbot.waitUntil(lambda: leftover_files(speech) == [], timeout=2000)


def test_synthesis_stays_just_ahead_of_playback(qtbot, make_player) -> None:
    """Showing a page makes the first utterances only; the rest follow as each is spoken."""
    player, speech, spy = make_player(seconds=0.25)
    items = [f"item{n}" for n in range(4)]
    made_when_starting: list[int] = []  # utterances made as each one starts to play
    player.speaking.connect(lambda _: made_when_starting.append(len(speech.calls)))
    with qtbot.waitSignal(player.finished, timeout=5000):
        player.speak(script(*items), slow=False)
    assert spy.spoken() == items
    # Each starts with at most the next one begun: a worker running ahead would have made
    # all four while the first 0.25 s utterance played.
    assert made_when_starting[:2] in ([1, 2], [1, 3], [2, 2], [2, 3]), made_when_starting
    assert all(made <= index + 2 for index, made in enumerate(made_when_starting))
    assert len(speech.calls) == 4


def test_replay_says_the_last_page_again(qtbot, make_player) -> None:
    player, speech, spy = make_player(seconds=0.02)
    with qtbot.waitSignal(player.finished, timeout=5000):
        player.speak(script("title", "hint"), slow=True)
    with qtbot.waitSignal(player.finished, timeout=5000):
        player.replay()
    assert spy.spoken() == ["title", "hint", "title", "hint"]
    assert [c.slow for c in speech.calls] == [True] * 4
    # Replay in the middle of speech starts again from the top.
    with qtbot.waitSignal(player.speaking, timeout=5000):
        player.speak(script("a", "b", "c"), slow=False)
    with qtbot.waitSignal(player.finished, timeout=5000):
        player.replay()
    assert spy.spoken()[-3:] == ["a", "b", "c"]
    player.forget()
    player.replay()
    assert not player.active


def test_a_missing_voice_finishes_quietly(qtbot, make_player) -> None:
    player, _, spy = make_player(missing=frozenset({"ur"}))
    with qtbot.waitSignal(player.finished, timeout=5000):
        player.speak(script("title", "hint", language="ur"), slow=False)
    assert spy.spoken() == []


def test_nothing_to_say_is_a_stop(qtbot, make_player) -> None:
    player, _, spy = make_player(seconds=0.3)
    with qtbot.waitSignal(player.speaking, timeout=5000):
        player.speak(script("title"), slow=False)
    player.speak([], slow=False)
    assert not player.playing
    assert spy.finishes() == 1


def test_shutdown_deletes_files_and_ends_the_worker(qtbot, make_player) -> None:
    player, speech, _ = make_player(seconds=0.5)
    with qtbot.waitSignal(player.speaking, timeout=5000):
        player.speak(script("title", "hint", "button"), slow=False)
    player.shutdown()
    assert not player.playing
    # The worker has ended; what it handed over on its way out is deleted as it is drained.
    qtbot.waitUntil(lambda: leftover_files(speech) == [], timeout=2000)
    player.speak(script("title"), slow=False)  # ignored after shutdown
    assert not player.active


def test_real_espeak_speech_plays_through(qtbot, tmp_path: Path) -> None:
    require_program("espeak-ng", "espeak-ng is not installed (script/bootstrap installs it)")
    speech = EspeakSpeech(tmp_path)
    player = SpeechPlayer(speech)
    spy = Spy(player)
    try:
        with qtbot.waitSignal(player.finished, timeout=10000):
            player.speak([Utterance("Yes", "en", "option:yes"),
                          Utterance("Ie", "cy", "option:ie")], slow=False)
        assert spy.spoken() == ["option:yes", "option:ie"]
        assert list(speech.directory.iterdir()) == []
    finally:
        player.shutdown()
        speech.close()
