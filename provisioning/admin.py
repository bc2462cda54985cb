"""What `kiosk-admin` does, as functions (the CLI is only argument parsing around these)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from tuf.api.metadata import TargetFile

from kiosk.device_identity import PublicIdentity
from kiosk.secrets import seal_secrets
from provisioning.bundle import Bundle, DeviceConfig, check_url
from provisioning.layout import profile_target, secrets_target
from provisioning.pack import pack_profile, unpack
from provisioning.registry import Registry, RegistryError
from provisioning.repository import Repository
from provisioning.validate import check_unpacked

REGISTRY = "registry"


def registry(repo: Repository) -> Registry:
    return Registry(repo.folder / REGISTRY)


def read_secrets(path: Path) -> dict[str, str]:
    """A secrets file: `name: value` lines. Errors say where, never a value."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise RegistryError(f"{path}: not a readable YAML file ({type(exc).__name__})") from None
    if not isinstance(data, dict) or not data:
        raise RegistryError(f"{path}: expected a mapping of secret names to text values")
    for name, value in data.items():
        if not isinstance(name, str) or not name or not isinstance(value, str) or not value:
            raise RegistryError(f"{path}: the secret {name!r} must be a name with a text value "
                                "(quote numbers)")
    return {str(k): str(v) for k, v in data.items()}


def enrol_device(repo: Repository, site: str, council: str, device_id: str,
                 url: str | None = None) -> dict[str, Any]:
    if council not in repo.councils():
        raise RegistryError(f"no council {council!r} in this repository (`kiosk-admin council add`)")
    reg = registry(repo)
    repository_url = url or reg.settings().get("repository_url")
    if not isinstance(repository_url, str):
        raise RegistryError("which URL serves the repository? give --url (or set it at `repo init`)")
    reg.enrol(device_id, site, council)
    config = DeviceConfig(check_url(repository_url), council, site, device_id)
    return Bundle(config, repo.root_bytes()).to_json()


def register_device(repo: Repository, device_id: str, identity_json: Any) -> dict[str, Any]:
    identity = PublicIdentity.from_json(identity_json)
    if identity.device_id != device_id:
        raise RegistryError(f"the identity is for device {identity.device_id!r}, not {device_id!r}")
    return registry(repo).register(identity)


def revoke_device(repo: Repository, device_id: str) -> bool:
    """Revoke a device and withdraw its secrets target; True when a target was withdrawn.

    The device still holds the secrets it had: rotate those credentials at the back office.
    """
    entry = registry(repo).revoke(device_id)
    return repo.remove_target(entry["council"], secrets_target(entry["council"], device_id))


def publish_profile(repo: Repository, site: str, profile: Path,
                    secrets: Mapping[str, str] | None, council: str | None = None) -> TargetFile:
    """Validate exactly as a device will (the same packed bytes, the same check), then sign."""
    reg = registry(repo)
    owner = council or reg.council_of(site)
    if owner is None:
        raise RegistryError(f"site {site!r} has no council yet: give --council (or enrol a device there)")
    reg.bind_site(site, owner)
    packed = pack_profile(profile)
    files = unpack(packed)
    for name, value in (secrets or {}).items():
        if len(value) >= 6 and any(value.encode() in data for data in files.values()):
            raise RegistryError(f"the profile holds the value of the secret {name!r} in the clear; a "
                                f"published profile refers to it as {{secret: {name}}} instead")
    path = profile_target(owner, site)
    check_unpacked(files, secrets=secrets, site=site, label=path)
    return repo.put_target(owner, path, packed)


def publish_secrets(repo: Repository, device_id: str, secrets: Mapping[str, str]) -> TargetFile:
    reg = registry(repo)
    identity = reg.identity(device_id)
    council = reg.device(device_id)["council"]
    blob = seal_secrets(identity.sealing_public, device_id, secrets)
    return repo.put_target(council, secrets_target(council, device_id), blob)
