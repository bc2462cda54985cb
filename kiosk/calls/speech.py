"""What the call screens say aloud, in page order, buttons last (`kiosk.announce` hands them
here). The live call says only its buttons: the advisor is talking."""

from __future__ import annotations

from accessibility.speech import Utterance
from kiosk.calls.screens import (
    CallConsentScreen,
    CallLiveScreen,
    CallOverScreen,
    CallQueueScreen,
    CallScreen,
)
from kiosk.calls.words import hours_lines, interpreter_name, over_words, queue_lines
from kiosk.journey.speech import Script
from kiosk.texts import Texts


def call_script(screen: CallScreen, texts: Texts) -> list[Utterance]:
    script = Script(texts)
    if isinstance(screen, CallConsentScreen):
        script.say("title", texts("call.consent.title"))
        script.say("body", texts("call.consent.body"))
        script.say("camera-hint", texts("call.consent.camera_hint"))
        if screen.interpreter_languages:
            script.say("interpreter-question", texts("call.consent.interpreter_question"))
            script.say("option:none", texts("call.consent.no_interpreter"))
            for code in screen.interpreter_languages:
                script.say(f"option:{code}", interpreter_name(code, texts))
        if screen.share_service is not None:
            script.say("share-question", texts("call.consent.share_question",
                                               service=screen.share_service))
            script.say("option:share-yes", texts("call.consent.share_yes"))
            script.say("option:share-no", texts("call.consent.share_no"))
        script.say("button:join", texts("call.consent.join"))
        script.say("button:go-back", texts("call.go_back"))
    elif isinstance(screen, CallQueueScreen):
        script.say("title", texts("call.queue.title"))
        for item, words in queue_lines(screen, texts):
            script.say(item, words)
        script.say("button:leave", texts("call.queue.leave"))
    elif isinstance(screen, CallLiveScreen):
        script.say("title", texts("call.live.connecting"))
        script.say("button:mute", texts("call.live.mute"))
        script.say("button:camera", texts("call.live.camera_off"))
        script.say("button:end", texts("call.live.end"))
    else:
        _over(script, screen, texts)
    return script.utterances


def _over(script: Script, screen: CallOverScreen, texts: Texts) -> None:
    title, body = over_words(screen, texts)
    script.say("title", title)
    script.say("body", body)
    if screen.reason in ("out_of_hours", "no_answer", "unavailable"):
        script.say("hours-title", texts("call.hours.title"))
        for index, (day, times) in enumerate(hours_lines(screen.hours, texts)):
            script.say(f"hours-{index}", f"{day}: {times}")
    if screen.can_call_back:
        script.say("button:call-back", texts("call.over.call_back"))
    script.say("button:go-back", texts("call.go_back"))
