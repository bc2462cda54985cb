"""The hub's settings file: what cannot be a flag, such as how to ask other back offices.

    # /etc/civic-kiosk-hub/settings.yaml  (kiosk-hub --settings FILE, or KIOSK_HUB_SETTINGS)
    destinations:
      county:                      # the destination's name in the kiosks' profile
        endpoint: https://county.example.gov.uk/open311/v2
        api_key: "..."             # only if its GET requests need one (sent as api_key=)
        jurisdiction_id: county.example.gov.uk
        format: json               # json or xml
        timeout_seconds: 3
        cache_seconds: 60
    calls:                         # ICE servers for advisor calls (docs/calls.md 2.4)
      ice_servers:
        - urls: ["turn:turn.example.gov.uk:3478?transport=udp"]
          turn_secret_file: /etc/kiosk-hub/turn-secret
      credential_ttl_seconds: 3600
      relay_only: false
    report:                        # the usage report (docs/measures.md)
      monthly_cost:                # each site's kiosk running cost a month, in pounds
        central-library: 450.00

A kiosk that delivers a request to `county` tells the hub its reference and the id the
county's server gave it; the hub then answers status pages and "Track my request" by asking
that server. Keys are never printed: not in errors about this file, not in logs, not in a
repr (`SecretStr`). Keep the file readable by the hub's service user only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, HttpUrl, SecretStr, ValidationError

from hub.calls.ice import CallsSection, IceSettings, ice_settings, read_secret

_NAME = r"^[A-Za-z0-9_.-]{1,64}$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TrackedDestination(_Strict):
    """A back office the hub asks about requests kiosks delivered to it (Open311 GET)."""

    endpoint: HttpUrl = Field(description="Its GeoReport v2 base URL, ending before "
                                          "/requests.json")
    api_key: SecretStr | None = None
    jurisdiction_id: str | None = Field(default=None, max_length=200)
    format: Literal["json", "xml"] = "json"
    # The whole question (token and request): keep it below the kiosks' lookup timeout (5 s).
    timeout_seconds: float = Field(default=3.0, gt=0, le=30)
    cache_seconds: float = Field(default=60.0, ge=0, le=3600)

    def base(self) -> str:
        return str(self.endpoint).rstrip("/")


class ReportSection(_Strict):
    # Pounds a month per site id: what the kiosks there cost to run (lease, support, paper,
    # staff time), divided by completed transactions for cost per transaction.
    monthly_cost: dict[str, float] = Field(default_factory=dict)


class SettingsFile(_Strict):
    destinations: dict[str, TrackedDestination] = Field(default_factory=dict)
    calls: CallsSection = Field(default_factory=CallsSection)
    report: ReportSection = Field(default_factory=ReportSection)


@dataclass(frozen=True)
class HubSettingsFile:
    """The whole file, ready to use: TURN secrets read."""

    destinations: Mapping[str, TrackedDestination] = field(default_factory=dict)
    calls: IceSettings = field(default_factory=IceSettings)
    site_costs: Mapping[str, float] = field(default_factory=dict)


class SettingsFileError(ValueError):
    """The file cannot be used: which file, which field, what was expected (never a value)."""


def _where(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(the whole file)"


def load_settings_file(path: Path) -> Mapping[str, TrackedDestination]:
    """The per-destination sections of `path`; SettingsFileError naming the field if wrong."""
    return load_hub_settings_file(path).destinations


def _calls(path: Path, section: CallsSection) -> IceSettings:
    secrets: dict[int, bytes] = {}
    for index, entry in enumerate(section.ice_servers):
        if entry.turn_secret_file is None:
            continue
        where = f"{path}: calls.ice_servers.{index}.turn_secret_file: {entry.turn_secret_file}"
        try:
            secrets[index] = read_secret(entry.turn_secret_file)
        except OSError as exc:
            raise SettingsFileError(f"{where}: cannot read it ({exc.strerror or exc})") from None
        except ValueError as exc:
            raise SettingsFileError(f"{where}: {exc}: it must hold coturn's "
                                    "static-auth-secret") from None
    return ice_settings(section, secrets)


def load_hub_settings_file(path: Path) -> HubSettingsFile:
    """Every section of `path`; SettingsFileError naming the file and the field if wrong."""
    try:
        document: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SettingsFileError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark is not None else ""
        raise SettingsFileError(f"{path}: not valid YAML{line}") from None
    if document is None:
        document = {}
    try:
        settings = SettingsFile.model_validate(document)
    except ValidationError as exc:
        # Pydantic's own text quotes the value it was given, which may be a key: not here.
        problems = "; ".join(f"{_where(e['loc'])}: {e['msg']}" for e in exc.errors())
        raise SettingsFileError(f"{path}: {problems}") from None
    bad = [name for name in settings.destinations if not re.match(_NAME, name)]
    if bad:
        raise SettingsFileError(f"{path}: destinations: names are letters, digits, . _ - "
                                f"(up to 64), like the kiosks' profile uses; found {bad[0][:64]!r}")
    negative = [site for site, cost in settings.report.monthly_cost.items() if not cost >= 0]
    if negative:
        raise SettingsFileError(f"{path}: report.monthly_cost.{negative[0][:64]}: expected a "
                                "cost in pounds, 0 or more")
    return HubSettingsFile(dict(settings.destinations), _calls(path, settings.calls),
                           dict(settings.report.monthly_cost))
