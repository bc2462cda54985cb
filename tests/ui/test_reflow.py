"""Every page, at every text size, in every language: nothing clipped, nothing overlapping,
every target at least 20 mm high (accessibility checklist: reflow and target size)."""

from __future__ import annotations

import pytest

from accessibility.languages import LANGUAGES
from kiosk.journey.pages import CheckAnswersPage, ExitPage, QuestionPage
from kiosk.journey.validation import DateParts
from kiosk.preferences import TEXT_SIZES, Preferences
from tests.ui.layout_checks import layout_problems
from ui.driving import page_name

VALID = {
    "text": "14", "textarea": "Some words about it", "email": "a@example.org",
    "phone": "07700900982", "postcode": "DE99 1AA", "number": "3",
    "date": DateParts("20", "11", "2026"),
}


def _check(kiosk, where: str, found: list[str]) -> None:
    kiosk.app.processEvents()
    theme = kiosk.theme
    gap = round(2 * theme.px_per_mm)  # 2 mm between targets
    found += [f"{where}: {p}" for p in layout_problems(kiosk.window, theme.target_px, gap)]


def _walk(kiosk, service_id: str, found: list[str]) -> None:
    window = kiosk.window
    window.choose_service(service_id)
    for _ in range(40):
        model = window.session.engine.current()
        where = f"{service_id}/{page_name(window)}"
        _check(kiosk, where, found)
        if isinstance(model, CheckAnswersPage):
            return
        if isinstance(model, ExitPage):
            window.back()
            current = window.session.engine.current()
            window.answer(current.page_id, current.options[1].value)
            continue
        assert isinstance(model, QuestionPage)
        if not model.optional:
            window.answer(model.page_id, () if model.qtype == "checkboxes" else "")
            _check(kiosk, where + " (error)", found)
        if model.qtype in ("radios", "yes_no"):
            value = model.options[0].value
        elif model.qtype == "checkboxes":
            value = (model.options[0].value,)
        else:
            value = VALID[model.qtype]
        window.answer(model.page_id, value)
    pytest.fail(f"{service_id} did not reach check answers")


@pytest.mark.parametrize("language", [lang.code for lang in LANGUAGES])
@pytest.mark.parametrize("size", TEXT_SIZES)
def test_every_page_reflows(make_kiosk, qtbot, size: str, language: str) -> None:
    kiosk = make_kiosk()
    window = kiosk.window
    window.set_preferences(Preferences(text_size=size, language=language))
    found: list[str] = []
    _check(kiosk, "attract", found)
    window.open_accessibility()
    _check(kiosk, "accessibility panel", found)
    window.close_accessibility()
    window.start()
    _check(kiosk, "menu", found)
    for service in window.session.services():
        _walk(kiosk, service.id, found)
        window.back()
        while window.session.engine is not None:
            window.back()
    # Check answers to confirmation, and the need-more-time warning.
    _walk(kiosk, "missed-bin", found)
    window.submit()
    qtbot.waitUntil(lambda: page_name(window) == "confirmation", timeout=20000)
    _check(kiosk, "confirmation", found)
    kiosk.clock.advance(kiosk.assembly.loaded.profile.session.idle_seconds + 1)
    window.idle.check()
    _check(kiosk, "need more time", found)
    assert found == [], "\n".join(found)
