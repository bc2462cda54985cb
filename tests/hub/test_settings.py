"""Settings come from flags, then KIOSK_HUB_* variables, then defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.settings import HubSettings, demo_catalogue_dir, load_settings


def test_defaults(tmp_path: Path) -> None:
    settings = load_settings([], {"XDG_STATE_HOME": str(tmp_path)})
    assert settings.host == "127.0.0.1"
    assert settings.port == 8311
    assert settings.database_url == f"sqlite:///{tmp_path / 'civic-kiosk-hub' / 'hub.db'}"
    assert settings.catalogue_dir == demo_catalogue_dir()
    assert (settings.catalogue_dir / "missed-bin.yaml").is_file()
    assert settings.api_keys == frozenset({"demo-kiosk-key"})
    assert settings.council_name == "Demo Borough Council"
    assert settings.public_base_url is None


def test_systemd_state_directory_wins_over_xdg(tmp_path: Path) -> None:
    settings = load_settings([], {"STATE_DIRECTORY": f"{tmp_path}/hub:/other",
                                  "XDG_STATE_HOME": "/nope"})
    assert settings.database_url == f"sqlite:///{tmp_path / 'hub' / 'hub.db'}"


def test_environment(tmp_path: Path) -> None:
    settings = load_settings([], {
        "KIOSK_HUB_HOST": "0.0.0.0",
        "KIOSK_HUB_PORT": "9000",
        "KIOSK_HUB_DATABASE_URL": "postgresql://hub@db/hub",
        "KIOSK_HUB_CATALOGUE": str(tmp_path),
        "KIOSK_HUB_API_KEYS": " one, two ,,",
        "KIOSK_HUB_COUNCIL_NAME": "Testshire County Council",
        "KIOSK_HUB_PUBLIC_URL": "https://hub.example.gov.uk/",
        "KIOSK_HUB_SAVED_KEY_FILE": str(tmp_path / "saved.key"),
    })
    assert settings == HubSettings(
        database_url="postgresql://hub@db/hub", host="0.0.0.0", port=9000,
        catalogue_dir=tmp_path, api_keys=frozenset({"one", "two"}),
        council_name="Testshire County Council",
        public_base_url="https://hub.example.gov.uk", saved_key_file=tmp_path / "saved.key",
    )
    assert not settings.on_loopback


def test_flags_win_over_environment() -> None:
    settings = load_settings(
        ["--port", "8400", "--api-key", "a", "--api-key", "b", "--database", "sqlite://",
         "--council-name", "Flag Council"],
        {"KIOSK_HUB_PORT": "9000", "KIOSK_HUB_API_KEYS": "env",
         "KIOSK_HUB_COUNCIL_NAME": "Env Council"})
    assert settings.port == 8400
    assert settings.api_keys == frozenset({"a", "b"})
    assert settings.database_url == "sqlite://"
    assert settings.council_name == "Flag Council"


def test_empty_variables_are_ignored() -> None:
    settings = load_settings([], {"KIOSK_HUB_PORT": "", "KIOSK_HUB_API_KEYS": "",
                                  "KIOSK_HUB_DATABASE_URL": "sqlite://"})
    assert settings.port == 8311
    assert settings.api_keys == frozenset({"demo-kiosk-key"})


@pytest.mark.parametrize(("environ", "message"), [
    ({"KIOSK_HUB_PORT": "http"}, "port"),
    ({"KIOSK_HUB_PORT": "0"}, "port"),
    ({"KIOSK_HUB_PUBLIC_URL": "hub.example"}, "public URL"),
    ({"KIOSK_HUB_TIMEZONE": "Mars/Olympus"}, "timezone"),
])
def test_bad_values_exit_2(environ: dict[str, str], message: str,
                           capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        load_settings([], {"KIOSK_HUB_DATABASE_URL": "sqlite://", **environ})
    assert exited.value.code == 2
    assert message in capsys.readouterr().err
