"""The one check a profile passes before it is published and again before a device stages it.

`kiosk-admin profile publish` and the device's agent both call `check_unpacked` on the same
packed files, so "validates exactly as a device would" is one function, not two that drift.
A profile of another `schema_version` is migrated when a migration exists, otherwise refused
with a message that says which side must be upgraded; it is never half-applied.
"""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from kiosk.config_errors import ConfigError, Problem
from kiosk.profile import LoadedProfile, load_profile
from provisioning.pack import PROFILE_FILE

SUPPORTED_SCHEMA = 1
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
Migration = Callable[[dict[str, Any]], dict[str, Any]]
# schema N -> N + 1. Empty while schema 1 is the only one there has been; a change to the
# profile's shape adds its step here, so terminals on new software still take old profiles.
MIGRATIONS: dict[int, Migration] = {}


def migrate(files: Mapping[str, bytes], label: str,
            migrations: Mapping[int, Migration] | None = None) -> dict[str, bytes]:
    """The files with profile.yaml at SUPPORTED_SCHEMA, or ConfigError saying why not."""
    steps = MIGRATIONS if migrations is None else migrations
    where = f"{label}:{PROFILE_FILE}"
    try:
        data = yaml.load(files[PROFILE_FILE], Loader=_LOADER)
    except yaml.YAMLError:
        data = None  # load_profile reports YAML errors with their line
    if not isinstance(data, dict):
        return dict(files)
    found = data.get("schema_version")
    if found == SUPPORTED_SCHEMA or found is None or isinstance(found, bool) or not isinstance(found, int):
        return dict(files)  # missing or mistyped: the schema's own precise message
    if found > SUPPORTED_SCHEMA:
        raise ConfigError([Problem(where, "schema_version", f"{SUPPORTED_SCHEMA}, the newest schema this "
                                   "kiosk software reads (update the kiosk software on the terminals "
                                   "before publishing profiles of a newer schema)", str(found))])
    version = found
    while version < SUPPORTED_SCHEMA:
        step = steps.get(version)
        if step is None:
            raise ConfigError([Problem(where, "schema_version", f"{SUPPORTED_SCHEMA} (this kiosk software "
                                       f"no longer migrates schema {version} profiles: re-write the "
                                       f"profile for schema {SUPPORTED_SCHEMA}, see docs/profile.md)",
                                       str(found))])
        data = step(data)
        version += 1
    data["schema_version"] = SUPPORTED_SCHEMA
    migrated = dict(files)
    migrated[PROFILE_FILE] = yaml.safe_dump(data, sort_keys=False, allow_unicode=True).encode()
    return migrated


def check_unpacked(files: Mapping[str, bytes], *, secrets: Mapping[str, str] | None, site: str,
                   label: str, scratch: Path | None = None) -> tuple[dict[str, bytes], LoadedProfile]:
    """Validate unpacked profile files completely; returns the (migrated) files and profile.

    Problems name `label` (the target, e.g. `sites/north/central/profile.json`) and the file
    inside it, not the scratch folder the check ran in.
    """
    files = migrate(files, label)
    folder = Path(tempfile.mkdtemp(prefix="profile-check-", dir=scratch))
    try:
        for name, data in files.items():
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        try:
            loaded = load_profile(folder / PROFILE_FILE, secrets=secrets)
        except ConfigError as exc:
            raise ConfigError(_relabel(exc.problems, folder, label)) from None
        if loaded.profile.site.id != site:
            raise ConfigError([Problem(f"{label}:{PROFILE_FILE}", "site.id",
                                       f"{site!r}, the site this profile is published for",
                                       repr(loaded.profile.site.id))])
        return files, loaded
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _relabel(problems: Iterable[Problem], folder: Path, label: str) -> list[Problem]:
    prefix = str(folder) + "/"
    return [dataclasses.replace(p, file=f"{label}:{p.file.removeprefix(prefix)}") for p in problems]


def redact(text: str, secrets: Mapping[str, str] | None) -> str:
    """`text` with every secret value blotted out: the last line of defence for a message
    that found its way from a validator to result.json or a log."""
    for value in sorted((secrets or {}).values(), key=len, reverse=True):
        if len(value) >= 4:
            text = text.replace(value, "[secret]")
    return text
