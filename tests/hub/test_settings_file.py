"""The hub's settings file (`--settings`, KIOSK_HUB_SETTINGS): per-destination sections for
tracking, checked field by field, and keys never echoed back."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.settings import load_settings

SECRET = "s3cret-county-key-do-not-print"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "settings.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_destinations_from_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, f"""
destinations:
  county:
    endpoint: https://county.example.gov.uk/open311/v2/
    api_key: {SECRET}
    jurisdiction_id: county.example.gov.uk
    format: xml
    cache_seconds: 30
  district:
    endpoint: http://127.0.0.1:9000/open311/v2
""")
    settings = load_settings(["--settings", str(path)], {})
    county = settings.destinations["county"]
    assert county.base() == "https://county.example.gov.uk/open311/v2"
    assert county.api_key is not None
    assert county.api_key.get_secret_value() == SECRET
    assert (county.format, county.cache_seconds, county.timeout_seconds) == ("xml", 30, 3.0)
    assert settings.destinations["district"].api_key is None
    assert SECRET not in repr(settings)
    from_env = load_settings([], {"KIOSK_HUB_SETTINGS": str(path)})
    assert set(from_env.destinations) == {"county", "district"}


def test_no_file_no_destinations() -> None:
    assert load_settings([], {}).destinations == {}


@pytest.mark.parametrize(("text", "said"), [
    ("destinations:\n  county:\n    endpoint: not a url\n    api_key: KEY\n",
     "destinations.county.endpoint"),
    ("destinations:\n  county:\n    endpoint: https://x.example\n    api_key: [KEY]\n",
     "destinations.county.api_key"),
    ("destinations:\n  county:\n    endpoint: https://x.example\n    apikey: KEY\n",
     "destinations.county.apikey: Extra inputs are not permitted"),
    ("destinations:\n  county:\n    endpoint: https://x.example\n    format: csv\n"
     "    api_key: KEY\n", "destinations.county.format"),
    ("destinations:\n  county:\n    endpoint: https://x.example\n    timeout_seconds: 600\n"
     "    api_key: KEY\n", "destinations.county.timeout_seconds"),
    ("destinations:\n  'bad name!':\n    endpoint: https://x.example\n    api_key: KEY\n",
     "names are letters, digits"),
    ("destinations: [KEY]\n", "destinations"),
    ("destinations:\n  county: {endpoint: [KEY\n", "not valid YAML at line"),
])
def test_a_bad_file_names_the_field_never_the_key(tmp_path: Path, text: str, said: str,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, text.replace("KEY", SECRET))
    with pytest.raises(SystemExit) as stopped:
        load_settings(["--settings", str(path)], {})
    assert stopped.value.code == 2
    error = capsys.readouterr().err
    assert str(path) in error
    assert said in error
    assert SECRET not in error


def test_a_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        load_settings(["--settings", str(tmp_path / "nope.yaml")], {})
    assert "cannot read it" in capsys.readouterr().err
