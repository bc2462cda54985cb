"""Text to speech audio: what is said (`Utterance`), and backends that turn it into WAV files.

The kiosk never has a speech engine play sound itself (pyttsx3's `say()` shells out to
`aplay` and blocks, and an engine's own playback cannot be cut off mid-word). Instead a
backend writes one WAV file per utterance and the UI's Qt adapter plays the files, so stopping,
replacing and highlighting are all the player's business and the backend only has to be
fast. Spoken text can be personal (a resident's address, read back to them), so the files
live in a private directory (mode 0700) and are deleted as soon as they have been played.

Backends follow the `Speech` protocol (the Anki `Player` idea: small, swappable, with a fake
for tests): `EspeakSpeech` is the real one, `RecordingSpeech` the test double.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple, Protocol

NORMAL_WPM = 170
"""Normal speed: a little slower than espeak-ng's default 175, for a noisy public library."""
SLOW_WPM = 120
"""The "slower speech" setting: the slowest rate UAAG's guidance asks for (≤ 120 wpm)."""


@dataclass(frozen=True)
class Utterance:
    """One thing said aloud, in one language, about one thing on the screen.

    `item` names what is read ("title", "option:general", "error:due_date", ...) so the UI
    can highlight the element being spoken (EN 301 549 5.1.3.3) without parsing the text.
    """

    text: str
    language: str
    item: str


class SpeechError(RuntimeError):
    """Speech could not be produced (the engine failed, or the backend is closed)."""


class SpeechUnavailable(SpeechError):
    """The speech engine cannot start here (espeak-ng is not installed, or will not run)."""


class VoiceMissing(SpeechError):
    """No installed voice speaks the language asked for."""


class Speech(Protocol):
    """A text-to-speech backend: text in, a WAV file out.

    Implementations must be safe to call from one worker thread while the GUI thread calls
    `discard`; the UI never calls `synthesize` on the GUI thread.
    """

    def synthesize(self, text: str, language: str, *, slow: bool) -> Path:
        """Write `text` spoken in `language` to a new WAV file and return its path."""
        ...

    def voice_for(self, language: str) -> str | None:
        """The voice used for `language`, or None when there is none (so it cannot be read)."""
        ...

    def discard(self, path: Path) -> None:
        """Delete a file `synthesize` returned: it may hold personal text, as sound."""
        ...


# ----- espeak-ng ---------------------------------------------------------------------------

_WANTED: dict[str, tuple[str, tuple[str, ...]]] = {
    # language code -> (name for messages, espeak-ng language tags in order of preference)
    "en": ("English (GB)", ("en-gb", "en")),
    "cy": ("Welsh", ("cy",)),
    "pl": ("Polish", ("pl",)),
    "ur": ("Urdu", ("ur",)),
    "ro": ("Romanian", ("ro",)),
}
TIMEOUT_SECONDS = 10.0
"""Longest a single utterance may take to synthesise (a long page text takes ~0.1 s)."""


def _choose_voice(voices: list[tuple[str, str]], tags: tuple[str, ...]) -> str | None:
    """The voice file ("gmw/en") whose language is the first tag available, by preference."""
    for tag in tags:
        for language, voice in voices:
            if language.lower() == tag:
                return voice
        for _, voice in voices:
            if voice.lower().rsplit("/", 1)[-1] == tag:
                return voice
    return None


def _frames(path: Path) -> int:
    try:
        with wave.open(str(path), "rb") as audio:
            return audio.getnframes()
    except (OSError, EOFError, wave.Error):
        return 0


SPEECH_DIR_PREFIX = "civic-kiosk-speech-"


def private_speech_dir() -> Path:
    """A new folder for one process's speech files: mode 0700, a unique name, in the user's
    runtime folder (RAM, private to the user) or, without one, the temporary folder.

    Never a fixed name such as /tmp/civic-kiosk: a shared path lets every kiosk on the
    machine (and anyone who makes it first) see, or own, the files of the others.
    """
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    parent = runtime if runtime and os.path.isdir(runtime) else None
    return Path(tempfile.mkdtemp(prefix=SPEECH_DIR_PREFIX, dir=parent))


class EspeakSpeech:
    """espeak-ng, one `espeak-ng -w FILE --stdin` process per utterance.

    Why a process and not pyttsx3 (measured here; bench/speech_latency.py times both): pyttsx3
    2.99 drives libespeak-ng in its asynchronous mode with racy stop logic, so with the voice
    and rate set per utterance about 1 file in 200-600 came out empty, and 600 runs of one
    sentence gave 19 different lengths (the command line: one); its single process-wide audio
    callback is taken by every new engine and cleared by any engine that is garbage-collected
    (the first engine then writes nothing, or waits forever); and re-pointing that callback
    per call led, under load, to a freed ctypes callback being called. Speed does not decide
    it: a short prompt takes 13-24 ms here against pyttsx3's 10-19 ms (p50, by machine load),
    far inside the 100 ms budget for a page's first audio. In return: no shared state, a hard
    timeout, nothing printed on stdout, and a crash in the synthesiser cannot take the kiosk
    with it.

    The text goes to the process on stdin, never on its command line, where any local user
    could read a resident's answer in `ps`.
    """

    def __init__(self, cache_dir: Path | None = None, *, executable: str | None = None) -> None:
        found = executable or shutil.which("espeak-ng")
        if found is None:
            raise SpeechUnavailable("espeak-ng is not installed: install the espeak-ng package")
        self._exe = found
        try:
            listing = subprocess.run(
                [self._exe, "--voices"], capture_output=True, text=True, check=True,
                timeout=TIMEOUT_SECONDS, stdin=subprocess.DEVNULL,
            ).stdout
        except (OSError, subprocess.SubprocessError) as exc:
            raise SpeechUnavailable(f"espeak-ng cannot list its voices ({exc})") from exc
        voices = [(parts[1], parts[4]) for parts in
                  (line.split() for line in listing.splitlines()[1:]) if len(parts) >= 5]
        self._voices = {code: _choose_voice(voices, tags) for code, (_, tags) in _WANTED.items()}
        self._voice_count = len(voices)
        if cache_dir is None:
            self._dir = private_speech_dir()
        else:
            cache_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            # mkdtemp makes the directory 0700: only the kiosk's user can read what was said.
            self._dir = Path(tempfile.mkdtemp(prefix="speech-", dir=cache_dir))
        # Serialises synthesis with close(), so close() never deletes a file being written.
        self._lock = threading.Lock()
        self._closed = False

    @property
    def directory(self) -> Path:
        """Where the WAV files are written (private to this object, removed by `close`)."""
        return self._dir

    def voice_for(self, language: str) -> str | None:
        return self._voices.get(language)

    def _voice(self, language: str) -> str:
        voice = self._voices.get(language)
        if voice is None:
            name, tags = _WANTED.get(language, (language, (language,)))
            raise VoiceMissing(
                f"no espeak-ng voice for {name} ({language!r}): looked for language "
                f"{' or '.join(repr(t) for t in tags)} among the {self._voice_count} voices "
                "installed; install espeak-ng-data with that language"
            )
        return voice

    def synthesize(self, text: str, language: str, *, slow: bool) -> Path:
        if not text.strip():
            raise ValueError("nothing to say: the text is empty")
        voice = self._voice(language)
        with self._lock:
            if self._closed:
                raise SpeechError("this speech backend is closed")
            handle, name = tempfile.mkstemp(suffix=".wav", dir=self._dir)
            os.close(handle)  # espeak-ng rewrites the file by name; mkstemp made it 0600
            path = Path(name)
            command = [self._exe, "-b", "1", "-v", voice, "-s", str(SLOW_WPM if slow else NORMAL_WPM),
                       "-w", str(path), "--stdin"]
            try:
                done = subprocess.run(command, input=text.encode("utf-8"),
                                      capture_output=True, timeout=TIMEOUT_SECONDS, check=False)
            except (OSError, subprocess.SubprocessError) as exc:
                path.unlink(missing_ok=True)
                raise SpeechError(f"espeak-ng failed to run ({type(exc).__name__})") from exc
        if done.returncode != 0 or _frames(path) == 0:
            path.unlink(missing_ok=True)
            # stderr names the voice or the file, never the text (it came on stdin).
            reason = done.stderr.decode("utf-8", "replace").strip()[:200]
            raise SpeechError(f"espeak-ng made no audio for a {language!r} utterance "
                              f"(exit {done.returncode}: {reason or 'no message'})")
        return path

    def discard(self, path: Path) -> None:
        if path.parent != self._dir:
            raise ValueError(f"{path} was not made by this speech backend")
        path.unlink(missing_ok=True)

    def close(self) -> None:
        """Delete every file not yet discarded, and refuse further work. Idempotent."""
        with self._lock:
            self._closed = True
            shutil.rmtree(self._dir, ignore_errors=True)


# ----- the test double ---------------------------------------------------------------------


class SpeechCall(NamedTuple):
    text: str
    language: str
    slow: bool


def write_silence(path: Path, seconds: float, *, rate: int = 8000) -> None:
    """A valid mono 16-bit WAV of silence (stdlib only), so a real player can play it."""
    frames = max(1, round(seconds * rate))
    with wave.open(str(path), "wb") as audio:
        audio.setnchannels(1)
        audio.setsampwidth(2)
        audio.setframerate(rate)
        audio.writeframes(b"\x00\x00" * frames)


class RecordingSpeech:
    """A fake backend that records every call and writes short silent WAVs.

    Tests assert on `calls` (what would have been said, in which language, how fast) and can
    make synthesis slow (`delay`) or a language fail (`missing`) to exercise the player.
    """

    def __init__(self, cache_dir: Path | None = None, *, seconds: float = 0.05,
                 delay: float = 0.0, missing: frozenset[str] = frozenset()) -> None:
        self.calls: list[SpeechCall] = []
        self.discarded: list[Path] = []
        self.seconds = seconds
        self.delay = delay
        self.missing = missing
        self._lock = threading.Lock()
        if cache_dir is not None:
            cache_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._dir = Path(tempfile.mkdtemp(prefix="speech-fake-", dir=cache_dir))
        self._closed = False

    @property
    def directory(self) -> Path:
        return self._dir

    def texts(self) -> list[str]:
        with self._lock:
            return [call.text for call in self.calls]

    def voice_for(self, language: str) -> str | None:
        return None if language in self.missing else f"recording-{language}"

    def synthesize(self, text: str, language: str, *, slow: bool) -> Path:
        if not text.strip():
            raise ValueError("nothing to say: the text is empty")
        with self._lock:
            self.calls.append(SpeechCall(text, language, slow))
            if self._closed:
                raise SpeechError("this speech backend is closed")
        if language in self.missing:
            raise VoiceMissing(f"no voice for {language!r} (RecordingSpeech missing=)")
        if self.delay:
            threading.Event().wait(self.delay)
        handle, name = tempfile.mkstemp(suffix=".wav", dir=self._dir)
        os.close(handle)
        path = Path(name)
        write_silence(path, self.seconds)
        return path

    def discard(self, path: Path) -> None:
        with self._lock:
            self.discarded.append(path)
        path.unlink(missing_ok=True)

    def close(self) -> None:
        with self._lock:
            self._closed = True
        shutil.rmtree(self._dir, ignore_errors=True)
