"""A profile and its catalogue as one deterministic target file, and back again safely.

The packed form is a JSON document, `{"format": ..., "files": {relative path: base64}}`,
written with sorted keys: the same folder always packs to the same bytes (so the same hash),
and unpacking needs no archive library whose corner cases (links, devices, absolute names,
`..`) are the usual way a download writes outside its folder. Unpacking checks every name
and caps the count and the sizes before anything touches the disk.
"""

from __future__ import annotations

import base64
import binascii
import json
from pathlib import Path, PurePosixPath

import yaml

from kiosk.config_errors import ConfigError, Problem, read_yaml
from kiosk.profile_store import StoreError, check_relative_path

FORMAT = "civic-kiosk-profile/1"
PROFILE_FILE = "profile.yaml"
CATALOGUE_FOLDER = "catalogue"
MAX_PACKED = 4 * 1024 * 1024
MAX_FILES = 200
MAX_FILE = 512 * 1024


class PackError(ValueError):
    """A packed profile that cannot be unpacked here; says which file and why."""


def pack_profile(profile_path: Path) -> bytes:
    """Pack `profile_path` and the catalogue folder it names.

    The catalogue travels as `catalogue/` beside `profile.yaml`. A profile whose
    `catalogue.path` already is that folder is packed byte for byte (comments and line
    numbers kept); one that points elsewhere is rewritten to point there.
    """
    data, _ = read_yaml(profile_path)
    text = profile_path.read_bytes()
    section = data.get("catalogue") if isinstance(data, dict) else None
    where = section.get("path") if isinstance(section, dict) else None
    if not isinstance(where, str):
        raise ConfigError([Problem(str(profile_path), "catalogue.path",
                                   "a folder of service files, relative to the profile", "nothing")])
    folder = (profile_path.parent / where).resolve()
    if not folder.is_dir():
        raise ConfigError([Problem(str(profile_path), "catalogue.path",
                                   "a folder of service files, relative to the profile",
                                   f"{where!r} (no folder {folder})")])
    if where.rstrip("/") != CATALOGUE_FOLDER and isinstance(section, dict):
        section["path"] = CATALOGUE_FOLDER
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True).encode()
    files = {PROFILE_FILE: text}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(folder).parts):
            files[f"{CATALOGUE_FOLDER}/{path.relative_to(folder).as_posix()}"] = path.read_bytes()
    return pack_files(files)


def pack_files(files: dict[str, bytes]) -> bytes:
    body = {"format": FORMAT,
            "files": {name: base64.b64encode(data).decode("ascii") for name, data in files.items()}}
    packed = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    unpack(packed)  # never publish what a device would refuse to unpack
    return packed


def unpack(packed: bytes) -> dict[str, bytes]:
    """The files of a packed profile, or PackError naming what is wrong."""
    if len(packed) > MAX_PACKED:
        raise PackError(f"a packed profile larger than {MAX_PACKED} bytes")
    try:
        body = json.loads(packed)
    except ValueError:
        raise PackError("the packed profile is not JSON") from None
    if not isinstance(body, dict) or body.get("format") != FORMAT or not isinstance(body.get("files"), dict):
        raise PackError(f"the packed profile is not in the {FORMAT} format")
    entries = body["files"]
    if len(entries) > MAX_FILES:
        raise PackError(f"a packed profile of more than {MAX_FILES} files")
    files: dict[str, bytes] = {}
    seen: set[str] = set()
    for name, encoded in entries.items():
        try:
            check_relative_path(name)
        except StoreError as exc:
            raise PackError(f"the packed profile holds a file name that is not allowed: {exc}") from None
        if name.lower() in seen or name == "secrets.sealed":
            raise PackError(f"the packed profile holds {name!r} twice or where it may not")
        seen.add(name.lower())
        if not isinstance(encoded, str) or len(encoded) > MAX_FILE * 4 // 3 + 4:
            raise PackError(f"{name} in the packed profile is larger than {MAX_FILE} bytes")
        try:
            files[name] = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise PackError(f"{name} in the packed profile is not base64") from None
    if PROFILE_FILE not in files:
        raise PackError(f"the packed profile has no {PROFILE_FILE}")
    folders = {str(p) for n in files for p in PurePosixPath(n).parents}
    if any(n in folders for n in files):
        raise PackError("the packed profile uses one name as a file and as a folder")
    return files
