"""No secret value in a published profile, in result.json, in a log line or in a message."""

from __future__ import annotations

import base64
import json
import logging
from pathlib import Path

import pytest

from kiosk.device_identity import DeviceKeys
from kiosk.secrets import seal_secrets
from provisioning import admin
from provisioning.layout import profile_target, secrets_target
from provisioning.pack import pack_files, pack_profile, unpack
from provisioning.registry import RegistryError
from tests.provisioning.world import CANARY, COUNCIL, DEVICE, SITE, World, write_profile


def _everything_published(world: World) -> bytes:
    """Every served byte, with packed profiles opened up (their files are base64 inside)."""
    found = b""
    for path in sorted(world.repo.public.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            found += data
            if path.name.endswith(".profile.json"):
                found += b"".join(unpack(data).values())
    return found


def test_no_secret_leaves_in_anything_published_logged_or_reported(
    running: World, caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    values = [v for v in running.secrets.values()] + [CANARY]
    messages = []
    # A refresh that stages, one refused for its secrets, one refused by validation with a
    # secret's value where a site id belongs (the validator echoes what it found), and one
    # with the secret in a field that is not secret (the message must still hide it).
    running.publish("second", services=["feedback"])
    messages.append(running.refresh().reason)
    other = DeviceKeys.create(running.tmp / "other", "lib-02", SITE)
    running.repo.put_target(COUNCIL, secrets_target(COUNCIL, DEVICE),
                            seal_secrets(other.identity.sealing_public, "lib-02", running.secrets))
    messages.append(running.refresh().reason)
    admin.publish_secrets(running.repo, DEVICE, running.secrets)
    published = _everything_published(running)  # all the real tooling ever published
    leaked_id = running.secrets["council-api-key"]
    profile = write_profile(running.tmp / "leaky")
    files = unpack(pack_profile(profile))
    files["profile.yaml"] = files["profile.yaml"].replace(b"id: central-library", f"id: {leaked_id}".encode())
    running.repo.put_target(COUNCIL, profile_target(COUNCIL, SITE), pack_files(files))
    outcome = running.refresh()
    messages.append(outcome.reason)
    assert outcome.status == "rejected"
    assert "site.id" in outcome.reason
    assert "[secret]" in outcome.reason  # blotted out, and it says so
    result = (running.store.root / "result.json").read_text()
    for value in values:
        assert value not in "\n".join(messages)
        assert value not in result
        assert value not in caplog.text
        assert value.encode() not in published
    # The sealed document is unreadable without the device key.
    sealed = (running.store.current() or Path()).joinpath("secrets.sealed").read_bytes()
    for value in running.secrets.values():
        assert value.encode() not in sealed
        assert base64.b64decode(running.secrets["staff-salt"]) not in sealed


def test_publishing_refuses_a_profile_holding_a_secret_value_in_the_clear(running: World) -> None:
    path = write_profile(running.tmp / "clear")
    text = path.read_text().replace("1 Library Square", running.secrets["council-api-key"])
    path.write_text(text)
    before = sorted(p.name for p in running.repo.metadata.iterdir())
    with pytest.raises(RegistryError) as info:
        admin.publish_profile(running.repo, SITE, path, running.secrets)
    assert "council-api-key" in str(info.value)
    assert running.secrets["council-api-key"] not in str(info.value)
    assert sorted(p.name for p in running.repo.metadata.iterdir()) == before


def test_the_registry_holds_public_keys_only(running: World) -> None:
    devices = json.loads((running.repo.folder / "registry" / "devices.json").read_text())
    assert set(devices[DEVICE]["identity"]) == {"device_id", "site", "signing_public", "sealing_public"}
    private = (running.state / "device" / "sealing.key").read_bytes()
    assert base64.urlsafe_b64encode(private).decode() not in json.dumps(devices)
