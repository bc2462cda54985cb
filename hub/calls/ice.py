"""ICE servers for calls, from the hub's settings file (section `calls`, docs/calls.md 2.4).

    calls:
      ice_servers:
        - urls: ["stun:stun.example.gov.uk:3478"]
        - urls: ["turn:turn.example.gov.uk:3478?transport=udp"]
          turn_secret_file: /etc/kiosk-hub/turn-secret
      credential_ttl_seconds: 3600
      relay_only: false

None by default: on loopback and on one LAN peers reach each other directly. A TURN entry
with `turn_secret_file` gets coturn's REST-API credentials (`use-auth-secret`) for each peer
as it joins: username `<unix expiry>:<peer_id>`, credential base64(HMAC-SHA1(secret,
username)). The secret is read once at start-up and never printed (not in errors, logs or a
repr). `relay_only` makes every peer relay through TURN (`iceTransportPolicy: "relay"`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

SCHEMES = ("stun:", "stuns:", "turn:", "turns:")


class IceServerEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    urls: list[str] = Field(min_length=1, max_length=10)
    # A fixed TURN account, for a server without a shared secret (rarely what you want).
    username: str | None = Field(default=None, max_length=200)
    credential: SecretStr | None = None
    turn_secret_file: Path | None = None

    @field_validator("urls")
    @classmethod
    def _urls(cls, urls: list[str]) -> list[str]:
        for url in urls:
            if not url.startswith(SCHEMES) or len(url) > 300:
                raise ValueError(f"each URL must start with {', '.join(SCHEMES)}")
        return urls

    @model_validator(mode="after")
    def _credentials(self) -> IceServerEntry:
        turn = all(url.startswith(("turn:", "turns:")) for url in self.urls)
        if (self.turn_secret_file is not None or self.username is not None) and not turn:
            raise ValueError("credentials are for TURN servers: every URL of this entry must "
                             "start with turn: or turns:")
        if self.turn_secret_file is not None and self.username is not None:
            raise ValueError("give turn_secret_file or username and credential, not both")
        if (self.username is None) != (self.credential is None):
            raise ValueError("username and credential go together")
        return self

    @property
    def is_turn(self) -> bool:
        return all(url.startswith(("turn:", "turns:")) for url in self.urls)


class CallsSection(BaseModel):
    """The settings file's `calls` section, as written."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    ice_servers: list[IceServerEntry] = Field(default_factory=list, max_length=10)
    credential_ttl_seconds: int = Field(default=3600, ge=60, le=7 * 24 * 3600)
    relay_only: bool = False

    @model_validator(mode="after")
    def _relay_needs_turn(self) -> CallsSection:
        if self.relay_only and not any(entry.is_turn for entry in self.ice_servers):
            raise ValueError("relay_only needs a TURN server in ice_servers: without one no "
                             "call could connect")
        return self


@dataclass(frozen=True)
class IceServer:
    urls: tuple[str, ...]
    username: str | None = None
    credential: str | None = field(default=None, repr=False)
    secret: bytes | None = field(default=None, repr=False)  # coturn's static-auth-secret


@dataclass(frozen=True)
class IceSettings:
    """What the hub tells each peer in its `welcome`: ready to use, secrets read."""

    servers: tuple[IceServer, ...] = ()
    credential_ttl_seconds: int = 3600
    relay_only: bool = False

    @property
    def transport_policy(self) -> str:
        return "relay" if self.relay_only else "all"

    def for_peer(self, peer_id: str, now: float) -> list[dict[str, Any]]:
        """RTCIceServer dictionaries for one peer, TURN credentials good until now + TTL."""
        found: list[dict[str, Any]] = []
        for server in self.servers:
            entry: dict[str, Any] = {"urls": list(server.urls)}
            if server.secret is not None:
                entry.update(turn_credentials(server.secret, peer_id,
                                              int(now) + self.credential_ttl_seconds))
            elif server.username is not None:
                entry.update(username=server.username, credential=server.credential)
            found.append(entry)
        return found


def turn_credentials(secret: bytes, peer_id: str, expiry: int) -> dict[str, str]:
    """coturn's REST-API scheme: the server recomputes the HMAC from its copy of the secret."""
    username = f"{expiry}:{peer_id}"
    mac = hmac.new(secret, username.encode("utf-8"), hashlib.sha1).digest()
    return {"username": username, "credential": base64.b64encode(mac).decode("ascii")}


def read_secret(path: Path) -> bytes:
    """The shared secret in `path`, without its line end; OSError or ValueError if unusable."""
    secret = path.read_bytes().strip()
    if not secret:
        raise ValueError("is empty")
    return secret


def ice_settings(section: CallsSection, secrets: dict[int, bytes]) -> IceSettings:
    """The section with each entry's secret (by its index), read by the caller."""
    servers = tuple(IceServer(
        urls=tuple(entry.urls), username=entry.username,
        credential=entry.credential.get_secret_value() if entry.credential else None,
        secret=secrets.get(index)) for index, entry in enumerate(section.ice_servers))
    return IceSettings(servers, section.credential_ttl_seconds, section.relay_only)
