"""The profile's `lookups` section: the backend it names is the one assembled, the fake stays
out of production, and every mistake names the field with what was expected."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

import kiosk
from kiosk.assembly import assemble
from kiosk.config_errors import ConfigError
from kiosk.lookups import FakeLookup, HubLookup, make_lookup
from kiosk.lookups.request_status import TrackingLookup
from kiosk.lookups.settings import HubLookupSettings
from kiosk.profile import load_profile
from tests.kiosk_fixtures import (
    demo_profile_copy,
    production_secrets,
    secrets_as_references,
    without_demo_devices,
)

HUB = {"type": "hub", "endpoint": "http://127.0.0.1:8311/kiosk/v1", "api_key": "demo-kiosk-key"}


def profile_with(tmp_path: Path, **sections: Any) -> Path:
    path = demo_profile_copy(tmp_path)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if sections.get("mode") == "production":
        without_demo_devices(data)
    data.update(sections)
    if data.get("mode") == "production":
        secrets_as_references(data)  # a production profile names its secrets
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def problems(path: Path) -> dict[str, tuple[str, str, int | None]]:
    with pytest.raises(ConfigError) as info:
        load_profile(path, secrets=production_secrets())
    return {p.path: (p.expected, p.found, p.line) for p in info.value.problems}


def test_demo_profile_asks_the_demo_hub() -> None:
    profile = load_profile(Path(kiosk.__file__).parent / "demo" / "profile.yaml").profile
    assert isinstance(profile.lookups, HubLookupSettings)
    assert str(profile.lookups.endpoint) == "http://127.0.0.1:8311/kiosk/v1"
    assert profile.lookups.api_key == "demo-kiosk-key"
    assert profile.lookups.timeout_seconds == 5


def test_the_named_backend_is_assembled_and_closed(tmp_path: Path) -> None:
    loaded = load_profile(profile_with(tmp_path, lookups={**HUB, "timeout_seconds": 3,
                                                          "connect_timeout_seconds": 1}))
    assembly = assemble(loaded, tmp_path / "state", deliver_immediately=False)
    try:
        tracking = assembly.parts.lookup
        # Track my request's outbox answers first, the profile's backend for the rest.
        assert isinstance(tracking, TrackingLookup)
        lookup = tracking.inner
        assert isinstance(lookup, HubLookup)
        assert lookup.timeout_seconds == 3
    finally:
        assembly.close()
    fake = load_profile(profile_with(tmp_path, lookups={"type": "fake", "timeout_seconds": 2}))
    built = make_lookup(fake.profile.lookups)
    assert isinstance(built, FakeLookup)
    assert built.timeout_seconds == 2


def test_no_section_means_no_lookup(tmp_path: Path) -> None:
    path = demo_profile_copy(tmp_path)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    del data["lookups"]
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    loaded = load_profile(path)
    assert loaded.profile.lookups is None
    assert make_lookup(None) is None


def test_the_fake_is_refused_in_production(tmp_path: Path) -> None:
    path = profile_with(tmp_path, mode="production", demo_quit_shortcut=False,
                        printer={"type": "file"}, card_reader={"type": "none"},
                        lookups={"type": "fake"})
    found = problems(path)
    assert set(found) == {"lookups.type"}
    expected, value, line = found["lookups.type"]
    assert expected == "hub when mode is production"
    assert value == "fake"
    assert line is not None
    assert path.read_text(encoding="utf-8").splitlines()[line - 1].strip() == "type: fake"


@pytest.mark.parametrize(("section", "field", "expected", "found"), [
    ({**HUB, "type": "gazetteer"}, "lookups.type", "one of 'hub', 'fake'", "'gazetteer'"),
    ({"type": "hub", "endpoint": HUB["endpoint"]}, "lookups.api_key", "this field", "nothing"),
    ({**HUB, "api_key": ""}, "lookups.api_key", "at least 1 character", "a value that is not shown"),
    ({**HUB, "endpoint": "127.0.0.1:8311"}, "lookups.endpoint", "a URL", "'127.0.0.1:8311'"),
    ({**HUB, "endpoint": "http://hub/kiosk/v1?key=1"}, "lookups.endpoint",
     "a URL with no ?query or #fragment", "'http://hub/kiosk/v1?key=1'"),
    ({**HUB, "timeout_seconds": 0}, "lookups.timeout_seconds", "a number > 0", "0"),
    ({**HUB, "timeout_seconds": 120}, "lookups.timeout_seconds", "a number <= 30", "120"),
    ({**HUB, "timeout_seconds": 2, "connect_timeout_seconds": 3},
     "lookups.connect_timeout_seconds", "at most timeout_seconds (2)", "3"),
    ({**HUB, "timeout": 5}, "lookups.timeout", "no such field (check the spelling)",
     "an unknown field 'timeout'"),
    ({"type": "fake", "endpoint": HUB["endpoint"]}, "lookups.endpoint",
     "no such field (check the spelling)", "an unknown field 'endpoint'"),
])
def test_bad_lookups_section(tmp_path: Path, section: dict[str, Any], field: str,
                             expected: str, found: str) -> None:
    reported = problems(profile_with(tmp_path, lookups=section))
    assert field in reported, reported
    got_expected, got_found, line = reported[field]
    assert expected in got_expected
    assert got_found.startswith(found)
    assert line is not None
