"""The profile's optional `calls` section: hours, limits, interpreters; mistakes name the
field; production refuses Chromium's made-up camera."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from kiosk.calls.hours import is_open
from kiosk.calls.settings import CallSettings
from kiosk.config_errors import ConfigError
from kiosk.profile import load_profile
from tests.kiosk.test_profile_lookups import profile_with
from tests.kiosk_fixtures import demo_profile_copy, production_secrets

HOURS = [{"days": ["mon", "tue", "wed", "thu", "fri"], "opens": "09:00", "closes": "17:00"},
         {"days": ["sat"], "opens": "10:00", "closes": "13:00"}]


def test_the_demo_has_calls_at_any_hour(tmp_path: Path) -> None:
    settings = load_profile(demo_profile_copy(tmp_path)).profile.calls
    assert settings is not None
    assert settings.fake_media
    assert "bfi" in settings.interpreter_languages


@pytest.mark.parametrize(("moment", "open_"), [
    (datetime(2026, 11, 23, 8, 59, tzinfo=UTC), False),   # Monday, GMT
    (datetime(2026, 11, 23, 9, 0, tzinfo=UTC), True),
    (datetime(2026, 11, 23, 16, 59, tzinfo=UTC), True),
    (datetime(2026, 11, 23, 17, 0, tzinfo=UTC), False),   # closing time itself is closed
    (datetime(2026, 6, 1, 8, 30, tzinfo=UTC), True),      # Monday 09:30 BST
    (datetime(2026, 6, 1, 16, 30, tzinfo=UTC), False),    # Monday 17:30 BST
    (datetime(2026, 11, 28, 12, 59, tzinfo=UTC), True),   # Saturday
    (datetime(2026, 11, 29, 12, 0, tzinfo=UTC), False),   # Sunday
    (datetime(2026, 12, 25, 12, 0, tzinfo=UTC), False),   # Friday, a closed date
])
def test_opening_hours_in_uk_time(moment: datetime, open_: bool) -> None:
    settings = CallSettings.model_validate({"opening_hours": HOURS,
                                            "closed_dates": ["2026-12-25"]})
    assert is_open(settings, moment) is open_


@pytest.mark.parametrize(("section", "field", "expected"), [
    ({"opening_hours": []}, "calls", "at least one row"),
    ({"opening_hours": [{"days": ["mon"], "opens": "9am", "closes": "17:00"}]},
     "calls.opening_hours[0].opens", "HH:MM"),
    ({"opening_hours": [{"days": ["mon"], "opens": "17:00", "closes": "09:00"}]},
     "calls.opening_hours[0]", "later than opens"),
    ({"opening_hours": [{"days": ["monday"], "opens": "09:00", "closes": "17:00"}]},
     "calls.opening_hours[0].days[0]", "mon"),
    ({"opening_hours": HOURS, "answer_limit_seconds": 5}, "calls.answer_limit_seconds", "30"),
    ({"opening_hours": HOURS, "interpreter_languages": ["Polish"]},
     "calls.interpreter_languages", "lower-case"),
    ({"opening_hours": HOURS, "fake_media": True}, "calls.fake_media", "production"),
])
def test_mistakes_name_the_field(tmp_path: Path, section: dict[str, object], field: str,
                                 expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_profile(profile_with(tmp_path, calls=section, mode="production",
                                  demo_quit_shortcut=False, lookups=None),
                     secrets=production_secrets())
    found = {p.path: p.expected for p in info.value.problems}
    assert field in found, found
    assert len([path for path in found if path.startswith("calls")]) == 1, found
    assert expected.lower() in found[field].lower()
