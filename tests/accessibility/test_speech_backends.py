"""The speech backends: real espeak-ng audio in every kiosk language, private files, the fake.

No Qt here: `accessibility` is a leaf room and must be testable without PySide6.
"""

from __future__ import annotations

import stat
import threading
import wave
from collections.abc import Iterator
from pathlib import Path

import pytest

from accessibility.speech import (
    EspeakSpeech,
    RecordingSpeech,
    SpeechCall,
    SpeechError,
    VoiceMissing,
)

# The tests that run the real espeak-ng take this fixture (tests/needs.py decides skip or fail).
needs_espeak = pytest.mark.usefixtures("espeak_ng")

SAMPLES = {
    "en": "What is the postcode of the collection address?",
    "cy": "Beth yw cod post y cyfeiriad casglu?",
    "pl": "Jaki jest kod pocztowy adresu odbioru?",
    "ur": "جمع کرنے کے پتے کا پوسٹ کوڈ کیا ہے؟",
    "ro": "Care este codul poștal al adresei de colectare?",
}


def frames(path: Path) -> int:
    with wave.open(str(path), "rb") as audio:
        assert audio.getnchannels() == 1
        assert audio.getsampwidth() == 2
        return audio.getnframes()


@pytest.fixture(scope="module")
def espeak(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EspeakSpeech]:
    """One backend for the module (it lists espeak-ng's voices once, ~10 ms)."""
    speech = EspeakSpeech(tmp_path_factory.mktemp("speech-cache"))
    yield speech
    speech.close()


@needs_espeak
@pytest.mark.parametrize("language", list(SAMPLES))
def test_espeak_speaks_each_kiosk_language(espeak: EspeakSpeech, language: str) -> None:
    voice = espeak.voice_for(language)
    assert voice is not None, f"no voice for {language}"
    path = espeak.synthesize(SAMPLES[language], language, slow=False)
    try:
        assert frames(path) > 22050 // 2  # a sentence is well over half a second at 22 kHz
        assert path.parent == espeak.directory
    finally:
        espeak.discard(path)
    assert not path.exists()


@needs_espeak
def test_espeak_chooses_british_english_and_the_right_voices(espeak: EspeakSpeech) -> None:
    voices = {code: espeak.voice_for(code) for code in SAMPLES}
    assert voices["en"] == "gmw/en"  # English (Great Britain), not American
    assert voices["cy"] == "cel/cy"
    assert len(set(voices.values())) == len(SAMPLES)
    assert espeak.voice_for("xx") is None


@needs_espeak
def test_espeak_slow_speech_is_longer(espeak: EspeakSpeech) -> None:
    normal = espeak.synthesize(SAMPLES["en"], "en", slow=False)
    slow = espeak.synthesize(SAMPLES["en"], "en", slow=True)
    try:
        assert frames(slow) > frames(normal) * 1.25  # 120 against 170 words a minute
    finally:
        espeak.discard(normal)
        espeak.discard(slow)


@needs_espeak
def test_espeak_files_are_private(espeak: EspeakSpeech) -> None:
    assert stat.S_IMODE(espeak.directory.stat().st_mode) == 0o700
    path = espeak.synthesize("Rose Cottage", "en", slow=False)
    try:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    finally:
        espeak.discard(path)
    with pytest.raises(ValueError, match="not made by"):
        espeak.discard(Path("/etc/hostname"))


@needs_espeak
def test_espeak_names_a_missing_voice(espeak: EspeakSpeech) -> None:
    with pytest.raises(VoiceMissing, match=r"no espeak-ng voice for xx \('xx'\)"):
        espeak.synthesize("Hello", "xx", slow=False)
    with pytest.raises(ValueError, match="empty"):
        espeak.synthesize("   ", "en", slow=False)


@needs_espeak
def test_two_backends_and_threads_do_not_disturb_each_other(
    espeak: EspeakSpeech, tmp_path: Path
) -> None:
    """Each backend is its own processes: no shared engine state, so concurrent use from two
    threads and a second backend created and dropped meanwhile all give whole audio."""
    other = EspeakSpeech(tmp_path)
    sizes: dict[str, list[int]] = {"first": [], "other": []}

    def speak(speech: EspeakSpeech, key: str) -> None:
        for _ in range(3):
            path = speech.synthesize("Still here", "en", slow=False)
            sizes[key].append(frames(path))
            speech.discard(path)

    workers = [threading.Thread(target=speak, args=(espeak, "first"), daemon=True),
               threading.Thread(target=speak, args=(other, "other"), daemon=True)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=20)
        assert not worker.is_alive(), "synthesis hung"
    other.close()
    # espeak-ng is deterministic: the same words give the same number of samples every time.
    assert len(set(sizes["first"] + sizes["other"])) == 1
    assert sizes["first"][0] > 0


@needs_espeak
def test_the_text_never_appears_on_a_command_line(
    espeak: EspeakSpeech, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Any local user can read a process's arguments; a resident's answer goes on stdin."""
    import subprocess

    seen: list[list[str]] = []
    real_run = subprocess.run

    def spy(command: list[str], **kwargs: object) -> object:
        seen.append(list(command))
        return real_run(command, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(subprocess, "run", spy)
    espeak.discard(espeak.synthesize("Ivy Lodge NG7 2RD", "en", slow=True))
    assert seen
    assert not any("Ivy" in arg or "NG7" in arg for command in seen for arg in command)
    assert "120" in seen[0]  # slow speech: 120 words a minute


@needs_espeak
def test_close_deletes_everything_and_refuses_more(tmp_path: Path) -> None:
    speech = EspeakSpeech(tmp_path)
    kept = speech.synthesize("Not yet played", "en", slow=False)
    speech.close()
    assert not kept.exists()
    assert not speech.directory.exists()
    with pytest.raises(SpeechError, match="closed"):
        speech.synthesize("Hello", "en", slow=False)
    speech.close()  # idempotent


def test_recording_speech_records_and_writes_silence(tmp_path: Path) -> None:
    speech = RecordingSpeech(tmp_path / "cache", seconds=0.1)
    path = speech.synthesize("Hello", "cy", slow=True)
    assert speech.calls == [SpeechCall("Hello", "cy", True)]
    assert speech.calls[0] == ("Hello", "cy", True)
    assert frames(path) == 800  # 0.1 s at 8 kHz
    assert stat.S_IMODE(speech.directory.stat().st_mode) == 0o700
    speech.discard(path)
    assert not path.exists()
    assert speech.discarded == [path]
    assert speech.voice_for("cy") == "recording-cy"


def test_recording_speech_can_lack_a_voice(tmp_path: Path) -> None:
    speech = RecordingSpeech(tmp_path, missing=frozenset({"ur"}))
    assert speech.voice_for("ur") is None
    with pytest.raises(VoiceMissing):
        speech.synthesize("Hello", "ur", slow=False)
    speech.close()
    assert not speech.directory.exists()
