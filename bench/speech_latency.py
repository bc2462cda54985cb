"""Benchmark: a page shown (the call to `SpeechPlayer.speak`) → its first audio handed to the
media player, against the bare `espeak-ng -w` command line measured in the same run.

The pages: every question page of every demo service, blank and with its errors, check
answers, confirmation and exit pages, the attract page and the service menu (~50 scripts,
made by `kiosk.announce`). Each sample times one `speak()` until the player's `first_audio`
signal; the rest of the page is then stopped, untimed, so every sample starts from silence.

The kiosk side: the real `SpeechPlayer` (worker thread, queued hand-over to the GUI thread,
`AudioOut.play`: WAV read, pushed to a `QAudioSink`) on the real `EspeakSpeech` (one `espeak-ng` process per
utterance, text on stdin), offscreen.

The baseline: for the same first utterance of each page, one bare `espeak-ng -v <voice> -s 170
-w <file> -- <text>` process: the synthesis alone, with nothing around it. For information,
two more rows time `EspeakSpeech.synthesize` alone (the synthesis share of the kiosk figure)
and pyttsx3's `save_to_file` + `runAndWait` on a warm engine (the library the kiosk does not
use; its rate of empty WAV files is counted, which is why).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from benchlib import Row, arguments, machine, median, percentile, report, use_repo_imports

if TYPE_CHECKING:
    from accessibility.speech import Utterance

GOAL_P95_MS = 100.0
TODAY = date(2026, 11, 23)
CLI_VOICES = {"en": "en-gb", "cy": "cy", "pl": "pl", "ur": "ur", "ro": "ro"}


def page_scripts() -> list[list[Utterance]]:
    """Speech scripts for the pages a resident meets, from the demo catalogue."""
    from accessibility.languages import Translator
    from kiosk.announce import attract_script, menu_script, script_for
    from kiosk.journey.engine import JourneyEngine
    from kiosk.journey.pages import CheckAnswersPage, ExitPage, PageModel, QuestionPage
    from kiosk.journey.validation import DateParts, RawAnswer
    from kiosk.profile import load_profile

    texts = Translator()
    loaded = load_profile(Path(__file__).resolve().parent.parent / "kiosk" / "demo"
                          / "profile.yaml")
    profile, catalogue = loaded.profile, loaded.catalogue
    good: dict[str, RawAnswer] = {
        "text": "Ivy Lodge", "textarea": "By the gate", "number": "3",
        "email": "ann@example.org", "phone": "07700 900123", "postcode": "NG7 2RD",
        "date": DateParts("20", "11", "2026"),
    }
    models: list[PageModel] = []
    for service in catalogue:
        engine = JourneyEngine(service, texts, lambda: TODAY)
        page: PageModel | None = engine.start()
        while isinstance(page, QuestionPage):
            models.append(page)
            question = service.page(page.page_id).question
            empty: RawAnswer = () if question.type == "checkboxes" else (
                DateParts() if question.type == "date" else "")
            if not question.optional:
                models.append(engine.answer(page.page_id, empty))  # the page with its errors
            raw: RawAnswer
            if question.type in ("radios", "yes_no"):
                raw = page.options[0].value if question.type == "radios" else "no"
                if question.type == "yes_no" and page.page_id == "wants_reply":
                    raw = "yes"
            elif question.type == "checkboxes":
                raw = (page.options[0].value,)
            else:
                raw = good[question.type]
            page = engine.answer(page.page_id, raw)
        if isinstance(page, ExitPage):
            models.append(page)
            page = engine.back()
            continue
        if isinstance(page, CheckAnswersPage):
            models.append(page)
            models.append(engine.finish("LR3386LF", True))
        for exit_page in service.exits:
            models.append(ExitPage(exit_page.id, service.title.get("en"),
                                   exit_page.title.get("en"), exit_page.body.get("en")))
    scripts = [script_for(m, texts, read_personal=False, printed=True) for m in models]
    council = profile.council.name.get("en")
    scripts.append(attract_script(texts, council, profile.site.name.get("en")))
    scripts.append(menu_script(texts, tuple(catalogue)))
    return scripts


def time_kiosk(scripts: list[list[Utterance]], cache: Path) -> list[float]:
    """speak() → first_audio, in ms, per page, on the real player and engine."""
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from accessibility.speech import EspeakSpeech
    from ui.speech import SpeechPlayer

    app = QApplication.instance() or QApplication([sys.argv[0]])
    speech = EspeakSpeech(cache)
    player = SpeechPlayer(speech)
    loop = QEventLoop()
    got: list[float] = []

    def first(at: float) -> None:
        got.append(at)
        loop.quit()

    player.first_audio.connect(first)
    timer = QTimer()
    timer.setSingleShot(True)
    timer.timeout.connect(loop.quit)
    samples: list[float] = []
    try:
        for index, script in enumerate([scripts[0], *scripts]):  # the first is a warm-up
            got.clear()
            timer.start(5000)
            started = time.monotonic()
            player.speak(script, slow=False)
            if not got:
                loop.exec()
            timer.stop()
            if not got:
                raise RuntimeError(f"no audio within 5 s for page {index}")
            if index > 0:
                samples.append((got[0] - started) * 1000)
            player.stop()
            app.processEvents()
    finally:
        player.shutdown()
        speech.close()
    return samples


def time_cli(scripts: list[list[Utterance]], scratch: Path) -> list[float]:
    """The bare command line, one process per page's first utterance, in ms."""
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        raise SystemExit("espeak-ng is not installed")
    samples: list[float] = []
    out = scratch / "cli.wav"
    for index, script in enumerate([scripts[0], *scripts]):
        first = script[0]
        command = [espeak, "-v", CLI_VOICES[first.language], "-s", "170", "-w", str(out),
                   "--", first.text]
        started = time.monotonic()
        subprocess.run(command, check=True, stdin=subprocess.DEVNULL)
        if index > 0:
            samples.append((time.monotonic() - started) * 1000)
        out.unlink()
    return samples


def time_synthesis(scripts: list[list[Utterance]], cache: Path) -> list[float]:
    """EspeakSpeech.synthesize alone for each page's first utterance, in ms."""
    from accessibility.speech import EspeakSpeech

    speech = EspeakSpeech(cache)
    samples: list[float] = []
    try:
        for index, script in enumerate([scripts[0], *scripts]):
            first = script[0]
            started = time.monotonic()
            path = speech.synthesize(first.text, first.language, slow=False)
            if index > 0:
                samples.append((time.monotonic() - started) * 1000)
            speech.discard(path)
    finally:
        speech.close()
    return samples


def time_pyttsx3(scripts: list[list[Utterance]], scratch: Path, rounds: int
                 ) -> tuple[list[float], int, int] | None:
    """pyttsx3 `save_to_file` + `runAndWait` on one warm engine, in ms; and how many of the
    files came out empty. None when pyttsx3 is not installed."""
    import contextlib
    import io
    import wave

    try:
        from pyttsx3 import Engine  # type: ignore[import-untyped]
    except ImportError:
        return None
    engine = Engine("espeak")
    out = scratch / "pyttsx3.wav"
    samples: list[float] = []
    empty = 0
    for _ in range(rounds):
        for script in scripts:
            out.write_bytes(b"")
            started = time.monotonic()
            # As a kiosk would, per utterance: its language and speed can change any time.
            engine.setProperty("voice", "gmw/en")
            engine.setProperty("rate", 170)
            engine.save_to_file(script[0].text, str(out))
            with contextlib.redirect_stdout(io.StringIO()):  # it prints a line per file
                engine.runAndWait()
            samples.append((time.monotonic() - started) * 1000)
            try:
                with wave.open(str(out), "rb") as audio:
                    empty += audio.getnframes() == 0
            except (EOFError, wave.Error):
                empty += 1
    return samples, empty, len(samples)


def main() -> None:
    args = arguments(__doc__.splitlines()[0] if __doc__ else "speech latency").parse_args()
    use_repo_imports()
    scripts = page_scripts()
    if args.quick:
        scripts = scripts[:5]
    with tempfile.TemporaryDirectory(prefix="bench-speech-") as tmp:
        scratch = Path(tmp)
        # The baseline runs before and after the rest, so drift in machine load shows in both.
        cli = time_cli(scripts, scratch)
        kiosk = time_kiosk(scripts, scratch / "kiosk")
        synth = time_synthesis(scripts, scratch / "synth")
        cli += time_cli(scripts, scratch)
        library = time_pyttsx3(scripts, scratch, rounds=1 if args.quick else 10)
    first_words = [len(s[0].text.split()) for s in scripts]
    rows = [
        Row("speech_latency", "page shown → first audio to player, p50", median(kiosk), "ms",
            median(cli)),
        Row("speech_latency", "page shown → first audio to player, p95",
            percentile(kiosk, 95), "ms", percentile(cli, 95), goal=f"≤ {GOAL_P95_MS:.0f} ms",
            met=percentile(kiosk, 95) <= GOAL_P95_MS),
        Row("speech_latency", "page shown → first audio to player, max", max(kiosk), "ms",
            max(cli)),
        Row("speech_latency", "EspeakSpeech.synthesize (CLI, stdin), p50", median(synth), "ms",
            median(cli), note="information: the synthesis share of the figure above"),
        Row("speech_latency", "EspeakSpeech.synthesize (CLI, stdin), p95",
            percentile(synth, 95), "ms", percentile(cli, 95)),
    ]
    notes = []
    if library is not None:
        lib_samples, empty, total = library
        rows += [
            Row("speech_latency", "pyttsx3 save_to_file+runAndWait (unused), p50",
                median(lib_samples), "ms", median(cli)),
            Row("speech_latency", "pyttsx3 save_to_file+runAndWait (unused), p95",
                percentile(lib_samples, 95), "ms", percentile(cli, 95)),
        ]
        notes.append(f"pyttsx3: {empty} of {total} files came out empty (0 frames)")
    facts = machine()
    report(rows, args.json, extra=[
        *notes,
        f"pages: {len(scripts)} speech scripts (first utterance {min(first_words)}–"
        f"{max(first_words)} words, median {median(first_words):.0f}); "
        f"kiosk samples {len(kiosk)}, CLI samples {len(cli)} (two passes)",
        "baseline: one `espeak-ng -v <voice> -s 170 -w FILE -- TEXT` process per page's "
        "first utterance",
        f"machine: {facts['nproc']} × {facts['CPU']}, {facts['OS']}, "
        f"PySide6 {facts['PySide6']}",
    ])


if __name__ == "__main__":
    main()
