"""What the save-and-come-back screens say aloud, in page order, buttons last
(`kiosk.announce` hands them here); the views in ui/pages/saved.py show the same words.
The memorable word is never said (it is typed, and a kiosk is a public place); the reference
is spelled out, letter by letter, as the confirmation's is."""

from __future__ import annotations

from accessibility.speech import Utterance
from kiosk.journey.speech import Script, spell
from kiosk.saved.screens import (
    ResumeGoneScreen,
    ResumeScreen,
    SavedDoneScreen,
    SavedScreen,
    SavedWaitScreen,
    SaveWordScreen,
)
from kiosk.saved.words import come_back_by
from kiosk.texts import Texts


def word_error(screen: SaveWordScreen, texts: Texts) -> str | None:
    if screen.failed:
        return texts("saved.word.failed")
    return texts(f"saved.word.{screen.error}") if screen.error else None


def resume_error(screen: ResumeScreen, texts: Texts) -> str | None:
    if screen.error == "wrong":
        return (texts("saved.resume.wrong_one") if screen.tries_left == 1
                else texts("saved.resume.wrong", tries=str(screen.tries_left or 0)))
    return texts(f"saved.resume.{screen.error}") if screen.error else None


def done_lines(screen: SavedDoneScreen, texts: Texts) -> list[tuple[str, str]]:
    return [("come-back-by", texts("saved.come_back_by",
                                    date=come_back_by(screen.come_back_by, texts))),
            ("slip", texts("saved.done.printed" if screen.printed else "saved.done.not_printed"))]


def saved_script(screen: SavedScreen, texts: Texts) -> list[Utterance]:
    script = Script(texts)
    if isinstance(screen, SaveWordScreen):
        error = word_error(screen, texts)
        if error:
            script.errors([("word", error)])
        script.say("caption", screen.service_title)
        script.say("title", texts("saved.word.title"))
        script.say("hint", texts("saved.word.hint"))
        script.say("field:word", texts("saved.word.label"))
        script.say("button:save", texts("saved.word.save"))
        script.say("button:go-back", texts("saved.go_back"))
    elif isinstance(screen, SavedWaitScreen):
        script.say("title", texts("saved.waiting.resuming" if screen.resuming
                                  else "saved.waiting.saving"))
    elif isinstance(screen, SavedDoneScreen):
        script.say("title", texts("saved.done.title"))
        script.say("reference-label", texts("saved.reference_label"))
        script.say("reference", spell(screen.reference))
        for item, words in done_lines(screen, texts):
            script.say(item, words)
        script.say("button:finish", texts("saved.done.finish"))
    elif isinstance(screen, ResumeScreen):
        error = resume_error(screen, texts)
        if error:
            script.errors([("reference", error)])
        script.say("title", texts("saved.resume.title"))
        script.say("hint", texts("saved.resume.hint"))
        script.say("field:reference", texts("saved.resume.reference"))
        script.say("field:word", texts("saved.word.label"))
        script.say("button:continue", texts("nav.continue"))
        script.say("button:go-back", texts("saved.go_back"))
    else:
        assert isinstance(screen, ResumeGoneScreen)
        script.say("title", texts("saved.gone.title"))
        script.say("body", texts("saved.gone.body"))
        script.say("button:go-back", texts("saved.go_back"))
    return script.utterances
