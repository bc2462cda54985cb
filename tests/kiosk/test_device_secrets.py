"""The device's identity and its sealed secrets: only this device opens them, a profile
names them, and no secret shows in a published profile, a repr or an error message."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
import yaml

from kiosk.config_errors import ConfigError
from kiosk.device_identity import DeviceKeys, IdentityError, PublicIdentity, key_folder
from kiosk.profile import load_profile
from kiosk.sealed import SealedError, open_sealed, seal
from kiosk.secrets import SECRETS_FILE, SecretsError, SecretText, open_secrets, seal_secrets
from tests.kiosk_fixtures import demo_profile_copy, production_secrets

CANARY = "CANARY-api-key-7f3e9d"


def test_identity_is_made_once_with_private_files(tmp_path: Path) -> None:
    folder = tmp_path / "device"
    keys = DeviceKeys.create(folder, "lib-01", "central-library")
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for name in ("signing.key", "sealing.key", "identity.json"):
        assert stat.S_IMODE((folder / name).stat().st_mode) == 0o600
    again = DeviceKeys.load(folder)
    assert again.identity == keys.identity
    assert "lib-01" in repr(again)
    assert "key" not in repr(again).lower().replace("devicekeys", "")
    with pytest.raises(IdentityError, match="already holds"):
        DeviceKeys.create(folder, "lib-02", "central-library")
    signature = keys.sign(b"heartbeat")
    assert keys.identity.verify(signature, b"heartbeat")
    assert not keys.identity.verify(signature, b"heartbeat!")
    assert PublicIdentity.from_json(keys.identity.to_json()) == keys.identity


def test_a_key_folder_that_does_not_match_its_identity_is_refused(tmp_path: Path) -> None:
    one = DeviceKeys.create(tmp_path / "one", "lib-01", "central-library")
    DeviceKeys.create(tmp_path / "two", "lib-02", "central-library")
    (tmp_path / "two" / "sealing.key").write_bytes(
        (tmp_path / "one" / "sealing.key").read_bytes())
    with pytest.raises(IdentityError, match="do not match"):
        DeviceKeys.load(tmp_path / "two")
    with pytest.raises(IdentityError, match="not enrolled"):
        DeviceKeys.load(tmp_path / "nobody")
    assert one.identity.device_id == "lib-01"


@pytest.mark.parametrize("bad_id", ["", "Lib-01", "lib/01", "-lib", "lib-", "x" * 65, "../etc"])
def test_ids_that_could_escape_a_repository_path_are_refused(tmp_path: Path, bad_id: str) -> None:
    with pytest.raises(IdentityError):
        DeviceKeys.create(tmp_path / "d", bad_id, "central-library")


def test_only_the_device_and_purpose_it_was_sealed_for_open_it(tmp_path: Path) -> None:
    mine = DeviceKeys.create(tmp_path / "mine", "lib-01", "central-library")
    theirs = DeviceKeys.create(tmp_path / "theirs", "lib-02", "central-library")
    blob = seal(mine.identity.sealing_public, CANARY.encode(), purpose="secrets",
                device_id="lib-01")
    assert CANARY.encode() not in blob
    assert open_sealed(mine.sealing, blob, purpose="secrets", device_id="lib-01") == CANARY.encode()
    attempts = [
        (theirs.sealing, blob, "secrets", "lib-01"),       # another device's key
        (mine.sealing, blob, "heartbeat", "lib-01"),       # another purpose
        (mine.sealing, blob, "secrets", "lib-02"),         # relabelled for another device
        (mine.sealing, blob[:-1] + bytes([blob[-1] ^ 1]), "secrets", "lib-01"),  # altered
        (mine.sealing, blob[:20], "secrets", "lib-01"),    # truncated
        (mine.sealing, b"plain text", "secrets", "lib-01"),  # not sealed at all
    ]
    for private, data, purpose, device in attempts:
        with pytest.raises(SealedError) as info:
            open_sealed(private, data, purpose=purpose, device_id=device)
        assert CANARY not in str(info.value)


def test_a_secrets_document_for_another_device_is_refused(tmp_path: Path) -> None:
    mine = DeviceKeys.create(tmp_path / "mine", "lib-01", "central-library")
    theirs = DeviceKeys.create(tmp_path / "theirs", "lib-02", "central-library")
    blob = seal_secrets(theirs.identity.sealing_public, "lib-02", {"council-api-key": CANARY})
    assert open_secrets(theirs, blob) == {"council-api-key": CANARY}
    with pytest.raises(SecretsError, match="another device") as info:
        open_secrets(mine, blob)
    assert CANARY not in str(info.value)


def test_a_production_profile_gets_its_secrets_from_the_sealed_document(tmp_path: Path) -> None:
    state = tmp_path / "state"
    path = demo_profile_copy(tmp_path, mode="production", demo_quit_shortcut=False,
                             card_reader={"type": "none"}, sealed_for=state)
    published = path.read_text(encoding="utf-8")
    for value in production_secrets().values():
        assert value not in published  # the published profile holds names only
        assert value.encode() not in (path.parent / SECRETS_FILE).read_bytes()
    profile = load_profile(path, key_folder=key_folder(state)).profile
    key = profile.destinations["council"].api_key
    assert key == production_secrets()["council-api-key"]
    assert isinstance(key, SecretText)
    assert key.reference == "council-api-key"
    assert key not in repr(profile.destinations["council"])
    assert profile.staff is not None
    assert profile.staff.salt_bytes()


def test_missing_document_missing_name_and_literals_are_precise(tmp_path: Path) -> None:
    state = tmp_path / "state"
    path = demo_profile_copy(tmp_path, mode="production", demo_quit_shortcut=False,
                             card_reader={"type": "none"})
    with pytest.raises(ConfigError) as info:
        load_profile(path)
    found = {p.path: p for p in info.value.problems}
    assert set(found) == {"destinations.council.api_key", "lookups.api_key", "saved.api_key",
                          "staff.salt"}
    assert "no secrets document" in found["staff.salt"].found
    assert found["staff.salt"].line is not None

    secrets = production_secrets()
    del secrets["lookups-api-key"]
    with pytest.raises(ConfigError) as info:
        load_profile(path, secrets=secrets)
    # The saved section names the same secret as the lookups (the same hub and key).
    assert {p.path for p in info.value.problems} == {"lookups.api_key", "saved.api_key"}
    problem = next(p for p in info.value.problems if p.path == "lookups.api_key")
    assert "council-api-key, staff-salt" in problem.expected

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["destinations"]["council"]["api_key"] = CANARY
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_profile(path, secrets=production_secrets())
    [problem] = info.value.problems
    assert problem.path == "destinations.council.api_key"
    assert "{secret: NAME}" in problem.expected
    assert CANARY not in info.value.describe()
    assert state.exists() is False


def test_a_sealed_document_with_no_key_or_the_wrong_key_is_one_clear_problem(
    tmp_path: Path,
) -> None:
    path = demo_profile_copy(tmp_path, mode="production", demo_quit_shortcut=False,
                             card_reader={"type": "none"}, sealed_for=tmp_path / "state")
    DeviceKeys.create(key_folder(tmp_path / "other"), "lib-09", "central-library")
    for folder in (None, key_folder(tmp_path / "other"), key_folder(tmp_path / "unenrolled")):
        with pytest.raises(ConfigError) as info:
            load_profile(path, key_folder=folder)
        [problem] = info.value.problems
        assert problem.file.endswith(SECRETS_FILE)
        for value in production_secrets().values():
            assert value not in info.value.describe()


def test_a_bad_secret_value_is_reported_without_showing_it(tmp_path: Path) -> None:
    path = demo_profile_copy(tmp_path, mode="production", demo_quit_shortcut=False,
                             card_reader={"type": "none"})
    secrets = {**production_secrets(), "staff-salt": CANARY}  # not base64 of 16 bytes
    with pytest.raises(ConfigError) as info:
        load_profile(path, secrets=secrets)
    [problem] = info.value.problems
    assert problem.path == "staff.salt"
    assert CANARY not in info.value.describe()
