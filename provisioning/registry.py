"""The repository side's record of councils' sites and enrolled devices (public keys only).

`registry/devices.json` says, for every device IT enrolled: its site and council, its public
identity once registered, and whether it is revoked. Secrets are sealed to the registered
sealing key; the hub trusts a heartbeat only when it verifies with a registered, unrevoked
signing key (`trusted_identities`). Nothing here is secret, but it is not published either:
it lives beside `public/`, not in it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kiosk.device_identity import PublicIdentity
from kiosk.profile_store import write_durably
from provisioning.layout import check_name

DEVICES = "devices.json"
SITES = "sites.json"
SETTINGS = "settings.json"


class RegistryError(ValueError):
    """A registration the registry refuses; says why."""


class Registry:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _read(self, name: str) -> dict[str, Any]:
        try:
            data = json.loads((self.folder / name).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        return data if isinstance(data, dict) else {}

    def _write(self, name: str, data: dict[str, Any]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        write_durably(self.folder / name, json.dumps(data, indent=2, sort_keys=True).encode())

    def settings(self) -> dict[str, Any]:
        return self._read(SETTINGS)

    def set_setting(self, key: str, value: str) -> None:
        self._write(SETTINGS, {**self.settings(), key: value})

    def council_of(self, site: str) -> str | None:
        council = self._read(SITES).get(site)
        return council if isinstance(council, str) else None

    def bind_site(self, site: str, council: str) -> None:
        check_name("site", site)
        check_name("council", council)
        known = self.council_of(site)
        if known is not None and known != council:
            raise RegistryError(f"site {site!r} belongs to council {known!r}, not {council!r}")
        if known is None:
            self._write(SITES, {**self._read(SITES), site: council})

    def devices(self) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self._read(DEVICES).items() if isinstance(v, dict)}

    def device(self, device_id: str) -> dict[str, Any]:
        found = self.devices().get(device_id)
        if found is None:
            raise RegistryError(f"no device {device_id!r} has been enrolled "
                                "(`kiosk-admin device enrol SITE --council C --device-id ID`)")
        return found

    def enrol(self, device_id: str, site: str, council: str) -> None:
        check_name("device", device_id)
        self.bind_site(site, council)
        devices = self.devices()
        old = devices.get(device_id)
        if old is not None and old.get("identity") and not old.get("revoked"):
            raise RegistryError(f"device {device_id!r} is enrolled and registered; revoke it first "
                                "to enrol a replacement under the same id")
        devices[device_id] = {"site": site, "council": council, "identity": None, "revoked": False,
                              "enrolled_at": datetime.now(UTC).isoformat(timespec="seconds")}
        self._write(DEVICES, devices)

    def register(self, identity: PublicIdentity) -> dict[str, Any]:
        devices = self.devices()
        entry = self.device(identity.device_id)
        if entry.get("revoked"):
            raise RegistryError(f"device {identity.device_id!r} is revoked; enrol it again first")
        if entry["site"] != identity.site:
            raise RegistryError(f"device {identity.device_id!r} was enrolled for site {entry['site']!r}, "
                                f"but its identity says {identity.site!r}")
        entry = {**entry, "identity": identity.to_json(),
                 "registered_at": datetime.now(UTC).isoformat(timespec="seconds")}
        devices[identity.device_id] = entry
        self._write(DEVICES, devices)
        return entry

    def revoke(self, device_id: str) -> dict[str, Any]:
        devices = self.devices()
        entry = {**self.device(device_id), "revoked": True,
                 "revoked_at": datetime.now(UTC).isoformat(timespec="seconds")}
        devices[device_id] = entry
        self._write(DEVICES, devices)
        return entry

    def identity(self, device_id: str) -> PublicIdentity:
        entry = self.device(device_id)
        if entry.get("revoked"):
            raise RegistryError(f"device {device_id!r} is revoked")
        if not entry.get("identity"):
            raise RegistryError(f"device {device_id!r} has not been registered yet "
                                f"(`kiosk-admin device register {device_id} IDENTITY.json`)")
        return PublicIdentity.from_json(entry["identity"])

    def trusted_identities(self) -> dict[str, PublicIdentity]:
        """Registered, unrevoked devices: the only ones whose heartbeats the hub accepts."""
        return {device_id: PublicIdentity.from_json(entry["identity"])
                for device_id, entry in self.devices().items()
                if entry.get("identity") and not entry.get("revoked")}
