"""Shared helpers for tests that run the whole kiosk: a demo profile pointed where we say."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from kiosk.device_identity import DeviceKeys, IdentityError, key_folder
from kiosk.secrets import SECRETS_FILE, seal_secrets

DEMO = Path(__file__).resolve().parent.parent / "kiosk" / "demo"
# Where the demo profile writes its secrets in the clear, and the names a production copy
# refers to them by.
SECRET_PLACES = {("destinations", "council", "api_key"): "council-api-key",
                 ("lookups", "api_key"): "lookups-api-key",
                 ("saved", "api_key"): "lookups-api-key",
                 ("staff", "salt"): "staff-salt"}


def without_demo_devices(data: dict[str, Any]) -> None:
    """The demo's made-up camera and microphone, which a production profile refuses."""
    calls = data.get("calls")
    if isinstance(calls, dict):
        calls.pop("fake_media", None)


def secrets_as_references(data: dict[str, Any]) -> dict[str, str]:
    """Move the profile's literal secrets out, leaving {secret: NAME}; returns name -> value."""
    moved: dict[str, str] = {}
    for place, name in SECRET_PLACES.items():
        *parents, last = place
        section: Any = data
        for key in parents:
            section = section.get(key) if isinstance(section, dict) else None
        if isinstance(section, dict) and isinstance(section.get(last), str):
            moved[name] = section[last]
            section[last] = {"secret": name}
    return moved


def seal_beside(profile: Path, state_dir: Path, secrets: dict[str, str]) -> DeviceKeys:
    """Enrol a device in `state_dir` (once) and seal `secrets` to it beside the profile."""
    try:
        keys = DeviceKeys.load(key_folder(state_dir))
    except IdentityError:
        keys = DeviceKeys.create(key_folder(state_dir), "test-device", "central-library")
    blob = seal_secrets(keys.identity.sealing_public, keys.identity.device_id, secrets)
    (profile.parent / SECRETS_FILE).write_bytes(blob)
    return keys


def demo_profile_copy(tmp_path: Path, *, base_url: str = "http://127.0.0.1:9",
                      printer: str = "file", sealed_for: Path | None = None,
                      **overrides: object) -> Path:
    """The demo profile with the hub at `base_url` and the catalogue path made absolute.

    As a production profile (`mode="production"`) its secrets become references; with
    `sealed_for` (a state folder) they are sealed beside it to a device enrolled there, as a
    terminal receives them. Without it, load with `secrets=PRODUCTION_SECRETS`.
    """
    data = yaml.safe_load((DEMO / "profile.yaml").read_text(encoding="utf-8"))
    data["catalogue"]["path"] = str(DEMO / "catalogue")
    council = data["destinations"]["council"]
    council["endpoint"] = f"{base_url}/open311/v2"
    council["status_url"] = f"{base_url}/status/{{reference}}"
    council["timeout_seconds"] = 5
    data["printer"]["type"] = printer
    if overrides.get("mode") == "production":
        without_demo_devices(data)
    data.update(overrides)
    path = tmp_path / "profile.yaml"
    if data.get("mode") == "production":
        moved = secrets_as_references(data)
        if sealed_for is not None:
            seal_beside(path, sealed_for, moved)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def production_secrets() -> dict[str, str]:
    """The values `demo_profile_copy(mode="production")` moved out of the demo profile."""
    return secrets_as_references(yaml.safe_load((DEMO / "profile.yaml").read_text("utf-8")))
