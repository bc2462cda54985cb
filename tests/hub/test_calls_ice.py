"""ICE servers for calls from the settings file's `calls` section: coturn REST credentials
checked against an independent computation and a known answer, their expiry, and every
mistake in the section named by file and field, the secret never printed."""

from __future__ import annotations

import base64
import hashlib
import hmac
from pathlib import Path

import pytest

from hub.calls.ice import IceSettings, turn_credentials
from hub.settings import load_settings
from hub.settings_file import SettingsFileError, load_hub_settings_file

SECRET = "turn-s3cret-do-not-print"


def write(tmp_path: Path, text: str, secret: str | None = SECRET) -> Path:
    if secret is not None:
        (tmp_path / "turn-secret").write_text(secret + "\n", encoding="utf-8")
    path = tmp_path / "settings.yaml"
    path.write_text(text.replace("SECRET_FILE", str(tmp_path / "turn-secret")), encoding="utf-8")
    return path


def test_turn_credentials_are_coturns_rest_scheme() -> None:
    found = turn_credentials(b"s3cret", "peer-abc", 1_700_000_000)
    assert found["username"] == "1700000000:peer-abc"
    # openssl dgst -sha1 -hmac s3cret -binary | base64, of that username
    assert found["credential"] == "nKUBMu/rmpVB1gZ3uF1KxHao/ks="
    mac = hmac.new(b"other", b"42:p", hashlib.sha1).digest()
    assert turn_credentials(b"other", "p", 42)["credential"] == base64.b64encode(mac).decode()


def test_the_section_gives_each_peer_its_servers(tmp_path: Path) -> None:
    path = write(tmp_path, """
calls:
  ice_servers:
    - urls: ["stun:stun.example.gov.uk:3478"]
    - urls: ["turn:turn.example.gov.uk:3478?transport=udp", "turns:turn.example.gov.uk:5349"]
      turn_secret_file: SECRET_FILE
    - urls: ["turn:fixed.example.gov.uk:3478"]
      username: kiosk
      credential: fixed-password
  credential_ttl_seconds: 900
  relay_only: true
""")
    settings = load_settings(["--settings", str(path)], {})
    ice = settings.calls
    assert ice.transport_policy == "relay"
    stun, rest, fixed = ice.for_peer("p1", now=1_000.7)
    assert stun == {"urls": ["stun:stun.example.gov.uk:3478"]}
    assert rest["urls"] == ["turn:turn.example.gov.uk:3478?transport=udp",
                            "turns:turn.example.gov.uk:5349"]
    assert rest["username"] == "1900:p1"  # now + the TTL, whole seconds
    expected = hmac.new(SECRET.encode(), b"1900:p1", hashlib.sha1).digest()
    assert rest["credential"] == base64.b64encode(expected).decode()
    assert fixed == {"urls": ["turn:fixed.example.gov.uk:3478"], "username": "kiosk",
                     "credential": "fixed-password"}
    assert SECRET not in repr(settings)
    assert "fixed-password" not in repr(settings)


def test_no_section_no_servers(tmp_path: Path) -> None:
    assert load_settings([], {}).calls == IceSettings()
    assert IceSettings().for_peer("p", 0.0) == []
    assert IceSettings().transport_policy == "all"
    path = write(tmp_path, "destinations: {}\n", secret=None)
    assert load_hub_settings_file(path).calls == IceSettings()


@pytest.mark.parametrize(("text", "said"), [
    ("calls:\n  ice_server: []\n", "calls.ice_server: Extra inputs are not permitted"),
    ("calls:\n  ice_servers:\n    - urls: ['http://turn.example']\n", "calls.ice_servers.0.urls"),
    ("calls:\n  ice_servers:\n    - urls: []\n", "calls.ice_servers.0.urls"),
    ("calls:\n  ice_servers:\n    - urls: ['stun:x']\n      turn_secret_file: SECRET_FILE\n",
     "calls.ice_servers.0: Value error, credentials are for TURN servers"),
    ("calls:\n  ice_servers:\n    - urls: ['turn:x']\n      username: u\n",
     "username and credential go together"),
    ("calls:\n  credential_ttl_seconds: 5\n", "calls.credential_ttl_seconds"),
    ("calls:\n  relay_only: true\n  ice_servers:\n    - urls: ['stun:x']\n",
     "relay_only needs a TURN server"),
    ("calls:\n  relay_only: maybe\n", "calls.relay_only"),
    ("calls:\n  ice_servers:\n    - urls: ['stun:x']\n    - urls: ['turn:y']\n"
     "      turn_secret_file: /nonexistent/turn-secret\n",
     "calls.ice_servers.1.turn_secret_file: /nonexistent/turn-secret: cannot read it"),
])
def test_a_bad_section_names_the_file_and_field(tmp_path: Path, text: str, said: str,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, text)
    with pytest.raises(SystemExit) as stopped:
        load_settings(["--settings", str(path)], {})
    assert stopped.value.code == 2
    error = capsys.readouterr().err
    assert str(path) in error
    assert said in error
    assert SECRET not in error


def test_an_empty_secret_file(tmp_path: Path) -> None:
    path = write(tmp_path, "calls:\n  ice_servers:\n    - urls: ['turn:y']\n"
                 "      turn_secret_file: SECRET_FILE\n", secret="  ")
    with pytest.raises(SettingsFileError, match=r"calls\.ice_servers\.0\.turn_secret_file: .*"
                       r"turn-secret: is empty: it must hold coturn's static-auth-secret"):
        load_hub_settings_file(path)
