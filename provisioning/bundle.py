"""The bootstrap bundle: what a new terminal needs to trust the repository and find its files.

IT makes it with `kiosk-admin device enrol` and carries it to the terminal (USB stick, or
pasted over a console); it holds no secret. The root metadata in it is the trust anchor: the
terminal keeps it read-only and climbs from it to the current root on every refresh, so a
corrupt metadata cache never leaves the terminal without a way back in.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tuf.api.metadata import Metadata, Root

from kiosk.profile_store import write_durably
from provisioning.layout import check_name

FORMAT = "civic-kiosk-bootstrap/1"
CONFIG = "config.json"
BOOTSTRAP_ROOT = "bootstrap-root.json"


class BundleError(ValueError):
    """A bundle or device configuration that cannot be used; says which field."""


def check_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise BundleError(f"repository_url is an http(s) URL of the published folder, not {url!r}")
    return url.rstrip("/")


@dataclass(frozen=True)
class DeviceConfig:
    """Where this terminal's profile and secrets are, kept in `<state_dir>/provision/`."""

    repository_url: str
    council: str
    site: str
    device_id: str

    def to_json(self) -> dict[str, str]:
        return {"repository_url": self.repository_url, "council": self.council, "site": self.site,
                "device_id": self.device_id}

    @classmethod
    def from_json(cls, data: Any) -> DeviceConfig:
        try:
            made = cls(check_url(str(data["repository_url"])), str(data["council"]),
                       str(data["site"]), str(data["device_id"]))
        except (KeyError, TypeError) as exc:
            raise BundleError(f"repository_url, council, site and device_id are needed ({exc})") from None
        try:
            check_name("council", made.council)
            check_name("site", made.site)
            check_name("device", made.device_id)
        except ValueError as exc:
            raise BundleError(str(exc)) from None
        return made

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        write_durably(folder / CONFIG, json.dumps(self.to_json(), indent=2).encode())

    @classmethod
    def load(cls, folder: Path) -> DeviceConfig:
        try:
            data = json.loads((folder / CONFIG).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise BundleError(f"this terminal is not enrolled ({folder / CONFIG} is missing; run "
                              "`kiosk provision enrol BUNDLE`)") from None
        except (OSError, ValueError) as exc:
            raise BundleError(f"{folder / CONFIG} cannot be read ({type(exc).__name__})") from None
        return cls.from_json(data)


@dataclass(frozen=True)
class Bundle:
    config: DeviceConfig
    root: bytes

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT, **self.config.to_json(), "root": json.loads(self.root)}

    @classmethod
    def from_json(cls, data: Any) -> Bundle:
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise BundleError(f"not a bootstrap bundle (expected \"format\": \"{FORMAT}\")")
        root = json.dumps(data.get("root"), sort_keys=True).encode()
        try:
            signed = Metadata[Root].from_bytes(root).signed
            if not isinstance(signed, Root):
                raise ValueError("not root metadata")
        except Exception as exc:  # noqa: BLE001 - any parse failure is "not a root"
            raise BundleError(f"the bundle's root is not TUF root metadata ({type(exc).__name__})") from None
        return cls(DeviceConfig.from_json(data), root)

    @classmethod
    def read(cls, path: Path) -> Bundle:
        try:
            return cls.from_json(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError) as exc:
            if isinstance(exc, BundleError):
                raise
            raise BundleError(f"{path} is not a readable JSON bundle ({type(exc).__name__})") from None
