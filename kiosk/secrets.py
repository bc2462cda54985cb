"""Secrets a profile refers to by name, kept in a document sealed to one device.

A profile is published to the whole fleet, so in production a secret-bearing field (a back
office's API key, the staff-card salt, a webhook key, a mailbox password) holds a reference,
`{secret: NAME}`, and the value comes from `secrets.sealed` beside the profile, which only
this device's sealing key opens (`kiosk.sealed`). A demo profile may still hold literals.

Values are `SecretText`: ordinary strings to the code that uses them, hidden from `repr`, so
an error message or log line that formats a settings object never shows one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

from pydantic import ValidationInfo, WrapValidator
from pydantic_core.core_schema import ValidatorFunctionWrapHandler

from kiosk.config_errors import FieldProblems
from kiosk.device_identity import DeviceKeys
from kiosk.sealed import SealedError, open_sealed, seal

SECRETS_FILE = "secrets.sealed"
PURPOSE = "secrets"
CONTEXT_KEY = "secrets"
_MAX_DOCUMENT = 256 * 1024


class SecretsError(ValueError):
    """A secrets document that cannot be used here; says why, never what it holds."""


class SecretText(str):
    """A secret's value; `reference` is the name it was fetched by (None for a literal)."""

    reference: str | None

    def __new__(cls, value: str, reference: str | None) -> SecretText:
        made = super().__new__(cls, value)
        made.reference = reference
        return made

    def __repr__(self) -> str:
        return f"<secret {self.reference}>" if self.reference else "<secret>"


def _resolve(value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo) -> SecretText:
    if isinstance(value, Mapping) and set(value) == {"secret"}:
        name = str(value["secret"])
        secrets = (info.context or {}).get(CONTEXT_KEY)
        if secrets is None:
            raise FieldProblems([((), f"a secret named {name!r} from this device's sealed secrets "
                                  f"({SECRETS_FILE} beside the profile, opened with the device key)",
                                  "no secrets document")])
        if name not in secrets:
            names = ", ".join(sorted(secrets)) or "none"
            raise FieldProblems([((), f"a secret named in this device's secrets ({names})",
                                  repr(name))])
        return SecretText(handler(secrets[name]), name)
    return SecretText(handler(value), None)


Secret = Annotated[str, WrapValidator(_resolve)]


def literal_secrets(settings: Any, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """Paths of secret fields in a validated model that hold a literal, not a reference."""
    found: list[tuple[str | int, ...]] = []
    if isinstance(settings, SecretText):
        return [path] if settings.reference is None else []
    fields = getattr(type(settings), "model_fields", None)
    if fields is not None:
        for name in fields:
            found += literal_secrets(getattr(settings, name), (*path, name))
    elif isinstance(settings, Mapping):
        for key, value in settings.items():
            found += literal_secrets(value, (*path, str(key)))
    elif isinstance(settings, tuple | list):
        for index, value in enumerate(settings):
            found += literal_secrets(value, (*path, index))
    return found


def seal_secrets(recipient: bytes, device_id: str, secrets: Mapping[str, str]) -> bytes:
    """The sealed document for one device (used by `kiosk-admin secrets publish`)."""
    for name, value in secrets.items():
        if not isinstance(name, str) or not isinstance(value, str) or not name:
            raise SecretsError("secrets are a mapping of names to text values")
    body = json.dumps({"schema": 1, "device_id": device_id, "secrets": dict(secrets)},
                      sort_keys=True).encode()
    return seal(recipient, body, purpose=PURPOSE, device_id=device_id)


def open_secrets(keys: DeviceKeys, blob: bytes) -> dict[str, str]:
    """Open this device's secrets document, or raise SecretsError saying why."""
    if len(blob) > _MAX_DOCUMENT:
        raise SecretsError(f"a secrets document larger than {_MAX_DOCUMENT} bytes")
    device_id = keys.identity.device_id
    try:
        body = open_sealed(keys.sealing, blob, purpose=PURPOSE, device_id=device_id)
    except SealedError as exc:
        raise SecretsError(f"the secrets document cannot be opened: {exc}") from None
    try:
        data = json.loads(body)
        secrets = data["secrets"]
        owner = data["device_id"]
    except (ValueError, KeyError, TypeError):
        raise SecretsError("the secrets document opened but is not a secrets document") from None
    if owner != device_id or not isinstance(secrets, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in secrets.items()):
        raise SecretsError("the secrets document opened but is not for this device")
    return secrets


def secrets_beside(profile_path: Path, key_folder: Path | None) -> dict[str, str] | None:
    """The secrets for a profile file: None when there is no document beside it."""
    blob_path = profile_path.parent / SECRETS_FILE
    if not blob_path.exists():
        return None
    if key_folder is None:
        raise SecretsError(f"{blob_path} needs this device's key folder to be opened")
    return open_secrets(DeviceKeys.load(key_folder), blob_path.read_bytes())
