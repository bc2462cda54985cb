"""R1–R3: after every way a session can end, nothing the resident typed survives.

A unique canary goes into every field (also as a wrong answer first, so rejected input is
covered), into the clipboard, and then each end path runs: finish, timeout, start again.
"""

from __future__ import annotations

import base64
import logging
import shutil
from pathlib import Path

import pytest
import yaml
from PySide6.QtGui import QClipboard, QGuiApplication
from PySide6.QtWidgets import QLabel, QLineEdit, QPlainTextEdit

from kiosk.journey.pages import CheckAnswersPage, ExitPage, QuestionPage, WaitingPage
from tests.kiosk.eligibility_service import SERVICE_DATA
from tests.kiosk_fixtures import DEMO
from tests.ui.test_staff_ui import panel_shown, reader_of
from ui.demo_controls import DEMO_STAFF_CARD
from ui.driving import page_name, tap, type_text, widget
from ui.wipe import leftovers

CANARY = "cnryq7x2zz"


def _fill(qtbot, kiosk, model: QuestionPage) -> None:
    window = kiosk.window
    q = model.qtype
    if q == "address_list":  # the canary goes into the address typed by hand
        tap(window, "option-not_listed")
    elif q == "address_manual":
        type_text(window, "answer-line1", CANARY)
        type_text(window, "answer-town", "Demo Town")
    elif q in ("radios", "yes_no") or q == "checkboxes":
        tap(window, f"option-{model.options[0].value}")
    elif q == "date":
        type_text(window, "answer-day", CANARY)
        tap(window, "continue")
        for part in ("day", "month", "year"):
            widget(window, f"answer-{part}").setText("")
        type_text(window, "answer-day", "20")
        type_text(window, "answer-month", "11")
        # A date of birth: old enough for the applications that ask one (issue 13's).
        type_text(window, "answer-year", "1950" if model.personal else "2026")
    else:
        type_text(window, "answer", CANARY + " " * (q == "textarea"))
        edit = widget(window, "answer")
        if isinstance(edit, QLineEdit):
            edit.selectAll()
            edit.copy()  # a resident may copy with Ctrl+C: the clipboard must be wiped too
        valid = {
            "email": f"{CANARY}@example.org", "postcode": "DE99 1AA", "phone": "07700 900982",
            "number": "3", "address": "DE99 1AB", "ni_number": "ab 12 34 56 c",
        }.get(q)
        if valid is not None:
            tap(window, "continue")  # rejected: the canary stays on the page as typed
            fresh = widget(window, "answer")
            assert isinstance(fresh, QLineEdit)
            fresh.selectAll()
            fresh.del_()
            type_text(window, "answer", valid)
        else:
            assert isinstance(edit, QLineEdit | QPlainTextEdit)
            if isinstance(edit, QPlainTextEdit):
                edit.selectAll()
                edit.copy()
    tap(window, "continue")


def _walk_to_check_answers(qtbot, kiosk, service_id: str, *, staff: bool = False) -> None:
    window = kiosk.window
    tap(window, "start")
    if staff:  # a staff card on the reader for the whole visit; the panel is put away
        reader_of(kiosk).insert(DEMO_STAFF_CARD)
        qtbot.waitUntil(lambda: panel_shown(window))
        tap(window, "staffClose")
    tap(window, f"service-{service_id}")
    for _ in range(40):
        model = window.session.engine.current()
        if isinstance(model, CheckAnswersPage):
            return
        if isinstance(model, ExitPage):
            tap(window, "back")
            current = window.session.engine.current()
            tap(window, f"option-{current.options[1].value}")
            tap(window, "continue")
            continue
        if isinstance(model, WaitingPage):  # the addresses at the postcode, looked up
            qtbot.waitUntil(lambda: not page_name(window).startswith("waiting"), timeout=5000)
            continue
        assert isinstance(model, QuestionPage)
        _fill(qtbot, kiosk, model)
    pytest.fail(f"{service_id}: never reached check answers (stuck on {model})")


def _forms(text: str) -> list[bytes]:
    raw = text.encode()
    return [raw, text.encode("utf-16-le"), base64.b64encode(raw), text.upper().encode()]


def _with_application(tmp_path: Path) -> dict[str, object]:
    """Profile overrides: the demo's services plus issue 13's test application (computed
    values, a page shown only when it applies, an NI number, evidence and the staff page)."""
    folder = tmp_path / "catalogue"
    shutil.copytree(DEMO / "catalogue", folder)
    (folder / "pass-test.yaml").write_text(yaml.safe_dump(SERVICE_DATA), encoding="utf-8")
    return {"catalogue": {"path": str(folder), "services": ["pass-test", "feedback"]}}


@pytest.mark.parametrize("ending", ["finish", "timeout", "start_again"])
@pytest.mark.parametrize("service_id", ["missed-bin", "street-problem", "feedback",
                                        "pass-test", "pass-test-assisted"])
def test_nothing_survives_the_session(make_kiosk, qtbot, clock, tmp_path: Path, caplog,
                                      service_id: str, ending: str) -> None:
    caplog.set_level(logging.DEBUG)
    assisted = service_id.endswith("-assisted")
    service_id = service_id.removesuffix("-assisted")
    kiosk = make_kiosk(**(_with_application(tmp_path) if service_id == "pass-test" else {}))
    window = kiosk.window
    _walk_to_check_answers(qtbot, kiosk, service_id, staff=assisted)
    if assisted:  # the staff page was on the route, and what staff ticked is on check answers
        assert window.session.engine.answers().get("evidence_seen") == ("photo",)
    evidence = ["A recent photo of you", "Proof of your address"]  # the address typed by hand
    if service_id == "pass-test":  # check answers lists what to bring or post
        assert widget(window, "evidenceHeading").text() == "What you need to bring or post"
        assert [widget(window, f"evidence-{n}").text() for n in range(2)] == evidence
    shown = [lbl.text() for lbl in window.findChildren(QLabel) if lbl.objectName().startswith("value-")]
    assert any(CANARY in text for text in shown)  # the canary really was entered
    assert QGuiApplication.clipboard().text(QClipboard.Mode.Clipboard)  # the copy happened
    if ending == "finish":
        tap(window, "submit")
        qtbot.waitUntil(lambda: page_name(window) == "confirmation", timeout=15000)
        if service_id == "pass-test":  # and so does the confirmation page
            assert [widget(window, f"evidence-{n}").text() for n in range(2)] == evidence
        tap(window, "finish")
    elif ending == "timeout":
        idle = kiosk.assembly.loaded.profile.session
        clock.advance(idle.idle_seconds + 1)
        window.idle.check()
        assert window.timeout_overlay.isVisible()
        clock.advance(idle.warning_seconds + 1)
        window.idle.check()
    else:
        tap(window, "startAgain")
    qtbot.waitUntil(lambda: page_name(window) == "attract", timeout=5000)
    assert not window.fault_overlay.isVisible()
    assert leftovers((CANARY, CANARY.upper())) == []
    assert window.session.engine is None
    for mode in (QClipboard.Mode.Clipboard, QClipboard.Mode.Selection):
        assert CANARY not in QGuiApplication.clipboard().text(mode)
    for path in tmp_path.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for form in _forms(CANARY):
                assert form not in data, f"canary found in {path}"
    assert CANARY not in caplog.text
