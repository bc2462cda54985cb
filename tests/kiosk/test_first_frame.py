"""The remembered first frame: only for the exact bytes of a profile validated before."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.first_frame import FILE_NAME, FirstFrame, remember, remembered
from kiosk.profile import load_device_profile
from tests.kiosk_fixtures import demo_profile_copy


@pytest.fixture
def profile(tmp_path: Path) -> Path:
    return demo_profile_copy(tmp_path)


def test_nothing_is_remembered_until_a_profile_has_been_validated(profile: Path,
                                                                  tmp_path: Path) -> None:
    state = tmp_path / "state"
    assert remembered(profile, state) is None
    frame = FirstFrame.of(load_device_profile(profile))
    remember(profile, state, frame)
    assert remembered(profile, state) == frame
    assert frame.council("cy") == "Cyngor Bwrdeistref Demo"
    assert frame.site("pl") == "Central Library"
    assert stat.S_IMODE((state / FILE_NAME).stat().st_mode) == 0o600
    assert [p.name for p in state.iterdir()] == [FILE_NAME]  # no temporary file left


def test_any_change_to_the_profile_forgets_it(profile: Path, tmp_path: Path) -> None:
    state = tmp_path / "state"
    remember(profile, state, FirstFrame.of(load_device_profile(profile)))
    profile.write_text(profile.read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8")
    assert remembered(profile, state) is None


@pytest.mark.parametrize("stored", ["not json", '{"fingerprint": 3}', '[]',
                                    '{"fingerprint": "x", "frame": {}}'])
def test_an_unreadable_or_foreign_copy_is_ignored(profile: Path, tmp_path: Path,
                                                  stored: str) -> None:
    state = tmp_path / "state"
    state.mkdir()
    (state / FILE_NAME).write_text(stored, encoding="utf-8")
    assert remembered(profile, state) is None


def test_a_copy_with_the_right_key_but_missing_fields_is_ignored(profile: Path,
                                                                 tmp_path: Path) -> None:
    state = tmp_path / "state"
    remember(profile, state, FirstFrame.of(load_device_profile(profile)))
    record = json.loads((state / FILE_NAME).read_text(encoding="utf-8"))
    del record["frame"]["council_name"]
    (state / FILE_NAME).write_text(json.dumps(record), encoding="utf-8")
    assert remembered(profile, state) is None


def test_a_profile_made_bad_after_it_was_remembered_fails_before_anything_shows(
        profile: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    state = tmp_path / "state"
    remember(profile, state, FirstFrame.of(load_device_profile(profile)))
    text = profile.read_text(encoding="utf-8").replace("width_px: 1920", "width_px: 10")
    if text == profile.read_text(encoding="utf-8"):
        text += "display:\n  width_px: 10\n"
    profile.write_text(text, encoding="utf-8")
    monkeypatch.setenv("DISPLAY", ":0")
    code = main(["run", "--profile", str(profile), "--state-dir", str(state)])
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("The profile cannot be used.")
    assert "width_px" in err


def test_a_failed_write_costs_only_the_head_start(profile: Path, tmp_path: Path,
                                                  caplog: pytest.LogCaptureFixture,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    state = tmp_path / "state"

    def full_disk(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("kiosk.first_frame.os.replace", full_disk)
    remember(profile, state, FirstFrame.of(load_device_profile(profile)))
    assert "could not keep the first frame for the next start (OSError)" in caplog.text
    assert remembered(profile, state) is None
    assert list(state.iterdir()) == []  # the half-written temporary file is gone too
