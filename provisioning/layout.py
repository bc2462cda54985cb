"""Where things live in the signed repository, and which role may sign which path.

Targets are grouped by council, so one delegation pattern per council covers exactly its own
sites and devices and nothing else::

    sites/<council>/<site>/profile.json          the site's profile and catalogue (packed)
    devices/<council>/<device>/secrets.sealed    one device's secrets, sealed to it

TUF matches a delegation's path pattern part by part (`*` never crosses a `/`), so the
council role `<council>` is delegated `sites/<council>/*/*` and `devices/<council>/*/*`: a
council's key signs its own sites' profiles and its own devices' secrets, and a target it
lists under another council's path is never even looked at. The top-level delegations are
terminating, so a path is never searched for in a second role.
"""

from __future__ import annotations

from kiosk.device_identity import valid_device_id

METADATA = "metadata"
TARGETS = "targets"
PROFILE_TARGET = "profile.json"
SECRETS_TARGET = "secrets.sealed"
TOP_LEVEL_ROLES = ("root", "targets", "snapshot", "timestamp")


class LayoutError(ValueError):
    """A council, site or device name that cannot be a path in the repository."""


def check_name(kind: str, name: str) -> str:
    if not valid_device_id(name):
        raise LayoutError(f"a {kind} name is 1 to 64 lowercase letters, digits and inner hyphens; "
                          f"{name!r} is not")
    if kind == "council" and name in TOP_LEVEL_ROLES:
        raise LayoutError(f"{name!r} is the name of a top-level TUF role; choose another council name")
    return name


def profile_target(council: str, site: str) -> str:
    return f"sites/{check_name('council', council)}/{check_name('site', site)}/{PROFILE_TARGET}"


def secrets_target(council: str, device: str) -> str:
    return f"devices/{check_name('council', council)}/{check_name('device', device)}/{SECRETS_TARGET}"


def council_paths(council: str) -> list[str]:
    check_name("council", council)
    return [f"sites/{council}/*/*", f"devices/{council}/*/*"]


def metadata_url(repository_url: str) -> str:
    return f"{repository_url.rstrip('/')}/{METADATA}/"


def targets_url(repository_url: str) -> str:
    return f"{repository_url.rstrip('/')}/{TARGETS}/"
