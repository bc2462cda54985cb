"""The profile's optional `heartbeat` section: absent means no heartbeats; present, the relay
beats to `{endpoint}/heartbeat` when the terminal is enrolled; mistakes name the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.assembly import make_heartbeat, open_outbox
from kiosk.config_errors import ConfigError
from kiosk.profile import load_profile
from tests.kiosk.test_profile_lookups import profile_with
from tests.kiosk_fixtures import demo_profile_copy, production_secrets, seal_beside

HUB = "http://127.0.0.1:8311/kiosk/v1"


def test_no_section_no_heartbeats(tmp_path: Path) -> None:
    loaded = load_profile(demo_profile_copy(tmp_path))
    assert loaded.profile.heartbeat is None
    with open_outbox(tmp_path / "state") as outbox:
        assert make_heartbeat(loaded, tmp_path / "state", outbox) is None


def test_the_section_with_its_default_interval(tmp_path: Path) -> None:
    loaded = load_profile(profile_with(tmp_path, heartbeat={"endpoint": HUB + "/"}))
    settings = loaded.profile.heartbeat
    assert settings is not None
    assert settings.interval_seconds == 60
    assert settings.url == HUB + "/heartbeat"


def test_an_enrolled_terminal_beats_and_one_not_enrolled_says_so(tmp_path: Path, caplog) -> None:
    path = profile_with(tmp_path, heartbeat={"endpoint": HUB, "interval_seconds": 5})
    loaded = load_profile(path)
    state = tmp_path / "state"
    with open_outbox(state) as outbox:
        assert make_heartbeat(loaded, state, outbox) is None
        assert "no heartbeats: this device is not enrolled" in caplog.text
        seal_beside(path, state, {})
        sender = make_heartbeat(loaded, state, outbox)
        assert sender is not None
        assert sender.url == HUB + "/heartbeat"
        assert sender.interval == 5


@pytest.mark.parametrize(("section", "field", "expected"), [
    ({"endpoint": HUB, "interval_seconds": 0}, "heartbeat.interval_seconds", "a number >= 1"),
    ({"endpoint": "hub.example"}, "heartbeat.endpoint", "URL"),
    ({"endpoint": HUB + "?key=1"}, "heartbeat.endpoint", "no ?query"),
    ({"endpoint": HUB, "colour": "red"}, "heartbeat.colour", ""),
])
def test_mistakes_name_the_field(tmp_path: Path, section: dict[str, object], field: str,
                                 expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_profile(profile_with(tmp_path, heartbeat=section), secrets=production_secrets())
    found = {p.path: p.expected for p in info.value.problems}
    assert field in found, found
    assert expected.lower() in found[field].lower()
