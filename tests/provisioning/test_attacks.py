"""TUF's attacks against the terminal's agent, on a repository served on 127.0.0.1.

Each attack leaves the terminal on the profile it runs (p1-s1, blessed) with nothing new
staged, and records in result.json, in words, why the refresh refused.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from tuf.api.metadata import Metadata, Targets

from kiosk.device_identity import DeviceKeys
from kiosk.secrets import seal_secrets
from provisioning import admin
from provisioning.layout import profile_target, secrets_target
from provisioning.pack import pack_files, unpack
from tests.provisioning import forge
from tests.provisioning.world import COUNCIL, DEVICE, OTHER_COUNCIL, SITE, World


def refused(world: World, *words: str) -> dict[str, Any]:
    staged_before = world.store.names()
    outcome = world.refresh()
    result = world.result()
    assert outcome.status == "rejected", outcome
    assert result["status"] == "rejected"
    for word in words:
        assert word in result["reason"], result["reason"]
    assert world.store.current_name() == "p1-s1"
    assert world.store.pending() is None
    assert world.store.names() == staged_before
    return result


def test_happy_path_publish_refresh_apply_bless(running: World) -> None:
    assert "missed-bin" in running.current_profile()
    assert running.publish("second", services=["feedback"]) == "p2"
    outcome = running.refresh()
    assert (outcome.status, outcome.offered) == ("ok", "p2-s1")
    assert "the screen applies it between sessions" in outcome.reason
    assert running.store.current_name() == "p1-s1"  # staged, never switched by the agent
    assert running.store.pending() == "p2-s1"
    assert running.refresh().reason == "p2-s1 is staged; the screen applies it between sessions"
    # The screen, between sessions:
    assert running.store.apply_pending() == "p2-s1"
    assert "feedback" in running.current_profile()
    assert "missed-bin" not in running.current_profile()
    assert (running.store.current() or running.tmp).joinpath("secrets.sealed").exists()
    assert running.store.note_start() == 1
    running.store.bless()
    assert running.store.last_good() == "p2-s1"
    assert running.refresh().reason == "up to date (p2-s1)"
    # A new secrets document alone is a new version too.
    admin.publish_secrets(running.repo, DEVICE, {**running.secrets, "council-api-key": "rotated-key"})
    assert running.refresh().offered == "p2-s2"


def test_the_staged_profile_loads_as_the_screen_will_load_it(running: World) -> None:
    from kiosk.device_identity import key_folder
    from kiosk.profile import load_profile

    folder = running.store.current()
    assert folder is not None
    loaded = load_profile(folder / "profile.yaml", key_folder=key_folder(running.state))
    assert loaded.profile.destinations["council"].api_key == running.secrets["council-api-key"]
    assert [s.id for s in loaded.catalogue] == ["missed-bin", "street-problem"]


def test_tampered_profile_is_refused(running: World) -> None:
    running.publish("second", services=["feedback"])
    target = running.repo.target(COUNCIL, profile_target(COUNCIL, SITE))
    assert target is not None
    served = running.repo.targets_dir / f"sites/{COUNCIL}/{SITE}/{target.hashes['sha256']}.profile.json"
    files = unpack(served.read_bytes())
    files["profile.yaml"] = files["profile.yaml"].replace(b"feedback", b"missed-bin")
    tampered = pack_files(files)
    # Same length, other bytes (cut to the length when the edit packs larger).
    served.write_bytes((tampered + b" " * (target.length - len(tampered)))[:target.length])
    refused(running, "does not match its signed length and hash")


def test_metadata_under_threshold_is_refused(running: World) -> None:
    # Root is 2 of 3: a new root signed by one root key only.
    root = running.repo.root()
    forge.next_root(running, keyids=root.roles["root"].keyids, threshold=2,
                    signers=forge.keys_of(running, "root")[:1])
    refused(running, "not signed by enough trusted keys", "root")


def test_timestamp_signed_by_an_untrusted_key_is_refused(running: World) -> None:
    forge.resign(running, "timestamp", lambda t: None, signers=[forge.stranger()])
    refused(running, "not signed by enough trusted keys", "timestamp")


@pytest.mark.parametrize("role", ["timestamp", "snapshot", "targets", COUNCIL])
def test_rollback_of_each_role_is_refused(running: World, role: str) -> None:
    # The terminal saw versions N; the attacker (holding the online keys) serves N-1.
    running.publish("second", services=["feedback"])
    assert running.refresh().status == "ok"
    before = running.store.names()
    if role == "timestamp":
        forge.resign(running, "timestamp", lambda t: setattr(t, "version", t.version - 2), bump=False)
    elif role == "snapshot":
        old = forge.load(running, "snapshot").signed.version - 1
        forge.resign(running, "timestamp", lambda t: setattr(t.snapshot_meta, "version", old))
    else:
        older = forge.load(running, role).signed.version - 1
        data = (running.metadata / f"{older}.{role}.json").read_bytes()
        forge.new_chain(running, targets_meta={f"{role}.json": forge.meta(data, older)})
    outcome = running.refresh()
    assert outcome.status == "rejected", outcome
    assert "rollback refused" in outcome.reason
    assert running.result()["status"] == "rejected"
    assert running.store.names() == before
    assert (running.store.current_name(), running.store.pending()) == ("p1-s1", "p2-s1")


@pytest.mark.parametrize("role", ["timestamp", "snapshot"])
def test_rollback_is_refused_even_after_local_metadata_expired(running: World, role: str) -> None:
    # python-tuf's test_expired_timestamp_version_rollback / ..._snapshot_rollback: refresh on
    # day 0, then on day 18 (every local timestamp and snapshot long expired) the repository
    # serves an older version, freshly signed.
    running.publish("second", services=["feedback"])
    assert running.refresh().status == "ok"
    running.travel(18)
    if role == "timestamp":
        forge.resign(running, "timestamp", lambda t: setattr(t, "version", t.version - 1), bump=False)
    else:
        old = forge.load(running, "snapshot").signed.version - 1
        forge.resign(running, "timestamp", lambda t: setattr(t.snapshot_meta, "version", old))
    outcome = running.refresh()
    assert outcome.status == "rejected", outcome
    assert "rollback refused" in outcome.reason
    assert running.store.current_name() == "p1-s1"


def test_a_wrong_clock_set_back_a_year_still_refuses_rollback(running: World) -> None:
    running.publish("second", services=["feedback"])
    assert running.refresh().status == "ok"
    running.travel(-365)
    forge.resign(running, "timestamp", lambda t: setattr(t, "version", t.version - 1), bump=False)
    assert "rollback refused" in running.refresh().reason


def test_freeze_an_expired_timestamp_is_refused_and_the_last_good_check_is_kept(running: World) -> None:
    verified = running.result()["verified_at"]
    running.publish("second", services=["feedback"])  # the attacker keeps serving this, unchanged
    running.store.bless()
    running.travel(2)  # the timestamp (1 day) is now stale
    result = refused(running, "expired", "frozen or stale, or this terminal's clock is wrong")
    assert result["verified_at"] == verified  # the fleet page sees how long it has been


def test_mix_and_match_a_targets_file_that_never_went_with_this_snapshot(running: World) -> None:
    running.publish("second", services=["feedback"])
    version = forge.load(running, COUNCIL).signed.version
    # Serve the previous north.json under the current version's name.
    (running.metadata / f"{version}.{COUNCIL}.json").write_bytes(
        (running.metadata / f"{version - 1}.{COUNCIL}.json").read_bytes())
    refused(running, "metadata refused")


def test_mix_and_match_a_snapshot_other_than_the_timestamp_names(running: World) -> None:
    running.publish("second", services=["feedback"])
    version = forge.load(running, "snapshot").signed.version
    (running.metadata / f"{version}.snapshot.json").write_bytes(
        (running.metadata / f"{version - 1}.snapshot.json").read_bytes())
    refused(running, "metadata refused")


def test_another_councils_key_cannot_sign_our_site(running: World) -> None:
    # 1. South lists a profile at north's path in south's own metadata: never looked at.
    evil = pack_files({"profile.yaml": b"schema_version: 1\n"})
    path = profile_target(COUNCIL, SITE)
    (running.repo.targets_dir / f"sites/{COUNCIL}/{SITE}").mkdir(parents=True, exist_ok=True)

    def list_evil(targets: Targets) -> None:
        from tuf.api.metadata import TargetFile

        target = TargetFile.from_data(path, evil, ["sha256"])
        target.unrecognized_fields["custom"] = {"version": 99}
        targets.targets[path] = target

    south = forge.resign(running, OTHER_COUNCIL, list_evil)
    version = json.loads(south)["signed"]["version"]
    forge.new_chain(running, targets_meta={f"{OTHER_COUNCIL}.json": forge.meta(south, version)})
    outcome = running.refresh()
    assert (outcome.status, outcome.reason) == ("ok", "up to date (p1-s1)")
    assert running.store.names() == ["p1-s1"]
    # 2. North's own metadata, signed with south's key instead: refused.
    forge.resign(running, COUNCIL, list_evil, signers=forge.keys_of(running, OTHER_COUNCIL))
    north = (running.metadata / f"{COUNCIL}.json").read_bytes()
    forge.new_chain(running, targets_meta={f"{COUNCIL}.json": forge.meta(
        north, Metadata.from_bytes(north).signed.version)})
    refused(running, "not signed by enough trusted keys", COUNCIL)
    # 3. And the tooling refuses to sign outside a council's paths in the first place.
    with pytest.raises(ValueError, match="may not sign"):
        running.repo.put_target(OTHER_COUNCIL, path, evil)


def test_secrets_sealed_to_another_device_are_refused(running: World) -> None:
    other = DeviceKeys.create(running.tmp / "other-device", "lib-02", SITE)
    for device_label in ("lib-02", DEVICE):  # sealed to lib-02, and relabelled as ours
        blob = seal_secrets(other.identity.sealing_public, device_label, running.secrets)
        running.repo.put_target(COUNCIL, secrets_target(COUNCIL, DEVICE), blob)
        result = refused(running, secrets_target(COUNCIL, DEVICE), "sealed to another device")
        assert result["offered"].startswith("p1-s")


def test_a_profile_valid_for_tuf_but_not_for_the_kiosk_is_refused_with_the_precise_problem(
    running: World,
) -> None:
    files = unpack((running.repo.targets_dir / _served_profile(running)).read_bytes())
    files["profile.yaml"] = files["profile.yaml"].replace(b"- street-problem", b"- no-such-service")
    running.repo.put_target(COUNCIL, profile_target(COUNCIL, SITE), pack_files(files))
    result = refused(running, "does not pass validation",
                     f"{profile_target(COUNCIL, SITE)}:profile.yaml:", "catalogue.services[1]",
                     "'no-such-service'")
    assert result["offered"] == "p2-s1"


@pytest.mark.parametrize(("found", "words"), [
    (2, "the newest schema this kiosk software reads (update the kiosk software"),
    (0, "no longer migrates schema 0 profiles"),
])
def test_a_profile_of_another_schema_version_is_refused_precisely(running: World, found: int,
                                                                  words: str) -> None:
    files = unpack((running.repo.targets_dir / _served_profile(running)).read_bytes())
    files["profile.yaml"] = files["profile.yaml"].replace(b"schema_version: 1",
                                                          f"schema_version: {found}".encode())
    running.repo.put_target(COUNCIL, profile_target(COUNCIL, SITE), pack_files(files))
    refused(running, "schema_version", words)


def test_a_profile_for_another_site_is_refused(running: World) -> None:
    files = unpack((running.repo.targets_dir / _served_profile(running)).read_bytes())
    files["profile.yaml"] = files["profile.yaml"].replace(b"id: central-library", b"id: town-hall")
    running.repo.put_target(COUNCIL, profile_target(COUNCIL, SITE), pack_files(files))
    refused(running, "site.id", "'central-library', the site this profile is published for")


def test_an_older_version_signed_later_is_refused(running: World) -> None:
    running.publish("second", services=["feedback"])
    assert running.refresh().offered == "p2-s1"
    # The council's key re-lists p1 (custom.version 1) as current: a rollback by the signer.
    path = profile_target(COUNCIL, SITE)
    old_target = next(target for version in range(1, 9)
                      if (target := forge.load(running, COUNCIL, version).signed.targets.get(path))
                      is not None)
    assert old_target.custom == {"version": 1}
    forge.resign(running, COUNCIL, lambda t: t.targets.__setitem__(path, old_target))
    north = (running.metadata / f"{COUNCIL}.json").read_bytes()
    forge.new_chain(running, targets_meta={f"{COUNCIL}.json": forge.meta(
        north, Metadata.from_bytes(north).signed.version)})
    running.store.apply_pending()
    running.store.bless()
    outcome = running.refresh()
    assert outcome.status == "rejected"
    assert "older than p2-s1" in outcome.reason
    assert running.store.current_name() == "p2-s1"


def test_a_rolled_back_version_is_not_staged_again(running: World) -> None:
    running.publish("second", services=["feedback"])
    running.refresh()
    running.store.apply_pending()
    assert running.store.rollback("the screen crashed 3 times at start") == "p1-s1"
    outcome = running.refresh()
    assert outcome.status == "rolled-back"
    assert "crashed 3 times" in outcome.reason
    assert running.store.pending() is None
    running.publish("third", services=["missed-bin"])
    assert running.refresh().offered == "p3-s1"


def test_corrupt_local_metadata_falls_back_to_the_bootstrap_root(running: World) -> None:
    cache = running.state / "provision" / "metadata"
    for name in ("timestamp.json", "snapshot.json", f"{COUNCIL}.json"):
        (cache / name).write_bytes(b"\x00garbage")
    assert running.refresh().status == "ok"
    # Worse: the cache folder is unusable as a folder.
    import shutil

    shutil.rmtree(cache)
    cache.write_bytes(b"not a folder")
    running.publish("second", services=["feedback"])
    outcome = running.refresh()
    assert (outcome.status, outcome.offered) == ("ok", "p2-s1")
    assert cache.is_dir()


def test_an_unreachable_repository_is_reported_and_changes_nothing(running: World) -> None:
    running.server.stop()
    outcome = running.refresh()
    assert outcome.status == "unreachable"
    assert running.result()["status"] == "unreachable"
    assert running.store.current_name() == "p1-s1"


def _served_profile(world: World) -> str:
    target = world.repo.target(COUNCIL, profile_target(COUNCIL, SITE))
    assert target is not None
    digest = hashlib.sha256((world.repo.targets_dir / f"sites/{COUNCIL}/{SITE}").joinpath(
        f"{target.hashes['sha256']}.profile.json").read_bytes()).hexdigest()
    assert digest == target.hashes["sha256"]
    return f"sites/{COUNCIL}/{SITE}/{digest}.profile.json"


def test_an_unexpected_error_is_reported_without_its_message(running: World,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import provisioning.agent

    def explode(*args: object, **kwargs: object) -> None:
        raise KeyError(running.secrets["council-api-key"])

    monkeypatch.setattr(provisioning.agent, "unpack", explode)
    running.publish("second", services=["feedback"])
    outcome = running.refresh()
    assert outcome.status == "failed"
    assert outcome.reason.startswith("unexpected KeyError at test_attacks.py:")
    assert running.secrets["council-api-key"] not in json.dumps(running.result())
    assert running.store.current_name() == "p1-s1"
